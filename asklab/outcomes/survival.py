"""When leads come: Kaplan-Meier curves of the time to a call's first lead, and the
leads given during the call against those that came later.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from asklab import stats
from asklab.outcomes.counts import _COUNT_KEYS, _call_counts, _summed_by_scope, _to_float_series
from asklab.outcomes.schemas import (
    CALL_OUTCOMES_SCHEMA,
    LEAD_TIMING_SCHEMA,
    TIME_TO_FIRST_LEAD_SCHEMA,
    _conform,
)


def lead_survival_times(
    call_outcomes: pl.DataFrame, *, as_of: dt.date, window: int
) -> pl.DataFrame:
    """Per call, the time to its first lead (``lead_day``) and whether it was seen.

    A call whose first lead came within the window is an observed event at
    ``days_to_first_lead``; any other call is censored at the time it has been
    watched: min(as_of - call_date, window).
    """
    watched = pl.min_horizontal(
        (pl.lit(as_of, dtype=pl.Date) - pl.col("call_date")).dt.total_days(), pl.lit(window)
    )
    observed = pl.col("days_to_first_lead").is_not_null() & (pl.col("days_to_first_lead") <= window)
    return call_outcomes.with_columns(
        lead_day=pl.when(observed).then(pl.col("days_to_first_lead")).otherwise(watched),
        lead_observed=observed,
    )


def time_to_first_lead(call_outcomes: pl.DataFrame, *, as_of: dt.date, window: int) -> pl.DataFrame:
    """Kaplan-Meier curve of the time to a call's first lead, per (scope, member, strategy).

    The same curve as :func:`asklab.stats.kaplan_meier` gives for each group's
    calls, computed for all groups at once: calls are first counted per
    (group, day), then the at-risk numbers, survival and Greenwood sums run
    down each group's days.
    """
    return _time_to_first_lead(_lead_day_counts(call_outcomes, as_of=as_of, window=window))


def _lead_day_counts(call_outcomes: pl.DataFrame, *, as_of: dt.date, window: int) -> pl.DataFrame:
    """Per (member, strategy, day): calls whose first lead came that day (``events``)
    and calls with that day as their time (``subjects``; events plus censored)."""
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    times = lead_survival_times(outcomes, as_of=as_of, window=window)
    early = times.filter(pl.col("lead_day") < 0)
    if early.height:
        raise ValueError(
            f"time_to_first_lead: {early.height} call(s) with a negative time to first lead, "
            f"e.g. call {early['call_id'][0]} (a call after as_of {as_of.isoformat()}?)"
        )
    return times.group_by("member", "strategy", pl.col("lead_day").alias("day")).agg(
        subjects=pl.len().cast(pl.Int64), events=pl.col("lead_observed").sum().cast(pl.Int64)
    )


def _time_to_first_lead(lead_days: pl.DataFrame) -> pl.DataFrame:
    return _kaplan_meier_curves(_summed_by_scope(lead_days, ["strategy", "day"]))


def _kaplan_meier_curves(counts: pl.DataFrame) -> pl.DataFrame:
    """Kaplan-Meier rows from (scope, member, strategy, day, subjects, events) counts.

    Each group's rows, by day, follow :func:`asklab.stats.kaplan_meier` step
    for step (same sums and products in the same order), so the numbers are
    the ones it gives for that group alone.
    """
    if counts.height == 0:
        return pl.DataFrame(schema=TIME_TO_FIRST_LEAD_SCHEMA)
    group = ["scope", "member", "strategy"]
    subjects, events = pl.col("subjects"), pl.col("events")
    steps = (
        counts.sort(*group, "day")
        .with_columns(
            _total=subjects.sum().over(group),
            _before=(subjects.cum_sum() - subjects).over(group),
        )
        .with_columns(at_risk=pl.col("_total") - pl.col("_before"))
        .with_columns(
            censored=subjects - events,
            survival=(pl.lit(1.0) - events / pl.col("at_risk")).cum_prod().over(group),
            # Greenwood's sum; infinite once everyone at risk has had the event (S = 0).
            _greenwood=pl.when(pl.col("at_risk") > events)
            .then(events / (pl.col("at_risk") * (pl.col("at_risk") - events)))
            .otherwise(float("inf"))
            .cum_sum()
            .over(group),
        )
    )
    lo, hi = stats.log_log_band(steps["survival"].to_numpy(), steps["_greenwood"].to_numpy())
    size = steps.height
    curves = steps.with_columns(
        _to_float_series("survival_lo", lo, size), _to_float_series("survival_hi", hi, size)
    )
    # Each curve starts at day 0 with everyone at risk and survival 1.
    starts = (
        steps.filter(pl.col("_before") == 0)
        .select(
            *group,
            day=pl.lit(0, dtype=pl.Int64),
            at_risk=pl.col("_total"),
            events=pl.lit(0, dtype=pl.Int64),
            censored=pl.lit(0, dtype=pl.Int64),
            survival=pl.lit(1.0),
            survival_lo=pl.lit(None, dtype=pl.Float64),
            survival_hi=pl.lit(None, dtype=pl.Float64),
        )
        .cast(TIME_TO_FIRST_LEAD_SCHEMA)
    )
    # Day 0 can hold two rows (before and after what happened on day 0): the
    # first has survival 1 and nothing counted, as in stats.kaplan_meier.
    return pl.concat(
        [starts, curves.select(list(TIME_TO_FIRST_LEAD_SCHEMA)).cast(TIME_TO_FIRST_LEAD_SCHEMA)],
        how="vertical",
    ).sort(
        ["scope", "member", "strategy", "day", "survival", "events", "censored"],
        descending=[False, False, False, False, True, False, False],
    )


def lead_timing(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Leads given during mature calls (immediate) against leads that came later."""
    return _lead_timing(_call_counts(call_outcomes))


def _lead_timing(counts: pl.DataFrame) -> pl.DataFrame:
    table = _summed_by_scope(
        counts.select("member", *_COUNT_KEYS, "mature_calls", "immediate_leads", "later_leads"),
        ["strategy"],
    )
    return (
        table.select(list(LEAD_TIMING_SCHEMA))
        .cast(LEAD_TIMING_SCHEMA)
        .sort("scope", "member", "strategy")
    )
