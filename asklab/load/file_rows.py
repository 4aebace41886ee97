"""Rows that belong to one source file each: ``file_state``, ``rejected_rows``,
``plan_file_rows``, and the per-file counts and ``load_log`` rows of a run."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import polars as pl

from asklab.queries import read_sql
from asklab.warehouse import Warehouse, insert_frame, staging_area, unordered_inserts

# Tables whose rows belong to one source file each and are replaced per file.
PER_FILE_TABLES = ("file_state", "rejected_rows", "plan_file_rows")


@contextmanager
def replaced_files(wh: Warehouse, source_files: Sequence[str]) -> Iterator[str]:
    """The files being replaced, as the view ``replaced_files`` (one column, source_file)."""
    frame = pl.DataFrame({"source_file": list(source_files)}, schema={"source_file": pl.String})
    with wh.registered("replaced_files", frame) as name:
        yield name


def replace_file_rows(
    wh: Warehouse, table: str, source_files: Sequence[str], rows: pl.DataFrame | None = None
) -> None:
    """Delete the rows of ``source_files`` from ``table``, then insert ``rows``.

    Without ``rows``, the table's staged rows are inserted (see
    :class:`~asklab.warehouse.StagingArea`).
    """
    if table not in PER_FILE_TABLES:
        raise ValueError(f"{table!r} is not a per-file table ({', '.join(PER_FILE_TABLES)})")
    if source_files:
        with replaced_files(wh, source_files):
            wh.execute(
                f"DELETE FROM {table} WHERE source_file IN (SELECT source_file FROM replaced_files)"
            )
    if rows is not None:
        insert_frame(wh, table, rows.select(wh.table_columns(table)))
        return
    staged = staging_area(wh).view(wh, table, empty=f"SELECT * FROM {table} LIMIT 0")
    with unordered_inserts(wh):
        wh.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {staged}")


def file_load_counts(wh: Warehouse) -> pl.DataFrame:
    """Per file: rows_loaded, rows_rejected, duplicates (sql/models/file_load_counts.sql)."""
    return wh.query(read_sql("models/file_load_counts") + "\nORDER BY source_file")


def append_load_log(wh: Warehouse, rows: pl.DataFrame) -> None:
    if rows.height == 0:
        return
    columns = wh.table_columns("load_log")
    with wh.registered("staged_load_log", rows.select(columns)):
        wh.execute("INSERT INTO load_log BY NAME SELECT * FROM staged_load_log")
