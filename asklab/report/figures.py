"""Chart figures: each builds a small aggregated frame, its Altair chart and the
table of the same numbers shown under it.
"""

from __future__ import annotations

import polars as pl

from asklab.report import charts, fmt
from asklab.report.data import ReportData
from asklab.report.html import Column, Figure, Markup, table_html
from asklab.report.tables import (
    GROUP,
    KEY_METRICS,
    MEMBER,
    METRIC_LABELS,
    RATE_METRICS,
    metric_side,
    rows_of,
    scope_rows,
    side_cells,
    sort_by_strategy,
    strategy_rank,
    strategy_row,
)

# -- Chart frames ------------------------------------------------------------------


def rates_frame(by_strategy: pl.DataFrame) -> pl.DataFrame:
    """Long frame (metric label, strategy, rate, interval, x, n) of the four rates."""
    parts = [
        by_strategy.select(
            pl.lit(METRIC_LABELS[metric]).alias("metric"),
            pl.col("strategy"),
            pl.col(metric).alias("rate"),
            pl.col(f"{metric}_lo").alias("rate_lo"),
            pl.col(f"{metric}_hi").alias("rate_hi"),
            pl.col(f"{metric}_x").alias("x"),
            pl.col(f"{metric}_n").alias("n"),
        )
        for metric in RATE_METRICS
    ]
    frame = pl.concat(parts, how="vertical") if parts else pl.DataFrame()
    return sort_by_strategy(frame)


def rates_table(frame: pl.DataFrame) -> Markup:
    """Metric rows, strategy columns: 'rate [interval], x / n' in each cell."""
    strategies = charts.ordered_strategies(frame["strategy"].unique().to_list())
    rows = []
    for metric in RATE_METRICS:
        label = METRIC_LABELS[metric]
        cells = {r["strategy"]: r for r in rows_of(frame.filter(pl.col("metric") == label))}
        row: list[object] = [label]
        for strategy in strategies:
            r = cells.get(strategy)
            row.append(
                fmt.MISSING
                if r is None
                else f"{fmt.pct_interval(r['rate'], r['rate_lo'], r['rate_hi'])}, "
                f"{fmt.fraction(r['x'], r['n'])}"
            )
        rows.append(row)
    return table_html(
        [Column("Metric"), *(Column(s, numeric=True) for s in strategies)],
        rows,
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
    return Figure(key=key, chart=chart, caption=caption, table=table)


# Days at which the time-to-lead table reads the curves (the last day is added).
KM_MILESTONES: tuple[int, ...] = (0, 7, 14, 30, 60)


def km_daily(curves: pl.DataFrame) -> pl.DataFrame:
    """Each strategy's curve at the end of every day from 0 to its last day.

    A Kaplan-Meier curve has a row per day with an event or censoring, so
    its length grows with the data; read on a daily grid it has at most
    window + 1 points per strategy, however many calls there are.
    """
    ends = (
        curves.with_row_index("_order")
        .unique(subset=["strategy", "day"], keep="last")
        .sort("_order")
        .drop("_order")
        .with_row_index("_row")
    )
    grid = (
        ends.group_by("strategy")
        .agg(pl.int_range(0, pl.col("day").max() + 1, dtype=pl.Int64).alias("day"))
        .explode("day")
    )
    filled = (
        grid.join(ends.select("strategy", "day", "_row"), on=["strategy", "day"], how="left")
        .sort("strategy", "day")
        .with_columns(pl.col("_row").forward_fill().over("strategy"))
    )
    values = ends.select("_row", "survival", "survival_lo", "survival_hi")
    daily = filled.join(values, on="_row", how="left").drop("_row")
    return daily.with_columns(_rank=strategy_rank()).sort("_rank", "strategy", "day").drop("_rank")


def km_frame(daily: pl.DataFrame) -> pl.DataFrame:
    """Chart points: the share of calls with a first lead (1 - survival) by day."""
    return daily.select("strategy", "day", (1 - pl.col("survival")).alias("with_lead"))


def km_table(daily: pl.DataFrame, curves: pl.DataFrame) -> Markup:
    """Strategy rows, milestone-day columns: share with a lead by then [interval]."""
    last_day = int(daily["day"].max())
    days = sorted({d for d in KM_MILESTONES if d <= last_day} | {last_day})
    strategies = charts.ordered_strategies(daily["strategy"].unique().to_list())
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
        chart=charts.time_to_lead_chart(km_frame(daily)),
        caption=caption,
        table=km_table(daily, curves),
    )


