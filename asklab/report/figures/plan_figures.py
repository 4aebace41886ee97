"""The randomised result's figure: each arm's rate with its 95% interval, per metric,
and the table of the same numbers."""

from __future__ import annotations

import altair as alt
import polars as pl

from asklab.metrics import METRIC_LABELS, RATE_METRICS
from asklab.report.figures.figure import Figure
from asklab.report.figures.specs import ChartSpec, chart_spec
from asklab.report.figures.style import STRATEGY_COLOURS, rate_dot_facets, rows_json, styled
from asklab.report.frames.plans import arm_rates_frame, arm_rates_table

ARM_RATES_COLUMNS = ["metric", "arm", "side", "rate", "rate_lo", "rate_hi", "x", "n"]

# Job and reference as in every other chart; introduction in a lightness of its own.
ARM_COLOURS: dict[str, str] = {
    "job": STRATEGY_COLOURS["job"],
    "reference": STRATEGY_COLOURS["reference"],
    "introduction": STRATEGY_COLOURS["mixed"],
}
ARM_SHAPES: dict[str, str] = {"job": "circle", "reference": "square", "introduction": "diamond"}


def arm_rates_chart(frame: pl.DataFrame) -> ChartSpec:
    """Point and 95% interval per arm, one panel per metric."""
    data = frame.select(ARM_RATES_COLUMNS)
    sides = data["side"].unique(maintain_order=True).to_list()
    arms = [arm for arm in ARM_COLOURS if arm in set(data["arm"].to_list())]
    legend = alt.Legend(title="Assigned ask", orient="top")
    color = alt.Color(
        "arm:N",
        scale=alt.Scale(domain=arms, range=[ARM_COLOURS[a] for a in arms]),
        legend=legend,
    )
    shape = alt.Shape(
        "arm:N", scale=alt.Scale(domain=arms, range=[ARM_SHAPES[a] for a in arms]), legend=legend
    )
    y = alt.Y("side:N", sort=sides, title=None)
    tooltip = [
        alt.Tooltip("side:N", title="Arm"),
        alt.Tooltip("rate:Q", format=".0%", title="Rate"),
        alt.Tooltip("rate_lo:Q", format=".0%", title="95% low"),
        alt.Tooltip("rate_hi:Q", format=".0%", title="95% high"),
        alt.Tooltip("x:Q", title="With the outcome (x)"),
        alt.Tooltip("n:Q", title="Done calls (n)"),
    ]
    metrics = [METRIC_LABELS[m] for m in RATE_METRICS]
    faceted = rate_dot_facets(
        y, rows=len(sides), metrics=metrics, tooltip=tooltip, color=color, shape=shape
    )
    styled_chart = styled(
        faceted,
        title="Rates by assigned ask (randomised)",
        subtitle="Planned contacts called so far, by the ask a coin chose; 95% intervals",
        description=(
            "Dot plot: for each metric, the share of done planned calls with that outcome per "
            "assigned ask, with a horizontal bar for the 95% Wilson interval."
        ),
    )
    return chart_spec(styled_chart, rows_json(data))


def arm_rates_figure(plan_comparison: pl.DataFrame, *, key: str) -> Figure | None:
    """The arms' rates with intervals and their table; None without a comparison."""
    frame = arm_rates_frame(plan_comparison)
    if frame.height == 0:
        return None
    caption = (
        "Each dot is the share of done planned calls with that outcome, by the ask the plan "
        "assigned (whatever was asked in the end); the bar is its 95% interval. Introduction, "
        "lead and reached-out rates count mature calls only."
    )
    return Figure(
        key=key, spec=arm_rates_chart(frame), caption=caption, table=arm_rates_table(frame)
    )
