"""Benchmark a small group: `asklab run` on the demo group, as a user runs it.

    python -m benchmarks.small [--raw data/raw] [--repeat 3] [--json FILE]

In a scratch project whose config points at the demo group (``data/raw``),
it times whole processes, from start to exit, fresh (no warehouse, no
reports) and unchanged (a second run, nothing changed):

- ``asklab run`` with Prefect's temporary local API (no server running);
- ``asklab run`` with the project server running (``asklab server start``);
- the pipeline alone, no Prefect (``benchmarks.run_once --no-prefect``);

and for each the time to the first output line (either stream). Prefect's
start-up is timed apart: an empty flow run in a fresh process with the
temporary API and with the server, and the server's own start. The quick
commands (``asklab --help``, ``asklab validate``) are timed too. Medians of
``--repeat`` runs, with the fastest and slowest; the project's Prefect home
is set up by one untimed run first, as a project's ``.prefect/`` is after
its first run. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from asklab import server

REPO = Path(__file__).resolve().parent.parent


def timed(
    command: list[str], *, cwd: Path, env: dict[str, str], output: list[str] | None = None
) -> dict[str, float]:
    """Wall seconds of the process and of its first output line (either stream);
    what it printed is appended to ``output`` when given."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert child.stdout is not None
    first_line = child.stdout.readline()
    first = time.perf_counter() - started
    rest = child.stdout.read()
    code = child.wait()
    wall = time.perf_counter() - started
    if code not in (0, 1):  # validate exits 1 when a file would be rejected
        printed = (first_line + rest).decode(errors="replace")
        raise SystemExit(f"{' '.join(command)} failed ({code}):\n{printed}")
    if output is not None:
        output.append((first_line + rest).decode(errors="replace"))
    return {"wall": wall, "first_line": first if first_line else wall}


def repeated(times: int, measure: Callable[[], dict[str, float]]) -> dict[str, list[float]]:
    runs = [measure() for _ in range(times)]
    return {key: [run[key] for run in runs] for key in runs[0]}


def environment(project: Path) -> dict[str, str]:
    """The user's environment, without any Prefect setting of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(project / ".prefect")
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env


def fresh(project: Path) -> None:
    shutil.rmtree(project / "reports", ignore_errors=True)
    for path in (project / "data").glob("warehouse.duckdb*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def asklab_run(project: Path, env: dict[str, str], *, start_fresh: bool) -> dict[str, float]:
    if start_fresh:
        fresh(project)
    return timed([sys.executable, "-m", "asklab", "run"], cwd=project, env=env)


def pipeline_alone(
    project: Path, raw: Path, env: dict[str, str], *, start_fresh: bool
) -> dict[str, float]:
    if start_fresh:
        fresh(project)
    command = [
        sys.executable,
        "-m",
        "benchmarks.run_once",
        "--no-prefect",
        "--raw",
        str(raw),
        "--db",
        str(project / "data" / "warehouse.duckdb"),
        "--reports",
        str(project / "reports"),
        "--as-of",
        dt.date.today().isoformat(),
    ]
    printed: list[str] = []
    result = timed(command, cwd=REPO, env=env, output=printed)
    del result["first_line"]  # it prints only at the end
    result["in_process"] = json.loads(printed[0].strip().splitlines()[-1])["run"]
    return result


def empty_flow(env: dict[str, str]) -> dict[str, float]:
    """A fresh process that imports Prefect and runs an empty flow."""
    command = [sys.executable, "-m", "benchmarks.run_once", "--warm-up-only"]
    return {"wall": timed(command, cwd=REPO, env=env)["wall"]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench(raw: Path, project: Path, repeat: int) -> dict[str, dict[str, list[float]]]:
    (project / "data").mkdir(parents=True, exist_ok=True)
    (project / "asklab.toml").write_text(f"raw = {json.dumps(str(raw.resolve()))}\n")
    env = environment(project)
    asklab_run(project, env, start_fresh=True)  # sets up .prefect/ once, untimed
    results: dict[str, dict[str, list[float]]] = {}

    def both(label: str, measure: Callable[[bool], dict[str, float]]) -> None:
        results[f"{label}, fresh"] = repeated(repeat, lambda: measure(True))
        results[f"{label}, unchanged"] = repeated(repeat, lambda: measure(False))

    asklab = [sys.executable, "-m", "asklab"]
    results["asklab --help"] = repeated(
        repeat, lambda: timed([*asklab, "--help"], cwd=project, env=env)
    )
    results["asklab validate (demo group)"] = repeated(
        repeat, lambda: timed([*asklab, "validate", str(raw)], cwd=project, env=env)
    )
    both("pipeline alone, no Prefect", lambda f: pipeline_alone(project, raw, env, start_fresh=f))
    both("asklab run, temporary API", lambda f: asklab_run(project, env, start_fresh=f))
    results["Prefect start-up: empty flow, temporary API"] = repeated(
        repeat, lambda: empty_flow(env)
    )

    started = time.perf_counter()
    info = server.start(project, port=free_port())
    server_start = time.perf_counter() - started
    try:
        results["Prefect start-up: `asklab server start` (once)"] = {"wall": [server_start]}
        with_api = {**env, "PREFECT_API_URL": info.api_url}
        results["Prefect start-up: empty flow, project server"] = repeated(
            repeat, lambda: empty_flow(with_api)
        )
        both("asklab run, project server", lambda f: asklab_run(project, env, start_fresh=f))
    finally:
        server.stop(project)
    return results


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def format_table(results: dict[str, dict[str, list[float]]], repeat: int) -> str:
    lines = [
        f"| small group: what | wall s, median of {repeat} (min-max) | first output line s "
        "| in-process run s |",
        "|---|---|---|---|",
    ]
    for label, figures in results.items():
        first = spread(figures["first_line"]) if "first_line" in figures else ""
        inner = spread(figures["in_process"]) if "in_process" in figures else ""
        lines.append(f"| {label} | {spread(figures['wall'])} | {first} | {inner} |")
    unchanged = statistics.median(results["asklab run, project server, unchanged"]["wall"])
    verdict = "met" if unchanged <= 3.0 else f"missed by {unchanged - 3.0:.2f} s"
    lines.append(
        f"\nunchanged `asklab run` with the project server: {unchanged:.2f} s "
        f"(target 3 s: {verdict})"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--raw", type=Path, default=REPO / "data" / "raw", help="the group")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--workdir", type=Path, help="the scratch project (default: temporary)")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON here")
    args = parser.parse_args()
    project = args.workdir or Path(tempfile.mkdtemp(prefix="asklab-bench-small-"))
    try:
        results = bench(args.raw, project, args.repeat)
    finally:
        if not args.workdir:
            shutil.rmtree(project, ignore_errors=True)
    print(format_table(results, args.repeat))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
