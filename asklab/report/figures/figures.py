"""Chart figures: each builds a small aggregated frame, its chart spec and the
table of the same numbers shown under it.

The figures on every member page (weekly activity, member against group) are
built for all members at once: one Polars pass makes every member's chart rows
and table rows, and each member's figure is then a template filled with its
slice (see ``asklab.report.figures.specs``), so the cost per member is string work only.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from asklab.report.data import ReportData
from asklab.report.figures import charts
from asklab.report.figures.specs import json_array, json_rows
from asklab.report.frames import formats as fmt
from asklab.report.frames.tables import (
    GROUP,
    KEY_METRICS,
    MEMBER,
    METRIC_LABELS,
    RATE_METRICS,
    key_slices,
    rows_of,
    scope_rows,
    sort_by_strategy,
    strategy_rank,
)
from asklab.report.pages.html import (
    Column,
    Figure,
    Markup,
    empty_note,
    esc_expr,
    row_html_expr,
    table_html,
    table_shell,
)

# -- Chart frames ------------------------------------------------------------------


def _rates_long(by_strategy: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """The four rates stacked, metric by metric; ``_metric`` is the metric's position."""
    parts = [
        by_strategy.select(
            *keys,
            pl.lit(METRIC_LABELS[metric]).alias("metric"),
            pl.col("strategy"),
            pl.col(metric).alias("rate"),
            pl.col(f"{metric}_lo").alias("rate_lo"),
            pl.col(f"{metric}_hi").alias("rate_hi"),
            pl.col(f"{metric}_x").alias("x"),
            pl.col(f"{metric}_n").alias("n"),
            pl.lit(index, dtype=pl.Int64).alias("_metric"),
        )
        for index, metric in enumerate(RATE_METRICS)
    ]
    return pl.concat(parts, how="vertical")


def rates_frame(by_strategy: pl.DataFrame) -> pl.DataFrame:
    """Long frame (metric label, strategy, rate, interval, x, n) of the four rates."""
    frame = _rates_long(by_strategy, ())
    return (
        frame.with_columns(_rank=strategy_rank())
        .sort("_rank", "strategy", "_metric", maintain_order=True)
        .drop("_rank", "_metric")
    )


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
    return Figure(key=key, spec=chart, caption=caption, table=table)


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
        spec=charts.time_to_lead_chart(km_frame(daily)),
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
        spec=charts.lead_timing_chart(timing_frame(lead_timing)),
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
        spec=charts.relationship_chart(frame, metrics=[METRIC_LABELS[m] for m in KEY_METRICS]),
        caption=caption,
        table=table,
        fold_table=len(rows) > 12,
    )


SCOPE_KEYS = ["scope", "member"]
WEEKLY_CAPTION = "Calls logged per ISO week (Monday to Sunday), by ask strategy."


def weekly_scopes(weekly: pl.DataFrame) -> pl.DataFrame:
    """Per scope, sorted (group first): its first and last week and its strategies in order."""
    return (
        weekly.with_columns(_rank=strategy_rank())
        .group_by(SCOPE_KEYS)
        .agg(
            first=pl.col("week_start").min(),
            last=pl.col("week_start").max(),
            strategies=pl.col("strategy").sort_by("_rank", "strategy").unique(maintain_order=True),
        )
        .sort(SCOPE_KEYS, nulls_last=False)
    )


