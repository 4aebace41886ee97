"""Attribution: which call, if any, each event goes to (CONTRACT section 2)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from asklab.outcomes.schemas import CALLS_INPUT_SCHEMA, EVENTS_INPUT_SCHEMA, _conform


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
    calls, events = _attribution_inputs(calls, events, window=window)
    positions = attributed_call_positions(calls, events, window=window)
    return _with_call_ids(calls, events, positions).sort(
        "member", "event_date", "contact_key", "event_id"
    )


def _attribution_inputs(
    calls: pl.DataFrame, events: pl.DataFrame, *, window: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    if window < 0:
        raise ValueError(f"window must be >= 0 days, got {window}")
    calls = _conform(calls, CALLS_INPUT_SCHEMA, "calls")
    events = _conform(events, EVENTS_INPUT_SCHEMA, "events")
    if "call_id" in events.columns:
        # Re-attribution replaces any earlier answer.
        events = events.drop("call_id")
    return calls, events


def _with_call_ids(calls: pl.DataFrame, events: pl.DataFrame, positions: pl.Series) -> pl.DataFrame:
    """``events`` plus the ``call_id`` at each attributed call position (null stays null)."""
    return events.with_columns(calls["call_id"].gather(positions).alias("call_id"))


def attributed_call_positions(
    calls: pl.DataFrame, events: pl.DataFrame, *, window: int
) -> pl.Series:
    """For each row of ``events``, the row position in ``calls`` of its call, or null.

    Both frames must have the attribution columns (see :func:`attribute_events`).
    The (member, contact) pairs are matched by a 64-bit hash of the two
    strings, which sorts and joins as an integer; every match found is then
    checked against the strings themselves, and should two pairs share a
    hash (about one chance in 10^9 for a million pairs) the attribution is
    done again with exact pair numbers.
    """
    hashed = _positions_by_pair(calls, events, window=window, pairs=_hashed_pairs)
    if _same_pairs(calls, events, hashed):
        return hashed
    return _positions_by_pair(calls, events, window=window, pairs=_numbered_pairs)


def _hashed_pairs(calls: pl.DataFrame, events: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """A 64-bit hash of (member, contact_key) for each call and each event."""
    pair = pl.struct("member", "contact_key").hash()
    return calls.select(pair).to_series(), events.select(pair).to_series()


def _numbered_pairs(calls: pl.DataFrame, events: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Exact pair numbers: the dense rank of (member, contact_key) over calls and events."""
    both = pl.concat(
        [calls.select("member", "contact_key"), events.select("member", "contact_key")]
    )
    numbers = both.select(pl.struct("member", "contact_key").rank("dense")).to_series()
    return numbers.head(calls.height), numbers.tail(events.height)


def _positions_by_pair(
    calls: pl.DataFrame,
    events: pl.DataFrame,
    *,
    window: int,
    pairs: Callable[[pl.DataFrame, pl.DataFrame], tuple[pl.Series, pl.Series]],
) -> pl.Series:
    """Attribution with (member, contact) pairs given as integers by ``pairs``.

    Per pair and day only the call with the greatest ``call_id`` can receive
    events (the tie rule); an as-of join then gives each event the latest
    such call of its pair on or before its day, kept when within ``window``.
    """
    call_pairs, event_pairs = pairs(calls, events)
    same_day_last = (pl.col("_pair") != pl.col("_pair").shift(-1)) | (
        pl.col("_day") != pl.col("_day").shift(-1)
    )
    candidates = (
        calls.select(
            _pair=call_pairs,
            _day=pl.col("call_date"),
            _tie=pl.col("call_id"),
            _call_position=pl.int_range(pl.len(), dtype=pl.Int64),
        )
        .sort("_pair", "_day", "_tie")
        .filter(same_day_last.fill_null(True))
        .select("_pair", "_day", "_call_position", _call_day=pl.col("_day"))
    )
    matched = (
        events.select(
            _pair=event_pairs,
            _day=pl.col("event_date"),
            _position=pl.int_range(pl.len(), dtype=pl.Int64),
        )
        .sort("_pair", "_day")
        .join_asof(
            candidates,
            on="_day",
            by="_pair",
            strategy="backward",
            # Both sides are sorted just above; Polars cannot check it with `by`.
            check_sortedness=False,
        )
        .sort("_position")
    )
    within = (pl.col("_day") - pl.col("_call_day")).dt.total_days() <= window
    return matched.select(pl.when(within).then(pl.col("_call_position"))).to_series()


def _same_pairs(calls: pl.DataFrame, events: pl.DataFrame, positions: pl.Series) -> bool:
    """Whether every event is attributed to a call of its own member and contact."""
    found = positions.is_not_null()
    call_rows = positions.filter(found)
    return all(
        calls[column].gather(call_rows).equals(events[column].filter(found), check_names=False)
        for column in ("member", "contact_key")
    )