def timing_frame(lead_timing: pl.DataFrame) -> pl.DataFrame:
    """Long frame: leads per mature call by timing (during the call, later)."""
    usable = lead_timing.filter(pl.col("mature_calls") > 0)
    parts = [
        usable.select(
            pl.col("strategy"),
            pl.lit(label).alias("timing"),
            pl.lit(order).alias("timing_order"),
            (pl.col(column) / pl.col("mature_calls")).alias("leads_per_call"),
            pl.col(column).alias("leads"),
            pl.col("mature_calls"),
        )
        for order, (label, column) in enumerate(
            zip(charts.TIMING_LABELS, ("immediate_leads", "later_leads"), strict=True)
        )
    ]
    return sort_by_strategy(pl.concat(parts, how="vertical"), "timing_order")


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
        chart=charts.lead_timing_chart(timing_frame(lead_timing)),
        caption=caption,
        table=table,
    )


def relationship_frame(by_relationship: pl.DataFrame) -> pl.DataFrame:
    parts = [
        by_relationship.select(
            pl.lit(METRIC_LABELS[metric]).alias("metric"),
            pl.col("relationship"),
            pl.col("strategy"),
            pl.col(metric).alias("rate"),
            pl.col(f"{metric}_n").alias("n"),
        )
        for metric in KEY_METRICS
    ]
    frame = pl.concat(parts, how="vertical")
    label = pl.format("{}% · n={}", (pl.col("rate") * 100).round(0).cast(pl.Int64), pl.col("n"))
    return frame.with_columns(label=label)


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
        chart=charts.relationship_chart(frame, metrics=[METRIC_LABELS[m] for m in KEY_METRICS]),
        caption=caption,
        table=table,
        fold_table=len(rows) > 12,
    )


def weekly_frame(weekly: pl.DataFrame) -> pl.DataFrame:
    """Calls per (week, strategy) with missing weeks filled with 0 between first and last."""
    if weekly.height == 0:
        return pl.DataFrame(
            schema={"week_start": pl.String, "strategy": pl.String, "calls": pl.Int64}
        )
    weeks = pl.date_range(
        weekly["week_start"].min(), weekly["week_start"].max(), interval="1w", eager=True
    ).alias("week_start")
    strategies = pl.Series("strategy", charts.ordered_strategies(weekly["strategy"].unique()))
    grid = pl.DataFrame(weeks).join(pl.DataFrame(strategies), how="cross")
    filled = grid.join(
        weekly.select("week_start", "strategy", "calls"),
        on=["week_start", "strategy"],
        how="left",
    ).with_columns(pl.col("calls").fill_null(0))
    return sort_by_strategy(filled.sort("week_start"), "week_start").with_columns(
        pl.col("week_start").dt.strftime("%Y-%m-%d")
    )


def weekly_figure(weekly: pl.DataFrame, *, key: str, title: str, subtitle: str) -> Figure | None:
    frame = weekly_frame(weekly)
    if frame.height == 0:
        return None
    wide = frame.pivot(on="strategy", index="week_start", values="calls").sort("week_start")
    strategies = [c for c in wide.columns if c != "week_start"]
    rows = [
        [
            r["week_start"],
            *(fmt.count(r[s]) for s in strategies),
            fmt.count(sum(r[s] for s in strategies)),
        ]
        for r in rows_of(wide)
    ]
    table = table_html(
        [
            Column("Week starting"),
            *(Column(s, numeric=True) for s in strategies),
            Column("All calls", numeric=True),
        ],
        rows,
    )
    return Figure(
        key=key,
        chart=charts.weekly_chart(frame, title=title, subtitle=subtitle),
        caption="Calls logged per ISO week (Monday to Sunday), by ask strategy.",
        table=table,
        fold_table=len(rows) > 12,
    )


# -- Reference against job, member by member ------------------------------


