"""The ingest stage alone, wall and CPU seconds: for before/after comparisons.

    .venv/bin/python -m benchmarks.ingest RAW [--repeat 3] [--workdir DIR]

Reads (validates and stages) the files below RAW into a fresh warehouse and
writes them (``read_and_stage`` then ``apply_staged``), and prints both
parts' wall and CPU time. On a shared 2-core machine the CPU time is the
steadier figure: wall time follows the other processes' load. To compare
two versions in the same conditions, run this alternately from each (e.g.
``PYTHONPATH=/path/to/other/tree`` for the other one).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from asklab import pipeline
from asklab.settings import Settings, parse_iso_date


def time_ingest(raw: Path, workdir: Path, as_of: str) -> dict[str, float]:
    """Wall and CPU seconds of reading and of writing ``raw`` into a fresh
    warehouse in ``workdir`` (emptied first, left for a look inside)."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    settings = Settings(
        raw=raw,
        db=workdir / "asklab.duckdb",
        reports=workdir / "reports",
        as_of=parse_iso_date(as_of),
    )
    timings: dict[str, float] = {}
    with pipeline.open_run(settings, pipeline.SILENT) as run, run.writing():
        plan = pipeline.plan_files(run)
        wall, cpu = time.perf_counter(), time.process_time()
        staged = pipeline.read_files(run, plan)
        timings["read wall"] = time.perf_counter() - wall
        timings["read cpu"] = time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        pipeline.load_files(run, plan, staged)
        timings["write wall"] = time.perf_counter() - wall
        timings["write cpu"] = time.process_time() - cpu
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--as-of", default="2026-12-01")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="asklab-ingest-"))
    for _ in range(args.repeat):
        t = time_ingest(args.raw, workdir, args.as_of)
        print(
            f"read {t['read wall']:.2f} s (cpu {t['read cpu']:.2f}), "
            f"write {t['write wall']:.2f} s (cpu {t['write cpu']:.2f}), "
            f"ingest {t['read wall'] + t['write wall']:.2f} s "
            f"(cpu {t['read cpu'] + t['write cpu']:.2f})",
            flush=True,
        )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
