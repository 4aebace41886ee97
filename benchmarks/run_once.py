"""One weekly run as the benchmark measures it; prints a JSON line.

Run in its own process by ``benchmarks.run`` so that its peak resident set
size can be read from the operating system when it exits. Prefect's start-up
(the temporary local API) is timed apart by running an empty flow first.
``--warm-up-only`` runs just that empty flow: the runner uses it once to set
up the Prefect home its measured runs share, as a project's ``.prefect/`` is.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--reports", type=Path)
    parser.add_argument("--as-of")
    parser.add_argument("--no-prefect", action="store_true", help="call the pipeline directly")
    parser.add_argument("--warm-up-only", action="store_true", help="only start Prefect once")
    args = parser.parse_args()
    if not args.warm_up_only and None in (args.raw, args.db, args.reports, args.as_of):
        parser.error("--raw, --db, --reports and --as-of are required")

    if "PREFECT_HOME" not in os.environ:
        home = tempfile.mkdtemp(prefix="asklab-bench-prefect-")
        atexit.register(shutil.rmtree, home, ignore_errors=True)
        os.environ["PREFECT_HOME"] = home
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    if args.warm_up_only:
        from prefect import flow

        flow(name="benchmark-warm-up")(lambda: None)()
        return

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

        from flows.heartbeats import without_heartbeats
        from flows.weekly_analysis import weekly_analysis

        @flow(name="benchmark-warm-up")
        def warm_up() -> None:
            return None

        warm_up()
        prefect_startup = time.perf_counter() - started
        started = time.perf_counter()
        with without_heartbeats():  # as `asklab run` runs it
            summary = weekly_analysis(settings)
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
