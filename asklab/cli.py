"""The `asklab` command line (CONTRACT §6): run, validate, serve, sample.

Prefect is imported only by the commands that need it, after PREFECT_HOME
points inside the project, so a run never reads a user's global profile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from asklab.settings import DATE_ORDERS, Settings, SettingsError, find_config, load_settings

EXIT_OK = 0
EXIT_FAILED = 1


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a number >= 1, got 0")
    return value


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

    run = commands.add_parser(
        "run",
        help="run the weekly flow once: ingest, outcomes, reports",
        description="Run the weekly flow once, as a Prefect flow run: ingest the raw files "
        "into the warehouse, compute outcomes, write the reports, then print a summary.",
    )
    _add_path_options(run)
    run.add_argument(
        "--as-of",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the run date: later dates are rejected, maturity counts to it (default: today)",
    )
    run.add_argument(
        "--window",
        type=_non_negative_int,
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

    validate = commands.add_parser(
        "validate",
        help="check files against the data contract without touching the warehouse",
        description="Check call and event files (or folders of them) against the data "
        "contract. Prints one line per problem as FILE:LINE: COLUMN: REASON; exits 1 "
        "when any row or file would be rejected, 0 otherwise.",
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
        type=_date,
        metavar="YYYY-MM-DD",
        help="dates after this day are problems (default: today)",
    )
    validate.add_argument(
        "--date-order", choices=DATE_ORDERS, help="order of undecidable day/month dates"
    )

    serve = commands.add_parser(
        "serve",
        help="serve the weekly flow as a scheduled Prefect deployment",
        description="Serve the weekly flow as a Prefect deployment on a cron schedule "
        "(default Monday 07:00, local time zone). Schedules fire only against a Prefect "
        "server: start one with `prefect server start --host 127.0.0.1` and set "
        "PREFECT_API_URL=http://127.0.0.1:4200/api. Stop with Ctrl-C.",
    )
    _add_path_options(serve)
    serve.add_argument(
        "--cron", metavar="EXPR", help="cron schedule, e.g. '0 7 * * 1' (Monday 07:00)"
    )
    serve.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA time zone of the schedule, e.g. Europe/Paris; 'local' for this machine's",
    )
    serve.add_argument(
        "--window", type=_non_negative_int, metavar="DAYS", help="attribution window in days"
    )
    serve.add_argument("--name", default="weekly", help="deployment name (default: weekly)")

    sample = commands.add_parser(
        "sample",
        help="write a realistic synthetic job-search group",
        description="Write a realistic synthetic job-search group (CSV and XLSX call logs "
        "and follow-up events, using every file variant of the data contract) into DIR.",
    )
    sample.add_argument("dir", type=Path, metavar="DIR", help="folder to write into")
    sample.add_argument("--members", type=_positive_int, default=5, help="members (default: 5)")
    sample.add_argument(
        "--weeks", type=_positive_int, default=8, help="weeks of calls (default: 8)"
    )
    sample.add_argument(
        "--seed", type=int, default=7, help="random seed; same seed, same files (default: 7)"
    )
    sample.add_argument(
        "--end", type=_date, metavar="YYYY-MM-DD", help="last day of the sample (default: today)"
    )
    return parser


def _add_path_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--raw", type=Path, metavar="DIR", help="folder of call/event files (default: data/raw)"
    )
    command.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="DuckDB warehouse file (default: data/warehouse.duckdb)",
    )
    command.add_argument(
        "--reports", type=Path, metavar="DIR", help="folder for the HTML reports (default: reports)"
    )


def project_root(config: Path | None) -> Path:
    """The folder of the config file in use, else the current folder."""
    if config is not None:
        return config.resolve().parent
    found = find_config()
    return found[0].parent if found else Path.cwd()


def use_project_prefect_home(root: Path, *, verbose: bool = False) -> None:
    """Point Prefect at a home inside the project before Prefect is imported."""
    os.environ["PREFECT_HOME"] = str(root / ".prefect")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The temporary local API takes a few seconds to start; on a busy
    # two-core machine Prefect's default 20 s wait is not always enough.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "INFO" if verbose else "WARNING")


def settings_for(args: argparse.Namespace) -> Settings:
    return load_settings(
        args.config,
        raw=getattr(args, "raw", None),
        db=getattr(args, "db", None),
        reports=getattr(args, "reports", None),
        as_of=getattr(args, "as_of", None),
        window=getattr(args, "window", None),
        date_order=getattr(args, "date_order", None),
        schedule=getattr(args, "cron", None),
        timezone=getattr(args, "timezone", None),
    )


def command_run(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    use_project_prefect_home(project_root(args.config), verbose=args.verbose)
    from flows.weekly_analysis import weekly_analysis

    try:
        summary = weekly_analysis(settings, show_progress=not args.quiet)
    except Exception as exc:  # the flow failed: say where and why, no traceback
        print(f"asklab run failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(summary.format())
    return EXIT_OK


def command_validate(args: argparse.Namespace) -> int:
    """Problems (``FILE:LINE: COLUMN: REASON``), then notices (``FILE: notice: TEXT``),
    then a count line, all on standard output (CONTRACT §6, v2); exit 1 when any
    row or file would be rejected."""
    settings = settings_for(args)
    from asklab.ingest.validate import check_paths

    report = check_paths(
        args.paths, settings.raw, as_of=settings.as_of, date_order=settings.date_order
    )
    for problem in report.problems:
        print(problem.format())
    for notice in report.notices:
        print(notice.format())
    print(report.summary())
    return EXIT_FAILED if report.rejects_anything else EXIT_OK


def command_serve(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    use_project_prefect_home(project_root(args.config))
    from prefect import serve

    from flows.deployment import build_deployment

    deployment = build_deployment(settings, name=args.name)
    serve(deployment)
    return EXIT_OK


def command_sample(args: argparse.Namespace) -> int:
    from asklab.sample import write_sample

    written = write_sample(
        args.dir, members=args.members, weeks=args.weeks, seed=args.seed, end=args.end
    )
    print(f"wrote {len(written)} files under {args.dir}")
    return EXIT_OK


COMMANDS = {
    "run": command_run,
    "validate": command_validate,
    "serve": command_serve,
    "sample": command_sample,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except SettingsError as exc:
        print(f"asklab: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