def forest_frame(data: ReportData) -> pl.DataFrame:
    """Rows of the forest plot: each member, then pooled and within-member (MH)."""
    member_rows = data.comparison.filter(
        (pl.col("scope") == MEMBER) & pl.col("metric").is_in(KEY_METRICS)
    ).select(
        pl.col("metric"),
        pl.col("member").alias("row"),
        pl.lit(charts.FOREST_KINDS[0]).alias("kind"),
        "diff",
        "diff_lo",
        "diff_hi",
    )
    group = data.comparison.filter((pl.col("scope") == GROUP) & pl.col("metric").is_in(KEY_METRICS))
    pooled = group.select(
        pl.col("metric"),
        pl.lit("All members, pooled").alias("row"),
        pl.lit(charts.FOREST_KINDS[1]).alias("kind"),
        "diff",
        "diff_lo",
        "diff_hi",
    )
    within = group.select(
        pl.col("metric"),
        pl.lit("Within-member (MH)").alias("row"),
        pl.lit(charts.FOREST_KINDS[2]).alias("kind"),
        pl.col("mh_diff").alias("diff"),
        pl.lit(None, dtype=pl.Float64).alias("diff_lo"),
        pl.lit(None, dtype=pl.Float64).alias("diff_hi"),
    )
    frame = pl.concat([member_rows.sort("row"), pooled, within], how="vertical_relaxed")
    members = sorted(member_rows["row"].unique().to_list())
    order = {name: i for i, name in enumerate(members)}
    return frame.with_columns(
        row_order=pl.col("row")
        .replace_strict(order, default=None, return_dtype=pl.Int64)
        .fill_null(
            len(members)
            + pl.col("kind").replace_strict(
                {k: i for i, k in enumerate(charts.FOREST_KINDS)}, return_dtype=pl.Int64
            )
        ),
        metric=pl.col("metric").replace_strict(METRIC_LABELS, return_dtype=pl.String),
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
        chart=charts.comparison_chart(frame, metrics=[METRIC_LABELS[m] for m in KEY_METRICS]),
        caption=caption,
        table=table,
        fold_table=len(rows) > 12,
    )


# -- A member against the group ----------------------------------------


def versus_frame(data: ReportData, member: str) -> pl.DataFrame:
    mine = rates_frame(scope_rows(data.by_strategy, member)).with_columns(
        who=pl.lit(charts.VERSUS_WHO[0])
    )
    group = rates_frame(scope_rows(data.by_strategy, None)).with_columns(
        who=pl.lit(charts.VERSUS_WHO[1])
    )
    # Only strategies the member used: the group's others would be noise here.
    group = group.filter(pl.col("strategy").is_in(mine["strategy"].unique().to_list()))
    return pl.concat([mine, group], how="vertical_relaxed")


def versus_rows(data: ReportData, member: str) -> list[list[object]]:
    mine = scope_rows(data.by_strategy, member)
    group = scope_rows(data.by_strategy, None)
    strategies = charts.ordered_strategies(mine["strategy"].unique().to_list())
    rows: list[list[object]] = []
    for metric in (*RATE_METRICS, "leads_per_call"):
        for strategy in strategies:
            you = metric_side(strategy_row(mine, strategy), metric)
            everyone = metric_side(strategy_row(group, strategy), metric)
            rows.append(
                [
                    METRIC_LABELS[metric],
                    strategy,
                    *side_cells(you, metric),
                    *side_cells(everyone, metric),
                ]
            )
    return rows


def versus_figure(data: ReportData, member: str, *, key: str) -> tuple[Figure | None, Markup]:
    table = table_html(
        [
            Column("Metric"),
            Column("Strategy"),
            Column("You: x / n", numeric=True),
            Column("You: rate [95%]", numeric=True),
            Column("Group: x / n", numeric=True),
            Column("Group: rate [95%]", numeric=True),
        ],
        versus_rows(data, member),
        empty="You have no calls yet.",
    )
    frame = versus_frame(data, member)
    if frame.filter(pl.col("rate").is_not_null()).height == 0:
        return None, table
    chart = charts.member_versus_group_chart(
        frame, metrics=[METRIC_LABELS[m] for m in RATE_METRICS]
    )
    caption = (
        "Your rate for each ask strategy next to the whole group's (you included). "
        "Introduction, lead and reached-out rates count mature calls only."
    )
    return Figure(key=key, chart=chart, caption=caption, table=table, fold_table=True), table
