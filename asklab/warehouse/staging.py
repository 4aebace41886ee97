"""The staging area: a run's new rows wait in Parquet files beside the warehouse.

Between validation and the final writes, rows wait in ``<db>.staging/``:
any thread can write them, they take no memory while they wait (rows
written inside the run's transaction would be held in memory until it
commits), and DuckDB reads them all in one statement. The run lock makes
the folder the run's own; each run empties it first, so a killed run's
leftovers do no harm.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from asklab.warehouse.connection import Warehouse

_STAGED_TABLES = (
    "calls",
    "events",
    "rejected_rows",
    "plan_file_rows",
    "call_outcomes",
    "event_call_ids",
)


@dataclass(frozen=True)
class StagingArea:
    """Where a run stages rows: one Parquet file per (table, key)."""

    folder: Path

    def write(self, table: str, key: str, rows: pl.DataFrame) -> None:
        """Stage ``rows`` for ``table`` under ``key`` (unique per table; safe in any thread)."""
        if table not in _STAGED_TABLES:
            raise ValueError(f"{table!r} is not staged ({', '.join(_STAGED_TABLES)})")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", key):
            raise ValueError(f"not a staging key: {key!r}")
        if rows.height:
            rows.write_parquet(self.folder / f"{table}-{key}.parquet", compression="lz4")

    def discard(self, key: str) -> None:
        """Drop every table's rows staged under ``key`` (a file that turned out in error)."""
        for table in _STAGED_TABLES:
            (self.folder / f"{table}-{key}.parquet").unlink(missing_ok=True)

    def files(self, table: str) -> list[Path]:
        return sorted(self.folder.glob(f"{table}-*.parquet"))

    def view(self, wh: Warehouse, table: str, *, empty: str) -> str:
        """Expose the rows staged for ``table`` as the temporary view
        ``staged_<table>`` and return its name; ``empty`` (a SELECT) when none.

        The files go to DuckDB as a list of values through its Python API,
        never as SQL text.
        """
        name = f"staged_{table}"
        files = [str(path) for path in self.files(table)]
        relation = wh.con.read_parquet(files, union_by_name=True) if files else wh.con.sql(empty)
        relation.create_view(name, replace=True)
        return name


def staging_area(wh: Warehouse) -> StagingArea:
    return StagingArea(wh.path.with_name(wh.path.name + ".staging"))


def begin_staging(wh: Warehouse) -> StagingArea:
    """The run's staging folder, emptied (of what an earlier attempt left)."""
    area = staging_area(wh)
    shutil.rmtree(area.folder, ignore_errors=True)
    area.folder.mkdir(parents=True)
    return area


def end_staging(wh: Warehouse) -> None:
    """Remove the staging folder and its views (its rows have been written)."""
    for table in _STAGED_TABLES:
        wh.execute(f"DROP VIEW IF EXISTS staged_{table}")
    shutil.rmtree(staging_area(wh).folder, ignore_errors=True)
