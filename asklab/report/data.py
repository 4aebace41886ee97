"""What the report pages need from the warehouse, read by the named SQL in ``sql/reports/``.

``load_report_data`` is the only place the report stage touches DuckDB. It
returns small frames: aggregates for the group page, and per-member
follow-up lists and rejected rows that only member pages show, each cut to
``FOLLOW_UP_LIMIT`` rows per member in SQL (with the member's full count), so
the stage does not grow with the number of calls. Values reach the queries
as parameters, never as SQL text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from asklab import SQL_DIR

REPORT_SQL_DIR: Path = SQL_DIR / "reports"

# A member is "active" with at least one call in this many days ending on as_of.
ACTIVE_DAYS = 28
# A contact who agreed to be a reference is due a call after this many days.
REFERENCE_FOLLOW_UP_DAYS = 30
# A member page lists at most this many rows of each follow-up list and of
# rejected cells (the most relevant ones), and says how many there are in all.
FOLLOW_UP_LIMIT = 50


class ReportDataError(RuntimeError):
    """A report query failed; the message names the SQL file."""


@dataclass(frozen=True)
class GroupKpis:
    calls_this_week: int
    calls_total: int
    active_members: int
    members_with_calls: int
    mature_calls: int
    # Sum of load_log.rows_rejected for the run; None when there was no run.
    rows_rejected_run: int | None
    # Distinct rejected rows the warehouse holds now (every file, every run).
    rejected_rows_stored: int


@dataclass(frozen=True)
class MemberData:
    """One member's page: their own counts, follow-ups and rejected rows."""

    member: str
    calls_total: int
    calls_this_week: int
    mature_calls: int
    events: int
    unattributed_events: int
    rejected_rows: int
    # contact, agreed_on, last_call, days_since_last_call
    references_to_call: pl.DataFrame
    # event_date, contact, count, attributed
    reached_out: pl.DataFrame
    # received_on, contact, introductions, source
    introductions: pl.DataFrame
    # source_file, sheet, line, column, value, reason
    rejected: pl.DataFrame
    # Each list's full length; a frame holds at most FOLLOW_UP_LIMIT of it
    # (0 when unknown: the frame is then taken to be the whole list).
    references_to_call_total: int = 0
    reached_out_total: int = 0
    introductions_total: int = 0
    rejected_total: int = 0


@dataclass(frozen=True)
class ReportData:
    """Everything the pages show. Frames hold aggregates unless said otherwise."""

    run_id: str | None
    kpis: GroupKpis
    # outcomes_by_strategy, all scopes (group rows have a null member)
    by_strategy: pl.DataFrame
    # strategy_comparison, all scopes
    comparison: pl.DataFrame
    # group rows of outcomes_by_relationship
    by_relationship: pl.DataFrame
    # group rows of time_to_first_lead, in curve order
    time_to_first_lead: pl.DataFrame
    # lead_timing, all scopes
    lead_timing: pl.DataFrame
    # weekly_activity, all scopes
    weekly_activity: pl.DataFrame
    # member_summary: counts per member, a null member for unattributable rejections
    member_summary: pl.DataFrame
    members: tuple[MemberData, ...] = field(default_factory=tuple)


