"""Benchmark many groups: serially in one process, then on a Dask LocalCluster.

    python -m benchmarks.groups [--groups 200] [--calls 5000] [--members 20]
        [--empty-groups 200] [--workers N] [--workdir DIR] [--json FILE]

Writes G groups of C calls and C events each (``benchmarks.generate``),
then, in one invocation, on the same files:

- **serial**: every group's weekly run (``asklab.pipeline.run_weekly``)
  one after the other in this process, no Prefect, no Dask;
- **cluster**: the groups flow (``flows.groups.groups_analysis``: a Prefect
  task run per group, in batches of groups per Dask task, then the
  all-groups step) on the ``LocalCluster`` that ``asklab run --groups``
  starts (one single-threaded worker process per CPU, the same settings),
  into fresh warehouses. The cluster's start (with the workers' preload
  imports) and Prefect's temporary API are timed apart; the flow's wall time
  includes the all-groups step, which is also timed alone;
- twice, each time on a fresh cluster: with the run's Prefect API a
  **temporary** one (as when no project server runs) and with the
  **project server** (``asklab server start``); the workers use the run's
  API either way, never one of their own;
- **empty groups**: the same ways over E empty group folders, which
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
    from flows.heartbeats import without_heartbeats

    settings = Settings(db_dir=out / "wh", reports=out / "rep", as_of=AS_OF, dask_address=address)
    started = time.perf_counter()
    with without_heartbeats():  # as `asklab run --groups` runs it
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

    setups = {
        "temporary API": run_setup("temporary", full, empty, workdir, workers),
        "project server": run_setup("project", full, empty, workdir, workers),
    }
    step_dir = workdir / "runs" / "cluster-temporary"
    all_groups_step = time_all_groups_step(full, step_dir)
    results = {
        "groups": args.groups,
        "calls_per_group": args.calls,
        "members_per_group": args.members,
        "cpus": cpus,
        "workers": workers,
        "serial_s": serial,
        "empty_groups": args.empty_groups,
        "serial_empty_s": serial_empty,
        "all_groups_step_s": all_groups_step,
        "serial_peak_rss_mb": serial_rss,
        "setups": setups,
    }
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def run_setup(name: str, full: Path, empty: Path, workdir: Path, workers: int) -> dict:
    """The groups flow on a fresh LocalCluster, with the run's Prefect API either
    a temporary one (no project server running) or the project's server."""
    import dask
    from distributed import Client, LocalCluster

    from asklab import server
    from asklab.groups.cluster import LOCAL_CLUSTER_CONFIG, local_cluster_kwargs
    from asklab.settings import Settings

    project = workdir / name
    api_started = time.perf_counter()
    if name == "project":
        server.start(project, port=server._free_port())
    try:
        with server.api_for_run(project, say=lambda line: None):
            api_seconds = time.perf_counter() - api_started
            cluster_started = time.perf_counter()
            # The cluster `asklab run --groups` would start (its workers import the
            # pipeline as they start), started here so that its start is timed apart.
            with (
                dask.config.set(LOCAL_CLUSTER_CONFIG),
                LocalCluster(**local_cluster_kwargs(Settings(dask_workers=workers))) as cluster,
                Client(cluster) as client,
            ):
                cluster_seconds = time.perf_counter() - cluster_started
                address = cluster.scheduler_address
                runs = workdir / "runs"
                clustered, failed = run_cluster(full, runs / f"cluster-{name}", address)
                clustered_empty, _ = run_cluster(empty, runs / f"cluster-{name}-empty", address)
                worker_rss = client.run(worker_peak_rss_mb)
    finally:
        if name == "project":
            server.stop(project)
    print(f"cluster, {name}: {clustered:.1f} s ({clustered_empty:.1f} s empty)", flush=True)
    return {
        "cluster_s": clustered,
        "cluster_empty_s": clustered_empty,
        "cluster_start_s": cluster_seconds,
        "prefect_api_start_s": api_seconds,
        "failed_groups": failed,
        "worker_peak_rss_mb": sorted(worker_rss.values()),
    }


def format_table(r: dict) -> str:
    """One column per Prefect set-up; the serial figures repeat in each."""
    names = list(r["setups"])
    groups, workers = r["groups"], r["workers"]

    def row(label: str, value) -> str:
        return f"| {label} | " + " | ".join(value(r["setups"][n]) for n in names) + " |"

    def same(text: str):
        return lambda _setup: text

    def overhead(setup: dict) -> float:
        """Worker-seconds per empty group on the cluster minus seconds per empty group serially."""
        return (setup["cluster_empty_s"] * workers - r["serial_empty_s"]) / r["empty_groups"]

    lines = [
        "| measure | " + " | ".join(f"cluster, {n}" for n in names) + " |",
        "|---|" + "---|" * len(names),
        row("groups x calls (+ as many events)", same(f"{groups} x {r['calls_per_group']:,}")),
        row("CPUs / cluster workers", same(f"{r['cpus']} / {workers}")),
        row("serial, one process, no Dask s", same(f"{r['serial_s']:.1f}")),
        row("cluster, groups flow (incl. all-groups step) s", lambda x: f"{x['cluster_s']:.1f}"),
        row("speedup", lambda x: f"{r['serial_s'] / x['cluster_s']:.2f}x"),
        row(
            "speedup with the all-groups step on both sides",
            lambda x: f"{(r['serial_s'] + r['all_groups_step_s']) / x['cluster_s']:.2f}x",
        ),
        row(
            "cluster start s / Prefect API start s",
            lambda x: f"{x['cluster_start_s']:.1f} / {x['prefect_api_start_s']:.1f}",
        ),
        row("serial s per group", same(f"{r['serial_s'] / groups:.3f}")),
        row("cluster worker-s per group", lambda x: f"{x['cluster_s'] * workers / groups:.3f}"),
        row(
            f"empty groups ({r['empty_groups']}): serial s / cluster s",
            lambda x: f"{r['serial_empty_s']:.1f} / {x['cluster_empty_s']:.1f}",
        ),
        row(
            "per-group overhead (Prefect task + Dask), worker-s",
            lambda x: f"{overhead(x):.3f}",
        ),
        row("all-groups step alone s", same(f"{r['all_groups_step_s']:.2f}")),
        row("peak RSS serial process MB", same(f"{r['serial_peak_rss_mb']:.0f}")),
        row(
            "peak RSS per worker MB",
            lambda x: ", ".join(f"{v:.0f}" for v in x["worker_peak_rss_mb"]),
        ),
        row("failed groups", lambda x: str(x["failed_groups"])),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
