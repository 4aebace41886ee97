"""`asklab run`: the weekly flow once, as a Prefect flow run."""

from __future__ import annotations

import argparse
import sys
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from asklab.cli.groups import add_groups_options, groups_command
from asklab.cli.interrupt import end_process, exit_status, interrupted_line, interruptible
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
from asklab.cli.output import RunLog, details_line, failure_line, log_traceback, new_log_path
from asklab.settings import DATE_ORDERS, Settings

if TYPE_CHECKING:
    from asklab.pipeline import RunSummary


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
    run.add_argument(
        "--verbose",
        action="store_true",
        help="show Prefect's own log lines and, on a failure, the traceback "
        "(without it they go to the run's log file only)",
    )
    run.add_argument(
        "--allow-empty",
        action="store_true",
        help="accept a raw folder without any input file even when the warehouse holds "
        "data (removes it all); without it such a run changes nothing and fails",
    )
    add_groups_options(run)
    run.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """The run, with one line per failure and the details in the run's log file
    (CONTRACT §4, §6): no traceback on the terminal unless ``--verbose``."""
    if args.groups is not None:  # many groups on Dask: asklab/cli/groups.py
        return groups_command(args)
    settings = settings_for(args)
    if args.allow_empty:
        settings = replace(settings, allow_empty=True)
    root = project_root(args.config)
    from asklab.load.plan import RawRootMissing, check_raw_root
    from asklab.pipeline import interrupted_stage

    try:
        check_raw_root(settings.raw)  # before anything is created, Prefect's home included
    except RawRootMissing as exc:
        print(failure_line(exc), file=sys.stderr)
        return EXIT_FAILED
    use_project_prefect_home(root, verbose=args.verbose)

    def say(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    log = RunLog(new_log_path(root), verbose=args.verbose)
    with interruptible() as interruption, log:
        try:
            summary = run_flow(root, settings, log, say=say, quiet=args.quiet)
            print(summary.format())
        except BaseException as exc:
            log_traceback(exc)
            if interruption.signum is not None:
                signum = interruption.signum
                committed = interrupted_stage(exc) == "reports"  # after the commit
                end_process(interrupted_line(signum, committed=committed), exit_status(signum))
            if not isinstance(exc, Exception):
                raise
            if args.verbose:
                traceback.print_exception(exc, file=sys.stderr)
            print(failure_line(exc), file=sys.stderr)
            print(details_line(log.path), file=sys.stderr)
            return EXIT_FAILED
    return EXIT_OK


def run_flow(root: Path, settings: Settings, log: RunLog, *, say, quiet: bool) -> RunSummary:
    """The weekly flow on the project server or a temporary API."""
    from asklab.server import api_for_run

    with api_for_run(root, say=say):
        # Prefect is imported once the API it should use is set.
        from flows.heartbeats import without_heartbeats
        from flows.weekly_analysis import weekly_analysis

        log.follow_prefect()
        with without_heartbeats():
            return weekly_analysis(settings, show_progress=not quiet)
