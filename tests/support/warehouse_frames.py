"""Validated-file stand-ins for warehouse tests: small frames with the shared schemas.

``FakeValidated`` has the fields of ``asklab.ingest.validate.ValidatedFile``
that the loader reads, so the warehouse can be tested without parsing files.
Also used by ``warehouse_loader.py`` (a subprocess in the kill and lock tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

# The loader's real input schemas: a stand-in must not drift from them.
from asklab.ingest.row_schemas import (
    CALL_ROW_SCHEMA,
    EVENT_ROW_SCHEMA,
    PLAN_ROW_SCHEMA,
    REJECTED_SCHEMA,
)


def call_row(source_file: str, line: int, **values: Any) -> dict[str, Any]:
    """One valid call row; ``values`` override dull defaults."""
    row: dict[str, Any] = {
        "member": "alice",
        "call_date": dt.date(2026, 3, 4),
        "contact": "John Smith",
        "contact_key": "john smith",
        "ask_label": "job",
        "strategy": "job",
        "relationship": "friend",
        "agreed_reference": None,
        "introductions": 0,
        "leads": 0,
        "notes": None,
        "source_file": source_file,
        "sheet": None,
        "source_line": line,
    }
    row.update(values)
    return row


def event_row(source_file: str, line: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "member": "alice",
        "event_date": dt.date(2026, 3, 10),
        "contact": "John Smith",
        "contact_key": "john smith",
        "event_type": "lead",
        "count": 1,
        "notes": None,
        "source_file": source_file,
        "sheet": None,
        "source_line": line,
    }
    row.update(values)
    return row


def rejected_row(source_file: str, line: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source_file": source_file,
        "sheet": None,
        "line": line,
        "column": "call_date",
        "value": "someday",
        "reason": "not a date",
        "member": "alice",
    }
    row.update(values)
    return row


@dataclass(frozen=True)
class FakeValidated:
    source_file: str
    calls: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CALL_ROW_SCHEMA))
    events: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EVENT_ROW_SCHEMA))
    rejected: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECTED_SCHEMA))
    plans: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PLAN_ROW_SCHEMA))
    notices: tuple[str, ...] = ()
    has_future_rejections: bool = False
    max_date: dt.date | None = None


def validated(
    source_file: str,
    calls: list[dict[str, Any]] = (),  # type: ignore[assignment]
    events: list[dict[str, Any]] = (),  # type: ignore[assignment]
    rejected: list[dict[str, Any]] = (),  # type: ignore[assignment]
    **extra: Any,
) -> FakeValidated:
    dates = [r["call_date"] for r in calls] + [r["event_date"] for r in events]
    return FakeValidated(
        source_file=source_file,
        calls=pl.DataFrame(list(calls), schema=CALL_ROW_SCHEMA),
        events=pl.DataFrame(list(events), schema=EVENT_ROW_SCHEMA),
        rejected=pl.DataFrame(list(rejected), schema=REJECTED_SCHEMA),
        max_date=extra.pop("max_date", max(dates, default=None)),
        **extra,
    )


# -- a synthetic group big enough to make DuckDB write blocks mid-transaction ----


def synthetic_group(
    files: int, rows_per_file: int, variant: int
) -> dict[str, tuple[str, FakeValidated]]:
    """source_file -> (pretend sha256, validated rows); ``variant`` changes every file.

    Each file holds calls and events of one member, with some rows repeated
    from the previous file so that deduplication has work to do.
    """
    group: dict[str, tuple[str, FakeValidated]] = {}
    for number in range(files):
        source_file = f"member{number % 3}/log{number:02d}.csv"
        # Overlapping ranges: a member's next file repeats the last 10% of the
        # rows of its previous one.
        start = (number // 3) * rows_per_file * 9 // 10 + variant * 7
        index = pl.int_range(start, start + rows_per_file, eager=True).alias("i")
        base = pl.DataFrame(index)
        common = {
            "member": pl.lit(f"member{number % 3}"),
            "contact": pl.format("Contact {}", pl.col("i")),
            "contact_key": pl.format("contact {}", pl.col("i")),
            "notes": pl.lit(None, pl.String),
            "source_file": pl.lit(source_file),
            "sheet": pl.lit(None, pl.String),
            "source_line": pl.int_range(2, rows_per_file + 2),
        }
        calls = base.select(
            call_date=pl.lit(dt.date(2025, 1, 1)) + pl.duration(days=pl.col("i") % 300),
            ask_label=pl.lit("reference"),
            strategy=pl.lit("reference"),
            relationship=pl.lit("colleague"),
            agreed_reference=(pl.col("i") % 2 == 0),
            introductions=pl.col("i") % 3,
            leads=pl.col("i") % 2,
            **common,
        ).select(list(CALL_ROW_SCHEMA))
        events = base.select(
            event_date=pl.lit(dt.date(2025, 2, 1)) + pl.duration(days=pl.col("i") % 300),
            event_type=pl.lit("lead"),
            count=pl.col("i") % 4 + 1,
            **common,
        ).select(list(EVENT_ROW_SCHEMA))
        rows = FakeValidated(
            source_file=source_file,
            calls=calls.cast(CALL_ROW_SCHEMA),
            events=events.cast(EVENT_ROW_SCHEMA),
            max_date=dt.date(2025, 12, 1),
        )
        group[source_file] = (f"sha-{variant}-{number}", rows)
    return group


def synthetic_on_disk(group: dict[str, tuple[str, FakeValidated]]) -> dict[str, tuple[Path, str]]:
    return {name: (Path(name), sha) for name, (sha, _) in group.items()}


# -- running loads and comparing warehouses ----------------------------------

LOADED_AT = dt.datetime(2026, 6, 1, 7, 0, 0)
DEFAULT_AS_OF = dt.date(2026, 6, 1)

# Tables compared between warehouses; file_state without its run bookkeeping.
COMPARED_TABLES = {
    "file_state": "source_file, sha256, params_fingerprint, as_of, max_date, has_future_rejections",
    "call_rows": "*",
    "event_rows": "*",
    "rejected_rows": "*",
    "plan_file_rows": "*",
    "plan_rows": "*",
    "calls": "*",
    "events": "*",
    "call_outcomes": "*",
    "outcomes_by_strategy": "*",
    "strategy_comparison": "*",
}


def run_load(
    wh: Any,
    files: dict[str, tuple[str, Any]],
    *,
    run_id: str,
    as_of: dt.date = DEFAULT_AS_OF,
    fingerprint: str = "rules-1",
) -> Any:
    """Plan and apply a load of ``files`` (source_file -> (sha256, rows or FileError))."""
    from asklab.load import apply_ingest, build_plan
    from asklab.warehouse import read_file_states

    plan = build_plan(
        read_file_states(wh),
        {name: (Path(name), sha) for name, (sha, _) in files.items()},
        raw_root=Path("raw"),
        as_of=as_of,
        date_order="month-first",
        fingerprint=fingerprint,
    )
    results = {f.source_file: files[f.source_file][1] for f in plan.to_read}
    with wh.transaction():
        return apply_ingest(wh, plan, results, run_id=run_id, loaded_at=LOADED_AT)


def snapshot(wh: Any, *, with_load_log: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every compared table's rows, sorted on all columns."""
    tables = dict(COMPARED_TABLES)
    if with_load_log:
        tables["load_log"] = "*"
    return {
        table: wh.con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
        for table, columns in tables.items()
    }


