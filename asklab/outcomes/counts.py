"""Per-member call counts and their sums per scope: what every summary table is made of.

Every summary is a sum over calls, so one pass counts the calls per
(member, relationship, strategy) and each table sums those rows to its own
keys, for each member and for the whole group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from asklab.metrics import GROUP, MEMBER, RATE_METRICS, RATE_N_X
from asklab.outcomes.schemas import CALL_OUTCOMES_SCHEMA, _conform

# The finest grouping the count tables need; coarser ones are sums of it.
_COUNT_KEYS: tuple[str, ...] = ("relationship", "strategy")


def _call_counts(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Per (member, relationship, strategy): every call count a summary table needs.

    All of them are counts or sums, so any coarser grouping (per strategy, or
    the whole group) is the sum of these rows: one pass over the calls
    serves every rate table and mart.
    """
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    mature = pl.col("mature")
    counts = [
        pl.len().alias("calls"),
        mature.sum().alias("mature_calls"),
        # The rates' n and x (asklab.metrics); the n of the last three is mature_calls.
        RATE_N_X["yes_rate"][0].sum().alias("yes_rate_n"),
        *(RATE_N_X[metric][1].sum().alias(f"{metric}_x") for metric in RATE_METRICS),
        pl.col("leads_total").filter(mature).sum().alias("_mature_leads"),
        (pl.col("said_yes").fill_null(False) & mature).sum().alias("_said_yes_mature"),
        ((pl.col("interviews") > 0) & mature).sum().alias("_interview_mature"),
        ((pl.col("offers") > 0) & mature).sum().alias("_offer_mature"),
        pl.col("leads_immediate").filter(mature).sum().alias("immediate_leads"),
        pl.col("leads_later").filter(mature).sum().alias("later_leads"),
    ]
    return outcomes.group_by("member", *_COUNT_KEYS).agg(count.cast(pl.Int64) for count in counts)


def _summed_by_scope(counts: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """``counts`` (per member and finer keys) summed per (member, *keys), plus the
    group rows (summed over members too), stacked.

    The result starts with ``scope`` and ``member`` (null for the group rows),
    then ``keys``, then the summed columns.
    """
    values = [c for c in counts.columns if c not in ("member", *_COUNT_KEYS, *keys)]
    member_rows = counts.group_by("member", *keys).agg(pl.col(values).sum())
    group_rows = member_rows.group_by(*keys).agg(pl.col(values).sum())
    columns = ["scope", "member", *keys, *values]
    return pl.concat(
        [
            group_rows.with_columns(
                scope=pl.lit(GROUP), member=pl.lit(None, dtype=pl.String)
            ).select(columns),
            member_rows.with_columns(scope=pl.lit(MEMBER)).select(columns),
        ],
        how="vertical",
    )


def _to_float_series(name: str, values: np.ndarray, size: int) -> pl.Series:
    """A Float64 column from ``values``; NaN (a statistic without data) becomes null."""
    array = np.broadcast_to(np.asarray(values, dtype=np.float64), (size,))
    return pl.Series(name, array, dtype=pl.Float64, nan_to_null=True)
