"""Every outcome table at once, and the same in parts of members for a large group.

The pipeline computes a large group a few members at a time: each part's
rows are written as they come and only its counts are kept, then the
summary tables are made from the stacked counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from asklab.outcomes.activity import _funnel, _week_counts, _weekly_activity
from asklab.outcomes.attribution import (
    _attribution_inputs,
    _with_call_ids,
    attributed_call_positions,
)
from asklab.outcomes.comparison import _comparison_from_rates
from asklab.outcomes.counts import _call_counts
from asklab.outcomes.per_call import _call_outcomes_at, _outcome_calls
from asklab.outcomes.rates import _ask_balance, _rate_table
from asklab.outcomes.survival import _lead_day_counts, _lead_timing, _time_to_first_lead

# The tables with a row per call or event; the others summarise them.
ROW_TABLES: tuple[str, ...] = ("events", "call_outcomes")
SUMMARY_TABLES: tuple[str, ...] = (
    "outcomes_by_strategy",
    "strategy_comparison",
    "outcomes_by_relationship",
    "ask_balance",
    "time_to_first_lead",
    "weekly_activity",
    "funnel",
    "lead_timing",
)


@dataclass(frozen=True)
class OutcomeParts:
    """The outcomes of some members: their rows, and their counts for the summaries.

    Every summary table is a function of per-member counts (sums over calls),
    so the parts of disjoint sets of members can be computed apart and their
    counts stacked (:func:`stack_parts`) before :func:`summary_tables`.
    """

    events: pl.DataFrame  # the events with call_id (in no particular order)
    call_outcomes: pl.DataFrame  # in no particular order
    counts: pl.DataFrame  # per (member, relationship, strategy), see _call_counts
    lead_days: pl.DataFrame  # per (member, strategy, day), see _lead_day_counts
    weeks: pl.DataFrame  # per (member, week_start, strategy), see _week_counts

    def counts_only(self) -> OutcomeParts:
        """These parts without their rows, holding no memory of the rows.

        Polars text columns can share buffers: a small frame cut from a big
        one (even an empty one) may keep all of the big one's text alive, so
        the counts are copied into buffers of their own.
        """

        def own(frame: pl.DataFrame) -> pl.DataFrame:
            return pl.from_arrow(frame.to_arrow())  # type: ignore[return-value]

        return OutcomeParts(
            events=pl.DataFrame(schema=self.events.schema),
            call_outcomes=pl.DataFrame(schema=self.call_outcomes.schema),
            counts=own(self.counts),
            lead_days=own(self.lead_days),
            weeks=own(self.weeks),
        )


def outcome_parts(
    calls: pl.DataFrame, events: pl.DataFrame, *, as_of: dt.date, window: int
) -> OutcomeParts:
    """Attribution, per-call outcomes and summary counts for the members in ``calls``.

    ``calls`` and ``events`` must hold every call and event of each member
    they hold (attribution stays within a member).
    """
    calls, events = _attribution_inputs(calls, events, window=window)
    calls = _outcome_calls(calls, as_of=as_of)
    positions = attributed_call_positions(calls, events, window=window)
    outcomes = _call_outcomes_at(calls, events, positions, as_of=as_of, window=window)
    return OutcomeParts(
        events=_with_call_ids(calls, events, positions),
        call_outcomes=outcomes,
        counts=_call_counts(outcomes),
        lead_days=_lead_day_counts(outcomes, as_of=as_of, window=window),
        weeks=_week_counts(outcomes),
    )


def stack_parts(parts: Sequence[OutcomeParts]) -> OutcomeParts:
    """The parts of disjoint sets of members as one."""

    def stacked(name: str) -> pl.DataFrame:
        return pl.concat([getattr(part, name) for part in parts], how="vertical")

    return OutcomeParts(*(stacked(name) for name in OutcomeParts.__dataclass_fields__))


def summary_tables(parts: OutcomeParts) -> dict[str, pl.DataFrame]:
    """Every summary table (``SUMMARY_TABLES``) from the parts' counts."""
    by_strategy = _rate_table(parts.counts, ["strategy"])
    return {
        "outcomes_by_strategy": by_strategy,
        "strategy_comparison": _comparison_from_rates(by_strategy),
        "outcomes_by_relationship": _rate_table(parts.counts, ["relationship", "strategy"]),
        "ask_balance": _ask_balance(parts.counts),
        "time_to_first_lead": _time_to_first_lead(parts.lead_days),
        "weekly_activity": _weekly_activity(parts.weeks),
        "funnel": _funnel(parts.counts),
        "lead_timing": _lead_timing(parts.counts),
    }


def build_outcome_tables(
    calls: pl.DataFrame, events: pl.DataFrame, *, as_of: dt.date, window: int
) -> dict[str, pl.DataFrame]:
    """Every outcome table, keyed by its warehouse name (``events`` with ``call_id``).

    The same tables as the package's functions called one by one, with the
    shared work done once: one attribution, one pass counting calls.
    """
    parts = outcome_parts(calls, events, as_of=as_of, window=window)
    return {
        "events": parts.events.sort("member", "event_date", "contact_key", "event_id"),
        "call_outcomes": parts.call_outcomes.sort("member", "call_date", "call_id"),
        **summary_tables(parts),
    }
