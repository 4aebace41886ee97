"""Benchmark many groups: serially in one process, then on a Dask LocalCluster.

    python -m benchmarks.groups [--groups 200] [--calls 5000] [--members 20]
        [--empty-groups 200] [--workers N] [--workdir DIR] [--json FILE]

Writes G groups of C calls and C events each (``benchmarks.generate``),
then, in one invocation, on the same files:

- **serial**: every group's weekly run (``asklab.pipeline.run_weekly``)
  one after the other in this process, no Prefect, no Dask;
- **cluster**: the groups flow (``flows.groups.groups_analysis``: one Prefect
  task per group, then the all-groups step) on a ``LocalCluster`` of one
  single-threaded worker process per CPU, into fresh warehouses. The
  cluster's start and Prefect's temporary API are timed apart; the flow's
  wall time includes the all-groups step, which is also timed alone;
- **empty groups**: the same two ways over E empty group folders, which
  gives the per-group overhead of a Prefect task plus Dask scheduling:
  worker-seconds per group on the cluster minus seconds per group serially;
- **peak memory** of this process after the serial run, and of each worker
  (``ru_maxrss``) after the cluster runs.

Nothing here is a test; no test times anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 26)


def make_groups(root: Path, *, groups: int, calls: int, members: int) -> Path:
    from benchmarks.generate import generate

    for index in range(groups):
        generate(
            root / f"group {index:05d}",
            calls=calls,
            members=members,
            rows_per_file=max(calls, 1),
            seed=index + 1,
        )
    return root


def make_empty_groups(root: Path, groups: int) -> Path:
    for index in range(groups):
        (root / f"empty {index:05d}").mkdir(parents=True)
    return root


def run_serial(groups_dir: Path, out: Path) -> float:
    from asklab.groups import find_groups, group_settings
    from asklab.pipeline import run_weekly
    from asklab.settings import Settings

    base = Settings(db_dir=out / "wh", reports=out / "rep", as_of=AS_OF)
    started = time.perf_counter()
    for group in find_groups(groups_dir).groups:
        run_weekly(group_settings(base, group))
    return time.perf_counter() - started


def run_cluster(groups_dir: Path, out: Path, address: str) -> tuple[float, int]:
    from asklab.settings import Settings
    from flows.groups import groups_analysis

    settings = Settings(db_dir=out / "wh", reports=out / "rep", as_of=AS_OF, dask_address=address)
    started = time.perf_counter()
    summary = groups_analysis(settings, groups_dir)
    return time.perf_counter() - started, len(summary.failed)


def time_all_groups_step(groups_dir: Path, out: Path) -> float:
    """The all-groups step alone (read every warehouse, write the pages), as the flow does it."""
    from asklab.groups import (
        GroupOutcome,
        build_all_groups,
        find_groups,
        write_all_groups_pages,
    )

    found = find_groups(groups_dir)
    outcomes = [GroupOutcome(group, error="(not run: step timed alone)") for group in found.groups]
    started = time.perf_counter()
    built = build_all_groups(out / "wh", outcomes)
    write_all_groups_pages(out / "rep", built.comparison, built.groups, found.groups, as_of=AS_OF)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--calls", type=int, default=5000, help="calls (and events) per group")
    parser.add_argument("--members", type=int, default=20, help="members per group")
    parser.add_argument("--empty-groups", type=int, default=200)
    parser.add_argument("--workers", type=int, help="cluster workers (default: one per CPU)")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    cpus = len(os.sched_getaffinity(0))
    workers = args.workers or cpus

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="asklab-bench-groups-"))
    shutil.rmtree(workdir / "runs", ignore_errors=True)
    started = time.perf_counter()
    full = (
        make_groups(workdir / "groups", groups=args.groups, calls=args.calls, members=args.members)
        if not (workdir / "groups").is_dir()
        else workdir / "groups"
    )
    empty = workdir / "empty"
    shutil.rmtree(empty, ignore_errors=True)
    make_empty_groups(empty, args.empty_groups)
    print(f"groups written in {time.perf_counter() - started:.1f} s under {workdir}", flush=True)

    os.environ["PREFECT_HOME"] = str(workdir / "prefect-home")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")

    serial = run_serial(full, workdir / "runs" / "serial")
    serial_empty = run_serial(empty, workdir / "runs" / "serial-empty")
    serial_rss = peak_rss_mb()
    print(f"serial: {serial:.1f} s ({serial_empty:.1f} s for the empty groups)", flush=True)

    from distributed import Client, LocalCluster

    from asklab.server import temporary_api

    api_started = time.perf_counter()
    with temporary_api(workdir) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        api_seconds = time.perf_counter() - api_started
        cluster_started = time.perf_counter()
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            cluster_seconds = time.perf_counter() - cluster_started
            address = cluster.scheduler_address
            clustered, failed = run_cluster(full, workdir / "runs" / "cluster", address)
            clustered_empty, _ = run_cluster(empty, workdir / "runs" / "cluster-empty", address)
            worker_rss = client.run(worker_peak_rss_mb)
        all_groups_step = time_all_groups_step(full, workdir / "runs" / "cluster")
        del os.environ["PREFECT_API_URL"]

    overhead = clustered_empty * workers / args.empty_groups - serial_empty / args.empty_groups
    results = {
        "groups": args.groups,
        "calls_per_group": args.calls,
        "members_per_group": args.members,
        "cpus": cpus,
        "workers": workers,
        "serial_s": serial,
        "cluster_s": clustered,
        "speedup": serial / clustered,
        "cluster_start_s": cluster_seconds,
        "prefect_api_start_s": api_seconds,
        "failed_groups": failed,
        "empty_groups": args.empty_groups,
        "serial_empty_s": serial_empty,
        "cluster_empty_s": clustered_empty,
        "overhead_per_group_s": overhead,
        "all_groups_step_s": all_groups_step,
        "serial_peak_rss_mb": serial_rss,
        "worker_peak_rss_mb": sorted(worker_rss.values()),
    }
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def format_table(r: dict) -> str:
    per_group = r["cluster_s"] * r["workers"] / r["groups"]
    rows = [
        ("groups x calls (+ as many events)", f"{r['groups']} x {r['calls_per_group']:,}"),
        ("CPUs / cluster workers", f"{r['cpus']} / {r['workers']}"),
        ("serial, one process, no Dask s", f"{r['serial_s']:.1f}"),
        ("cluster, groups flow (incl. all-groups step) s", f"{r['cluster_s']:.1f}"),
        ("speedup", f"{r['speedup']:.2f}x"),
        (
            "cluster start s / Prefect temporary API s",
            f"{r['cluster_start_s']:.1f} / {r['prefect_api_start_s']:.1f}",
        ),
        ("serial s per group", f"{r['serial_s'] / r['groups']:.3f}"),
        ("cluster worker-s per group", f"{per_group:.3f}"),
        (
            f"empty groups ({r['empty_groups']}): serial s / cluster s",
            f"{r['serial_empty_s']:.1f} / {r['cluster_empty_s']:.1f}",
        ),
        ("per-group overhead (Prefect task + Dask), worker-s", f"{r['overhead_per_group_s']:.3f}"),
        ("all-groups step alone s", f"{r['all_groups_step_s']:.2f}"),
        ("peak RSS serial process MB", f"{r['serial_peak_rss_mb']:.0f}"),
        ("peak RSS per worker MB", ", ".join(f"{v:.0f}" for v in r["worker_peak_rss_mb"])),
        ("failed groups", str(r["failed_groups"])),
    ]
    lines = ["| measure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
