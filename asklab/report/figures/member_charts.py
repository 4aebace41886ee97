"""The charts drawn on every member page (weekly activity, member against group),
as templates validated once and filled with each member's rows.

Altair validates a spec in about 100 ms: once per chart kind, never per
member (see ``SpecTemplate`` in ``asklab.report.figures.specs``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from asklab.report.figures.specs import ChartSpec, SpecTemplate, named_data, slot
from asklab.report.figures.style import (
    RATE_AXIS,
    rows_json,
    strategy_legend_encodings,
    strategy_scale_lists,
    styled,
)
from asklab.report.frames.scopes import ordered_strategies
from asklab.report.frames.versus import VERSUS_COLUMNS, VERSUS_WHO
from asklab.report.frames.weekly import WEEKLY_COLUMNS

MAX_WEEK_TICKS = 18


def week_ticks(weeks: Sequence[str]) -> list[dict[str, Any]]:
    """Axis values for the ISO weeks ``weeks`` (sorted): one a week, thinned when many.

    Each is a Vega-Lite DateTime at UTC midnight, so every label stays on its
    Monday in any time zone.
    """
    every = max(1, -(-len(weeks) // MAX_WEEK_TICKS))
    ticks = []
    for week in weeks[::every]:
        year, month, day = (int(part) for part in week.split("-"))
        ticks.append({"date": day, "month": month, "utc": True, "year": year})
    return ticks


@functools.cache
def weekly_template(title: str, subtitle: str) -> SpecTemplate:
    """The weekly chart, validated once per title; its strategies and ticks are slots."""
    encodings = strategy_legend_encodings(
        {name: slot(name) for name in ("strategies", "colours", "shapes", "dashes")},
        shape=True,
        dash=True,
    )
    # Weeks are ISO dates (UTC midnight in Vega): a UTC scale keeps every label on
    # its Monday in any time zone, with one tick per week (thinned when many).
    chart = (
        alt.Chart(named_data())
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=50), strokeWidth=2)
        .encode(
            x=alt.X(
                "week_start:T",
                title="Week starting",
                scale=alt.Scale(type="utc"),
                axis=alt.Axis(format="%d %b", values=slot("ticks"), labelOverlap=True),
            ),
            y=alt.Y("calls:Q", title="Calls", axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip(
                    "week_start:T", format="%Y-%m-%d", formatType="utc", title="Week starting"
                ),
                alt.Tooltip("strategy:N", title="Strategy"),
                alt.Tooltip("calls:Q", title="Calls"),
            ],
            **encodings,
        )
        .properties(width="container", height=240)
    )
    styled_chart = styled(
        chart,
        title=title,
        subtitle=subtitle,
        description="Line chart of the number of calls per week, one line per ask strategy.",
    )
    return SpecTemplate.from_chart(
        styled_chart, ["strategies", "colours", "shapes", "dashes", "ticks"]
    )


def weekly_chart_from_rows(
    rows_json: str, *, strategies: Sequence[str], weeks: Sequence[str], title: str, subtitle: str
) -> ChartSpec:
    """The weekly chart of ready JSON rows (``WEEKLY_COLUMNS``) with these strategies and weeks."""
    values = {**strategy_scale_lists(strategies), "ticks": week_ticks(weeks)}
    return weekly_template(title, subtitle).fill(rows_json, values)


def weekly_chart(frame: pl.DataFrame, *, title: str, subtitle: str) -> ChartSpec:
    """Calls per week and strategy as lines with shaped points."""
    data = frame.select(WEEKLY_COLUMNS)
    return weekly_chart_from_rows(
        rows_json(data),
        strategies=ordered_strategies(data["strategy"].unique().to_list()),
        weeks=sorted(data["week_start"].unique().to_list()),
        title=title,
        subtitle=subtitle,
    )


@functools.cache
def versus_template(metrics: tuple[str, ...]) -> SpecTemplate:
    """The member-against-group chart, validated once; the strategies on its axis are a slot."""
    who_scale = {"domain": list(VERSUS_WHO)}
    y = alt.Y("strategy:N", sort=slot("strategies"), title=None)
    y_offset = alt.YOffset("who:N", sort=list(VERSUS_WHO))
    colour = alt.Color(
        "who:N",
        scale=alt.Scale(**who_scale, range=["#08306b", "#a0a0a0"]),
        legend=alt.Legend(title=None, orient="top"),
    )
    rules = (
        alt.Chart()
        .mark_rule(strokeWidth=2.5)
        .encode(
            y=y,
            yOffset=y_offset,
            x=alt.X("rate_lo:Q", scale=alt.Scale(domain=[0, 1]), axis=RATE_AXIS, title=None),
            x2="rate_hi:Q",
            color=colour,
        )
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=80, stroke="white", strokeWidth=0.8, opacity=1)
        .encode(
            y=y,
            yOffset=y_offset,
            x="rate:Q",
            color=colour,
            shape=alt.Shape(
                "who:N",
                scale=alt.Scale(**who_scale, range=["circle", "square"]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("who:N", title="Who"),
                alt.Tooltip("strategy:N", title="Strategy"),
                alt.Tooltip("rate:Q", format=".0%", title="Rate"),
                alt.Tooltip("n:Q", title="Calls (n)"),
            ],
        )
    )
    chart = alt.layer(rules, points, data=named_data()).properties(width=260, height=alt.Step(14))
    faceted = chart.facet(
        facet=alt.Facet("metric:N", sort=list(metrics), title=None), columns=2, spacing=28
    )
    styled_chart = styled(
        faceted,
        title="Your rates against the group's",
        subtitle="Dots: rate; bars: 95% interval. Dark circle: you; grey square: whole group",
        description=(
            "Dot plot per metric and ask strategy comparing this member's rate with the whole "
            "group's, each with its 95% Wilson interval."
        ),
    )
    return SpecTemplate.from_chart(styled_chart, ["strategies"])


def versus_chart_from_rows(
    rows_json: str, *, strategies: Sequence[str], metrics: Sequence[str]
) -> ChartSpec:
    """The member-against-group chart of ready JSON rows (``VERSUS_COLUMNS``)."""
    return versus_template(tuple(metrics)).fill(rows_json, {"strategies": strategies})


def member_versus_group_chart(frame: pl.DataFrame, *, metrics: Sequence[str]) -> ChartSpec:
    """Dots with 95% intervals: the member's rates next to the group's, per strategy."""
    data = frame.select(VERSUS_COLUMNS).filter(pl.col("rate").is_not_null())
    return versus_chart_from_rows(
        rows_json(data),
        strategies=ordered_strategies(data["strategy"].unique().to_list()),
        metrics=metrics,
    )
