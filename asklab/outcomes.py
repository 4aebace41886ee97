"""Attribution, per-call outcomes and the outcome tables (CONTRACT sections 2 and 3).

Everything here is a pure Polars function of the warehouse's ``calls`` and
``events`` frames. Polars may run these queries on its streaming engine,
which does not keep row order through joins and group-bys, so every public
function sorts its result on its key columns: the same inputs in any row
order give identical tables.

Scopes: every summary table holds one block of rows for the whole group
(``scope = "group"``, ``member`` null) and one per member
(``scope = "member"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from asklab import stats

GROUP = "group"
MEMBER = "member"

REFERENCE = "reference"
JOB = "job"

# The four rate metrics of CONTRACT section 3, in the order tables list them.
RATE_METRICS: tuple[str, ...] = ("yes_rate", "intro_rate", "lead_rate", "reached_out_rate")

# Funnel stages in order; each counts mature calls that reached the stage.
FUNNEL_STAGES: tuple[str, ...] = ("call", "said_yes", "introduction", "lead", "interview", "offer")

# A side smaller than this in a comparison is flagged `small_sample`.
SMALL_SAMPLE_N = 10

# -- Schemas --------------------------------------------------------------------

CALLS_INPUT_SCHEMA: dict[str, pl.DataType] = {
    "call_id": pl.String(),
    "member": pl.String(),
    "call_date": pl.Date(),
    "contact_key": pl.String(),
    "relationship": pl.String(),
    "ask_label": pl.String(),
    "strategy": pl.String(),
    "agreed_reference": pl.Boolean(),
    "introductions": pl.Int64(),
    "leads": pl.Int64(),
}

EVENTS_INPUT_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String(),
    "member": pl.String(),
    "event_date": pl.Date(),
    "contact_key": pl.String(),
    "event_type": pl.String(),
    "count": pl.Int64(),
}

CALL_OUTCOMES_SCHEMA: dict[str, pl.DataType] = {
    "call_id": pl.String(),
    "member": pl.String(),
    "call_date": pl.Date(),
    "strategy": pl.String(),
    "ask_label": pl.String(),
    "relationship": pl.String(),
    "said_yes": pl.Boolean(),
    "introductions_total": pl.Int64(),
    "leads_total": pl.Int64(),
    "any_introduction": pl.Boolean(),
    "any_lead": pl.Boolean(),
    "reached_out": pl.Boolean(),
    "reference_given": pl.Boolean(),
    "interviews": pl.Int64(),
    "offers": pl.Int64(),
    "days_to_first_lead": pl.Int64(),
    "mature": pl.Boolean(),
    "contact_key": pl.String(),
    "leads_immediate": pl.Int64(),
    "leads_later": pl.Int64(),
}


def _rate_schema(keys: Sequence[str]) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {"scope": pl.String(), "member": pl.String()}
    schema |= {key: pl.String() for key in keys}
    schema |= {"calls": pl.Int64(), "mature_calls": pl.Int64()}
    for metric in RATE_METRICS:
        schema |= {f"{metric}_n": pl.Int64(), f"{metric}_x": pl.Int64()}
        schema |= {name: pl.Float64() for name in (metric, f"{metric}_lo", f"{metric}_hi")}
    schema |= {
        "leads_per_call": pl.Float64(),
        "leads_per_call_lo": pl.Float64(),
        "leads_per_call_hi": pl.Float64(),
    }
    return schema


OUTCOMES_BY_STRATEGY_SCHEMA = _rate_schema(["strategy"])
OUTCOMES_BY_RELATIONSHIP_SCHEMA = _rate_schema(["relationship", "strategy"])

STRATEGY_COMPARISON_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "member": pl.String(),
    "metric": pl.String(),
    "n_ref": pl.Int64(),
    "x_ref": pl.Int64(),
    "n_job": pl.Int64(),
    "x_job": pl.Int64(),
    "diff": pl.Float64(),
    "diff_lo": pl.Float64(),
    "diff_hi": pl.Float64(),
    "prob_ref_better": pl.Float64(),
    "mh_diff": pl.Float64(),
    "small_sample": pl.Boolean(),
}

ASK_BALANCE_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "member": pl.String(),
    "relationship": pl.String(),
    "strategy": pl.String(),
    "calls": pl.Int64(),
    "share": pl.Float64(),
}

TIME_TO_FIRST_LEAD_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "member": pl.String(),
    "strategy": pl.String(),
    "day": pl.Int64(),
    "at_risk": pl.Int64(),
    "events": pl.Int64(),
    "censored": pl.Int64(),
    "survival": pl.Float64(),
    "survival_lo": pl.Float64(),
    "survival_hi": pl.Float64(),
}

WEEKLY_ACTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "member": pl.String(),
    "week_start": pl.Date(),
    "strategy": pl.String(),
    "calls": pl.Int64(),
}

FUNNEL_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "member": pl.String(),
    "strategy": pl.String(),
    "stage": pl.String(),
    "stage_order": pl.Int64(),
    "calls": pl.Int64(),
}

LEAD_TIMING_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "member": pl.String(),
    "strategy": pl.String(),
    "mature_calls": pl.Int64(),
    "immediate_leads": pl.Int64(),
    "later_leads": pl.Int64(),
}


# -- Input checks -----------------------------------------------------------------


def _conform(frame: pl.DataFrame, schema: Mapping[str, pl.DataType], what: str) -> pl.DataFrame:
    """Check that ``frame`` has the columns ``schema`` needs, cast to its dtypes.

    A frame with no rows and no columns (``pl.DataFrame()``) stands for an
    empty table and gets the full schema, so callers need not build one.
    """
    if frame.height == 0 and frame.width == 0:
        return pl.DataFrame(schema=dict(schema))
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")
    # Only a column of nulls (dtype Null, e.g. from an all-None list) is cast:
    # a date held as text is a caller's bug, not something to coerce here.
    frame = frame.with_columns(
        pl.col(name).cast(dtype)
        for name, dtype in schema.items()
        if frame.schema[name] == pl.Null()
    )
    return _check_dtypes(frame, schema, what)


def _check_dtypes(
    frame: pl.DataFrame, schema: Mapping[str, pl.DataType], what: str
) -> pl.DataFrame:
    wrong = [
        f"{name} is {frame.schema[name]}, expected {dtype}"
        for name, dtype in schema.items()
        if frame.schema[name] != dtype
    ]
    if wrong:
        raise ValueError(f"{what}: wrong column type(s): {'; '.join(wrong)}")
    return frame


def _check_unique_call_ids(calls: pl.DataFrame) -> None:
    duplicated = calls.filter(pl.col("call_id").is_duplicated())["call_id"].unique().sort()
    if duplicated.len():
        shown = ", ".join(duplicated.head(5).to_list())
        raise ValueError(
            f"calls: call_id must be unique (one row per distinct call), repeated: {shown}"
        )


def _check_no_future_calls(calls: pl.DataFrame, as_of: dt.date) -> None:
    # Ingest rejects such calls (CONTRACT 1.3); one here would get a negative age.
    future = calls.filter(pl.col("call_date") > as_of).sort("call_date", "call_id")
    if future.height:
        first = future.row(0, named=True)
        raise ValueError(
            f"calls: {future.height} call(s) dated after as_of {as_of.isoformat()}, "
            f"e.g. {first['call_id']} on {first['call_date'].isoformat()}"
        )


# -- Attribution (CONTRACT section 2) ------------------------------------------------


def attribute_events(calls: pl.DataFrame, events: pl.DataFrame, *, window: int) -> pl.DataFrame:
    """``events`` plus ``call_id``: the call each event is attributed to, or null.

    An event of member m with contact c on day d goes to the latest call of m
    with c whose call_date <= d, when d - call_date <= ``window`` days (so an
    event exactly ``window`` days after the call still counts). Contacts are
    matched on ``contact_key`` within one member, so two members' "john smith"
    never share events. Unattributed events are kept with a null ``call_id``.

    Ties: when one member called the same contact twice on the same day (two
    calls that differ in content), the event goes to the call with the
    greatest ``call_id``. That choice depends only on the calls' content (the
    id is a hash of it), never on file or row order.

    The result is sorted by (member, event_date, contact_key, event_id).
    """
    if window < 0:
        raise ValueError(f"window must be >= 0 days, got {window}")
    calls = _conform(calls, CALLS_INPUT_SCHEMA, "calls")
    events = _conform(events, EVENTS_INPUT_SCHEMA, "events")
    if "call_id" in events.columns:
        # Re-attribution replaces any earlier answer.
        events = events.drop("call_id")

    # One candidate call per (member, contact, day): the greatest call_id.
    candidates = (
        calls.group_by("member", "contact_key", "call_date")
        .agg(pl.col("call_id").max())
        .rename({"member": "_member", "contact_key": "_contact_key", "call_date": "_call_date"})
        .sort("_member", "_contact_key", "_call_date")
    )
    attributed = (
        events.sort("member", "contact_key", "event_date", "event_id")
        .join_asof(
            candidates,
            left_on="event_date",
            right_on="_call_date",
            by_left=["member", "contact_key"],
            by_right=["_member", "_contact_key"],
            strategy="backward",
            tolerance=dt.timedelta(days=window),
            coalesce=False,
            # Both sides are sorted just above; Polars cannot check it with `by`.
            check_sortedness=False,
        )
        # The tolerance already enforces the window; restating it keeps the rule
        # independent of how a Polars version treats the tolerance's edge.
        .with_columns(
            call_id=pl.when(
                (pl.col("event_date") - pl.col("_call_date")).dt.total_days() <= window
            ).then(pl.col("call_id"))
        )
    )
    return attributed.select(*events.columns, "call_id").sort(
        "member", "event_date", "contact_key", "event_id"
    )


# -- Per-call outcomes (CONTRACT section 2) -----------------------------------------------


def _asked(ask: str) -> pl.Expr:
    return pl.col("ask_label").str.split("+").list.contains(ask)


def said_yes_expr() -> pl.Expr:
    """Kleene OR of the three yes-terms, null when only advice was asked.

    A term whose ask was not made is false, so only the asked terms decide:
    a reference ask with ``agreed_reference`` null and nothing else gives
    null; the same with a job ask that brought leads gives true.
    """
    job_yes = pl.when(_asked("job")).then(pl.col("leads") > 0).otherwise(pl.lit(False))
    reference_yes = (
        pl.when(_asked("reference")).then(pl.col("agreed_reference")).otherwise(pl.lit(False))
    )
    introduction_yes = (
        pl.when(_asked("introduction")).then(pl.col("introductions") > 0).otherwise(pl.lit(False))
    )
    any_yes_ask = _asked("job") | _asked("reference") | _asked("introduction")
    # Polars' `|` on Boolean columns is Kleene logic, like SQL's OR.
    return pl.when(any_yes_ask).then(job_yes | reference_yes | introduction_yes)


def call_outcomes(
    calls: pl.DataFrame, attributed_events: pl.DataFrame, *, as_of: dt.date, window: int
) -> pl.DataFrame:
    """One row per call with the outcome columns of CONTRACT section 2.

    ``attributed_events`` is the result of :func:`attribute_events`; events
    with a null or unknown ``call_id`` add nothing to any call. Extra columns:
    ``contact_key``, ``leads_immediate`` (the call's own leads) and
    ``leads_later`` (counts of attributed lead events). Sorted by
    (member, call_date, call_id).
    """
    calls = _conform(calls, CALLS_INPUT_SCHEMA, "calls")
    _check_unique_call_ids(calls)
    _check_no_future_calls(calls, as_of)
    events = _conform(
        attributed_events,
        {**EVENTS_INPUT_SCHEMA, "call_id": pl.String()},
        "attributed events",
    )

    def event_count(event_type: str) -> pl.Expr:
        return pl.col("count").filter(pl.col("event_type") == event_type).sum()

    def event_seen(event_type: str) -> pl.Expr:
        return (pl.col("event_type") == event_type).any()

    per_call = (
        events.filter(pl.col("call_id").is_not_null())
        .group_by("call_id")
        .agg(
            _introductions_later=event_count("introduction"),
            leads_later=event_count("lead"),
            interviews=event_count("interview"),
            offers=event_count("offer"),
            reached_out=event_seen("reached_out"),
            reference_given=event_seen("reference_given"),
            _first_lead_date=pl.col("event_date").filter(pl.col("event_type") == "lead").min(),
        )
    )
    outcomes = (
        calls.join(per_call, on="call_id", how="left")
        .with_columns(
            pl.col("_introductions_later", "leads_later", "interviews", "offers").fill_null(0),
            pl.col("reached_out", "reference_given").fill_null(False),
        )
        .with_columns(
            introductions_total=pl.col("introductions") + pl.col("_introductions_later"),
            leads_total=pl.col("leads") + pl.col("leads_later"),
            leads_immediate=pl.col("leads"),
            said_yes=said_yes_expr(),
            days_to_first_lead=pl.when(pl.col("leads") > 0)
            .then(pl.lit(0, dtype=pl.Int64))
            .otherwise((pl.col("_first_lead_date") - pl.col("call_date")).dt.total_days()),
            mature=(pl.lit(as_of, dtype=pl.Date) - pl.col("call_date")).dt.total_days() >= window,
        )
        .with_columns(
            any_introduction=pl.col("introductions_total") > 0,
            any_lead=pl.col("leads_total") > 0,
        )
    )
    return (
        outcomes.select(list(CALL_OUTCOMES_SCHEMA))
        .cast(CALL_OUTCOMES_SCHEMA)
        .sort("member", "call_date", "call_id")
    )


# -- Scopes -------------------------------------------------------------------------


def _by_scope(frame: pl.DataFrame, keys: Sequence[str], aggs: Sequence[pl.Expr]) -> pl.DataFrame:
    """``aggs`` per ``keys`` for the whole group and per member, stacked.

    The result starts with ``scope`` and ``member`` (null for the group rows),
    then ``keys``, then the aggregates.
    """
    group_rows = (
        frame.group_by(*keys)
        .agg(*aggs)
        .with_columns(scope=pl.lit(GROUP), member=pl.lit(None, dtype=pl.String))
    )
    member_rows = frame.group_by("member", *keys).agg(*aggs).with_columns(scope=pl.lit(MEMBER))
    columns = ["scope", "member", *keys]
    group_rows = group_rows.select(*columns, pl.exclude(columns))
    return pl.concat([group_rows, member_rows.select(group_rows.columns)], how="vertical")


def _to_float_series(name: str, values: np.ndarray, size: int) -> pl.Series:
    """A Float64 column from ``values``; NaN (a statistic without data) becomes null."""
    array = np.broadcast_to(np.asarray(values, dtype=np.float64), (size,))
    return pl.Series(name, array, dtype=pl.Float64, nan_to_null=True)


# -- Rate tables (CONTRACT section 3) -----------------------------------------------------


def _rate_counts() -> list[pl.Expr]:
    mature = pl.col("mature")
    counts = [
        pl.len().alias("calls"),
        mature.sum().alias("mature_calls"),
        pl.col("said_yes").is_not_null().sum().alias("yes_rate_n"),
        pl.col("said_yes").sum().alias("yes_rate_x"),
    ]
    for metric, flag in (
        ("intro_rate", "any_introduction"),
        ("lead_rate", "any_lead"),
        ("reached_out_rate", "reached_out"),
    ):
        counts += [
            mature.sum().alias(f"{metric}_n"),
            (pl.col(flag) & mature).sum().alias(f"{metric}_x"),
        ]
    counts.append(pl.col("leads_total").filter(mature).sum().alias("_mature_leads"))
    return counts


def _with_intervals(counts: pl.DataFrame) -> pl.DataFrame:
    """Rates with Wilson intervals, and leads per call with a Garwood interval."""
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


def _rate_table(call_outcomes: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    schema = _rate_schema(keys)
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    counts = _by_scope(outcomes, keys, _rate_counts())
    table = _with_intervals(counts)
    return table.select(list(schema)).cast(schema).sort("scope", "member", *keys)


def outcomes_by_strategy(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Rates per (scope, member, strategy) present, as CONTRACT section 3 lists them.

    ``yes_rate`` counts every call with a non-null ``said_yes`` (mature or
    not, since it is known on the day of the call); the other rates and
    ``leads_per_call`` count mature calls only.
    """
    return _rate_table(call_outcomes, ["strategy"])


def outcomes_by_relationship(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """The ``outcomes_by_strategy`` columns per (scope, member, relationship, strategy)."""
    return _rate_table(call_outcomes, ["relationship", "strategy"])


# -- Reference against job -------------------------------------------------------------


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
    """Per metric, the Mantel-Haenszel difference over members (the strata).

    ``member_rows`` are the member-scope comparison rows, which already hold
    only members with both sides n > 0; a metric without such a member gets
    a null ``mh_diff``.
    """
    values: list[float | None] = []
    for metric in RATE_METRICS:
        strata = member_rows.filter(pl.col("metric") == metric)
        if strata.height == 0:
            values.append(None)
            continue
        mh_value = stats.mantel_haenszel_diff(
            *(
                strata[name].to_numpy().astype(np.float64)
                for name in ("x_ref", "n_ref", "x_job", "n_job")
            )
        )
        values.append(None if mh_value is None or np.isnan(mh_value) else float(mh_value))
    return pl.DataFrame(
        {"scope": [GROUP] * len(RATE_METRICS), "metric": list(RATE_METRICS), "mh_diff": values},
        schema={"scope": pl.String, "metric": pl.String, "mh_diff": pl.Float64},
    )


# -- Report marts -------------------------------------------------------------------------


def ask_balance(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Calls per (scope, member, relationship, strategy) and their share of the strategy.

    ``share`` = calls / all calls of that strategy in that scope and member,
    so a coach sees whether reference asks went mostly to close colleagues
    while job asks went to acquaintances: a difference in rates may come
    from whom each ask went to, not from the ask.
    """
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    counts = _by_scope(outcomes, ["relationship", "strategy"], [pl.len().alias("calls")])
    table = counts.with_columns(
        share=pl.col("calls") / pl.col("calls").sum().over("scope", "member", "strategy")
    )
    return (
        table.select(list(ASK_BALANCE_SCHEMA))
        .cast(ASK_BALANCE_SCHEMA)
        .sort("scope", "member", "relationship", "strategy")
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
    """Kaplan-Meier curve of the time to a call's first lead, per (scope, member, strategy)."""
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    times = lead_survival_times(outcomes, as_of=as_of, window=window)
    groups = _by_scope(
        times,
        ["strategy"],
        # Row order inside a group does not matter: the curve depends on the
        # multiset of (day, observed) only.
        [pl.col("lead_day"), pl.col("lead_observed")],
    ).sort("scope", "member", "strategy")
    curves: list[pl.DataFrame] = [pl.DataFrame(schema=TIME_TO_FIRST_LEAD_SCHEMA)]
    for row in groups.iter_rows(named=True):
        curve = stats.kaplan_meier(
            np.asarray(row["lead_day"], dtype=np.int64),
            np.asarray(row["lead_observed"], dtype=bool),
        )
        curves.append(
            curve.with_columns(
                scope=pl.lit(row["scope"]),
                member=pl.lit(row["member"], dtype=pl.String),
                strategy=pl.lit(row["strategy"]),
            )
            .select(list(TIME_TO_FIRST_LEAD_SCHEMA))
            .cast(TIME_TO_FIRST_LEAD_SCHEMA)
        )
    # Day 0 can hold two rows (before and after what happened on day 0): the
    # first has survival 1 and nothing counted, as in stats.kaplan_meier.
    return pl.concat(curves, how="vertical").sort(
        ["scope", "member", "strategy", "day", "survival", "events", "censored"],
        descending=[False, False, False, False, True, False, False],
    )


def weekly_activity(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Calls per ISO week (``week_start``: its Monday) and strategy.

    Only weeks with calls have rows; a chart fills the gaps with zeros.
    """
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    weeks = outcomes.with_columns(week_start=pl.col("call_date").dt.truncate("1w"))
    table = _by_scope(weeks, ["week_start", "strategy"], [pl.len().alias("calls")])
    return (
        table.select(list(WEEKLY_ACTIVITY_SCHEMA))
        .cast(WEEKLY_ACTIVITY_SCHEMA)
        .sort("scope", "member", "week_start", "strategy")
    )


def funnel(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Mature calls reaching each stage, per (scope, member, strategy).

    Every stage counts mature calls only, so all stages share one base (the
    ``call`` stage) and a young call cannot drag down the later stages before
    its window is over. A stage counts the calls with that outcome: said yes,
    any introduction, any lead, at least one interview, at least one offer.
    The stages are not nested (an introduction may follow a call whose asks
    got a no), so a later stage can exceed an earlier one.
    """
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    mature = pl.col("mature")
    reached = {
        "call": mature,
        "said_yes": mature & pl.col("said_yes").fill_null(False),
        "introduction": mature & pl.col("any_introduction"),
        "lead": mature & pl.col("any_lead"),
        "interview": mature & (pl.col("interviews") > 0),
        "offer": mature & (pl.col("offers") > 0),
    }
    wide = _by_scope(
        outcomes, ["strategy"], [reached[stage].sum().alias(stage) for stage in FUNNEL_STAGES]
    )
    long = wide.unpivot(
        index=["scope", "member", "strategy"],
        on=list(FUNNEL_STAGES),
        variable_name="stage",
        value_name="calls",
    )
    stage_order = pl.DataFrame(
        {"stage": list(FUNNEL_STAGES), "stage_order": list(range(1, len(FUNNEL_STAGES) + 1))},
        schema={"stage": pl.String, "stage_order": pl.Int64},
    )
    return (
        long.join(stage_order, on="stage", how="left")
        .select(list(FUNNEL_SCHEMA))
        .cast(FUNNEL_SCHEMA)
        .sort("scope", "member", "strategy", "stage_order")
    )


def lead_timing(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Leads given during mature calls (immediate) against leads that came later."""
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    mature = pl.col("mature")
    table = _by_scope(
        outcomes,
        ["strategy"],
        [
            mature.sum().alias("mature_calls"),
            pl.col("leads_immediate").filter(mature).sum().alias("immediate_leads"),
            pl.col("leads_later").filter(mature).sum().alias("later_leads"),
        ],
    )
    return (
        table.select(list(LEAD_TIMING_SCHEMA))
        .cast(LEAD_TIMING_SCHEMA)
        .sort("scope", "member", "strategy")
    )


# -- Everything at once -----------------------------------------------------------------------


def build_outcome_tables(
    calls: pl.DataFrame, events: pl.DataFrame, *, as_of: dt.date, window: int
) -> dict[str, pl.DataFrame]:
    """Every outcome table, keyed by its warehouse name (``events`` with ``call_id``)."""
    attributed = attribute_events(calls, events, window=window)
    outcomes = call_outcomes(calls, attributed, as_of=as_of, window=window)
    by_strategy = outcomes_by_strategy(outcomes)
    return {
        "events": attributed,
        "call_outcomes": outcomes,
        "outcomes_by_strategy": by_strategy,
        "strategy_comparison": _comparison_from_rates(by_strategy),
        "outcomes_by_relationship": outcomes_by_relationship(outcomes),
        "ask_balance": ask_balance(outcomes),
        "time_to_first_lead": time_to_first_lead(outcomes, as_of=as_of, window=window),
        "weekly_activity": weekly_activity(outcomes),
        "funnel": funnel(outcomes),
        "lead_timing": lead_timing(outcomes),
    }
