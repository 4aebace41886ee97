"""First copies and duplicates: where each valid call and event row is stored.

Every valid row is stored once: the first copy of each id, in (source_file,
source_line, sheet) order, in ``calls``/``events``, further copies in
``call_duplicates``/``event_duplicates`` (the views ``call_rows`` and
``event_rows`` show them all). A changed file touches only its own rows and
the ids they share: only the ids whose first copy may change are decided
again, all in SQL (``sql/load/``). Ids are content-derived, by the id models
in ``sql/models/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from asklab.load.file_rows import replaced_files
from asklab.queries import render
from asklab.warehouse import Warehouse, staging_area, unordered_inserts


class CopyTables(NamedTuple):
    """Where a contract table keeps further copies, and how its rows get their id."""

    duplicates: str  # table of the copies after the first
    id_column: str
    id_model: str  # sql/models/<id_model>.sql
    # The duplicate key (CONTRACT 1.7, with the member): the columns the id
    # model hashes, so rows with equal keys have equal ids.
    key_columns: tuple[str, ...]


COPY_TABLES: dict[str, CopyTables] = {
    "calls": CopyTables(
        "call_duplicates",
        "call_id",
        "call_ids",
        (
            "member",
            "call_date",
            "contact_key",
            "ask_label",
            "agreed_reference",
            "introductions",
            "leads",
        ),
    ),
    "events": CopyTables(
        "event_duplicates",
        "event_id",
        "event_ids",
        ("member", "event_date", "contact_key", "event_type", "count"),
    ),
}


def staged_rows(wh: Warehouse, table: str) -> str:
    """The view of the staged validated rows of ``calls``/``events`` (without
    ids) or ``rejected_rows``."""
    if table in COPY_TABLES:
        copies = COPY_TABLES[table]
        empty = f"SELECT * EXCLUDE ({copies.id_column}) FROM {copies.duplicates} LIMIT 0"
    else:
        empty = f"SELECT * FROM {table} LIMIT 0"
    return staging_area(wh).view(wh, table, empty=empty)


def replace_copies(wh: Warehouse, table: str, source_files: Sequence[str]) -> None:
    """Replace what ``source_files`` contributed to ``calls`` or ``events`` (``table``)
    by their staged rows (none, e.g. for removed files).

    The stored copies of the ids whose first copy may change (those whose
    first copy was in a replaced file, and those of the staged rows) are
    taken out and decided again with the staged ones. Events put back lose
    their attribution (``call_id``) until the outcomes stage sets it again.
    """
    copies = COPY_TABLES[table]
    names = {
        "table": table,
        "duplicates": copies.duplicates,
        "id_column": copies.id_column,
        "key_columns": ", ".join(copies.key_columns),
        "staged": staged_rows(wh, table),
    }
    model = {"id_model": f"models/{copies.id_model}"}
    stored = wh.scalar(
        f"SELECT (SELECT count(*) FROM {table}) + (SELECT count(*) FROM {copies.duplicates})"
    )
    temporary = ("redecided_ids", "kept_copies", "repeated_keys", "ranked_copies")
    try:
        if stored:
            _take_out_redecided(wh, names, model, source_files)
        else:
            wh.execute(render("load/no_kept_copies", **names))
        wh.execute(render("load/rows_to_write", **names))
        wh.execute(render("load/repeated_keys", **names))
        with unordered_inserts(wh):
            wh.execute(render("load/single_copies", include=model, **names))
            if not wh.scalar("SELECT count(*) FROM repeated_keys"):
                return
            wh.execute(render("load/ranked_copies", include=model, **names))
            for target, first in ((table, "true"), (copies.duplicates, "false")):
                wh.execute(render("load/insert_ranked", table=target, first_copies=first))
    finally:
        wh.execute("DROP VIEW IF EXISTS rows_to_write")
        for name in temporary:
            wh.execute(f"DROP TABLE IF EXISTS {name}")


def _take_out_redecided(
    wh: Warehouse, names: dict[str, str], model: dict[str, str], source_files: Sequence[str]
) -> None:
    """Delete the replaced files' stored copies and every stored copy of the
    redecided ids; keep the latter that stay in ``kept_copies``."""
    columns = ", ".join(wh.table_columns(names["duplicates"]))
    with replaced_files(wh, source_files):
        wh.execute(render("load/redecided_ids", include=model, **names))
        wh.execute(render("load/kept_copies", columns=columns, **names))
        for target in (names["table"], names["duplicates"]):
            wh.execute(render("load/delete_redecided", table=target, id_column=names["id_column"]))
