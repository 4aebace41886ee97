"""The columns and dtypes of the outcomes' inputs and of every table they make.

The outcome functions check their input frames against these (``_conform``)
so that a wrong column fails at the door with its name, not deep in a join;
each table is cast to its schema on the way out, so an empty table has the
same columns and dtypes as a full one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from asklab import stats
from asklab.metrics import RATE_METRICS

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
    "mh_diff_lo": pl.Float64(),
    "mh_diff_hi": pl.Float64(),
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

# Each group's rows are the curve stats.kaplan_meier gives for its calls.
TIME_TO_FIRST_LEAD_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "member": pl.String(),
    "strategy": pl.String(),
    **stats.KAPLAN_MEIER_SCHEMA,
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
