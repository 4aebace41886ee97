"""A member's own lists: references to call back, contacts who reached out,
introductions received and rejected cells, the rows of all members written at once.

These lists grow with a member's calls, so their rows are written by Polars
in one pass (``tables_html``) with whole-column escaping, never per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from asklab.report.data import MemberData
from asklab.report.frames import formats as fmt
from asklab.report.frames.html_tables import Column, tables_html
from asklab.report.markup import Markup, esc, esc_expr
from asklab.report.marts import REFERENCE_FOLLOW_UP_DAYS

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


def more_rows_note(shown: int, total: int, text: str) -> str:
    """Under a cut list: ``text`` (with ``{shown}`` and ``{total}``) when rows were left out."""
    if total <= shown:
        return ""
    return f'<p class="more">{esc(text.format(shown=fmt.count(shown), total=fmt.count(total)))}</p>'


def follow_up_sections_of(members: Sequence[MemberData]) -> list[str]:
    """Each member's follow-up lists (references, reached out, introductions), all
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
    return [
        "".join(
            [
                "<h3>References to call back</h3>",
                reference_table,
                more_rows_note(
                    m.references_to_call.height,
                    m.references_to_call_total,
                    "Showing the {shown} longest since their last call, of {total}.",
                ),
                "<h3>Contacts who reached out</h3>",
                reached_table,
                more_rows_note(
                    m.reached_out.height,
                    m.reached_out_total,
                    "Showing the newest {shown} of {total}.",
                ),
                "<h3>Introductions received</h3>",
                intro_table,
                more_rows_note(
                    m.introductions.height,
                    m.introductions_total,
                    "Showing the newest {shown} of {total}.",
                ),
            ]
        )
        for m, reference_table, reached_table, intro_table in zip(
            members, references, reached, intros, strict=True
        )
    ]


def rejected_tables(members: Sequence[MemberData]) -> list[Markup]:
    """Each member's rejected cells, all members' rows written at once."""
    tables = tables_html(
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
    return [
        Markup(
            table
            + more_rows_note(
                m.rejected.height,
                m.rejected_total,
                "Showing the first {shown} of {total} rejected cells; "
                "run `asklab validate` on your files for the full list.",
            )
        )
        for m, table in zip(members, tables, strict=True)
    ]
