"""Storing the outcome tables and ``events.call_id``: the outcomes stage's writes."""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from asklab.freshness import invalidate_outcomes
from asklab.warehouse.connection import Warehouse
from asklab.warehouse.staging import StagingArea
from asklab.warehouse.tables import (
    EVENT_ROWID,
    add_extra_columns,
    column_types,
    frame_types,
    insert_frame,
    unordered_inserts,
)

# Tables the ingest stage owns; write_outcomes must not replace them.
INGEST_TABLES = frozenset(
    {
        "schema_version",
        "warehouse_meta",
        "file_state",
        "call_rows",
        "event_rows",
        "rejected_rows",
        "calls",
        "call_duplicates",
        "events",
        "event_duplicates",
        "load_log",
        "plan_file_rows",
        "plan_rows",
    }
)
CONTRACT_OUTCOME_TABLES = frozenset(
    {
        "call_outcomes",
        "outcomes_by_strategy",
        "strategy_comparison",
        "plan_assignments",
        "plan_comparison",
    }
)

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def write_outcomes(wh: Warehouse, tables: Mapping[str, pl.DataFrame]) -> None:
    """Replace the outcome tables and ``events.call_id`` (in the caller's transaction).

    - ``call_outcomes``, ``outcomes_by_strategy``, ``strategy_comparison``,
      ``plan_assignments``, ``plan_comparison``: their rows are replaced;
      columns are matched by name and must include every contract column;
      extra columns are added to the table.
    - ``events``: only its ``call_id`` is used, matched on ``event_id``; an
      event the frame leaves out is unattributed.
    - any other name: a mart table created or replaced from the frame.

    Any write forgets the recorded outcomes version (see ``OUTCOMES_KEY``):
    the caller records it again once every table is written.
    """
    for name in tables:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a valid table name: {name!r}")
        if name in INGEST_TABLES and name != "events":
            raise ValueError(f"{name} is written by the ingest stage, not by write_outcomes")
    with wh.transaction():
        invalidate_outcomes(wh)
        for name, frame in tables.items():
            if name == "events":
                _write_event_call_ids(wh, frame)
            elif name in CONTRACT_OUTCOME_TABLES:
                _replace_contract_table(wh, name, frame)
            else:
                with wh.registered("staged_mart", frame):
                    wh.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM staged_mart')


def _replace_contract_table(wh: Warehouse, table: str, frame: pl.DataFrame) -> None:
    add_extra_columns(wh, table, frame_types(wh, frame))
    wh.execute(f"DELETE FROM {table}")
    insert_frame(wh, table, frame)


def _write_event_call_ids(wh: Warehouse, frame: pl.DataFrame) -> None:
    missing = [c for c in ("event_id", "call_id") if c not in frame.columns]
    if missing:
        raise ValueError(f"events: frame lacks column(s) {', '.join(missing)}")
    attributed = frame.select("event_id", pl.col("call_id").cast(pl.String))
    if not _all_distinct(attributed["event_id"]):
        raise ValueError("events: the frame repeats an event_id")
    with wh.registered("staged_event_calls", attributed):
        # One join counts the frame's unknown ids, the events it leaves out
        # (they become unattributed) and the attributions that change.
        unknown, left_out, changed = wh.con.execute(
            "SELECT count(*) FILTER (WHERE e.event_id IS NULL), "
            "count(*) FILTER (WHERE s.event_id IS NULL AND e.call_id IS NOT NULL), "
            "count(*) FILTER (WHERE e.call_id IS DISTINCT FROM s.call_id) "
            "FROM events e FULL JOIN staged_event_calls s USING (event_id)"
        ).fetchall()[0]
        if unknown:
            raise ValueError(f"events: {unknown} event_id(s) given that are not in the warehouse")
        # UPDATE only the rows whose attribution changes (none on an unchanged
        # rerun): cheaper than rewriting the table.
        if changed > left_out:
            wh.execute(
                "UPDATE events SET call_id = s.call_id FROM staged_event_calls s "
                "WHERE events.event_id = s.event_id AND events.call_id IS DISTINCT FROM s.call_id"
            )
        if left_out:
            wh.execute(
                "UPDATE events SET call_id = NULL WHERE call_id IS NOT NULL "
                "AND event_id NOT IN (SELECT event_id FROM staged_event_calls)"
            )


