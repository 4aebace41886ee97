"""Run settings: one object built from the config file and the command line.

Precedence (lowest to highest): built-in defaults, ``[tool.asklab]`` in
``pyproject.toml`` or a standalone ``asklab.toml`` (which wins over the
pyproject table when both exist), then command-line options. Relative paths
in a config file are resolved against that file's folder, so a run does not
depend on the current directory.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DATE_ORDERS = ("month-first", "day-first")


class SettingsError(ValueError):
    """A configuration value that cannot be used, with the place it came from."""


@dataclass(frozen=True)
class Settings:
    raw: Path = Path("data/raw")
    db: Path = Path("data/warehouse.duckdb")
    reports: Path = Path("reports")
    window: int = 60
    as_of: dt.date = field(default_factory=dt.date.today)
    date_order: str = "month-first"
    # Cron expression for `asklab serve` (default: Monday 07:00).
    schedule: str = "0 7 * * 1"
    # IANA time zone name for the schedule, or "local" for this machine's zone.
    timezone: str = "local"
    # How long a run waits for another run to release the warehouse.
    lock_timeout: float = 60.0
    # DuckDB's memory limit (its own syntax: "1GB", "512MB", "50%"). Beyond
    # it DuckDB spills to a temporary folder beside the warehouse instead of
    # growing, which keeps a large group's run within a small machine.
    duckdb_memory_limit: str = "512MB"
    # A run that finds no input file while the warehouse holds calls or events
    # changes nothing and fails (an unmounted folder must not empty the
    # warehouse), unless this is set (`asklab run --allow-empty`). CONTRACT §4.
    allow_empty: bool = False
    # Many groups in one run (`asklab run --groups`, CONTRACT §8): the folder of
    # the per-group warehouses (<db_dir>/<group-slug>.duckdb) and all_groups.duckdb.
    db_dir: Path = Path("data/warehouses")
    # A running Dask scheduler (e.g. "tcp://10.0.0.5:8786") for the groups run;
    # None starts a temporary local cluster of ``dask_workers`` processes.
    dask_address: str | None = None
    # Worker processes of that temporary local cluster; None: one per CPU.
    dask_workers: int | None = None
    # CPU threads one run may use (DuckDB, file validation, page writing); None:
    # their defaults (one per CPU; four page writers). A groups run gives each
    # group one: there the groups run side by side, and threads within a group
    # would only compete with them.
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.window < 0:
            raise SettingsError(f"window must be >= 0 days, got {self.window}")
        if self.date_order not in DATE_ORDERS:
            raise SettingsError(
                f"date_order must be one of {', '.join(DATE_ORDERS)}, got {self.date_order!r}"
            )
        if self.dask_workers is not None and self.dask_workers < 1:
            raise SettingsError(f"dask_workers must be >= 1, got {self.dask_workers}")
        if self.threads is not None and self.threads < 1:
            raise SettingsError(f"threads must be >= 1, got {self.threads}")

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with every non-None override applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def resolved_timezone(self) -> str:
        return local_timezone_name() if self.timezone == "local" else self.timezone


def local_timezone_name() -> str:
    """This machine's IANA zone name, falling back to UTC when it has none."""
    tz_link = Path("/etc/localtime")
    try:
        target = str(tz_link.resolve())
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    tz_file = Path("/etc/timezone")
    if tz_file.exists():
        name = tz_file.read_text().strip()
        if name:
            return name
    return "UTC"


def find_config(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """Find the nearest ``asklab.toml`` or ``pyproject.toml`` with ``[tool.asklab]``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        standalone = folder / "asklab.toml"
        if standalone.is_file():
            return standalone, _read_toml(standalone)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("asklab")
            if table is not None:
                return pyproject, table
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read config: {exc}") from exc


def settings_from_mapping(table: dict[str, Any], base_dir: Path, origin: str) -> Settings:
    """Build settings from a config table; paths are relative to ``base_dir``."""
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise SettingsError(f"{origin}: unknown setting(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    try:
        for name in ("raw", "db", "reports", "db_dir"):
            if name in table:
                values[name] = (base_dir / str(table[name])).resolve()
        if "window" in table:
            values["window"] = int(table["window"])
        if "as_of" in table:
            values["as_of"] = parse_iso_date(str(table["as_of"]))
        for name in ("date_order", "schedule", "timezone", "duckdb_memory_limit"):
            if name in table:
                values[name] = str(table[name])
        if "allow_empty" in table:
            if not isinstance(table["allow_empty"], bool):
                raise ValueError(f"allow_empty must be true or false, got {table['allow_empty']!r}")
            values["allow_empty"] = table["allow_empty"]
        if "dask_address" in table:
            values["dask_address"] = str(table["dask_address"]) or None
        if "dask_workers" in table:
            values["dask_workers"] = int(table["dask_workers"])
        if "threads" in table:
            values["threads"] = int(table["threads"])
        if "lock_timeout" in table:
            values["lock_timeout"] = float(table["lock_timeout"])
        return Settings(**values)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{origin}: {exc}") from exc


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Settings from ``config`` (or the nearest config file), then ``overrides``."""
    if config is not None:
        config = config.resolve()
        data = _read_toml(config)
        table = (
            data.get("tool", {}).get("asklab", data) if config.name == "pyproject.toml" else data
        )
        base = settings_from_mapping(table, config.parent, str(config))
    else:
        found = find_config()
        if found is None:
            base = Settings()
        else:
            path, table = found
            base = settings_from_mapping(table, path.parent, str(path))
    return base.with_overrides(**overrides)


def parse_iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise SettingsError(f"expected a date as YYYY-MM-DD, got {text!r}") from exc