def load_log(wh: Any, run_id: str) -> list[tuple[Any, ...]]:
    """(source_file, sha256, status, rows_loaded, rows_rejected, duplicates, message)."""
    return wh.con.execute(
        "SELECT source_file, sha256, status, rows_loaded, rows_rejected, duplicates, message "
        "FROM load_log WHERE run_id = ? ORDER BY source_file",
        [run_id],
    ).fetchall()


def differences(wh: Any, other_db: Path, *, with_load_log: bool = False) -> dict[str, tuple]:
    """Tables whose rows differ from those in ``other_db`` (as multisets):
    table -> (rows only here, rows only there). Empty when the warehouses agree.

    For warehouses too big to compare row by row in Python.
    """
    tables = dict(COMPARED_TABLES)
    if with_load_log:
        tables["load_log"] = "*"
    wh.con.execute(f"ATTACH '{other_db}' AS other (READ_ONLY)").fetchall()
    try:
        found = {}
        for table, columns in tables.items():
            here = f"SELECT {columns} FROM main.{table}"
            there = f"SELECT {columns} FROM other.{table}"
            [(only_here, only_there)] = wh.con.execute(
                f"SELECT (SELECT count(*) FROM ({here} EXCEPT ALL {there})), "
                f"(SELECT count(*) FROM ({there} EXCEPT ALL {here}))"
            ).fetchall()
            if only_here or only_there:
                found[table] = (only_here, only_there)
        return found
    finally:
        wh.con.execute("DETACH other").fetchall()
