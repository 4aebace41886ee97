"""One row of outcomes per call: ``call_outcomes`` and ``said_yes`` (CONTRACT section 2)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from asklab.outcomes.schemas import (
    CALL_OUTCOMES_SCHEMA,
    CALLS_INPUT_SCHEMA,
    EVENTS_INPUT_SCHEMA,
    _conform,
)

# The asks said_yes looks at, and the flag column each gets while it is computed.
_YES_ASKS: tuple[str, ...] = ("job", "reference", "introduction")


def _asked(ask: str) -> pl.Expr:
    return pl.col(f"_asks_{ask}")


def _with_ask_flags(calls: pl.DataFrame) -> pl.DataFrame:
    """``calls`` plus ``_asks_job``, ``_asks_reference``, ``_asks_introduction``.

    The flags are worked out once per distinct ``ask_label`` (a handful) and
    joined on, rather than splitting a million labels.
    """
    labels = calls.select(pl.col("ask_label").unique())
    asks = pl.col("ask_label").str.split("+")
    flags = labels.with_columns(asks.list.contains(ask).alias(f"_asks_{ask}") for ask in _YES_ASKS)
    return calls.join(flags, on="ask_label", how="left", maintain_order="left")


def said_yes_expr() -> pl.Expr:
    """Kleene OR of the three yes-terms, null when only advice was asked.

    A term whose ask was not made is false, so only the asked terms decide:
    a reference ask with ``agreed_reference`` null and nothing else gives
    null; the same with a job ask that brought leads gives true. Needs the
    ask flag columns of :func:`_with_ask_flags`.
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
    calls = _outcome_calls(calls, as_of=as_of)
    events = _conform(
        attributed_events,
        {**EVENTS_INPUT_SCHEMA, "call_id": pl.String()},
        "attributed events",
    )
    # Each event's call as a row position in `calls`, for integer group-bys.
    call_positions = calls.select("call_id", _call_position=pl.int_range(pl.len(), dtype=pl.Int64))
    positions = events.select("call_id").join(
        call_positions, on="call_id", how="left", maintain_order="left"
    )["_call_position"]
    return _call_outcomes_at(calls, events, positions, as_of=as_of, window=window).sort(
        "member", "call_date", "call_id"
    )


def _outcome_calls(calls: pl.DataFrame, *, as_of: dt.date) -> pl.DataFrame:
    calls = _conform(calls, CALLS_INPUT_SCHEMA, "calls")
    _check_unique_call_ids(calls)
    _check_no_future_calls(calls, as_of)
    return calls


def _check_unique_call_ids(calls: pl.DataFrame) -> None:
    # Distinct 64-bit hashes prove distinct ids without hashing the strings
    # into a set; only when two hashes agree is the exact check needed.
    if calls["call_id"].hash().n_unique() == calls.height:
        return
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


def _call_outcomes_at(
    calls: pl.DataFrame,
    events: pl.DataFrame,
    positions: pl.Series,
    *,
    as_of: dt.date,
    window: int,
) -> pl.DataFrame:
    """:func:`call_outcomes` given each event's call as a row position in ``calls``,
    with the rows in the order of ``calls`` (the callers sort).

    The attributed event counts are summed straight into arrays indexed by
    call position (``numpy.bincount``): no group-by, no join.
    """
    size = calls.height
    position = positions.fill_null(-1).to_numpy()
    attributed = position >= 0
    event_type = events["event_type"]
    count = events["count"].to_numpy()

    def of_type(name: str) -> np.ndarray:
        return attributed & (event_type == name).to_numpy()

    def summed(name: str) -> pl.Series:
        rows = of_type(name)
        total = np.bincount(position[rows], weights=count[rows], minlength=size)
        return pl.Series(total.astype(np.int64))  # exact: sums of whole counts < 2**53

    def seen(name: str) -> pl.Series:
        return pl.Series(np.bincount(position[of_type(name)], minlength=size) > 0)

    leads = of_type("lead")
    first_lead = (
        pl.DataFrame({"call": position[leads], "day": events["event_date"].filter(leads)})
        .group_by("call")
        .agg(pl.col("day").min())
    )
    first_lead_date = pl.repeat(None, size, dtype=pl.Date, eager=True).scatter(
        first_lead["call"], first_lead["day"]
    )
    outcomes = _with_ask_flags(calls.select(list(CALLS_INPUT_SCHEMA))).with_columns(
        _introductions_later=summed("introduction"),
        leads_later=summed("lead"),
        interviews=summed("interview"),
        offers=summed("offer"),
        reached_out=seen("reached_out"),
        reference_given=seen("reference_given"),
        _first_lead_date=first_lead_date,
    )
    return (
        outcomes.with_columns(
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
        .select(list(CALL_OUTCOMES_SCHEMA))
        .cast(CALL_OUTCOMES_SCHEMA)
    )
