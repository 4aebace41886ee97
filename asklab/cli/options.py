"""What every command shares: option types, the path options, settings, the project."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from asklab.settings import Settings, find_config, load_settings

EXIT_OK = 0
EXIT_FAILED = 1


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a number >= 1, got 0")
    return value


def add_path_options(command: argparse.ArgumentParser) -> None:
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
    """The one Settings of a command: config file, then the options given."""
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
        db_dir=getattr(args, "db_dir", None),
        dask_address=getattr(args, "dask_address", None),
        dask_workers=getattr(args, "dask_workers", None),
    )
