"""The group page's figures: each from its chart frame, its chart spec and the
table of the same numbers shown under it."""

from __future__ import annotations

import polars as pl

from asklab.metrics import KEY_METRICS, METRIC_LABELS, RATE_METRICS
from asklab.report.data import ReportData
from asklab.report.figures import group_charts as charts
from asklab.report.figures.figure import Figure
from asklab.report.frames import formats as fmt
from asklab.report.frames.chart_frames import (
    forest_frame,
    km_daily,
    km_frame,
    rate_grid_table,
    rates_frame,
    relationship_frame,
    timing_frame,
)
from asklab.report.frames.html_tables import Column, table_html
from asklab.report.frames.scopes import ordered_strategies, rows_of, sort_by_strategy
from asklab.report.markup import Markup


def rates_table(frame: pl.DataFrame) -> Markup:
    """Metric rows, strategy columns: 'rate [interval], x / n' in each cell."""
    return rate_grid_table(
        frame,
        metrics=[METRIC_LABELS[m] for m in RATE_METRICS],
        column="strategy",
        columns=ordered_strategies(frame["strategy"].unique().to_list()),
        caption="Rate [95% interval], then calls with the outcome / calls counted.",
    )


def rates_figure(by_strategy: pl.DataFrame, *, key: str, subtitle: str) -> Figure | None:
    frame = rates_frame(by_strategy)
    if frame.filter(pl.col("rate").is_not_null()).height == 0:
        return None
    table = rates_table(frame)
    chart = charts.rates_chart(
        frame,
        metrics=[METRIC_LABELS[m] for m in RATE_METRICS],
        title="Rates by ask strategy",
        subtitle=subtitle,
    )
    caption = (
        "Each dot is the share of calls with that outcome; the bar is its 95% interval. "
        "Introduction, lead and reached-out rates count mature calls only."
    )
    return Figure(key=key, spec=chart, caption=caption, table=table)


# Days at which the time-to-lead table reads the curves (the last day is added).
KM_MILESTONES: tuple[int, ...] = (0, 7, 14, 30, 60)


def km_table(daily: pl.DataFrame, curves: pl.DataFrame) -> Markup:
    """Strategy rows, milestone-day columns: share with a lead by then [interval]."""
    last_day = int(daily["day"].max())
    days = sorted({d for d in KM_MILESTONES if d <= last_day} | {last_day})
    strategies = ordered_strategies(daily["strategy"].unique().to_list())
    rows = []
    for strategy in strategies:
        at_start = curves.filter(pl.col("strategy") == strategy)["at_risk"][0]
        by_day = {r["day"]: r for r in rows_of(daily.filter(pl.col("strategy") == strategy))}
        row: list[object] = [strategy, fmt.count(at_start)]
        for day in days:
            r = by_day.get(day)
            row.append(
                fmt.MISSING
                if r is None
                else fmt.pct_interval(
                    1 - r["survival"],
                    None if r["survival_hi"] is None else 1 - r["survival_hi"],
                    None if r["survival_lo"] is None else 1 - r["survival_lo"],
                )
            )
        rows.append(row)
    return table_html(
        [
            Column("Strategy"),
            Column("Calls", numeric=True),
            *(Column(f"By day {day}", numeric=True) for day in days),
        ],
        rows,
        caption="Share of calls with a first lead by each day [95% interval]; "
        "– where no call of that strategy has been watched so long.",
    )


def km_figure(curves: pl.DataFrame, *, key: str) -> Figure | None:
    if curves.height == 0:
        return None
    daily = km_daily(curves)
    caption = (
        "Kaplan-Meier estimate: a call still inside its window counts for as long as it has "
        "been watched, so recent calls do not pull the curves down."
    )
    return Figure(
        key=key,
        spec=charts.time_to_lead_chart(km_frame(daily)),
        caption=caption,
        table=km_table(daily, curves),
    )


def lead_timing_figure(lead_timing: pl.DataFrame, *, key: str) -> Figure | None:
    if lead_timing.filter(pl.col("mature_calls") > 0).height == 0:
        return None
    rows = []
    for r in rows_of(sort_by_strategy(lead_timing)):
        total = r["immediate_leads"] + r["later_leads"]
        later_share = r["later_leads"] / total if total else None
        rows.append(
            [
                r["strategy"],
                fmt.count(r["mature_calls"]),
                fmt.count(r["immediate_leads"]),
                fmt.count(r["later_leads"]),
                fmt.pct(later_share),
            ]
        )
    table = table_html(
        [
            Column("Strategy"),
            Column("Mature calls", numeric=True),
            Column("Leads during the call", numeric=True),
            Column("Leads later", numeric=True),
            Column("Share that came later", numeric=True),
        ],
        rows,
    )
    caption = (
        "A lead during the call is one the contact gave on the spot; a later lead is an "
        "event reported within the window after the call. Mature calls only."
    )
    return Figure(
        key=key,
        spec=charts.lead_timing_chart(timing_frame(lead_timing)),
        caption=caption,
        table=table,
    )


def relationship_figure(by_relationship: pl.DataFrame, *, key: str) -> Figure | None:
    frame = relationship_frame(by_relationship)
    if frame.filter(pl.col("rate").is_not_null()).height == 0:
        return None
    rows = [
        [
            r["relationship"],
            r["strategy"],
            fmt.count(r["calls"]),
            fmt.fraction(r["yes_rate_x"], r["yes_rate_n"]),
            fmt.pct(r["yes_rate"]),
            fmt.fraction(r["lead_rate_x"], r["lead_rate_n"]),
            fmt.pct(r["lead_rate"]),
        ]
        for r in rows_of(sort_by_strategy(by_relationship, "relationship"))
    ]
    table = table_html(
        [
            Column("Relationship"),
            Column("Strategy"),
            Column("Calls", numeric=True),
            Column("Said yes", numeric=True),
            Column("Yes rate", numeric=True),
            Column("With a lead", numeric=True),
            Column("Lead rate (mature)", numeric=True),
        ],
        rows,
    )
    caption = (
        "Whom you ask matters as much as what you ask: if reference asks went mostly to "
        "close colleagues, compare like with like here before crediting the ask."
    )
    return Figure(
        key=key,
        spec=charts.relationship_chart(frame, metrics=[METRIC_LABELS[m] for m in KEY_METRICS]),
        caption=caption,
        table=table,
        fold_table=len(rows) > 12,
    )


def forest_figure(data: ReportData, *, key: str) -> Figure | None:
    frame = forest_frame(data)
    if frame.filter(pl.col("diff").is_not_null()).height == 0:
        return None
    rows = [
        [r["row"], r["metric"], fmt.points_interval(r["diff"], r["diff_lo"], r["diff_hi"])]
        for r in rows_of(frame.sort("metric", "row_order", maintain_order=True))
    ]
    table = table_html(
        [Column("Who"), Column("Metric"), Column("Reference − job [95% interval]", numeric=True)],
        rows,
    )
    caption = (
        "Members who asked both ways, one row each. The pooled row lumps every call "
        "together; the within-member row compares each member with themselves and then "
        "averages (Mantel-Haenszel), so a member who calls a lot, or who is simply more "
        "successful, does not tip the balance."
    )
    return Figure(
        key=key,
        spec=charts.comparison_chart(frame, metrics=[METRIC_LABELS[m] for m in KEY_METRICS]),
        caption=caption,
        table=table,
        fold_table=len(rows) > 12,
    )
