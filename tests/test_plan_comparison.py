"""Linking plan assignments to calls and comparing arms (CONTRACT.md sections 7.3, 7.4)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from scipy.stats import beta, chi2_contingency, norm
from statsmodels.stats.proportion import confint_proportions_2indep

from asklab.plans.comparison import (
    PLAN_ASSIGNMENTS_SCHEMA,
    PLAN_COMPARISON_SCHEMA,
    attrition_p,
    link_assignments,
    n_needed_per_arm,
    plan_comparison,
)
from asklab.stats import Z95

D = dt.date
CREATED = D(2026, 3, 2)


def assignments(rows: list[tuple[str, str, str, str]], created=CREATED) -> pl.DataFrame:
    """rows: (member, plan_id, contact_key, arm); arms from the plan id's table below."""
    arms = {"pa": "job+reference", "pb": "job+reference+introduction", "pc": "job+introduction"}
    return pl.DataFrame(
        {
            "plan_id": [r[1] for r in rows],
            "member": [r[0] for r in rows],
            "contact_key": [r[2] for r in rows],
            "relationship": ["friend"] * len(rows),
            "arm": [r[3] for r in rows],
            "arms": [arms[r[1]] for r in rows],
            "created": [created] * len(rows),
            "source_file": [f"{r[0]}/plans/{r[1]}.csv" for r in rows],
            "source_line": list(range(2, len(rows) + 2)),
        },
        schema_overrides={"created": pl.Date},
    )


def calls(rows: list[tuple[str, str, str, dt.date, str]]) -> pl.DataFrame:
    """rows: (call_id, member, contact_key, call_date, ask_label)."""
    return pl.DataFrame(
        rows,
        schema={
            "call_id": pl.String,
            "member": pl.String,
            "contact_key": pl.String,
            "call_date": pl.Date,
            "ask_label": pl.String,
        },
        orient="row",
    )


# -- Linking ---------------------------------------------------------------------------


def test_the_earliest_call_on_or_after_created_does_the_assignment() -> None:
    planned = assignments([("alice", "pa", "ann", "job"), ("alice", "pa", "bob", "reference")])
    made = calls(
        [
            ("c-before", "alice", "ann", D(2026, 3, 1), "job"),  # before the plan: not linked
            ("c-later", "alice", "ann", D(2026, 3, 9), "job"),
            ("c-first", "alice", "ann", D(2026, 3, 5), "reference"),
            ("c-other-member", "bob", "bob", D(2026, 3, 3), "reference"),
        ]
    )
    linked = link_assignments(planned, made)
    assert linked.schema == pl.Schema(PLAN_ASSIGNMENTS_SCHEMA)
    assert linked.select("contact_key", "call_id", "complied").rows() == [
        ("ann", "c-first", False),
        ("bob", None, None),  # open: bob's only call is another member's contact
    ]
    assert linked["source_line"].to_list() == [2, 3]


def test_a_call_on_the_created_day_links_and_ties_go_to_the_smaller_call_id() -> None:
    planned = assignments([("alice", "pa", "ann", "job")])
    made = calls(
        [
            ("c9", "alice", "ann", CREATED, "job"),
            ("c10", "alice", "ann", CREATED, "reference"),
            ("c1", "alice", "ann", D(2026, 3, 1), "job"),
        ]
    )
    assert link_assignments(planned, made).select("call_id", "complied").row(0) == ("c10", False)


@pytest.mark.parametrize(
    ("plan", "arm", "asked", "complied"),
    [
        ("pa", "job", "job", True),
        ("pa", "job", "reference", False),  # the other arm asked
        ("pa", "job", "job+reference", False),  # mixed
        ("pa", "job", "job+advice", True),  # advice may be added
        ("pa", "reference", "reference+introduction", True),  # introduction is no arm of pa
        ("pa", "reference", "advice", False),
        ("pb", "reference", "reference+introduction", False),  # introduction is an arm of pb
        ("pb", "introduction", "introduction+advice", True),
        ("pc", "introduction", "reference+introduction", True),  # reference is no arm of pc
    ],
)
def test_complied(plan: str, arm: str, asked: str, complied: bool) -> None:
    planned = assignments([("alice", plan, "ann", arm)])
    made = calls([("c1", "alice", "ann", D(2026, 3, 4), asked)])
    assert link_assignments(planned, made)["complied"].to_list() == [complied]


