"""Link plan assignments to calls and compare the arms (CONTRACT.md sections 7.3 and 7.4).

Pure Polars: the outcomes stage passes frames in and stores the frames that
come out. Intention to treat throughout: an assignment counts under the arm
it was given, whatever the member then asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from asklab import stats
from asklab.metrics import JOB, RATE_METRICS, RATE_N_X

# Arms compared against job, in canonical order.
TREATED_ARMS: tuple[str, ...] = ("reference", "introduction")

PLAN_ASSIGNMENTS_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.String(),
    "member": pl.String(),
    "contact_key": pl.String(),
    "relationship": pl.String(),
    "arm": pl.String(),
    "created": pl.Date(),
    "call_id": pl.String(),
    "complied": pl.Boolean(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "arms": pl.String(),  # extra: the plan's arm label, which complied was judged by
}

PLAN_COMPARISON_SCHEMA: dict[str, pl.DataType] = {
    "arm": pl.String(),
    "metric": pl.String(),
    "n_arm": pl.Int64(),
    "x_arm": pl.Int64(),
    "n_job": pl.Int64(),
    "x_job": pl.Int64(),
    "diff": pl.Float64(),
    "diff_lo": pl.Float64(),
    "diff_hi": pl.Float64(),
    "prob_arm_better": pl.Float64(),
    "mh_diff": pl.Float64(),
    "mh_diff_lo": pl.Float64(),
    "mh_diff_hi": pl.Float64(),
    "plans": pl.Int64(),
    "assigned_arm": pl.Int64(),
    "done_arm": pl.Int64(),
    "assigned_job": pl.Int64(),
    "done_job": pl.Int64(),
    "attrition_p": pl.Float64(),
    "n_needed_per_arm": pl.Int64(),
}

# Section 7.4's power calculation: a 15-point difference, 5% two-sided, 80% power.
EFFECT_POINTS = 0.15
BASELINE_RANGE = (0.05, 0.80)


# -- Linking (section 7.3) ---------------------------------------------------------------


def link_assignments(assignments: pl.DataFrame, calls: pl.DataFrame) -> pl.DataFrame:
    """``plan_assignments``: each assignment with the call that did it, if any.

    An assignment is done by the member's earliest call with the contact dated
    on or after the plan's ``created`` (ties: the smaller call_id). ``complied``
    is true when that call's asks include the assigned arm and none of the
    plan's other arms. ``assignments`` need plan_id, member, contact_key,
    relationship, arm, arms, created, source_file, source_line; ``calls``
    need call_id, member, contact_key, call_date, ask_label.
    """
    keys = ["member", "contact_key"]
    numbered = assignments.with_row_index("_row")
    candidates = (
        calls.select("call_id", *keys, "call_date", "ask_label")
        .join(numbered.select("_row", *keys, "created"), on=keys, how="inner")
        .filter(pl.col("call_date") >= pl.col("created"))
        .sort("_row", "call_date", "call_id")
        .unique("_row", keep="first", maintain_order=True)
        .select("_row", "call_id", "ask_label")
    )
    asks = pl.col("ask_label").str.split("+")
    plan_arms = pl.col("arms").str.split("+")
    complied = asks.list.contains(pl.col("arm")) & (
        asks.list.set_intersection(plan_arms).list.len() == 1
    )
    return (
        numbered.join(candidates, on="_row", how="left")
        .sort("_row")
        .with_columns(pl.when(pl.col("call_id").is_not_null()).then(complied).alias("complied"))
        .select(list(PLAN_ASSIGNMENTS_SCHEMA))
        .cast(PLAN_ASSIGNMENTS_SCHEMA)
    )


# -- Comparison (section 7.4) --------------------------------------------------------------


ArmsByPlan = pl.DataFrame | Mapping[tuple[str, str], str | Sequence[str]]


def _arms_frame(arms_by_plan: ArmsByPlan) -> pl.DataFrame:
    """(member, plan_id, arms label) rows from a frame or a {(member, plan_id): arms} mapping."""
    if isinstance(arms_by_plan, pl.DataFrame):
        return arms_by_plan.select("member", "plan_id", "arms")
    rows = [
        (member, plan_id, arms if isinstance(arms, str) else "+".join(arms))
        for (member, plan_id), arms in arms_by_plan.items()
    ]
    schema = {"member": pl.String(), "plan_id": pl.String(), "arms": pl.String()}
    return pl.DataFrame(rows, schema=schema, orient="row")


def attrition_p(done_arm: int, open_arm: int, done_job: int, open_job: int) -> float | None:
    """Pearson chi-square p (no continuity correction) of (done, open) x (arm, job).

    None when a row or a column of the table is all zero (the test is undefined).
    """
    from scipy.stats import chi2_contingency

    table = np.array([[done_arm, open_arm], [done_job, open_job]])
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return None
    return float(chi2_contingency(table, correction=False).pvalue)


def n_needed_per_arm(x_job: int, n_job: int) -> int:
    """Calls per arm that a 15-point difference from the job rate needs (80% power, 5%)."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p0 = min(max(x_job / n_job, BASELINE_RANGE[0]), BASELINE_RANGE[1])
    effect = abs(proportion_effectsize(p0 + EFFECT_POINTS, p0))
    n = NormalIndPower().solve_power(
        effect_size=effect, alpha=0.05, power=0.8, ratio=1.0, alternative="two-sided"
    )
    return math.ceil(float(np.squeeze(n)))