def weekly_frames(weekly: pl.DataFrame, scopes: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every scope's calls per (week, strategy), missing weeks filled with 0.

    Each scope gets every week from its first to its last and every strategy
    it used. Columns: scope, member, week_start (YYYY-MM-DD text), strategy,
    calls; sorted by scope, member (group first), week, then strategy order.
    ``scopes`` is ``weekly_scopes(weekly)`` when the caller has it already.
    """
    if weekly.height == 0:
        return pl.DataFrame(
            schema={"scope": pl.String, "member": pl.String, "week_start": pl.String,
                    "strategy": pl.String, "calls": pl.Int64}
        )  # fmt: skip
    if scopes is None:
        scopes = weekly_scopes(weekly)
    # Built in order (scope, week, strategy), so no sort of the whole grid is needed.
    grid = (
        scopes.select(
            *SCOPE_KEYS,
            pl.date_ranges("first", "last", interval="1w").alias("week_start"),
            pl.col("strategies").alias("strategy"),
        )
        .explode("week_start")
        .explode("strategy")
    )
    filled = grid.join(
        weekly.select(*SCOPE_KEYS, "week_start", "strategy", "calls"),
        on=[*SCOPE_KEYS, "week_start", "strategy"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    return filled.select(
        *SCOPE_KEYS,
        pl.col("week_start").dt.to_string("%Y-%m-%d"),
        "strategy",
        pl.col("calls").fill_null(0),
    )


def _weekly_table_rows(filled: pl.DataFrame) -> pl.DataFrame:
    """Per (scope, week): the table row (week, calls per strategy, all calls) as HTML.

    A scope's strategies are a subset of all strategies in the same order, so
    one wide frame serves every scope: a strategy the scope never used is null
    there and gets no cell.
    """
    strategies = charts.ordered_strategies(filled["strategy"].unique().to_list())
    wide = filled.pivot(on="strategy", index=[*SCOPE_KEYS, "week_start"], values="calls")
    cells = [
        pl.when(pl.col(s).is_not_null())
        .then(pl.concat_str(pl.lit('<td class="num">'), fmt.count_expr(pl.col(s)), pl.lit("</td>")))
        .otherwise(pl.lit(""))
        for s in strategies
    ]
    total = pl.sum_horizontal(strategies)
    html = pl.concat_str(
        pl.lit('<tr><th scope="row">'),
        pl.col("week_start"),
        pl.lit("</th>"),
        *cells,
        pl.lit('<td class="num">'),
        fmt.count_expr(total),
        pl.lit("</td></tr>"),
    )
    return wide.sort([*SCOPE_KEYS, "week_start"], nulls_last=False).select(
        *SCOPE_KEYS, "week_start", html.alias("html")
    )


def weekly_figures(
    weekly: pl.DataFrame, *, key: str, title: str, subtitle: str
) -> dict[str | None, Figure]:
    """The weekly figure of every scope in ``weekly``, keyed by member (None: the group).

    A scope without calls has no figure.
    """
    if weekly.height == 0:
        return {}
    scopes = weekly_scopes(weekly)
    filled = weekly_frames(weekly, scopes)
    chart_rows = json_rows(filled.select(charts.WEEKLY_COLUMNS))
    table = _weekly_table_rows(filled)
    table_html_rows = table["html"].to_list()
    weeks = table["week_start"].to_list()
    week_slices = key_slices(table, SCOPE_KEYS)
    strategies = {
        (scope, member): used
        for scope, member, used in scopes.select(*SCOPE_KEYS, "strategies").iter_rows()
    }
    figures: dict[str | None, Figure] = {}
    for scope_key, rows in key_slices(filled, SCOPE_KEYS).items():
        scope, member = scope_key
        used = strategies[scope_key]
        scope_weeks = week_slices[scope_key]
        spec = charts.weekly_chart_from_rows(
            json_array(chart_rows[rows]),
            strategies=used,
            weeks=weeks[scope_weeks],
            title=title,
            subtitle=subtitle,
        )
        columns = [
            Column("Week starting"),
            *(Column(s, numeric=True) for s in used),
            Column("All calls", numeric=True),
        ]
        figures[None if scope == GROUP else member] = Figure(
            key=key,
            spec=spec,
            caption=WEEKLY_CAPTION,
            table=table_shell(columns, "".join(table_html_rows[scope_weeks])),
            fold_table=scope_weeks.stop - scope_weeks.start > 12,
        )
    return figures


def weekly_figure(weekly: pl.DataFrame, *, key: str, title: str, subtitle: str) -> Figure | None:
    """The weekly figure of one scope's rows (None without calls)."""
    figures = weekly_figures(weekly, key=key, title=title, subtitle=subtitle)
    return next(iter(figures.values()), None)


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
        spec=charts.comparison_chart(frame, metrics=[METRIC_LABELS[m] for m in KEY_METRICS]),
        caption=caption,
        table=table,
        fold_table=len(rows) > 12,
    )


# -- A member against the group ----------------------------------------


VERSUS_CAPTION = (
    "Your rate for each ask strategy next to the whole group's (you included). "
    "Introduction, lead and reached-out rates count mature calls only."
)


def versus_frames(by_strategy: pl.DataFrame) -> pl.DataFrame:
    """Every member's chart rows: their rates, then the group's for the strategies they used.

    Columns: member and ``VERSUS_COLUMNS``; rows without a rate are left out.
    Sorted by member, then "you" before "whole group", strategy order and metric.
    """
    members = by_strategy.filter(pl.col("scope") == MEMBER)
    mine = _rates_long(members, ["member"]).with_columns(
        who=pl.lit(charts.VERSUS_WHO[0]), _part=pl.lit(0)
    )
    # Only strategies the member used: the group's others would be noise here.
    used = members.select("member", "strategy").unique()
    group = used.join(_rates_long(scope_rows(by_strategy, None), ()), on="strategy").with_columns(
        who=pl.lit(charts.VERSUS_WHO[1]), _part=pl.lit(1)
    )
    columns = ["member", *charts.VERSUS_COLUMNS, "_part", "_metric"]
    both = pl.concat([mine.select(columns), group.select(columns)], how="vertical_relaxed")
    return (
        both.filter(pl.col("rate").is_not_null())
        .with_columns(_rank=strategy_rank())
        .sort("member", "_part", "_rank", "strategy", "_metric", maintain_order=True)
        .select("member", *charts.VERSUS_COLUMNS)
    )


