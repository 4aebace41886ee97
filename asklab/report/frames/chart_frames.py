"""The small aggregated frames the group charts draw, and the labels in their rows.

Each frame holds only what its chart and table show (rates, curves, counts),
never a contact; ``asklab.report.figures`` turns them into specs and tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from asklab.metrics import GROUP, KEY_METRICS, MEMBER, METRIC_LABELS, RATE_METRICS
from asklab.report.data import ReportData
from asklab.report.frames import formats as fmt
from asklab.report.frames.html_tables import Column, table_html
from asklab.report.frames.scopes import rows_of, sort_by_strategy, strategy_rank
from asklab.report.markup import Markup

TIMING_LABELS = ("during the call", "later")


FOREST_KINDS = ("member", "all members, pooled", "within-member (Mantel-Haenszel)")


def rates_long(by_strategy: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
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


def rate_grid_table(
    frame: pl.DataFrame,
    *,
    metrics: Sequence[str],
    column: str,
    columns: Sequence[str],
    caption: str,
) -> Markup:
    """The table behind a rates chart: a row per metric label in ``metrics``, a column
    per value in ``columns`` of the frame's ``column``; 'rate [interval], x / n' in
    each cell, ``MISSING`` where the frame has no such row."""
    rows = []
    for label in metrics:
        cells = {r[column]: r for r in rows_of(frame.filter(pl.col("metric") == label))}
        row: list[object] = [label]
        for value in columns:
            r = cells.get(value)
            row.append(
                fmt.MISSING
                if r is None
                else f"{fmt.pct_interval(r['rate'], r['rate_lo'], r['rate_hi'])}, "
                f"{fmt.fraction(r['x'], r['n'])}"
            )
        rows.append(row)
    return table_html(
        [Column("Metric"), *(Column(value, numeric=True) for value in columns)],
        rows,
        caption=caption,
    )


def rates_frame(by_strategy: pl.DataFrame) -> pl.DataFrame:
    """Long frame (metric label, strategy, rate, interval, x, n) of the four rates."""
    frame = rates_long(by_strategy, ())
    return (
        frame.with_columns(_rank=strategy_rank())
        .sort("_rank", "strategy", "_metric", maintain_order=True)
        .drop("_rank", "_metric")
    )


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
            zip(TIMING_LABELS, ("immediate_leads", "later_leads"), strict=True)
        )
    ]
    return sort_by_strategy(pl.concat(parts, how="vertical"), "timing_order")


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


def forest_frame(data: ReportData) -> pl.DataFrame:
    """Rows of the forest plot: each member, then pooled and within-member (MH)."""
    member_rows = data.comparison.filter(
        (pl.col("scope") == MEMBER) & pl.col("metric").is_in(KEY_METRICS)
    ).select(
        pl.col("metric"),
        pl.col("member").alias("row"),
        pl.lit(FOREST_KINDS[0]).alias("kind"),
        "diff",
        "diff_lo",
        "diff_hi",
    )
    group = data.comparison.filter((pl.col("scope") == GROUP) & pl.col("metric").is_in(KEY_METRICS))
    pooled = group.select(
        pl.col("metric"),
        pl.lit("All members, pooled").alias("row"),
        pl.lit(FOREST_KINDS[1]).alias("kind"),
        "diff",
        "diff_lo",
        "diff_hi",
    )
    within = group.select(
        pl.col("metric"),
        pl.lit("Within-member (MH)").alias("row"),
        pl.lit(FOREST_KINDS[2]).alias("kind"),
        pl.col("mh_diff").alias("diff"),
        pl.col("mh_diff_lo").alias("diff_lo"),
        pl.col("mh_diff_hi").alias("diff_hi"),
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
                {k: i for i, k in enumerate(FOREST_KINDS)}, return_dtype=pl.Int64
            )
        ),
        metric=pl.col("metric").replace_strict(METRIC_LABELS, return_dtype=pl.String),
    )
