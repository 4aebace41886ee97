"""HTML tables from rows of text: one table at a time, or the same table for many
pages written by Polars in one pass.

Every cell is escaped (``esc`` for a Python value, ``esc_expr`` for a column)
unless it is ``Markup``; the first cell of a row is its ``<th scope="row">``.
A member's lists grow with their calls and formatting every cell in Python
costs microseconds a cell, so ``tables_html`` writes the rows of all pages
at once, with whole-column escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from asklab.report.markup import Markup, esc


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


def table_html(
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    caption: str | None = None,
    row_header: bool = True,
    header_rows: Sequence[Markup] = (),
    empty: str = "Nothing to show.",
    css_class: str = "data",
) -> Markup:
    """A table with ``<th scope="col">`` headers; the first cell of a row is its header.

    ``header_rows`` are extra ``<tr>`` rows (already HTML) placed above the
    column labels, e.g. a row of ``colgroup`` headers.
    """
    if not rows:
        return empty_note(empty)
    opens = [
        f'<th scope="row"{_num(c)}>' if i == 0 and row_header else f"<td{_num(c)}>"
        for i, c in enumerate(columns)
    ]
    closes = ["</th>" if i == 0 and row_header else "</td>" for i in range(len(columns))]
    parts = []
    for row in rows:
        parts.append("<tr>")
        for opening, cell, closing in zip(opens, row, closes, strict=True):
            parts += [opening, esc(cell), closing]
        parts.append("</tr>")
    return table_shell(
        columns, "".join(parts), caption=caption, header_rows=header_rows, css_class=css_class
    )


def _num(column: Column) -> str:
    return ' class="num"' if column.numeric else ""


def empty_note(text: str) -> Markup:
    """What a table shows instead when it has no rows."""
    return Markup(f'<p class="empty">{esc(text)}</p>')


def table_shell(
    columns: Sequence[Column],
    body: str,
    *,
    caption: str | None = None,
    header_rows: Sequence[Markup] = (),
    css_class: str = "data",
) -> Markup:
    """The table around ``body``, its ``<tr>`` rows already written (``table_html`` markup)."""
    parts = [f'<div class="table-wrap"><table class="{esc(css_class)}">']
    if caption:
        parts.append(f"<caption>{esc(caption)}</caption>")
    parts.append("<thead>")
    parts.extend(header_rows)
    parts.append("<tr>")
    parts.extend(f'<th scope="col"{_num(column)}>{esc(column.label)}</th>' for column in columns)
    parts.append("</tr></thead><tbody>")
    parts.append(body)
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))


def row_html_expr(
    columns: Sequence[Column], cells: Sequence[pl.Expr], *, row_header: bool = True
) -> pl.Expr:
    """Each row's ``<tr>`` as ``table_html`` writes it; ``cells`` are escaped, non-null text."""
    parts: list[pl.Expr] = [pl.lit("<tr>")]
    for index, (column, cell) in enumerate(zip(columns, cells, strict=True)):
        tag = "th" if index == 0 and row_header else "td"
        scope = ' scope="row"' if tag == "th" else ""
        parts += [pl.lit(f"<{tag}{scope}{_num(column)}>"), cell, pl.lit(f"</{tag}>")]
    parts.append(pl.lit("</tr>"))
    return pl.concat_str(parts)


def tables_html(
    frames: Sequence[pl.DataFrame],
    columns: Sequence[Column],
    cells: Sequence[pl.Expr],
    *,
    caption: str | None = None,
    empty: str = "Nothing to show.",
) -> list[Markup]:
    """One ``table_html`` per frame (same columns), every row written in one Polars pass."""
    filled = [index for index, frame in enumerate(frames) if frame.height]
    bodies: dict[int, str] = {}
    if filled:
        combined = pl.concat([frames[i] for i in filled], how="vertical_relaxed")
        table = np.repeat(np.array(filled), [frames[i].height for i in filled])
        joined = (
            combined.select(row_html_expr(columns, cells).alias("_html"))
            .with_columns(_table=pl.Series(table))
            # Rows keep their order within a group; groups come in table order.
            .group_by("_table", maintain_order=True)
            .agg(pl.col("_html").str.join(""))
        )
        bodies = dict(joined.select("_table", "_html").iter_rows())
    return [
        table_shell(columns, bodies[index], caption=caption)
        if index in bodies
        else empty_note(empty)
        for index in range(len(frames))
    ]


def flags_html(flags: Sequence[str]) -> Markup:
    return Markup(" ".join(f'<span class="flag">{esc(flag)}</span>' for flag in flags))