# -- outcome rows in parts (a large group, a few members at a time) --------------


def clear_call_outcomes(wh: Warehouse) -> None:
    """Empty ``call_outcomes`` before :func:`append_call_outcomes` fills it part by part."""
    with wh.transaction():
        invalidate_outcomes(wh)
        wh.execute("DELETE FROM call_outcomes")


def append_call_outcomes(wh: Warehouse, rows: pl.DataFrame | StagingArea) -> None:
    """Add rows to ``call_outcomes`` (contract columns required, extra ones added):
    a frame, or every part staged as ``call_outcomes`` in one statement."""
    with wh.transaction():
        invalidate_outcomes(wh)
        if isinstance(rows, pl.DataFrame):
            add_extra_columns(wh, "call_outcomes", frame_types(wh, rows))
            insert_frame(wh, "call_outcomes", rows)
            return
        relation = rows.view(wh, "call_outcomes", empty="SELECT * FROM call_outcomes LIMIT 0")
        add_extra_columns(wh, "call_outcomes", column_types(wh, relation))
        with unordered_inserts(wh):
            wh.execute(f"INSERT INTO call_outcomes BY NAME SELECT * FROM {relation}")


def update_event_call_ids(wh: Warehouse, rows: pl.DataFrame | StagingArea) -> int:
    """Set ``events.call_id`` for the events given; others keep theirs.

    ``rows`` (a frame, or every part staged as ``event_call_ids``) hold
    ``EVENT_ROWID`` (read by :func:`read_events` in this same transaction),
    ``event_id`` and ``call_id``. Rows are matched by rowid, about twice as
    fast as matching 32-character ids, and each rowid is checked to name the
    row with that ``event_id``, once. Returns the rows given.
    """
    if isinstance(rows, pl.DataFrame):
        with wh.registered("staged_event_calls", event_call_ids(rows)):
            return _update_event_call_ids(wh, "staged_event_calls")
    empty = f"SELECT 0::BIGINT AS {EVENT_ROWID}, ''::VARCHAR AS event_id, ''::VARCHAR AS call_id"
    return _update_event_call_ids(wh, rows.view(wh, "event_call_ids", empty=empty + " LIMIT 0"))


def event_call_ids(events: pl.DataFrame) -> pl.DataFrame:
    """Events' attribution columns as :func:`update_event_call_ids` takes them:
    ``EVENT_ROWID``, ``event_id`` and ``call_id`` (null: unattributed)."""
    missing = [c for c in (EVENT_ROWID, "event_id", "call_id") if c not in events.columns]
    if missing:
        raise ValueError(f"events: frame lacks column(s) {', '.join(missing)}")
    return events.select(
        pl.col(EVENT_ROWID).cast(pl.Int64), "event_id", pl.col("call_id").cast(pl.String)
    )


def _update_event_call_ids(wh: Warehouse, relation: str) -> int:
    with wh.transaction():
        invalidate_outcomes(wh)
        given, distinct_rows, matching = wh.con.execute(
            f"SELECT count(*), count(DISTINCT s.{EVENT_ROWID}), count(e.event_id) "
            f"FROM {relation} AS s LEFT JOIN events AS e "
            f"ON e.rowid = s.{EVENT_ROWID} AND e.event_id = s.event_id"
        ).fetchall()[0]
        if distinct_rows != given:
            raise ValueError("events: the rows given name an event more than once")
        if matching != given:
            raise ValueError(
                f"events: {given - matching} row(s) whose {EVENT_ROWID} "
                "does not name the event with that event_id; read them with read_events "
                "in this transaction"
            )
        wh.execute(
            f"UPDATE events SET call_id = s.call_id FROM {relation} AS s "
            f"WHERE events.rowid = s.{EVENT_ROWID} "
            "AND events.call_id IS DISTINCT FROM s.call_id"
        )
    return int(given)


def _all_distinct(values: pl.Series) -> bool:
    """Whether ``values`` has no repeats; distinct 64-bit hashes settle it without
    hashing strings into a set (only equal hashes need the exact check)."""
    if values.hash().n_unique() == values.len():
        return True
    return values.n_unique() == values.len()
