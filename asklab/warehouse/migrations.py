"""Schema migrations: the ``NNN_name.sql`` files of ``sql/schema/``, applied in order."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from asklab.queries import sql_root
from asklab.warehouse.connection import Warehouse

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """The warehouse schema cannot be brought to this asklab's version."""


def migration_files(schema_dir: Path | None = None) -> list[tuple[int, Path]]:
    """``NNN_name.sql`` files in version order; versions must be unique."""
    schema_dir = schema_dir or sql_root() / "schema"
    found: dict[int, Path] = {}
    for path in sorted(schema_dir.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration names must look like 001_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path}: version {version} already used by {found[version].name}")
        found[version] = path
    return sorted(found.items())


def migrate(wh: Warehouse, schema_dir: Path | None = None) -> list[int]:
    """Apply the migrations not yet applied, each in its own transaction.

    Returns the versions applied now. Refuses a warehouse written by a newer
    asklab (a version this code does not know).
    """
    wh.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = set(wh.query("SELECT version FROM schema_version")["version"].to_list())
    files = migration_files(schema_dir)
    known = {version for version, _ in files}
    unknown = sorted(applied - known)
    if unknown:
        raise MigrationError(
            f"{wh.path}: schema version(s) {unknown} come from a newer asklab; "
            f"this one knows up to {max(known, default=0)}"
        )
    done: list[int] = []
    for version, path in files:
        if version in applied:
            continue
        with wh.transaction():
            wh.con.execute(path.read_text(encoding="utf-8")).fetchall()
            wh.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [version, path.name, _utc_now()],
            )
        done.append(version)
    return done


def schema_version(wh: Warehouse) -> int:
    return int(wh.scalar("SELECT coalesce(max(version), 0) FROM schema_version") or 0)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
