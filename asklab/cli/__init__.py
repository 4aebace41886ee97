"""The `asklab` command line (CONTRACT §6): one module per command.

Each command module adds its parser and names its handler; heavy libraries
(Prefect, Altair, scipy) are imported inside the handlers that need them,
so `--help`, `validate` and `sample` start at once. Prefect is imported only
after PREFECT_HOME points inside the project, so a run never reads a user's
global profile.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from asklab.cli import plan, run, sample, serve, server, validate
from asklab.cli.options import settings_for
from asklab.settings import SettingsError

COMMANDS = (run, validate, serve, server, sample, plan)

__all__ = ["build_parser", "main", "settings_for"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asklab",
        description=(
            "Measure which networking asks work for a job-search group: "
            "reference asks against job asks, from the group's call logs."
        ),
        epilog="Defaults come from asklab.toml or [tool.asklab] in pyproject.toml; "
        "options given here win.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="config file (asklab.toml, or a pyproject.toml with [tool.asklab]); "
        "default: the nearest one from the current folder up",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except SettingsError as exc:
        print(f"asklab: {exc}", file=sys.stderr)
        return 2
