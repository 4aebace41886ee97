"""Rate tables (CONTRACT section 3): ``outcomes_by_strategy``, ``outcomes_by_relationship``,
and ``ask_balance``, which says to whom each ask went.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from asklab import stats
from asklab.metrics import MATURE_METRICS, RATE_METRICS
from asklab.outcomes.counts import _COUNT_KEYS, _call_counts, _summed_by_scope, _to_float_series
from asklab.outcomes.schemas import ASK_BALANCE_SCHEMA, _rate_schema


def _with_intervals(counts: pl.DataFrame) -> pl.DataFrame:
    """Rates with Wilson intervals, and leads per call with a Garwood interval."""
    counts = counts.with_columns(
        pl.col("mature_calls").alias(f"{metric}_n")
        for metric in RATE_METRICS
        if metric in MATURE_METRICS
    )
    size = counts.height
    columns: list[pl.Series] = []
    for metric in RATE_METRICS:
        x = counts[f"{metric}_x"].to_numpy().astype(np.float64)
        n = counts[f"{metric}_n"].to_numpy().astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(n > 0, x / np.where(n > 0, n, 1.0), np.nan)
        lo, hi = stats.wilson_interval(x, n) if size else (np.empty(0), np.empty(0))
        columns += [
            _to_float_series(metric, rate, size),
            _to_float_series(f"{metric}_lo", lo, size),
            _to_float_series(f"{metric}_hi", hi, size),
        ]
    mature_calls = counts["mature_calls"].to_numpy().astype(np.float64)
    leads = counts["_mature_leads"].to_numpy().astype(np.float64)
    lo, hi = stats.garwood_interval(leads) if size else (np.empty(0), np.empty(0))
    has_mature = mature_calls > 0
    safe = np.where(has_mature, mature_calls, 1.0)
    for name, values in (
        ("leads_per_call", leads),
        ("leads_per_call_lo", lo),
        ("leads_per_call_hi", hi),
    ):
        per_call = np.where(has_mature, np.asarray(values, dtype=np.float64) / safe, np.nan)
        columns.append(_to_float_series(name, per_call, size))
    return counts.with_columns(columns)


def _rate_table(counts: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    schema = _rate_schema(keys)
    table = _with_intervals(_summed_by_scope(counts, keys))
    return table.select(list(schema)).cast(schema).sort("scope", "member", *keys)


def outcomes_by_strategy(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Rates per (scope, member, strategy) present, as CONTRACT section 3 lists them.

    ``yes_rate`` counts every call with a non-null ``said_yes`` (mature or
    not, since it is known on the day of the call); the other rates and
    ``leads_per_call`` count mature calls only.
    """
    return _rate_table(_call_counts(call_outcomes), ["strategy"])


def outcomes_by_relationship(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """The ``outcomes_by_strategy`` columns per (scope, member, relationship, strategy)."""
    return _rate_table(_call_counts(call_outcomes), ["relationship", "strategy"])


def ask_balance(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Calls per (scope, member, relationship, strategy) and their share of the strategy.

    ``share`` = calls / all calls of that strategy in that scope and member,
    so a coach sees whether reference asks went mostly to close colleagues
    while job asks went to acquaintances: a difference in rates may come
    from whom each ask went to, not from the ask.
    """
    return _ask_balance(_call_counts(call_outcomes))


def _ask_balance(counts: pl.DataFrame) -> pl.DataFrame:
    table = _summed_by_scope(
        counts.select("member", *_COUNT_KEYS, "calls"), ["relationship", "strategy"]
    ).with_columns(
        share=pl.col("calls") / pl.col("calls").sum().over("scope", "member", "strategy")
    )
    return (
        table.select(list(ASK_BALANCE_SCHEMA))
        .cast(ASK_BALANCE_SCHEMA)
        .sort("scope", "member", "relationship", "strategy")
    )
