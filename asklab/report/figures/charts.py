"""Altair charts for the report pages, each from a small aggregated frame.

Every chart function takes exactly the columns it draws (it selects them, so
a wider frame never leaks extra fields into the page) and returns a
``ChartSpec``: a top-level Vega-Lite spec with a title and a description.
Altair validates each chart kind once (see ``asklab.report.figures.specs``); the
charts drawn for every member (weekly activity, member against group) are
templates filled with each member's rows. Strategies are told apart by
colours of clearly different lightness and by shape or dash, so the charts
survive grey-scale printing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from asklab.report.figures.specs import (
    ChartSpec,
    SpecTemplate,
    chart_spec,
    json_array,
    json_rows,
    named_data,
    slot,
)

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'

STRATEGY_ORDER: tuple[str, ...] = ("job", "reference", "mixed", "other")
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


def ordered_strategies(present: Sequence[str]) -> list[str]:
    """The strategies in ``present`` in the fixed order, unknown ones last (sorted)."""
    known = [s for s in STRATEGY_ORDER if s in present]
    return known + sorted(set(present) - set(STRATEGY_ORDER))


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


def _strategy_legend_encodings(
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


def _rows_json(data: pl.DataFrame) -> str:
    return json_array(json_rows(data))


# -- Rates by strategy -------------------------------------------------------------

RATES_COLUMNS = ["metric", "strategy", "rate", "rate_lo", "rate_hi", "x", "n"]


def rates_chart(
    frame: pl.DataFrame, *, metrics: Sequence[str], title: str, subtitle: str
) -> ChartSpec:
    """Point and 95% interval per strategy, one panel per metric (label in ``metric``)."""
    data = frame.select(RATES_COLUMNS).filter(pl.col("rate").is_not_null())
    strategies = ordered_strategies(data["strategy"].unique().to_list())
    y = alt.Y("strategy:N", sort=strategies, title=None)
    tooltip = [
        alt.Tooltip("strategy:N", title="Strategy"),
        alt.Tooltip("rate:Q", format=".0%", title="Rate"),
        alt.Tooltip("rate_lo:Q", format=".0%", title="95% low"),
        alt.Tooltip("rate_hi:Q", format=".0%", title="95% high"),
        alt.Tooltip("n:Q", title="Calls (n)"),
    ]
    encodings = _strategy_legend_encodings(strategy_scale_lists(strategies))
    rules = (
        alt.Chart()
        .mark_rule(strokeWidth=2.5)
        .encode(
            y=y,
            x=alt.X("rate_lo:Q", scale=alt.Scale(domain=[0, 1]), axis=RATE_AXIS, title=None),
            x2="rate_hi:Q",
            color=encodings["color"],
        )
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=90, opacity=1, stroke="white", strokeWidth=0.8)
        .encode(y=y, x=alt.X("rate:Q"), tooltip=tooltip, **encodings)
    )
    chart = alt.layer(rules, points, data=named_data()).properties(
        width=400, height=28 * max(len(strategies), 1)
    )
    faceted = chart.facet(
        facet=alt.Facet("metric:N", sort=list(metrics), title=None), columns=2, spacing=28
    )
    description = (
        "Dot plot: for each metric, the share of calls with that outcome per ask strategy, "
        "with a horizontal bar for the 95% Wilson interval."
    )
    styled_chart = styled(faceted, title=title, subtitle=subtitle, description=description)
    return chart_spec(styled_chart, _rows_json(data))


# -- Time to first lead ------------------------------------------------------------

KM_COLUMNS = ["strategy", "day", "with_lead"]


def time_to_lead_chart(frame: pl.DataFrame, *, window: int | None = None) -> ChartSpec:
    """Kaplan-Meier step lines of the share of calls with a lead by day."""
    data = frame.select(KM_COLUMNS)
    strategies = ordered_strategies(data["strategy"].unique().to_list())
    encodings = _strategy_legend_encodings(strategy_scale_lists(strategies), shape=False, dash=True)
    x_scale = alt.Scale(domain=[0, window]) if window else alt.Undefined
    chart = (
        alt.Chart(named_data())
        .mark_line(interpolate="step-after", strokeWidth=2.5)
        .encode(
            x=alt.X(
                "day:Q", title="Days after the call", scale=x_scale, axis=alt.Axis(tickCount=10)
            ),
            y=alt.Y(
                "with_lead:Q",
                title="Calls with a first lead",
                axis=RATE_AXIS,
                scale=alt.Scale(domain=[0, 1]),
            ),
            order=alt.Order("day:Q"),
            tooltip=[
                alt.Tooltip("strategy:N", title="Strategy"),
                alt.Tooltip("day:Q", title="Day"),
                alt.Tooltip("with_lead:Q", format=".0%", title="With a lead"),
            ],
            **encodings,
        )
        .properties(width="container", height=260)
    )
    styled_chart = styled(
        chart,
        title="Time to first lead",
        subtitle="Share of calls that brought a job lead, by days since the call (Kaplan-Meier)",
        description=(
            "Step lines, one per ask strategy, rising from 0 as calls bring their first job "
            "lead; calls still inside their window count while they are watched."
        ),
    )
    return chart_spec(styled_chart, _rows_json(data))


# -- Immediate versus later leads --------------------------------------------------

TIMING_COLUMNS = ["strategy", "timing", "timing_order", "leads_per_call", "leads", "mature_calls"]
TIMING_LABELS = ("during the call", "later")
TIMING_COLOURS = ("#08306b", "#9ecae1")  # lightness about 21 and 78


def lead_timing_chart(frame: pl.DataFrame) -> ChartSpec:
    """Stacked bars: leads per mature call given during the call and later."""
    data = frame.select(TIMING_COLUMNS)
    strategies = ordered_strategies(data["strategy"].unique().to_list())
    chart = (
        alt.Chart(named_data())
        .mark_bar(stroke="#1c2230", strokeWidth=0.5, height={"band": 0.7})
        .encode(
            y=alt.Y("strategy:N", sort=strategies, title=None),
            x=alt.X(
                "leads_per_call:Q",
                title="Leads per mature call",
                stack="zero",
                axis=alt.Axis(tickCount=8),
            ),
            color=alt.Color(
                "timing:N",
                scale=alt.Scale(domain=list(TIMING_LABELS), range=list(TIMING_COLOURS)),
                legend=alt.Legend(title="Lead came", orient="top"),
            ),
            order=alt.Order("timing_order:Q"),
            tooltip=[
                alt.Tooltip("strategy:N", title="Strategy"),
                alt.Tooltip("timing:N", title="Lead came"),
                alt.Tooltip("leads:Q", title="Leads"),
                alt.Tooltip("mature_calls:Q", title="Mature calls"),
                alt.Tooltip("leads_per_call:Q", format=".2f", title="Per call"),
            ],
        )
        .properties(width="container", height=34 * max(len(strategies), 1))
    )
    styled_chart = styled(
        chart,
        title="Leads during the call and later",
        subtitle="Later leads are the contacts who kept their eyes open for you",
        description=(
            "Horizontal stacked bars per ask strategy: job leads per mature call given "
            "during the call (dark) and reported later (light)."
        ),
    )
    return chart_spec(styled_chart, _rows_json(data))


# -- Outcomes by relationship ------------------------------------------------------

RELATIONSHIP_COLUMNS = ["metric", "relationship", "strategy", "rate", "n", "label"]


def relationship_chart(frame: pl.DataFrame, *, metrics: Sequence[str]) -> ChartSpec:
    """Heat map of a rate per (relationship, strategy), one panel per metric."""
    data = frame.select(RELATIONSHIP_COLUMNS).filter(pl.col("rate").is_not_null())
    strategies = ordered_strategies(data["strategy"].unique().to_list())
    relationships = sorted(data["relationship"].unique().to_list())
    base = alt.Chart().encode(
        x=alt.X("strategy:N", sort=strategies, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("relationship:N", sort=relationships, title=None),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "rate:Q",
            scale=alt.Scale(scheme="blues", domain=[0, 1]),
            legend=alt.Legend(title="Rate", format="%", orient="right"),
        ),
        tooltip=[
            alt.Tooltip("relationship:N", title="Relationship"),
            alt.Tooltip("strategy:N", title="Strategy"),
            alt.Tooltip("rate:Q", format=".0%", title="Rate"),
            alt.Tooltip("n:Q", title="Calls (n)"),
        ],
    )
    labels = base.mark_text(fontSize=11).encode(
        text="label:N",
        color=alt.condition("datum.rate > 0.55", alt.value("white"), alt.value("#1c2230")),
    )
    chart = alt.layer(cells, labels, data=named_data()).properties(
        width=88 * max(len(strategies), 1), height=32 * max(len(relationships), 1)
    )
    faceted = chart.facet(column=alt.Column("metric:N", sort=list(metrics), title=None), spacing=24)
    styled_chart = styled(
        faceted,
        title="Outcomes by relationship and strategy",
        subtitle="Share of calls; darker is higher. Cells show rate and n",
        description=(
            "Heat maps, one per metric, with relationship to the contact in rows and ask "
            "strategy in columns; each cell shows the rate and the number of calls."
        ),
    )
    return chart_spec(styled_chart, _rows_json(data))


# -- Weekly activity ---------------------------------------------------------------

WEEKLY_COLUMNS = ["week_start", "strategy", "calls"]
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
    encodings = _strategy_legend_encodings(
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
        _rows_json(data),
        strategies=ordered_strategies(data["strategy"].unique().to_list()),
        weeks=sorted(data["week_start"].unique().to_list()),
        title=title,
        subtitle=subtitle,
    )


# -- Reference against job, per member ---------------------------------------------

FOREST_COLUMNS = ["metric", "row", "row_order", "kind", "diff", "diff_lo", "diff_hi"]
FOREST_KINDS = ("member", "all members, pooled", "within-member (Mantel-Haenszel)")


def comparison_chart(frame: pl.DataFrame, *, metrics: Sequence[str]) -> ChartSpec:
    """Forest plot of reference minus job per member, then pooled and within-member."""
    data = frame.select(FOREST_COLUMNS).filter(pl.col("diff").is_not_null())
    rows = data.sort("row_order")["row"].unique(maintain_order=True).to_list()
    # A row per member: the names go in after validation (Altair would check
    # and copy each of them several times).
    y = alt.Y("row:N", sort=slot("rows"), title=None)
    x = alt.X(
        "diff_lo:Q",
        scale=alt.Scale(domain=[-1, 1]),
        axis=alt.Axis(format="+%", tickCount=5),
        title="Reference minus job (points of share)",
    )
    zero = alt.Chart().mark_rule(color="#9aa1ad", strokeDash=[3, 3]).encode(x=alt.datum(0))
    rules = alt.Chart().mark_rule(strokeWidth=2, color="#3b4252").encode(y=y, x=x, x2="diff_hi:Q")
    points = (
        alt.Chart()
        .mark_point(filled=True, size=80, color="#1c2230")
        .encode(
            y=y,
            x=alt.X("diff:Q"),
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(
                    domain=list(FOREST_KINDS), range=["circle", "diamond", "triangle-down"]
                ),
                legend=alt.Legend(title=None, orient="top", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("row:N", title="Who"),
                alt.Tooltip("diff:Q", format="+.0%", title="Difference"),
                alt.Tooltip("diff_lo:Q", format="+.0%", title="95% low"),
                alt.Tooltip("diff_hi:Q", format="+.0%", title="95% high"),
            ],
        )
    )
    chart = alt.layer(zero, rules, points, data=named_data()).properties(
        width=300, height=24 * max(len(rows), 1)
    )
    faceted = chart.facet(column=alt.Column("metric:N", sort=list(metrics), title=None), spacing=28)
    styled_chart = styled(
        faceted,
        title="Reference against job asks, member by member",
        subtitle="Right of the dashed line: reference asks did better. Bars: 95% intervals",
        description=(
            "Forest plot: for each member, the difference in rate between reference and job "
            "asks with its 95% interval, then the pooled group difference and the "
            "within-member (Mantel-Haenszel) difference."
        ),
    )
    return SpecTemplate.from_chart(styled_chart, ["rows"]).fill(_rows_json(data), {"rows": rows})


# -- A member against the group ----------------------------------------------------

VERSUS_COLUMNS = ["metric", "strategy", "who", "rate", "rate_lo", "rate_hi", "n"]
VERSUS_WHO = ("you", "whole group")


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
        _rows_json(data),
        strategies=ordered_strategies(data["strategy"].unique().to_list()),
        metrics=metrics,
    )