def test_linking_keeps_every_assignment_in_order_with_no_calls() -> None:
    planned = assignments([("alice", "pa", k, "job") for k in ("c", "a", "b")])
    linked = link_assignments(planned, calls([]))
    assert linked["contact_key"].to_list() == ["c", "a", "b"]
    assert linked["call_id"].null_count() == 3


# -- Comparison: a small example worked by hand ---------------------------------------------

# (member, plan, contact, arm, outcome) with outcome (said_yes, mature, intro, lead, reached)
# or None for an open assignment.
EXAMPLE = [
    ("alice", "pa", "j1", "job", (True, True, False, True, False)),
    ("alice", "pa", "j2", "job", (False, True, False, False, False)),
    ("alice", "pa", "j3", "job", None),
    ("alice", "pa", "r1", "reference", (True, True, True, False, True)),
    ("alice", "pa", "r2", "reference", (True, False, False, False, False)),
    ("alice", "pa", "r3", "reference", (None, True, False, False, False)),
    # Bob's plan has the same plan_id: plans are keyed by member too.
    ("bob", "pa", "j4", "job", (False, True, False, False, False)),
    ("bob", "pa", "r4", "reference", (True, True, False, True, False)),
    ("bob", "pa", "r5", "reference", None),
    ("bob", "pa", "i1", "introduction", (True, True, True, False, True)),
    # Carol's plan has no job arm: it is in no comparison.
    ("carol", "pc", "x1", "reference", (True, True, True, True, True)),
    ("carol", "pc", "x2", "introduction", (False, True, False, False, False)),
]
ARMS_BY_PLAN = {
    ("alice", "pa"): "job+reference",
    ("bob", "pa"): ("job", "reference", "introduction"),
    ("carol", "pc"): "reference+introduction",
}


def example_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    linked = pl.DataFrame(
        {
            "plan_id": [r[1] for r in EXAMPLE],
            "member": [r[0] for r in EXAMPLE],
            "contact_key": [r[2] for r in EXAMPLE],
            "arm": [r[3] for r in EXAMPLE],
            "call_id": [None if r[4] is None else f"{r[0]}-{r[2]}" for r in EXAMPLE],
        },
        schema_overrides={"call_id": pl.String},
    )
    done = [r for r in EXAMPLE if r[4] is not None]
    outcomes = pl.DataFrame(
        {
            "call_id": [f"{r[0]}-{r[2]}" for r in done],
            "said_yes": [r[4][0] for r in done],
            "mature": [r[4][1] for r in done],
            "any_introduction": [r[4][2] for r in done],
            "any_lead": [r[4][3] for r in done],
            "reached_out": [r[4][4] for r in done],
        }
    )
    return linked, outcomes


def comparison() -> pl.DataFrame:
    linked, outcomes = example_frames()
    return plan_comparison(linked, outcomes, ARMS_BY_PLAN)


def row(frame: pl.DataFrame, arm: str, metric: str) -> dict:
    found = frame.filter((pl.col("arm") == arm) & (pl.col("metric") == metric))
    assert found.height == 1
    return found.row(0, named=True)


def test_rows_and_schema() -> None:
    got = comparison()
    assert got.schema == pl.Schema(PLAN_COMPARISON_SCHEMA)
    assert got.select("arm", "metric").rows() == [
        ("reference", "yes_rate"),
        ("reference", "intro_rate"),
        ("reference", "lead_rate"),
        ("reference", "reached_out_rate"),
        ("introduction", "yes_rate"),
        ("introduction", "intro_rate"),
        ("introduction", "lead_rate"),
        ("introduction", "reached_out_rate"),
    ]


