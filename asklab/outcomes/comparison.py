"""Reference asks against job asks: ``strategy_comparison`` (CONTRACT section 3)."""

from __future__ import annotations

import numpy as np
import polars as pl

from asklab import stats
from asklab.metrics import GROUP, JOB, MEMBER, RATE_METRICS, REFERENCE, SMALL_SAMPLE_N
from asklab.outcomes.counts import _to_float_series
from asklab.outcomes.rates import outcomes_by_strategy
from asklab.outcomes.schemas import STRATEGY_COMPARISON_SCHEMA


def strategy_comparison(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Reference asks against job asks, per (scope, member, metric); see CONTRACT section 3."""
    return _comparison_from_rates(outcomes_by_strategy(call_outcomes))


def _comparison_from_rates(rates: pl.DataFrame) -> pl.DataFrame:
    sides: list[pl.DataFrame] = []
    for metric in RATE_METRICS:
        per_side = rates.select(
            "scope",
            "member",
            "strategy",
            pl.lit(metric).alias("metric"),
            pl.col(f"{metric}_n").alias("n"),
            pl.col(f"{metric}_x").alias("x"),
        )
        sides.append(per_side)
    long = pl.concat(sides, how="vertical")
    reference = long.filter(pl.col("strategy") == REFERENCE).select(
        "scope", "member", "metric", n_ref="n", x_ref="x"
    )
    job = long.filter(pl.col("strategy") == JOB).select(
        "scope", "member", "metric", n_job="n", x_job="x"
    )
    paired = (
        reference.join(job, on=["scope", "member", "metric"], how="inner", nulls_equal=True)
        .filter((pl.col("n_ref") > 0) & (pl.col("n_job") > 0))
        .sort("scope", "member", "metric")
    )
    size = paired.height
    x_ref, n_ref, x_job, n_job = (
        paired[name].to_numpy().astype(np.float64) for name in ("x_ref", "n_ref", "x_job", "n_job")
    )
    if size:
        diff, diff_lo, diff_hi = stats.newcombe_diff_interval(x_ref, n_ref, x_job, n_job)
        prob = stats.prob_beta_greater(1 + x_ref, 1 + n_ref - x_ref, 1 + x_job, 1 + n_job - x_job)
    else:
        diff = diff_lo = diff_hi = prob = np.empty(0)
    compared = paired.with_columns(
        _to_float_series("diff", diff, size),
        _to_float_series("diff_lo", diff_lo, size),
        _to_float_series("diff_hi", diff_hi, size),
        _to_float_series("prob_ref_better", prob, size),
        small_sample=(pl.col("n_ref") < SMALL_SAMPLE_N) | (pl.col("n_job") < SMALL_SAMPLE_N),
    )
    mh = _mantel_haenszel_by_metric(compared.filter(pl.col("scope") == MEMBER))
    compared = compared.join(mh, on=["scope", "metric"], how="left")
    return (
        compared.select(list(STRATEGY_COMPARISON_SCHEMA))
        .cast(STRATEGY_COMPARISON_SCHEMA)
        .sort("scope", "member", "metric")
    )


def _mantel_haenszel_by_metric(member_rows: pl.DataFrame) -> pl.DataFrame:
    """Per metric, the Mantel-Haenszel difference over members (the strata), with
    its interval (Sato's variance, CONTRACT section 3.1).

    ``member_rows`` are the member-scope comparison rows, which already hold
    only members with both sides n > 0; a metric without such a member gets
    null ``mh_diff``, ``mh_diff_lo`` and ``mh_diff_hi``.
    """
    columns: dict[str, list[float | None]] = {"mh_diff": [], "mh_diff_lo": [], "mh_diff_hi": []}
    for metric in RATE_METRICS:
        strata = member_rows.filter(pl.col("metric") == metric)
        found = (None, None, None)
        if strata.height:
            found = stats.mantel_haenszel_diff_interval(
                *(
                    strata[name].to_numpy().astype(np.float64)
                    for name in ("x_ref", "n_ref", "x_job", "n_job")
                )
            )
        for name, value in zip(columns, found, strict=True):
            columns[name].append(None if value is None or np.isnan(value) else float(value))
    return pl.DataFrame(
        {"scope": [GROUP] * len(RATE_METRICS), "metric": list(RATE_METRICS), **columns},
        schema={
            "scope": pl.String,
            "metric": pl.String,
            **dict.fromkeys(columns, pl.Float64),
        },
    )
