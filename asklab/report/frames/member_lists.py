"""A member's own lists: references to call back, contacts who reached out,
introductions received and rejected cells, the rows of all members written at once.
``templates/member.html`` places them, with a note under a list cut to its
first rows.

These lists grow with a member's calls, so their rows are written by Polars
in one pass (``tables_html``) with whole-column escaping, never per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from asklab.outcomes.marts import REFERENCE_FOLLOW_UP_DAYS
from asklab.report.data import MemberData
from asklab.report.frames import formats as fmt
from asklab.report.frames.html_tables import Column, tables_html
from asklab.report.markup import Markup, esc_expr

REFERENCE_COLUMNS = [
    Column("Contact"),
    Column("Agreed on"),
    Column("Last call"),
    Column("Days since", numeric=True),
]


REACHED_OUT_COLUMNS = [
    Column("Contact"),
    Column("Date"),
    Column("Times", numeric=True),
    Column("Matched to a call"),
]


INTRODUCTION_COLUMNS = [
    Column("Contact"),
    Column("Date"),
    Column("Introductions", numeric=True),
    Column("When"),
]


REJECTED_COLUMNS = [
    Column("File"),
    Column("Sheet"),
    Column("Line", numeric=True),
    Column("Column"),
    Column("Value as written"),
    Column("Reason"),
]


def _text_or_missing(column: str) -> pl.Expr:
    """A text cell that shows ``MISSING`` when null or empty."""
    value = pl.col(column)
    return (
        pl.when(value.is_null() | (value == ""))
        .then(pl.lit(fmt.MISSING))
        .otherwise(esc_expr(value))
    )


def follow_up_tables(
    members: Sequence[MemberData],
) -> tuple[list[Markup], list[Markup], list[Markup]]:
    """Each member's follow-up tables (references, reached out, introductions), all
    members' rows written at once: these lists grow with the member's calls."""
    references = tables_html(
        [m.references_to_call for m in members],
        REFERENCE_COLUMNS,
        [
            esc_expr(pl.col("contact")),
            fmt.date_expr(pl.col("agreed_on")),
            fmt.date_expr(pl.col("last_call")),
            fmt.count_expr(pl.col("days_since_last_call")),
        ],
        caption=(
            f"Agreed to be a reference and not called for {REFERENCE_FOLLOW_UP_DAYS} days "
            "or more: keep them warm."
        ),
        empty="Nobody to call back: every contact who agreed to be a reference was called "
        f"in the last {REFERENCE_FOLLOW_UP_DAYS} days.",
    )
    reached = tables_html(
        [m.reached_out for m in members],
        REACHED_OUT_COLUMNS,
        [
            esc_expr(pl.col("contact")),
            fmt.date_expr(pl.col("event_date")),
            fmt.count_expr(pl.col("count")),
            pl.when(pl.col("attributed")).then(pl.lit("yes")).otherwise(pl.lit("no")),
        ],
        caption="Contacts who reached out to you, newest first.",
        empty="No contact has reached out yet.",
    )
    intros = tables_html(
        [m.introductions for m in members],
        INTRODUCTION_COLUMNS,
        [
            esc_expr(pl.col("contact")),
            fmt.date_expr(pl.col("received_on")),
            fmt.count_expr(pl.col("introductions")),
            esc_expr(pl.col("source")),
        ],
        caption="Introductions you received, newest first.",
        empty="No introductions yet.",
    )
    return references, reached, intros


def rejected_tables(members: Sequence[MemberData]) -> list[Markup]:
    """Each member's rejected cells, all members' rows written at once."""
    return tables_html(
        [m.rejected for m in members],
        REJECTED_COLUMNS,
        [
            esc_expr(pl.col("source_file")),
            _text_or_missing("sheet"),
            fmt.count_expr(pl.col("line")),
            _text_or_missing("column"),
            esc_expr(pl.col("value")),
            esc_expr(pl.col("reason")),
        ],
        caption="Fix these cells in your spreadsheet; the rows load on the next run.",
        empty="No rejected rows: every row of your files loaded.",
    )