def read_report_sql(name: str) -> str:
    """The text of ``sql/reports/<name>.sql``."""
    return (REPORT_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_report_query(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> pl.DataFrame:
    """Run one named report query with ``params`` bound as parameters."""
    try:
        return con.sql(read_report_sql(name), params=params or None).pl()
    except duckdb.Error as exc:
        raise ReportDataError(f"sql/reports/{name}.sql: {exc}") from exc


def iso_week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.isoweekday() - 1)


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    frame = run_report_query(con, "latest_run")
    return frame["run_id"][0] if frame.height else None


def _group_kpis(frame: pl.DataFrame) -> GroupKpis:
    row = frame.row(0, named=True)
    return GroupKpis(
        calls_this_week=int(row["calls_this_week"]),
        calls_total=int(row["calls_total"]),
        active_members=int(row["active_members"]),
        members_with_calls=int(row["members_with_calls"]),
        mature_calls=int(row["mature_calls"]),
        rows_rejected_run=(
            None if row["rows_rejected_run"] is None else int(row["rows_rejected_run"])
        ),
        rejected_rows_stored=int(row["rejected_rows_stored"]),
    )


def split_by_member(
    frame: pl.DataFrame,
) -> tuple[dict[str, tuple[pl.DataFrame, int]], pl.DataFrame]:
    """``frame``'s rows per member, without the member and ``total`` columns (order
    kept), with the member's ``total``, in one pass; and the empty frame of the
    same columns for a member with no rows."""
    parts = frame.partition_by("member", maintain_order=True, include_key=False, as_dict=True)
    split = {key[0]: (part.drop("total"), int(part["total"][0])) for key, part in parts.items()}
    return split, frame.clear().drop("member", "total")


def build_members(
    summary: pl.DataFrame,
    references_to_call: pl.DataFrame,
    reached_out: pl.DataFrame,
    introductions: pl.DataFrame,
    rejected: pl.DataFrame,
) -> tuple[MemberData, ...]:
    """One ``MemberData`` per named member of ``summary``, lists split by member.

    Each list frame has a ``member`` column and a ``total`` column (the
    member's full count), as the capped report queries give.
    """
    references_of, no_references = split_by_member(references_to_call)
    reached_of, no_reached = split_by_member(reached_out)
    introductions_of, no_introductions = split_by_member(introductions)
    rejected_of, no_rejected = split_by_member(rejected)
    members = []
    for row in summary.filter(pl.col("member").is_not_null()).iter_rows(named=True):
        member = row["member"]
        references, references_total = references_of.get(member, (no_references, 0))
        reached, reached_total = reached_of.get(member, (no_reached, 0))
        intros, intros_total = introductions_of.get(member, (no_introductions, 0))
        rejected_cells, rejected_total = rejected_of.get(member, (no_rejected, 0))
        members.append(
            MemberData(
                member=member,
                calls_total=row["calls_total"],
                calls_this_week=row["calls_this_week"],
                mature_calls=row["mature_calls"],
                events=row["events"],
                unattributed_events=row["unattributed_events"],
                rejected_rows=row["rejected_rows"],
                references_to_call=references,
                reached_out=reached,
                introductions=intros,
                rejected=rejected_cells,
                references_to_call_total=references_total,
                reached_out_total=reached_total,
                introductions_total=intros_total,
                rejected_total=rejected_total,
            )
        )
    return tuple(members)


def load_report_data(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, run_id: str | None
) -> ReportData:
    """Read everything the pages need; ``run_id`` None means the latest run in ``load_log``."""
    if run_id is None:
        run_id = latest_run_id(con)
    week = {"as_of": as_of, "week_start": iso_week_start(as_of)}
    summary = run_report_query(con, "member_summary", week)
    limit = {"limit": FOLLOW_UP_LIMIT}
    return ReportData(
        run_id=run_id,
        kpis=_group_kpis(run_report_query(con, "kpis", {**week, "run_id": run_id})),
        by_strategy=run_report_query(con, "outcomes_by_strategy"),
        comparison=run_report_query(con, "strategy_comparison"),
        by_relationship=run_report_query(con, "outcomes_by_relationship"),
        time_to_first_lead=run_report_query(con, "time_to_first_lead"),
        lead_timing=run_report_query(con, "lead_timing"),
        weekly_activity=run_report_query(con, "weekly_activity"),
        member_summary=summary,
        members=build_members(
            summary,
            run_report_query(con, "references_to_call", {"as_of": as_of, **limit}),
            run_report_query(con, "reached_out", limit),
            run_report_query(con, "introductions_received", limit),
            run_report_query(con, "member_rejected_rows", limit),
        ),
    )
