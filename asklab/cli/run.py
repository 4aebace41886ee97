"""`asklab run`: the weekly flow once, as a Prefect flow run."""

from __future__ import annotations

import argparse
import sys

from asklab.cli.groups import add_groups_options, groups_command
from asklab.cli.options import (
    EXIT_FAILED,
    EXIT_OK,
    add_path_options,
    date_arg,
    non_negative_int,
    project_root,
    settings_for,
    use_project_prefect_home,
)
from asklab.settings import DATE_ORDERS


def add(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="run the weekly flow once: ingest, outcomes, reports",
        description="Run the weekly flow once, as a Prefect flow run: ingest the raw files "
        "into the warehouse, compute outcomes, write the reports, then print a summary. "
        "Uses the project's Prefect server when it runs (`asklab server start`), else a "
        "temporary local API.",
    )
    add_path_options(run)
    run.add_argument(
        "--as-of",
        type=date_arg,
        metavar="YYYY-MM-DD",
        help="the run date: later dates are rejected, maturity counts to it (default: today)",
    )
    run.add_argument(
        "--window",
        type=non_negative_int,
        metavar="DAYS",
        help="days after a call within which a later event counts for it (default: 60)",
    )
    run.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        help="order of undecidable slashed/dotted dates such as 4/3/2026 (default: month-first)",
    )
    run.add_argument(
        "--quiet", action="store_true", help="no progress lines, only the final summary"
    )
    run.add_argument("--verbose", action="store_true", help="show Prefect's own log lines")
    add_groups_options(run)
    run.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    if args.groups is not None:  # many groups on Dask: asklab/cli/groups.py
        return groups_command(args)
    settings = settings_for(args)
    root = project_root(args.config)
    use_project_prefect_home(root, verbose=args.verbose)
    from asklab.server import ServerError, api_for_run

    def say(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    try:
        with api_for_run(root, say=say):
            # Prefect is imported once the API it should use is set.
            from flows.weekly_analysis import weekly_analysis

            summary = weekly_analysis(settings, show_progress=not args.quiet)
    except (ServerError, Exception) as exc:  # the flow failed: say where and why
        print(f"asklab run failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(summary.format())
    return EXIT_OK
