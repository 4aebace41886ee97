"""Benchmark the weekly run against DuckDB's bare CSV load (the floor).

    python -m benchmarks.run --calls 1000000 [--calls 4000000] [--workdir DIR]

For each size N it writes N calls + N events (``benchmarks.generate``), then,
on the same files, measures:

- floor: DuckDB loading the CSV files into a fresh database file
  (``CREATE TABLE ... AS SELECT * FROM read_csv(...)``);
- the weekly run as a Prefect flow, stage by stage, with Prefect's start-up
  apart, in a child process whose peak resident set size is read at exit;
- a rerun with no file changed;

and prints one table with the ratios to the floor. Nothing here is a test:
CI only runs a tiny smoke size (``--smoke``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.generate import generate

AS_OF = dt.date(2026, 11, 26)


def measure_floor(raw: Path, db: Path) -> float:
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    for kind in ("calls", "events"):
        # Parameters cannot name tables; the glob is a bound parameter.
        con.execute(
            f"CREATE TABLE {kind} AS SELECT * FROM read_csv($glob)",
            {"glob": str(raw / f"{kind}_*.csv")},
        )
    con.close()
    return time.perf_counter() - started


def prefect_environment(workdir: Path) -> dict[str, str]:
    """The environment of the measured runs: one Prefect home for all of them,
    set up once beforehand (as a project's ``.prefect/`` is after its first run)."""
    home = workdir / "prefect-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    subprocess.run(
        [sys.executable, "-m", "benchmarks.run_once", "--warm-up-only"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env


def run_child(raw: Path, db: Path, reports: Path, *, no_prefect: bool, env: dict[str, str]) -> dict:
    command = [
        sys.executable,
        "-m",
        "benchmarks.run_once",
        "--raw",
        str(raw),
        "--db",
        str(db),
        "--reports",
        str(reports),
        "--as-of",
        AS_OF.isoformat(),
    ]
    if no_prefect:
        command.append("--no-prefect")
    out_path = db.parent / "child.out"
    with out_path.open("w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, text=True, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors = child.stderr.read() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"benchmark run failed ({child.returncode}):\n{errors}")
    result = json.loads(out_path.read_text().strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def bench_size(
    calls: int, workdir: Path, *, members: int, no_prefect: bool, env: dict[str, str]
) -> dict:
    folder = workdir / f"n{calls}"
    shutil.rmtree(folder, ignore_errors=True)
    raw = folder / "raw"
    started = time.perf_counter()
    generate(raw, calls=calls, members=members)
    generated = time.perf_counter() - started
    floor = measure_floor(raw, folder / "floor.duckdb")
    db, reports = folder / "warehouse.duckdb", folder / "reports"
    first = run_child(raw, db, reports, no_prefect=no_prefect, env=env)
    rerun = run_child(raw, db, reports, no_prefect=no_prefect, env=env)
    return {
        "calls": calls,
        "generate": generated,
        "floor": floor,
        "first": first,
        "rerun": rerun,
    }


def format_table(results: list[dict]) -> str:
    header = (
        "| calls + events | floor s | ingest s | outcomes s | reports s | run s | run/floor "
        "| Prefect start s | rerun s | rerun stages s | peak RSS MB | group page KB |"
    )
    lines = [header, header_rule(header)]
    for r in results:
        first, rerun = r["first"], r["rerun"]
        stages = first["stages"]
        rerun_stages = sum(rerun["stages"].values())
        page = first["group_page_bytes"]
        lines.append(
            f"| {r['calls']:,} + {r['calls']:,} | {r['floor']:.2f} | {stages.get('ingest', 0):.2f} "
            f"| {stages.get('outcomes', 0):.2f} | {stages.get('reports', 0):.2f} "
            f"| {first['run']:.2f} | {first['run'] / r['floor']:.1f}x "
            f"| {first['prefect_startup']:.2f} | {rerun['run']:.2f} | {rerun_stages:.2f} "
            f"| {max(first['peak_rss_mb'], rerun['peak_rss_mb']):.0f} "
            f"| {page / 1024 if page else 0:.0f} |"
        )
    for r in results:
        lines.append("\n" + floor_verdict(r))
    if len(results) > 1:
        base = results[0]
        for r in results[1:]:
            ratio = r["first"]["run"] / base["first"]["run"]
            lines.append(
                f"\n{r['calls']:,} calls take {ratio:.2f}x the time of {base['calls']:,} "
                f"({r['calls'] / base['calls']:.0f}x the rows)"
            )
    return "\n".join(lines)


# The run's work (without Prefect's start-up) against the floor, measured side by side.
RUN_FLOOR_TARGET = 4.0


def floor_verdict(result: dict) -> str:
    run, floor = result["first"]["run"], result["floor"]
    ratio = run / floor
    over = run - RUN_FLOOR_TARGET * floor
    verdict = "met" if over <= 0 else f"missed by {over:.2f} s"
    return (
        f"{result['calls']:,} calls: run {run:.2f} s = {ratio:.1f}x the floor of {floor:.2f} s "
        f"(target {RUN_FLOOR_TARGET:.0f}x: {verdict})"
    )


def header_rule(header: str) -> str:
    return "|" + "---|" * (header.count("|") - 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--calls", type=int, action="append", help="size N (repeatable); default 1M then 4M"
    )
    parser.add_argument(
        "--members", type=int, default=1000, help="members in the generated group (default 1000)"
    )
    parser.add_argument("--workdir", type=Path, help="where to write (default: a temp folder)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--no-prefect", action="store_true", help="call the pipeline directly")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON here")
    args = parser.parse_args()
    sizes = args.calls or ([2_000] if args.smoke else [1_000_000, 4_000_000])
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="asklab-bench-"))
    env = dict(os.environ) if args.no_prefect else prefect_environment(workdir)
    results = [
        bench_size(n, workdir, members=args.members, no_prefect=args.no_prefect, env=env)
        for n in sizes
    ]
    shutil.rmtree(workdir / "prefect-home", ignore_errors=True)
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