def test_reference_yes_rate_by_hand() -> None:
    got = row(comparison(), "reference", "yes_rate")
    # said_yes non-null: alice ref r1, r2 (2 yes) | job j1, j2 (1 yes); bob ref r4 (1 yes) | j4 (0).
    # r3 asked advice only (null); r5 and j3 are open; i1 is another arm; carol has no job arm.
    assert (got["n_arm"], got["x_arm"], got["n_job"], got["x_job"]) == (3, 3, 3, 1)
    assert got["diff"] == pytest.approx(1 - 1 / 3)
    # Mantel-Haenszel over the two plans, worked by hand (section 3.1):
    #   alice: a=2 of 2, c=1 of 2, N=4: W=1,   term (2*2-1*2)/4 = 1/2, P=(4*1-4*2+0)/16 = -1/4,
    #          Q=(2*(2-1)+1*(2-2))/8 = 1/4
    #   bob:   a=1 of 1, c=0 of 1, N=2: W=1/2, term (1*1-0)/2 = 1/2,  P=(0-1+0)/4 = -1/4,
    #          Q=(1*1+0)/4 = 1/4
    #   mh = 1 / (3/2) = 2/3;  V = (2/3 * -1/2 + 1/2) / (3/2)^2 = (1/6) / (9/4) = 2/27.
    assert got["mh_diff"] == pytest.approx(2 / 3)
    assert got["mh_diff_lo"] == pytest.approx(2 / 3 - Z95 * math.sqrt(2 / 27))
    assert got["mh_diff_hi"] == pytest.approx(2 / 3 + Z95 * math.sqrt(2 / 27))
    assert got["plans"] == 2
    # Newcombe hybrid score, as statsmodels computes it (its z differs from Z95 in the 16th digit).
    lo, hi = confint_proportions_2indep(3, 3, 1, 3, method="newcomb", compare="diff")
    assert (got["diff_lo"], got["diff_hi"]) == pytest.approx((lo, hi), abs=1e-9)
    # P(Beta(4, 1) > Beta(2, 3)) = integral of F_Y(t) f_X(t), by quadrature.
    t = np.linspace(0.0, 1.0, 200_001)
    integrand = beta.cdf(t, 2, 3) * beta.pdf(t, 4, 1)
    assert got["prob_arm_better"] == pytest.approx(np.trapezoid(integrand, t), abs=1e-6)


def test_reference_lead_rate_by_hand() -> None:
    got = row(comparison(), "reference", "lead_rate")
    # mature: alice ref r1, r3 (no lead) | job j1 (lead), j2; bob ref r4 (lead) | j4.
    assert (got["n_arm"], got["x_arm"], got["n_job"], got["x_job"]) == (3, 1, 3, 1)
    assert got["diff"] == pytest.approx(0.0)
    # alice: a=0 of 2, c=1 of 2: term (0-2)/4 = -1/2; bob: a=1 of 1, c=0 of 1: term 1/2.
    assert got["mh_diff"] == pytest.approx(0.0)
    assert got["prob_arm_better"] == pytest.approx(0.5)


def test_attrition_counts_and_p_value() -> None:
    got = comparison()
    reference = row(got, "reference", "intro_rate")
    # Reference arms r1..r5 (4 done), job arms j1..j4 (3 done); i1 and carol left out.
    assert (
        reference["assigned_arm"],
        reference["done_arm"],
        reference["assigned_job"],
        reference["done_job"],
    ) == (5, 4, 4, 3)
    expected = chi2_contingency([[4, 1], [3, 1]], correction=False).pvalue
    # By hand: chi2 = n (ad - bc)^2 / (row and column sums) = 9 * 1 / (5 * 4 * 7 * 2) = 9/280,
    # and with 1 df p = erfc(sqrt(chi2 / 2)) = 0.8577.
    assert reference["attrition_p"] == pytest.approx(expected)
    assert reference["attrition_p"] == pytest.approx(0.8577, abs=1e-4)
    assert got.filter(pl.col("arm") == "reference")["attrition_p"].n_unique() == 1
    # Introduction against job (bob's plan only): everything done, so the open column is zero.
    introduction = row(got, "introduction", "yes_rate")
    assert (
        introduction["assigned_arm"],
        introduction["done_arm"],
        introduction["assigned_job"],
        introduction["done_job"],
    ) == (1, 1, 1, 1)
    assert introduction["attrition_p"] is None
    assert introduction["plans"] == 1


