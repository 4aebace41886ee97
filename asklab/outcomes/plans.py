"""``plan_assignments`` and ``plan_comparison`` (CONTRACT.md sections 7.3 and 7.4).

Plans are small (a few dozen contacts per member), so they are computed once
from the stored ``plan_rows``, ``calls`` and ``call_outcomes`` after every
part of the call outcomes is written, never part by part. The linking and
the statistics are :mod:`asklab.plans.comparison`'s pure functions; this
module reads their inputs from the warehouse and adds what the report's
plan sections show beside the contract columns.
"""

from __future__ import annotations

import polars as pl

from asklab.plans.comparison import (
    PLAN_ASSIGNMENTS_SCHEMA,
    link_assignments,
    plan_comparison,
)
from asklab.queries import read_sql
from asklab.warehouse.connection import Warehouse

PLAN_TABLES: tuple[str, ...] = ("plan_assignments", "plan_comparison")

# Extra columns of plan_assignments beyond section 7.3's (the contract allows
# more): the contact as written in the plan, and the linked call's date and
# asks, which a member's page shows for a done assignment.
ASSIGNMENT_EXTRAS: dict[str, pl.DataType] = {
    "contact": pl.String(),
    "call_date": pl.Date(),
    "ask_label": pl.String(),
}

# The call_outcomes columns the comparison counts (section 7.4).
OUTCOME_COLUMNS: tuple[str, ...] = (
    "said_yes",
    "mature",
    "any_introduction",
    "any_lead",
    "reached_out",
)


def plan_tables(wh: Warehouse) -> dict[str, pl.DataFrame]:
    """Both plan tables from the warehouse's accepted plan rows and stored call outcomes.

    Run after ``call_outcomes`` is complete (in the outcomes stage's
    transaction); with no plan row both tables are empty.
    """
    rows = wh.query(read_sql("outcomes/plan_rows"))
    calls = wh.query(read_sql("outcomes/planned_calls"))
    return plan_outcome_tables(rows, calls)


def plan_outcome_tables(plan_rows: pl.DataFrame, calls: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """``plan_assignments`` and ``plan_comparison`` from frames.

    ``plan_rows`` as the ``plan_rows`` table (one row per accepted plan row);
    ``calls``: call_id, member, contact_key, call_date, ask_label and the
    ``OUTCOME_COLUMNS`` of each call of a planned contact (more calls do no harm).
    """
    linked = link_assignments(plan_rows, calls)
    assignments = _with_extras(linked, plan_rows, calls)
    arms_by_plan = plan_rows.select("member", "plan_id", "arms").unique(maintain_order=True)
    outcomes = calls.select("call_id", *OUTCOME_COLUMNS)
    return {
        "plan_assignments": assignments,
        "plan_comparison": plan_comparison(linked, outcomes, arms_by_plan),
    }


def _with_extras(
    linked: pl.DataFrame, plan_rows: pl.DataFrame, calls: pl.DataFrame
) -> pl.DataFrame:
    """The linked assignments (same rows, same order) with ``ASSIGNMENT_EXTRAS``.

    link_assignments keeps its input's rows in order, so the plan rows'
    contact column lines up by position.
    """
    linked_calls = calls.select("call_id", "call_date", "ask_label").unique("call_id")
    return (
        linked.with_columns(contact=plan_rows["contact"])
        .join(linked_calls, on="call_id", how="left", maintain_order="left")
        .select(*PLAN_ASSIGNMENTS_SCHEMA, *ASSIGNMENT_EXTRAS)
        .cast(ASSIGNMENT_EXTRAS)
    )
