"""Small HTML blocks the pages share: KPI tiles, sections and chart figures."""

from __future__ import annotations

from collections.abc import Sequence

from asklab.report.figures.figure import Figure
from asklab.report.markup import Markup, esc


def tiles_html(tiles: Sequence[tuple[str, str, str]]) -> Markup:
    """KPI tiles from (value, label, note) triples."""
    parts = ['<dl class="tiles">']
    for value, label, note in tiles:
        note_html = f'<span class="note">{esc(note)}</span>' if note else ""
        parts.append(
            f'<div class="tile"><dt>{esc(label)}</dt>'
            f'<dd><span class="value">{esc(value)}</span>{note_html}</dd></div>'
        )
    parts.append("</dl>")
    return Markup("".join(parts))


def figure_html(figure: Figure) -> Markup:
    details_open = "" if figure.fold_table else " open"
    key = esc(figure.key)
    return Markup(
        f'<figure class="chart-figure" id="fig-{key}">'
        f'<div class="chart" data-vega-spec="spec-{key}"'
        f' aria-describedby="cap-{key}"></div>'
        f'<script type="application/json" id="spec-{key}">{figure.spec.text}</script>'
        f'<figcaption id="cap-{key}"><strong>{esc(figure.spec.title)}.</strong> '
        f"{esc(figure.caption)}</figcaption>"
        f"<details{details_open}><summary>The numbers behind this chart</summary>"
        f"{figure.table}</details>"
        "</figure>"
    )


def section(anchor: str, heading: str, *parts: str) -> str:
    return f'<section id="{esc(anchor)}"><h2>{esc(heading)}</h2>{"".join(parts)}</section>'


def optional_figure(figure: Figure | None, empty: str) -> str:
    return figure_html(figure) if figure is not None else f'<p class="empty">{esc(empty)}</p>'
