"""The group page's Altair charts, each from a small aggregated frame.

Every chart function takes exactly the columns it draws (it selects them, so
a wider frame never leaks extra fields into the page) and returns a
``ChartSpec``: a top-level Vega-Lite spec with a title and a description,
validated by Altair once (see ``asklab.report.figures.specs``).
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from asklab.report.figures.specs import ChartSpec, SpecTemplate, chart_spec, named_data, slot
from asklab.report.figures.style import (
    RATE_AXIS,
    rate_dot_facets,
    rows_json,
    strategy_legend_encodings,
    strategy_scale_lists,
    styled,
)
from asklab.report.frames.chart_frames import FOREST_KINDS, TIMING_LABELS
from asklab.report.frames.scopes import ordered_strategies

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
    encodings = strategy_legend_encodings(strategy_scale_lists(strategies))
    faceted = rate_dot_facets(
        y, rows=len(strategies), metrics=metrics, tooltip=tooltip, **encodings
    )
    description = (
        "Dot plot: for each metric, the share of calls with that outcome per ask strategy, "
        "with a horizontal bar for the 95% Wilson interval."
    )
    styled_chart = styled(faceted, title=title, subtitle=subtitle, description=description)
    return chart_spec(styled_chart, rows_json(data))


KM_COLUMNS = ["strategy", "day", "with_lead"]


def time_to_lead_chart(frame: pl.DataFrame, *, window: int | None = None) -> ChartSpec:
    """Kaplan-Meier step lines of the share of calls with a lead by day."""
    data = frame.select(KM_COLUMNS)
    strategies = ordered_strategies(data["strategy"].unique().to_list())
    encodings = strategy_legend_encodings(strategy_scale_lists(strategies), shape=False, dash=True)
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
    return chart_spec(styled_chart, rows_json(data))


TIMING_COLUMNS = ["strategy", "timing", "timing_order", "leads_per_call", "leads", "mature_calls"]


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
    return chart_spec(styled_chart, rows_json(data))


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
    return chart_spec(styled_chart, rows_json(data))


FOREST_COLUMNS = ["metric", "row", "row_order", "kind", "diff", "diff_lo", "diff_hi"]


def comparison_chart(frame: pl.DataFrame, *, metrics: Sequence[str]) -> ChartSpec:
    """Forest plot of reference minus job per member, then pooled and within-member."""
    return forest_chart(
        frame,
        metrics=metrics,
        kinds=FOREST_KINDS,
        who="Who",
        title="Reference against job asks, member by member",
        description=(
            "Forest plot: for each member, the difference in rate between reference and job "
            "asks with its 95% interval, then the pooled group difference and the "
            "within-member (Mantel-Haenszel) difference."
        ),
    )


def forest_chart(
    frame: pl.DataFrame,
    *,
    metrics: Sequence[str],
    kinds: Sequence[str],
    who: str,
    title: str,
    description: str,
) -> ChartSpec:
    """Reference minus job with 95% intervals, a row per stratum (``row``, in
    ``row_order``), then the pooled and the Mantel-Haenszel rows (``kind``)."""
    data = frame.select(FOREST_COLUMNS).filter(pl.col("diff").is_not_null())
    rows = data.sort("row_order")["row"].unique(maintain_order=True).to_list()
    # A row per member or group: the names go in after validation (Altair
    # would check and copy each of them several times).
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
                scale=alt.Scale(domain=list(kinds), range=["circle", "diamond", "triangle-down"]),
                legend=alt.Legend(title=None, orient="top", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("row:N", title=who),
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
        title=title,
        subtitle="Right of the dashed line: reference asks did better. Bars: 95% intervals",
        description=description,
    )
    return SpecTemplate.from_chart(styled_chart, ["rows"]).fill(rows_json(data), {"rows": rows})
