"""Calls per week and strategy for every scope at once, missing weeks filled with 0,
and each week's table row as HTML (one Polars pass for all members)."""

from __future__ import annotations

import polars as pl

from asklab.report.frames import formats as fmt
from asklab.report.frames.scopes import ordered_strategies, strategy_rank

# The columns of the weekly chart's rows.
WEEKLY_COLUMNS = ["week_start", "strategy", "calls"]
SCOPE_KEYS = ["scope", "member"]


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


def weekly_table_rows(filled: pl.DataFrame) -> pl.DataFrame:
    """Per (scope, week): the table row (week, calls per strategy, all calls) as HTML.

    A scope's strategies are a subset of all strategies in the same order, so
    one wide frame serves every scope: a strategy the scope never used is null
    there and gets no cell.
    """
    strategies = ordered_strategies(filled["strategy"].unique().to_list())
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
