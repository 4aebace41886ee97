"""`asklab validate`: check files against the data contract, touching no warehouse."""

from __future__ import annotations

import argparse
from pathlib import Path

from asklab.cli.options import EXIT_FAILED, EXIT_OK, date_arg, settings_for
from asklab.settings import DATE_ORDERS


def add(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser(
        "validate",
        help="check files against the data contract without touching the warehouse",
        description="Check call, event and plan files (or folders of them) against the data "
        "contract. Prints one line per problem as FILE:LINE: COLUMN: REASON, then the "
        "notices as FILE: notice: TEXT, then a count line; exits 1 when any row or file "
        "would be rejected, 0 otherwise.",
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="file or folder")
    validate.add_argument(
        "--raw",
        type=Path,
        metavar="DIR",
        help="raw root used to tell the member folder of a file (default: from config)",
    )
    validate.add_argument(
        "--as-of",
        type=date_arg,
        metavar="YYYY-MM-DD",
        help="dates after this day are problems (default: today)",
    )
    validate.add_argument(
        "--date-order", choices=DATE_ORDERS, help="order of undecidable day/month dates"
    )
    validate.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Problems (``FILE:LINE: COLUMN: REASON``), then notices (``FILE: notice: TEXT``),
    then a count line, all on standard output (CONTRACT §6, v2); exit 1 when any
    row or file would be rejected."""
    settings = settings_for(args)
    from asklab.ingest.check import check_paths

    report = check_paths(
        args.paths, settings.raw, as_of=settings.as_of, date_order=settings.date_order
    )
    for problem in report.problems:
        print(problem.format())
    for notice in report.notices:
        print(notice.format())
    print(report.summary())
    return EXIT_FAILED if report.rejects_anything else EXIT_OK