VERSUS_TABLE_COLUMNS = [
    Column("Metric"),
    Column("Strategy"),
    Column("You: x / n", numeric=True),
    Column("You: rate [95%]", numeric=True),
    Column("Group: x / n", numeric=True),
    Column("Group: rate [95%]", numeric=True),
]
VERSUS_TABLE_EMPTY = "You have no calls yet."


def _side_cells_expr(metric: str, prefix: str) -> list[pl.Expr]:
    """``side_cells`` of ``metric`` for the columns of one side (names with ``prefix``);
    a null ``{prefix}calls`` means the side has no row."""

    def col(name: str) -> pl.Expr:
        return pl.col(f"{prefix}{name}")

    if metric == "leads_per_call":
        x_n = pl.concat_str(col("mature_calls").cast(pl.String), pl.lit(" calls")).fill_null(
            pl.lit(fmt.MISSING)
        )
        rate = fmt.per_call_expr(col(metric), col(f"{metric}_lo"), col(f"{metric}_hi"))
    else:
        x_n = fmt.fraction_expr(col(f"{metric}_x"), col(f"{metric}_n"))
        rate = fmt.pct_interval_expr(col(metric), col(f"{metric}_lo"), col(f"{metric}_hi"))
    present = col("calls").is_not_null()
    return [
        pl.when(present).then(x_n).otherwise(pl.lit(fmt.MISSING)),
        pl.when(present).then(rate).otherwise(pl.lit("no calls")),
    ]


def versus_table_rows(by_strategy: pl.DataFrame) -> pl.DataFrame:
    """Every member's table rows as HTML (columns member, html), in table order.

    A row per metric (the four rates, then leads per call) and strategy the
    member used, in strategy order: the member's x / n and rate, then the
    whole group's ('no calls' when the group has no row for that strategy).
    """
    members = by_strategy.filter(pl.col("scope") == MEMBER)
    group = scope_rows(by_strategy, None).drop("scope", "member")
    both = members.join(
        group.rename(lambda name: name if name == "strategy" else f"g_{name}"),
        on="strategy",
        how="left",
    ).with_columns(_rank=strategy_rank())
    parts = [
        both.select(
            "member",
            "_rank",
            "strategy",
            pl.lit(index).alias("_metric"),
            row_html_expr(
                VERSUS_TABLE_COLUMNS,
                [
                    pl.lit(METRIC_LABELS[metric]),
                    esc_expr(pl.col("strategy")),
                    *_side_cells_expr(metric, ""),
                    *_side_cells_expr(metric, "g_"),
                ],
            ).alias("html"),
        )
        for index, metric in enumerate((*RATE_METRICS, "leads_per_call"))
    ]
    return (
        pl.concat(parts, how="vertical")
        .sort("member", "_metric", "_rank", "strategy")
        .select("member", "html")
    )


def versus_figures(
    data: ReportData, members: Sequence[str], *, key: str
) -> dict[str, tuple[Figure | None, Markup]]:
    """Per member: the chart of their rates against the group's (None when they have no
    rate yet) and its table, which the page shows alone when there is no chart."""
    table_rows = versus_table_rows(data.by_strategy)
    table_html_rows = table_rows["html"].to_list()
    table_slices = key_slices(table_rows, ["member"])
    frame = versus_frames(data.by_strategy)
    chart_rows = json_rows(frame.select(charts.VERSUS_COLUMNS))
    slices = key_slices(frame, ["member"])
    strategies = {
        row["member"]: charts.ordered_strategies(row["strategy"])
        for row in frame.group_by("member").agg(pl.col("strategy").unique()).to_dicts()
    }
    metrics = [METRIC_LABELS[m] for m in RATE_METRICS]
    figures: dict[str, tuple[Figure | None, Markup]] = {}
    for member in members:
        table_slice = table_slices.get((member,))
        table = (
            empty_note(VERSUS_TABLE_EMPTY)
            if table_slice is None
            else table_shell(VERSUS_TABLE_COLUMNS, "".join(table_html_rows[table_slice]))
        )
        rows = slices.get((member,))
        if rows is None:
            figures[member] = (None, table)
            continue
        spec = charts.versus_chart_from_rows(
            json_array(chart_rows[rows]), strategies=strategies[member], metrics=metrics
        )
        figure = Figure(key=key, spec=spec, caption=VERSUS_CAPTION, table=table, fold_table=True)
        figures[member] = (figure, table)
    return figures
