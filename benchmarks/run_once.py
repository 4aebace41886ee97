"""One weekly run as the benchmark measures it; prints a JSON line.

Run in its own process by ``benchmarks.run`` so that its peak resident set
size can be read from the operating system when it exits. Prefect's start-up
(the temporary local API) is timed apart by running an empty flow first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--reports", type=Path, required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--no-prefect", action="store_true", help="call the pipeline directly")
    args = parser.parse_args()

    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="asklab-bench-prefect-"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    from asklab import pipeline
    from asklab.settings import Settings, parse_iso_date

    settings = Settings(
        raw=args.raw, db=args.db, reports=args.reports, as_of=parse_iso_date(args.as_of)
    )
    prefect_startup = 0.0
    started = time.perf_counter()
    if args.no_prefect:
        summary = pipeline.run_weekly(settings)
    else:
        from prefect import flow

        from flows.weekly_analysis import weekly_analysis

        @flow(name="benchmark-warm-up")
        def warm_up() -> None:
            return None

        warm_up()
        prefect_startup = time.perf_counter() - started
        started = time.perf_counter()
        summary = weekly_analysis(
            raw=str(args.raw),
            db=str(args.db),
            reports=str(args.reports),
            as_of=args.as_of,
        )
    run_seconds = time.perf_counter() - started
    group_pages = [p for p in summary.reports if p.name == "group.html"]
    result = {
        "prefect_startup": prefect_startup,
        "run": run_seconds,
        "stages": summary.stage_seconds,
        "files_loaded": summary.ingest.files_loaded,
        "files_unchanged": summary.ingest.files_unchanged,
        "rows_rejected": summary.ingest.rows_rejected,
        "group_page_bytes": group_pages[0].stat().st_size if group_pages else None,
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
