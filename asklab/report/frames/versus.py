"""A member against the group: every member's chart rows and table rows at once.

Rows of all members come from one Polars pass, sorted by member, so each
member's part is a slice (``key_slices``), not a query.
"""

from __future__ import annotations

import polars as pl

from asklab.metrics import HEADLINE_METRICS, MEMBER, METRIC_LABELS
from asklab.report.frames import formats as fmt
from asklab.report.frames.chart_frames import rates_long
from asklab.report.frames.html_tables import Column, row_html_expr
from asklab.report.frames.scopes import scope_rows, strategy_rank
from asklab.report.markup import esc_expr

VERSUS_WHO = ("you", "whole group")


VERSUS_COLUMNS = ["metric", "strategy", "who", "rate", "rate_lo", "rate_hi", "n"]


def versus_frames(by_strategy: pl.DataFrame) -> pl.DataFrame:
    """Every member's chart rows: their rates, then the group's for the strategies they used.

    Columns: member and ``VERSUS_COLUMNS``; rows without a rate are left out.
    Sorted by member, then "you" before "whole group", strategy order and metric.
    """
    members = by_strategy.filter(pl.col("scope") == MEMBER)
    mine = rates_long(members, ["member"]).with_columns(who=pl.lit(VERSUS_WHO[0]), _part=pl.lit(0))
    # Only strategies the member used: the group's others would be noise here.
    used = members.select("member", "strategy").unique()
    group = used.join(rates_long(scope_rows(by_strategy, None), ()), on="strategy").with_columns(
        who=pl.lit(VERSUS_WHO[1]), _part=pl.lit(1)
    )
    columns = ["member", *VERSUS_COLUMNS, "_part", "_metric"]
    both = pl.concat([mine.select(columns), group.select(columns)], how="vertical_relaxed")
    return (
        both.filter(pl.col("rate").is_not_null())
        .with_columns(_rank=strategy_rank())
        .sort("member", "_part", "_rank", "strategy", "_metric", maintain_order=True)
        .select("member", *VERSUS_COLUMNS)
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
        for index, metric in enumerate(HEADLINE_METRICS)
    ]
    return (
        pl.concat(parts, how="vertical")
        .sort("member", "_metric", "_rank", "strategy")
        .select("member", "html")
    )