@pytest.mark.parametrize(
    ("table", "defined"),
    [
        ((3, 2, 4, 1), True),
        ((0, 2, 0, 5), False),  # nobody done
        ((3, 0, 4, 0), False),  # nobody open
        ((0, 0, 4, 1), False),  # nothing assigned to the arm
        ((3, 2, 0, 0), False),  # nothing assigned to job
        ((0, 3, 2, 0), True),
    ],
)
def test_attrition_p_null_cases(table: tuple[int, int, int, int], defined: bool) -> None:
    got = attrition_p(*table)
    if defined:
        a, b, c, d = table
        n = a + b + c + d
        chi2 = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
        # Chi-square with 1 df is a squared standard normal: P(> x) = erfc(sqrt(x / 2)).
        assert got == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))
    else:
        assert got is None


def test_no_row_where_a_side_has_n_zero() -> None:
    linked, outcomes = example_frames()
    # Make every reference call immature: intro, lead and reached_out rates drop out for reference.
    outcomes = outcomes.with_columns(
        pl.when(pl.col("call_id").str.contains("-r"))
        .then(False)
        .otherwise(pl.col("mature"))
        .alias("mature")
    )
    got = plan_comparison(linked, outcomes, ARMS_BY_PLAN)
    assert got.filter(pl.col("arm") == "reference")["metric"].to_list() == ["yes_rate"]


def test_empty_input_gives_an_empty_table() -> None:
    linked, outcomes = example_frames()
    got = plan_comparison(linked.clear(), outcomes.clear(), {})
    assert got.height == 0 and got.schema == pl.Schema(PLAN_COMPARISON_SCHEMA)


def test_arms_by_plan_may_be_a_frame() -> None:
    linked, outcomes = example_frames()
    frame = pl.DataFrame(
        {
            "member": ["alice", "bob", "carol"],
            "plan_id": ["pa", "pa", "pc"],
            "arms": ["job+reference", "job+reference+introduction", "reference+introduction"],
        }
    )
    assert plan_comparison(linked, outcomes, frame).equals(comparison())


# -- Calls still needed ---------------------------------------------------------------------


def cohen_n(p0: float) -> float:
    """Per-arm n from the normal approximation on Cohen's h, written out.

    h = |2 asin(sqrt(p0 + 0.15)) - 2 asin(sqrt(p0))|; 2 asin(sqrt(p)) has variance
    1/n, so a difference of two arms has 2/n and n = 2 ((z_{a/2} + z_b) / h)^2.
    """
    h = abs(2 * math.asin(math.sqrt(p0 + 0.15)) - 2 * math.asin(math.sqrt(p0)))
    z_alpha, z_beta = norm.ppf(0.975), norm.ppf(0.8)
    return 2 * ((z_alpha + z_beta) / h) ** 2


@pytest.mark.parametrize(
    ("x_job", "n_job", "p0"),
    [(1, 3, 1 / 3), (0, 10, 0.05), (1, 100, 0.05), (9, 10, 0.80), (10, 10, 0.80), (5, 10, 0.5)],
)
def test_n_needed_per_arm_from_cohens_h(x_job: int, n_job: int, p0: float) -> None:
    got = n_needed_per_arm(x_job, n_job)
    assert got == math.ceil(cohen_n(p0))


def test_n_needed_known_values() -> None:
    # p0 = 0.5: h = 0.30469, n = 2 * (2.80158 / 0.30469)^2 = 169.09 -> 170.
    assert n_needed_per_arm(5, 10) == 170
    # p0 clipped to 0.05 (and to 0.80, the same h by symmetry): n = 69.2 -> 70.
    assert n_needed_per_arm(0, 7) == 70
    assert n_needed_per_arm(7, 7) == 70
    assert row(comparison(), "reference", "yes_rate")["n_needed_per_arm"] == math.ceil(
        cohen_n(1 / 3)
    )
