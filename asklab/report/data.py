"""What the report pages need from the warehouse, read by the named SQL in ``sql/reports/``.

``load_report_data`` is the only place the report stage touches DuckDB. It
reads small tables only: the outcome tables, the report marts that the
outcomes stage builds (``asklab.outcomes.marts``: member counts, the group's
headline counts and each member's follow-up lists, already cut to
``FOLLOW_UP_LIMIT`` rows per member with the member's full count), and the
file-sized ``load_log`` and ``rejected_rows``, and the plan tables
(``plan_assignments``, ``plan_comparison``, ``plan_rows``). Without plans it
never scans ``calls``, ``events`` or ``call_outcomes``, so the stage does not
grow with the number of calls; with plans it reads the date and asks of the
planned calls (``plan_member_assignments``). Values reach the queries as
parameters, never as SQL text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from asklab.outcomes.marts import (
    FOLLOW_UP_LIMIT,
    ReportMartError,
    build_report_marts,
    report_marts_as_of,
)
from asklab.queries import read_sql

PLAN_ARMS_SCHEMA: dict[str, pl.DataType] = {
    "arm": pl.String(),
    "plans": pl.Int64(),
    "assigned": pl.Int64(),
    "done": pl.Int64(),
    "open": pl.Int64(),
    "complied": pl.Int64(),
}

# plan_comparison as the report reads it (sql/reports/plan_comparison.sql).
PLAN_COMPARISON_SCHEMA: dict[str, pl.DataType] = {
    "arm": pl.String(),
    "metric": pl.String(),
    **{name: pl.Int64() for name in ("n_arm", "x_arm", "n_job", "x_job")},
    **{name: pl.Float64() for name in ("diff", "diff_lo", "diff_hi", "prob_arm_better")},
    **{name: pl.Float64() for name in ("mh_diff", "mh_diff_lo", "mh_diff_hi")},
    **{name: pl.Int64() for name in ("plans", "assigned_arm", "done_arm")},
    **{name: pl.Int64() for name in ("assigned_job", "done_job")},
    "attrition_p": pl.Float64(),
    "n_needed_per_arm": pl.Int64(),
}

ASSIGNMENT_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.String(),
    "created": pl.Date(),
    "contact": pl.String(),
    "relationship": pl.String(),
    "arm": pl.String(),
    "call_date": pl.Date(),
    "ask_label": pl.String(),
    "complied": pl.Boolean(),
}
OPEN_COLUMNS = ("plan_id", "created", "contact", "relationship", "arm")
DONE_COLUMNS = (*OPEN_COLUMNS, "call_date", "ask_label", "complied")


def empty_assignments(columns: tuple[str, ...]) -> pl.DataFrame:
    return pl.DataFrame(schema={name: ASSIGNMENT_SCHEMA[name] for name in columns})


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
    """One member's page: their own counts, follow-ups, plan assignments and rejected rows."""

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
    # The member's plan assignments (CONTRACT section 7.3), never cut:
    # open ones (plan_id, created, contact, relationship, arm), in plan order,
    # and done ones (the same and call_date, ask_label, complied), newest call first.
    open_assignments: pl.DataFrame = field(default_factory=lambda: empty_assignments(OPEN_COLUMNS))
    done_assignments: pl.DataFrame = field(default_factory=lambda: empty_assignments(DONE_COLUMNS))


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
    # Plans (CONTRACT section 7), aggregates only: per arm (arm, plans, assigned,
    # done, open, complied), the plans' and members' counts, and plan_comparison.
    plan_arms: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PLAN_ARMS_SCHEMA))
    plans: int = 0
    plan_members: int = 0
    plan_comparison: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=PLAN_COMPARISON_SCHEMA)
    )

    @property
    def has_plans(self) -> bool:
        """Whether any plan exists: the group page then opens with the randomised result."""
        return self.plan_arms.height > 0


def read_report_sql(name: str) -> str:
    """The text of ``sql/reports/<name>.sql``."""
    return read_sql(f"reports/{name}")


