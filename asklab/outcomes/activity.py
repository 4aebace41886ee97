"""What members did: calls per week (``weekly_activity``) and the stages their mature
calls reached (``funnel``).
"""

from __future__ import annotations

import polars as pl

from asklab.metrics import FUNNEL_STAGES
from asklab.outcomes.counts import _COUNT_KEYS, _call_counts, _summed_by_scope
from asklab.outcomes.schemas import (
    CALL_OUTCOMES_SCHEMA,
    FUNNEL_SCHEMA,
    WEEKLY_ACTIVITY_SCHEMA,
    _conform,
)


def weekly_activity(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Calls per ISO week (``week_start``: its Monday) and strategy.

    Only weeks with calls have rows; a chart fills the gaps with zeros.
    """
    return _weekly_activity(_week_counts(call_outcomes))


def _week_counts(call_outcomes: pl.DataFrame) -> pl.DataFrame:
    """Calls per (member, week_start, strategy)."""
    outcomes = _conform(call_outcomes, CALL_OUTCOMES_SCHEMA, "call_outcomes")
    return outcomes.group_by(
        "member", pl.col("call_date").dt.truncate("1w").alias("week_start"), "strategy"
    ).agg(calls=pl.len().cast(pl.Int64))


def _weekly_activity(week_counts: pl.DataFrame) -> pl.DataFrame:
    table = _summed_by_scope(week_counts, ["week_start", "strategy"])
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
    return _funnel(_call_counts(call_outcomes))


# Each funnel stage and the call count (of _call_counts) that holds it.
_FUNNEL_COUNTS: dict[str, str] = {
    "call": "mature_calls",
    "said_yes": "_said_yes_mature",
    "introduction": "intro_rate_x",
    "lead": "lead_rate_x",
    "interview": "_interview_mature",
    "offer": "_offer_mature",
}


def _funnel(counts: pl.DataFrame) -> pl.DataFrame:
    wide = _summed_by_scope(
        counts.select(
            "member",
            *_COUNT_KEYS,
            *(pl.col(_FUNNEL_COUNTS[stage]).alias(stage) for stage in FUNNEL_STAGES),
        ),
        ["strategy"],
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