def _per_plan_counts(done: pl.DataFrame) -> pl.DataFrame:
    """n and x of every metric per (member, plan_id, arm) over done assignments."""
    return done.group_by("member", "plan_id", "arm").agg(
        expr.cast(pl.Int64).sum().alias(f"{metric}_{part}")
        for metric, (n, x) in RATE_N_X.items()
        for part, expr in (("n", n.fill_null(False)), ("x", x.fill_null(False)))
    )


def _metric_row(arm: str, metric: str, per_plan: pl.DataFrame) -> dict | None:
    """One comparison row of a metric, or None when a side has n = 0."""
    sides = {
        side: per_plan.filter(pl.col("arm") == side).select(
            "member", "plan_id", n=f"{metric}_n", x=f"{metric}_x"
        )
        for side in (arm, JOB)
    }
    strata = sides[arm].join(sides[JOB], on=["member", "plan_id"], how="full", coalesce=True)
    # In a fixed order: the MH sums must not depend on how group_by ordered them.
    strata = strata.fill_null(0).sort("member", "plan_id")
    pooled = stats.stratified_comparison(
        strata["x"], strata["n"], strata["x_right"], strata["n_right"]
    )
    if pooled["n1"] == 0 or pooled["n2"] == 0:
        return None
    x_job, n_job = int(pooled["x2"]), int(pooled["n2"])
    return {
        "arm": arm,
        "metric": metric,
        "n_arm": pooled["n1"],
        "x_arm": pooled["x1"],
        "n_job": n_job,
        "x_job": x_job,
        "diff": pooled["diff"],
        "diff_lo": pooled["diff_lo"],
        "diff_hi": pooled["diff_hi"],
        "prob_arm_better": pooled["prob_better"],
        "mh_diff": pooled["mh_diff"],
        "mh_diff_lo": pooled["mh_diff_lo"],
        "mh_diff_hi": pooled["mh_diff_hi"],
        "plans": int(((strata["n"] > 0) & (strata["n_right"] > 0)).sum()),
        "n_needed_per_arm": n_needed_per_arm(x_job, n_job),
    }


def plan_comparison(
    plan_assignments: pl.DataFrame,
    call_outcomes: pl.DataFrame,
    arms_by_plan: ArmsByPlan,
) -> pl.DataFrame:
    """``plan_comparison``: each arm other than job against job, per rate metric.

    Over the plans whose arms include both (plans keyed by member and
    plan_id, since a plan_id is unique per member only), by assigned arm;
    outcomes from ``call_outcomes`` of the linked calls. ``arms_by_plan`` is
    a frame with member, plan_id, arms (label) or a mapping
    {(member, plan_id): label or arms}.
    """
    arms = _arms_frame(arms_by_plan)
    assigned = plan_assignments.select("member", "plan_id", "arm", "call_id").join(
        arms, on=["member", "plan_id"], how="inner"
    )
    outcome_columns = ["said_yes", "mature", "any_introduction", "any_lead", "reached_out"]
    done = assigned.join(
        call_outcomes.select("call_id", *outcome_columns), on="call_id", how="inner"
    )
    per_plan = _per_plan_counts(done)
    rows: list[dict] = []
    for arm in TREATED_ARMS:
        in_plans = pl.col("arms").str.split("+").list.set_intersection([arm, JOB]).list.len() == 2
        plans = arms.filter(in_plans).select("member", "plan_id")
        sides = assigned.join(plans, on=["member", "plan_id"], how="semi")
        counts = {
            side: (
                sides.filter(pl.col("arm") == side).height,
                sides.filter((pl.col("arm") == side) & pl.col("call_id").is_not_null()).height,
            )
            for side in (arm, JOB)
        }
        (assigned_arm, done_arm), (assigned_job, done_job) = counts[arm], counts[JOB]
        attrition = {
            "assigned_arm": assigned_arm,
            "done_arm": done_arm,
            "assigned_job": assigned_job,
            "done_job": done_job,
            "attrition_p": attrition_p(
                done_arm, assigned_arm - done_arm, done_job, assigned_job - done_job
            ),
        }
        plan_counts = per_plan.join(plans, on=["member", "plan_id"], how="semi")
        for metric in RATE_METRICS:
            row = _metric_row(arm, metric, plan_counts)
            if row is not None:
                rows.append(row | attrition)
    return pl.DataFrame(rows, schema=PLAN_COMPARISON_SCHEMA)