def run_report_query(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> pl.DataFrame:
    """Run one named report query with ``params`` bound as parameters."""
    try:
        return con.sql(read_report_sql(name), params=params or None).pl()
    except duckdb.Error as exc:
        raise ReportDataError(f"sql/reports/{name}.sql: {exc}") from exc


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
    kept), with the member's ``total``; and the empty frame of the same columns for
    a member with no rows.

    ``frame`` is sorted by member (as the report queries give it): each member's
    rows are a zero-copy slice of one frame, far cheaper than a frame per member.
    """
    rows = frame.drop("member", "total")
    spans = (
        frame.select("member", "total")
        .with_row_index("_row")
        .group_by("member")
        .agg(
            pl.col("_row").min().alias("start"),
            pl.len().alias("length"),
            pl.col("_row").max().alias("end"),
            pl.col("total").first(),
        )
    )
    split: dict[str, tuple[pl.DataFrame, int]] = {}
    for member, start, length, end, total in spans.iter_rows():
        if end - start + 1 != length:
            raise ValueError(f"the rows of member {member!r} are not together: sort by member")
        split[member] = (rows.slice(start, length), int(total))
    return split, rows.clear()


def build_members(
    summary: pl.DataFrame,
    references_to_call: pl.DataFrame,
    reached_out: pl.DataFrame,
    introductions: pl.DataFrame,
    rejected: pl.DataFrame,
    assignments: pl.DataFrame | None = None,
) -> tuple[MemberData, ...]:
    """One ``MemberData`` per named member of ``summary``, lists split by member.

    Each list frame has a ``member`` column and a ``total`` column (the
    member's full count), as the capped report queries give. ``assignments``
    are the rows of ``plan_member_assignments`` (None: no plans).
    """
    references_of, no_references = split_by_member(references_to_call)
    reached_of, no_reached = split_by_member(reached_out)
    introductions_of, no_introductions = split_by_member(introductions)
    rejected_of, no_rejected = split_by_member(rejected)
    open_frame, done_frame = assignment_lists(assignments)
    open_of, no_open = split_by_member(open_frame)
    done_of, no_done = split_by_member(done_frame)
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
                open_assignments=open_of.get(member, (no_open, 0))[0],
                done_assignments=done_of.get(member, (no_done, 0))[0],
            )
        )
    return tuple(members)


def assignment_lists(assignments: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Open and done assignments with member and total columns, sorted by member:
    open ones in plan order (as the query gives), done ones newest call first."""
    if assignments is None:
        assignments = pl.DataFrame(
            schema={"member": pl.String(), "done": pl.Boolean(), **ASSIGNMENT_SCHEMA}
        )
    total = pl.len().over("member").alias("total")
    open_rows = assignments.filter(~pl.col("done")).select("member", *OPEN_COLUMNS, total)
    done_rows = (
        assignments.filter(pl.col("done"))
        .sort(["member", "call_date"], descending=[False, True], maintain_order=True)
        .select("member", *DONE_COLUMNS, total)
    )
    return open_rows, done_rows


def ensure_report_marts(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> None:
    """Check the report marts were built for ``as_of``; build them when there are none.

    The outcomes stage builds them in its transaction, so in a run they are
    always there and current. A warehouse without them (written before they
    existed, or by hand as in tests) gets them here. Marts built for another
    as_of mean the outcome tables are not this run's: an error, not a rebuild.
    """
    built_for = report_marts_as_of(con)
    if built_for is None:
        try:
            build_report_marts(con, as_of=as_of)
        except ReportMartError as exc:
            raise ReportDataError(str(exc)) from exc
    elif built_for != as_of:
        raise ReportDataError(
            f"the report marts were built for as_of {built_for}, not {as_of}: run the "
            "outcomes stage for this as_of (asklab.outcomes.marts.build_report_marts)"
        )


def load_report_data(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, run_id: str | None
) -> ReportData:
    """Read everything the pages need; ``run_id`` None means the latest run in ``load_log``."""
    if run_id is None:
        run_id = latest_run_id(con)
    ensure_report_marts(con, as_of=as_of)
    summary = run_report_query(con, "member_summary")
    plan_arms = run_report_query(con, "plan_arms").cast(PLAN_ARMS_SCHEMA)
    plan_totals = run_report_query(con, "plan_totals").row(0, named=True)
    # The member lists join the planned calls: read only when a plan exists.
    assignments = run_report_query(con, "plan_member_assignments") if plan_arms.height else None
    return ReportData(
        run_id=run_id,
        kpis=_group_kpis(run_report_query(con, "kpis", {"run_id": run_id})),
        by_strategy=run_report_query(con, "outcomes_by_strategy"),
        comparison=run_report_query(con, "strategy_comparison"),
        by_relationship=run_report_query(con, "outcomes_by_relationship"),
        time_to_first_lead=run_report_query(con, "time_to_first_lead"),
        lead_timing=run_report_query(con, "lead_timing"),
        weekly_activity=run_report_query(con, "weekly_activity"),
        member_summary=summary,
        members=build_members(
            summary,
            run_report_query(con, "references_to_call"),
            run_report_query(con, "reached_out"),
            run_report_query(con, "introductions_received"),
            run_report_query(con, "member_rejected_rows", {"limit": FOLLOW_UP_LIMIT}),
            assignments,
        ),
        plan_arms=plan_arms,
        plans=int(plan_totals["plans"]),
        plan_members=int(plan_totals["members"]),
        plan_comparison=run_report_query(con, "plan_comparison").cast(PLAN_COMPARISON_SCHEMA),
    )
