"""Reading and inserting rows of the warehouse's tables (DDL in ``sql/schema/``).

- ``calls``, ``events``: one row per distinct call/event, its first copy in
  (file, line) order; further copies are in ``call_duplicates`` and
  ``event_duplicates`` (see :mod:`asklab.load.copies`);
- ``file_state``, ``rejected_rows``: what each source file contributed on its
  last good load; ``load_log``: one row per file per run;
- ``warehouse_meta``: see :mod:`asklab.warehouse.freshness`;
- the outcome tables: see :mod:`asklab.outcomes.store`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import polars as pl

from asklab.warehouse.connection import Warehouse

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

CALLS_COLUMNS: tuple[str, ...] = (
    "call_id",
    "member",
    "call_date",
    "contact_key",
    "relationship",
    "ask_label",
    "strategy",
    "agreed_reference",
    "introductions",
    "leads",
    "source_file",
    "source_line",
)
EVENTS_COLUMNS: tuple[str, ...] = (
    "event_id",
    "member",
    "event_date",
    "contact_key",
    "event_type",
    "count",
    "call_id",
    "source_file",
    "source_line",
)

# The pseudo-column read_events can add and update_event_call_ids uses: the
# events row's DuckDB rowid, valid within the transaction that read it.
EVENT_ROWID = "event_rowid"


def read_file_states(wh: Warehouse) -> pl.DataFrame:
    """``file_state`` sorted by source_file."""
    return wh.query("SELECT * FROM file_state ORDER BY source_file")


@contextmanager
def unordered_inserts(wh: Warehouse) -> Iterator[None]:
    """Let DuckDB write rows in any order (faster bulk inserts on several threads).

    Table order carries no meaning here: every reader sorts explicitly.
    """
    previous = wh.scalar("SELECT current_setting('preserve_insertion_order')")
    wh.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        wh.execute("SET preserve_insertion_order = ?", [bool(previous)])


def insert_frame(wh: Warehouse, table: str, frame: pl.DataFrame) -> None:
    """INSERT ``frame`` into ``table``, columns matched by name, in any row order."""
    if frame.height == 0:
        return
    with wh.registered("staged_frame", frame), unordered_inserts(wh):
        wh.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged_frame")


# -- reading the contract tables ---------------------------------------------


def read_calls(
    wh: Warehouse,
    columns: Sequence[str] | None = None,
    *,
    ordered: bool = True,
    part: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """Contract ``calls`` columns plus ``contact`` (display name), in a stable order.

    ``columns`` picks fewer (or other stored) columns; ``ordered=False`` skips
    the sort for a caller that does not need one. ``part=(i, n)`` reads only
    the members in part i of n (by a hash of the member key): every call of
    those members, none of the others'.
    """
    return _read_table(
        wh, "calls", columns or [*CALLS_COLUMNS, "contact"], ordered=ordered, part=part
    )


def read_events(
    wh: Warehouse,
    columns: Sequence[str] | None = None,
    *,
    ordered: bool = True,
    part: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """Contract ``events`` columns minus ``call_id``, plus ``contact``, in a stable order.

    ``columns`` may include ``EVENT_ROWID``: the row's DuckDB ``rowid``, for
    :func:`update_event_call_ids` in the same transaction. ``part`` as for
    :func:`read_calls` (the same members).
    """
    default = [*(c for c in EVENTS_COLUMNS if c != "call_id"), "contact"]
    return _read_table(wh, "events", columns or default, ordered=ordered, part=part)


_TABLE_ORDER = {
    "calls": ("member", "call_date", "contact_key", "call_id"),
    "events": ("member", "event_date", "contact_key", "event_id"),
}


def _read_table(
    wh: Warehouse,
    table: str,
    columns: Sequence[str],
    *,
    ordered: bool,
    part: tuple[int, int] | None,
) -> pl.DataFrame:
    known = {*wh.table_columns(table), EVENT_ROWID}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"{table} has no column(s) {', '.join(unknown)}")
    selected = ", ".join(f"rowid AS {c}" if c == EVENT_ROWID else c for c in columns)
    where = ""
    if part is not None:
        index, count = part
        if not 0 <= index < count:
            raise ValueError(f"part {index} of {count} does not exist")
        # Written into the SQL (checked integers): as bound parameters the
        # filter is not pushed into the scan, and a part read is ~3x slower.
        where = f" WHERE hash(member) % {int(count)} = {int(index)}"
    order = f" ORDER BY {', '.join(_TABLE_ORDER[table])}" if ordered else ""
    return wh.query(f"SELECT {selected} FROM {table}{where}{order}")


def add_extra_columns(wh: Warehouse, table: str, types: Mapping[str, str]) -> None:
    """Check ``types`` (the given rows' column -> DuckDB type) has the contract
    columns of ``table``; add its extra ones."""
    table_columns = wh.table_columns(table)
    missing = [c for c in table_columns if c not in types]
    if missing:
        raise ValueError(f"{table}: rows lack contract column(s) {', '.join(missing)}")
    for column in (c for c in types if c not in table_columns):
        if not _IDENTIFIER.match(column):
            raise ValueError(f"{table}: not a valid column name: {column!r}")
        wh.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {types[column]}')


def column_types(wh: Warehouse, relation: str) -> dict[str, str]:
    """Column -> DuckDB type of a relation (a table, view or table function)."""
    return {row[0]: row[1] for row in wh.con.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def frame_types(wh: Warehouse, frame: pl.DataFrame) -> dict[str, str]:
    with wh.registered("described_frame", frame.head(0)):
        return column_types(wh, "described_frame")
