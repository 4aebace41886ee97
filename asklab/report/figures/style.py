"""The look every chart shares: fonts, strategy colours, shapes and dashes, titles.

Strategies are told apart by colours of clearly different lightness and by
shape or dash, so the charts survive grey-scale printing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from asklab.report.figures.specs import json_array, json_rows, named_data

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


# CIELAB lightness about 21, 55, 41, 73: distinct in grey scale.
STRATEGY_COLOURS: dict[str, str] = {
    "job": "#08306b",
    "reference": "#d95f02",
    "mixed": "#6a51a3",
    "other": "#b4b4b4",
}


STRATEGY_SHAPES: dict[str, str] = {
    "job": "circle",
    "reference": "square",
    "mixed": "triangle-up",
    "other": "diamond",
}


STRATEGY_DASHES: dict[str, list[int]] = {
    "job": [1, 0],
    "reference": [7, 3],
    "mixed": [2, 2],
    "other": [8, 3, 2, 3],
}


RATE_AXIS = alt.Axis(format="%", tickCount=5)


def strategy_scale_lists(strategies: Sequence[str]) -> dict[str, list[Any]]:
    """The strategies and, in the same order, their colours, shapes and dashes."""
    return {
        "strategies": list(strategies),
        "colours": [STRATEGY_COLOURS.get(s, "#404040") for s in strategies],
        "shapes": [STRATEGY_SHAPES.get(s, "cross") for s in strategies],
        "dashes": [STRATEGY_DASHES.get(s, [4, 4]) for s in strategies],
    }


def _strategy_scales(lists: dict[str, list[Any]]) -> dict[str, alt.Scale]:
    return {
        "color": alt.Scale(domain=lists["strategies"], range=lists["colours"]),
        "shape": alt.Scale(domain=lists["strategies"], range=lists["shapes"]),
        "dash": alt.Scale(domain=lists["strategies"], range=lists["dashes"]),
    }


def strategy_legend_encodings(
    lists: dict[str, list[Any]], *, shape: bool = True, dash: bool = False
) -> dict[str, alt.ChannelMixin]:
    """Colour (and shape, dash) by strategy; ``lists`` as ``strategy_scale_lists`` gives."""
    scales = _strategy_scales(lists)
    legend = alt.Legend(title="Strategy", orient="top")
    encodings: dict[str, alt.ChannelMixin] = {
        "color": alt.Color("strategy:N", scale=scales["color"], legend=legend)
    }
    if shape:
        encodings["shape"] = alt.Shape("strategy:N", scale=scales["shape"], legend=legend)
    if dash:
        encodings["strokeDash"] = alt.StrokeDash("strategy:N", scale=scales["dash"], legend=legend)
    return encodings


def styled(chart: alt.TopLevelMixin, *, title: str, subtitle: str, description: str):
    """Title, description and the shared look (system fonts, quiet axes)."""
    return (
        chart.properties(
            title=alt.TitleParams(text=title, subtitle=subtitle, anchor="start"),
            description=description,
        )
        .configure(font=FONT, padding={"left": 4, "right": 12, "top": 6, "bottom": 6})
        .configure_view(stroke=None)
        .configure_axis(
            labelFontSize=12, titleFontSize=12, gridColor="#e6e8ec", domainColor="#9aa1ad"
        )
        .configure_header(labelFontSize=13, labelFontWeight="bold", titleFontSize=13)
        .configure_legend(labelFontSize=12, titleFontSize=12, symbolStrokeWidth=2)
        .configure_title(fontSize=15, subtitleFontSize=12, subtitleColor="#566074")
    )


def rows_json(data: pl.DataFrame) -> str:
    return json_array(json_rows(data))


def rate_dot_facets(
    y: alt.Y, *, rows: int, metrics: Sequence[str], tooltip: list[Any], **marks: Any
) -> alt.FacetChart:
    """One panel per metric (``metric``): a dot per row at ``rate`` with a bar
    from ``rate_lo`` to ``rate_hi`` (its 95% interval); ``marks`` are the dots'
    encodings (``color`` also colours the bars)."""
    rules = (
        alt.Chart()
        .mark_rule(strokeWidth=2.5)
        .encode(
            y=y,
            x=alt.X("rate_lo:Q", scale=alt.Scale(domain=[0, 1]), axis=RATE_AXIS, title=None),
            x2="rate_hi:Q",
            color=marks["color"],
        )
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=90, opacity=1, stroke="white", strokeWidth=0.8)
        .encode(y=y, x=alt.X("rate:Q"), tooltip=tooltip, **marks)
    )
    chart = alt.layer(rules, points, data=named_data()).properties(
        width=400, height=28 * max(rows, 1)
    )
    return chart.facet(
        facet=alt.Facet("metric:N", sort=list(metrics), title=None), columns=2, spacing=28
    )
