"""`asklab sample DIR`: a realistic synthetic job-search group."""

from __future__ import annotations

import argparse
from pathlib import Path

from asklab.cli.options import EXIT_OK, date_arg, positive_int


def add(commands: argparse._SubParsersAction) -> None:
    sample = commands.add_parser(
        "sample",
        help="write a realistic synthetic job-search group",
        description="Write a realistic synthetic job-search group (CSV and XLSX call logs "
        "and follow-up events, using every file variant of the data contract) into DIR.",
    )
    sample.add_argument("dir", type=Path, metavar="DIR", help="folder to write into")
    sample.add_argument("--members", type=positive_int, default=5, help="members (default: 5)")
    sample.add_argument("--weeks", type=positive_int, default=8, help="weeks of calls (default: 8)")
    sample.add_argument(
        "--seed", type=int, default=7, help="random seed; same seed, same files (default: 7)"
    )
    sample.add_argument(
        "--end", type=date_arg, metavar="YYYY-MM-DD", help="last day of the sample (default: today)"
    )
    sample.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from asklab.sample import write_sample

    written = write_sample(
        args.dir, members=args.members, weeks=args.weeks, seed=args.seed, end=args.end
    )
    print(f"wrote {len(written)} files under {args.dir}")
    return EXIT_OK
