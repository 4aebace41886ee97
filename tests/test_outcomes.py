"""Per-call outcomes, the strategy tables and the report marts (CONTRACT sections 2, 3).

Expected numbers are worked by hand in the comments. Wilson, Newcombe and
Garwood limits are checked against asklab.stats (whose own tests pin the
formulas) or against published values.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import polars as pl
import pytest

from asklab import stats
from asklab.outcomes import (
    ask_balance,
    attribute_events,
    build_outcome_tables,
    call_outcomes,
    funnel,
    lead_timing,
    outcomes_by_relationship,
    outcomes_by_strategy,
    strategy_comparison,
    time_to_first_lead,
    weekly_activity,
)
from tests.test_attribution import make_calls, make_events

D = dt.date
WINDOW = 60
AS_OF = D(2026, 6, 1)


def make_outcomes(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A call_outcomes frame; every row needs call_id, the rest has dull defaults."""
    defaults: dict[str, Any] = {
        "member": "alice",
        "call_date": D(2026, 1, 5),
        "strategy": "job",
        "ask_label": "job",
        "relationship": "friend",
        "said_yes": None,
        "introductions_total": 0,
        "leads_total": 0,
        "any_introduction": False,
        "any_lead": False,
        "reached_out": False,
        "reference_given": False,
        "interviews": 0,
        "offers": 0,
        "days_to_first_lead": None,
        "mature": True,
        "contact_key": "someone",
        "leads_immediate": 0,
        "leads_later": 0,
    }
    full = []
    for row in rows:
        merged = {**defaults, **row}
        if "leads_total" in row:
            merged["any_lead"] = row["leads_total"] > 0
            merged.setdefault("leads_later", row["leads_total"])
        full.append(merged)
    return pl.DataFrame(
        full,
        schema={
            "call_id": pl.String,
            "member": pl.String,
            "call_date": pl.Date,
            "strategy": pl.String,
            "ask_label": pl.String,
            "relationship": pl.String,
            "said_yes": pl.Boolean,
            "introductions_total": pl.Int64,
            "leads_total": pl.Int64,
            "any_introduction": pl.Boolean,
            "any_lead": pl.Boolean,
            "reached_out": pl.Boolean,
            "reference_given": pl.Boolean,
            "interviews": pl.Int64,
            "offers": pl.Int64,
            "days_to_first_lead": pl.Int64,
            "mature": pl.Boolean,
            "contact_key": pl.String,
            "leads_immediate": pl.Int64,
            "leads_later": pl.Int64,
        },
    )


def no_events() -> pl.DataFrame:
    """An empty attributed-events frame."""
    return make_events([]).with_columns(call_id=pl.lit(None, pl.String))


def row_of(frame: pl.DataFrame, **keys: Any) -> dict[str, Any]:
    """The single row of ``frame`` matching ``keys`` (None matches null)."""
    condition = pl.lit(True)
    for name, value in keys.items():
        condition &= pl.col(name).is_null() if value is None else pl.col(name) == value
    rows = frame.filter(condition).to_dicts()
    assert len(rows) == 1, f"expected one row for {keys}, got {len(rows)}"
    return rows[0]


# -- said_yes (three-valued) --------------------------------------------------------


@pytest.mark.parametrize(
    ("ask_label", "agreed", "introductions", "leads", "expected"),
    [
        # Only advice asked: no yes/no question, null.
        ("advice", None, 0, 3, None),
        ("advice", True, 2, 0, None),
        # Reference asked, agreed unknown, nothing else asked: null OR nothing = null.
        ("reference", None, 0, 0, None),
        ("reference", False, 0, 0, False),
        ("reference", True, 0, 0, True),
        ("reference+advice", None, 0, 0, None),
        # true OR null = true: the job term is true.
        ("job+reference", None, 0, 2, True),
        # false OR null = null.
        ("job+reference", None, 0, 0, None),
        ("job+reference", False, 0, 0, False),
        # A term whose ask was not asked is false: agreement without a reference ask
        # and introductions without an introduction ask do not make a yes.
        ("job", True, 3, 0, False),
        ("job", None, 0, 1, True),
        ("introduction+advice", None, 1, 0, True),
        ("introduction", None, 0, 0, False),
        ("reference+introduction", None, 2, 0, True),
        ("reference+introduction", None, 0, 0, None),
    ],
)
def test_said_yes_is_a_kleene_or_of_the_asked_terms(
    ask_label: str, agreed: bool | None, introductions: int, leads: int, expected: bool | None
) -> None:
    calls = make_calls(
        [
            {
                "call_id": "c1",
                "call_date": D(2026, 1, 5),
                "ask_label": ask_label,
                "agreed_reference": agreed,
                "introductions": introductions,
                "leads": leads,
            }
        ]
    )
    outcomes = call_outcomes(
        calls, attribute_events(calls, make_events([]), window=WINDOW), as_of=AS_OF, window=WINDOW
    )
    assert outcomes["said_yes"].to_list() == [expected]


def test_said_yes_ignores_later_events() -> None:
    # A job ask with no leads on the call is a no even when a lead event follows.
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 1, 5), "ask_label": "job"}])
    events = make_events([{"event_id": "e1", "event_date": D(2026, 1, 9), "event_type": "lead"}])
    outcomes = call_outcomes(
        calls, attribute_events(calls, events, window=WINDOW), as_of=AS_OF, window=WINDOW
    )
    assert outcomes["said_yes"].to_list() == [False]
    assert outcomes["any_lead"].to_list() == [True]


# -- call_outcomes -------------------------------------------------------------------


def test_call_outcomes_totals_flags_and_days_by_hand() -> None:
    calls = make_calls(
        [
            # c1: 2 own introductions, no own leads; later: intro x1, leads on days 5 (x2)
            # and 3 (x1), reached_out twice, an interview x2, an offer.
            {"call_id": "c1", "call_date": D(2026, 1, 10), "introductions": 2},
            # c2: own leads 1 -> days_to_first_lead 0 even with a later lead event.
            {"call_id": "c2", "call_date": D(2026, 1, 10), "contact_key": "ann", "leads": 1},
            # c3: nothing at all.
            {"call_id": "c3", "call_date": D(2026, 1, 10), "contact_key": "bo"},
        ]
    )
    events = make_events(
        [
            {"event_id": "e1", "event_date": D(2026, 1, 11), "event_type": "introduction"},
            {"event_id": "e2", "event_date": D(2026, 1, 15), "event_type": "lead", "count": 2},
            {"event_id": "e3", "event_date": D(2026, 1, 13), "event_type": "lead"},
            {"event_id": "e4", "event_date": D(2026, 1, 12), "event_type": "reached_out"},
            {"event_id": "e5", "event_date": D(2026, 1, 14), "event_type": "reached_out"},
            {"event_id": "e6", "event_date": D(2026, 2, 1), "event_type": "interview", "count": 2},
            {"event_id": "e7", "event_date": D(2026, 2, 20), "event_type": "offer"},
            {"event_id": "e8", "event_date": D(2026, 1, 30), "contact_key": "ann"},
            {"event_id": "e9", "event_date": D(2026, 1, 12), "contact_key": "ann",
             "event_type": "reference_given"},
            # Unattributed (before every call): adds to nobody.
            {"event_id": "e10", "event_date": D(2026, 1, 1), "contact_key": "bo", "count": 5},
        ]
    )  # fmt: skip
    outcomes = call_outcomes(
        calls, attribute_events(calls, events, window=WINDOW), as_of=AS_OF, window=WINDOW
    )
    c1 = row_of(outcomes, call_id="c1")
    assert c1["introductions_total"] == 3  # 2 own + 1 event
    assert c1["leads_total"] == 3  # 0 own + 2 + 1
    assert (c1["leads_immediate"], c1["leads_later"]) == (0, 3)
    assert (c1["any_introduction"], c1["any_lead"]) == (True, True)
    assert (c1["reached_out"], c1["reference_given"]) == (True, False)
    assert (c1["interviews"], c1["offers"]) == (2, 1)
    assert c1["days_to_first_lead"] == 3  # 2026-01-13 - 2026-01-10
    c2 = row_of(outcomes, call_id="c2")
    assert c2["leads_total"] == 2  # 1 own + 1 event
    assert (c2["leads_immediate"], c2["leads_later"]) == (1, 1)
    assert c2["days_to_first_lead"] == 0
    assert (c2["reached_out"], c2["reference_given"]) == (False, True)
    c3 = row_of(outcomes, call_id="c3")
    assert (c3["introductions_total"], c3["leads_total"], c3["interviews"]) == (0, 0, 0)
    assert (c3["any_lead"], c3["reached_out"], c3["days_to_first_lead"]) == (False, False, None)


def test_mature_is_as_of_minus_call_date_at_least_window() -> None:
    as_of = D(2026, 3, 2)
    calls = make_calls(
        [
            {"call_id": "exact", "call_date": D(2026, 1, 1)},  # 60 days: mature
            {"call_id": "young", "call_date": D(2026, 1, 2), "contact_key": "b"},  # 59 days
        ]
    )
    outcomes = call_outcomes(calls, no_events(), as_of=as_of, window=WINDOW)
    assert dict(zip(outcomes["call_id"], outcomes["mature"], strict=True)) == {
        "exact": True,
        "young": False,
    }


def test_call_outcomes_columns_are_the_contract_columns_then_extras() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 1, 1)}])
    outcomes = call_outcomes(
        calls, attribute_events(calls, make_events([]), window=WINDOW), as_of=AS_OF, window=WINDOW
    )
    assert outcomes.columns == [
        "call_id", "member", "call_date", "strategy", "ask_label", "relationship", "said_yes",
        "introductions_total", "leads_total", "any_introduction", "any_lead", "reached_out",
        "reference_given", "interviews", "offers", "days_to_first_lead", "mature",
        "contact_key", "leads_immediate", "leads_later",
    ]  # fmt: skip


def test_duplicate_call_ids_are_refused() -> None:
    calls = make_calls(
        [
            {"call_id": "same", "call_date": D(2026, 1, 1)},
            {"call_id": "same", "call_date": D(2026, 1, 2)},
        ]
    )
    with pytest.raises(ValueError, match=r"call_id must be unique.*same"):
        call_outcomes(calls, no_events(), as_of=AS_OF, window=WINDOW)


def test_call_after_as_of_is_refused() -> None:
    calls = make_calls([{"call_id": "c9", "call_date": D(2026, 6, 2)}])
    with pytest.raises(ValueError, match=r"after as_of 2026-06-01.*c9 on 2026-06-02"):
        call_outcomes(calls, no_events(), as_of=AS_OF, window=WINDOW)


def test_wrong_column_type_is_a_clear_error() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 1, 1)}]).with_columns(
        pl.col("call_date").cast(pl.String)
    )
    with pytest.raises(ValueError, match=r"calls: wrong column type.*call_date"):
        attribute_events(calls, make_events([]), window=WINDOW)


# -- outcomes_by_strategy ------------------------------------------------------------------

# Alice: three reference calls, two of them mature; one job call, mature.
# Bob: one reference call, immature, said yes.
TINY = [
    {"call_id": "r1", "strategy": "reference", "ask_label": "reference", "said_yes": True,
     "leads_total": 2, "reached_out": True},
    {"call_id": "r2", "strategy": "reference", "ask_label": "reference", "said_yes": False,
     "any_introduction": True, "introductions_total": 1},
    {"call_id": "r3", "strategy": "reference", "ask_label": "reference", "said_yes": True,
     "leads_total": 5, "mature": False},
    {"call_id": "j1", "strategy": "job", "ask_label": "job", "said_yes": None},
    {"call_id": "b1", "member": "bob", "strategy": "reference", "ask_label": "reference",
     "said_yes": True, "mature": False},
]  # fmt: skip


def test_outcomes_by_strategy_counts_and_rates_by_hand() -> None:
    table = outcomes_by_strategy(make_outcomes(TINY))
    assert table.select("scope", "member", "strategy").rows() == [
        ("group", None, "job"),
        ("group", None, "reference"),
        ("member", "alice", "job"),
        ("member", "alice", "reference"),
        ("member", "bob", "reference"),
    ]
    alice_ref = row_of(table, scope="member", member="alice", strategy="reference")
    # calls r1, r2, r3; mature r1, r2.
    assert (alice_ref["calls"], alice_ref["mature_calls"]) == (3, 2)
    # yes_rate over every call with a non-null said_yes, mature or not: r1, r3 yes of 3.
    assert (alice_ref["yes_rate_n"], alice_ref["yes_rate_x"]) == (3, 2)
    assert alice_ref["yes_rate"] == pytest.approx(2 / 3)
    # Wilson 2/3 at z = 1.96: centre 0.5731, half-width 0.3654 -> (0.2077, 0.9385).
    assert alice_ref["yes_rate_lo"] == pytest.approx(0.2077, abs=1e-4)
    assert alice_ref["yes_rate_hi"] == pytest.approx(0.9385, abs=1e-4)
    # Mature-only rates: of r1, r2: intro r2, lead r1, reached out r1.
    for metric in ("intro_rate", "lead_rate", "reached_out_rate"):
        assert (alice_ref[f"{metric}_n"], alice_ref[f"{metric}_x"]) == (2, 1)
        assert alice_ref[metric] == 0.5
        lo, hi = stats.wilson_interval(1, 2)
        assert (alice_ref[f"{metric}_lo"], alice_ref[f"{metric}_hi"]) == (lo, hi)
    # Leads over mature calls: 2 (r1) + 0 (r2) = 2 on 2 calls -> 1.0. Garwood for a
    # count of 2: (0.2422, 7.2247) (chi2(0.025; 4)/2, chi2(0.975; 6)/2), halved.
    assert alice_ref["leads_per_call"] == 1.0
    assert alice_ref["leads_per_call_lo"] == pytest.approx(0.2422 / 2, abs=1e-4)
    assert alice_ref["leads_per_call_hi"] == pytest.approx(7.2247 / 2, abs=1e-4)

    # Alice's job call: mature, said_yes null -> yes_rate n = 0, so null rate and limits.
    alice_job = row_of(table, scope="member", member="alice", strategy="job")
    assert (alice_job["calls"], alice_job["mature_calls"]) == (1, 1)
    assert (alice_job["yes_rate_n"], alice_job["yes_rate_x"]) == (0, 0)
    assert (alice_job["yes_rate"], alice_job["yes_rate_lo"], alice_job["yes_rate_hi"]) == (
        None,
        None,
        None,
    )
    assert (alice_job["lead_rate_n"], alice_job["lead_rate_x"], alice_job["lead_rate"]) == (
        1,
        0,
        0.0,
    )
    # Garwood for a count of 0: (0, 3.6889).
    assert alice_job["leads_per_call"] == 0.0
    assert alice_job["leads_per_call_lo"] == 0.0
    assert alice_job["leads_per_call_hi"] == pytest.approx(3.6889, abs=1e-4)

    # Bob: one immature call -> mature rates and leads_per_call all null.
    bob = row_of(table, scope="member", member="bob", strategy="reference")
    assert (bob["calls"], bob["mature_calls"], bob["yes_rate_n"], bob["yes_rate_x"]) == (1, 0, 1, 1)
    assert bob["yes_rate"] == 1.0
    for name in ("intro_rate", "lead_rate", "reached_out_rate", "leads_per_call"):
        assert (bob[name], bob[f"{name}_lo"], bob[f"{name}_hi"]) == (None, None, None)
    assert (bob["lead_rate_n"], bob["lead_rate_x"]) == (0, 0)

    # Group reference: Alice's three and Bob's one.
    group_ref = row_of(table, scope="group", member=None, strategy="reference")
    assert (group_ref["calls"], group_ref["mature_calls"]) == (4, 2)
    assert (group_ref["yes_rate_n"], group_ref["yes_rate_x"]) == (4, 3)
    assert group_ref["yes_rate"] == 0.75
    assert group_ref["leads_per_call"] == 1.0


def test_outcomes_by_strategy_has_no_nan() -> None:
    table = outcomes_by_strategy(make_outcomes(TINY))
    floats = [name for name, dtype in table.schema.items() if dtype == pl.Float64]
    assert table.select(pl.any_horizontal(pl.col(floats).is_nan()).any()).item() is False


def test_outcomes_by_strategy_columns_are_the_contract_columns() -> None:
    expected = ["scope", "member", "strategy", "calls", "mature_calls"]
    for metric in ("yes_rate", "intro_rate", "lead_rate", "reached_out_rate"):
        expected += [f"{metric}_n", f"{metric}_x", metric, f"{metric}_lo", f"{metric}_hi"]
    expected += ["leads_per_call", "leads_per_call_lo", "leads_per_call_hi"]
    assert outcomes_by_strategy(make_outcomes(TINY)).columns == expected


def test_outcomes_by_relationship_splits_by_relationship() -> None:
    rows = [
        {"call_id": "a", "strategy": "job", "relationship": "friend", "leads_total": 1},
        {"call_id": "b", "strategy": "job", "relationship": "friend"},
        {"call_id": "c", "strategy": "job", "relationship": "recruiter", "leads_total": 3},
    ]
    table = outcomes_by_relationship(make_outcomes(rows))
    friend = row_of(table, scope="group", member=None, relationship="friend", strategy="job")
    assert (friend["calls"], friend["lead_rate_n"], friend["lead_rate_x"]) == (2, 2, 1)
    assert friend["leads_per_call"] == 0.5
    recruiter = row_of(table, scope="member", member="alice", relationship="recruiter")
    assert (recruiter["calls"], recruiter["lead_rate"], recruiter["leads_per_call"]) == (
        1,
        1.0,
        3.0,
    )
    assert table.columns[:4] == ["scope", "member", "relationship", "strategy"]


# -- strategy_comparison ------------------------------------------------------------------


def _lead_calls(member: str, strategy: str, n: int, x: int) -> list[dict[str, Any]]:
    """n mature calls of one member and strategy, x of them with a lead (and a yes)."""
    return [
        {
            "call_id": f"{member}-{strategy}-{i}",
            "member": member,
            "strategy": strategy,
            "ask_label": strategy,
            "leads_total": 1 if i < x else 0,
            "said_yes": i < x,
        }
        for i in range(n)
    ]


def test_simpsons_paradox_pooled_and_mantel_haenszel_have_opposite_signs() -> None:
    # Alice gets leads easily and asked mostly for jobs; Bob rarely and asked
    # mostly for references. Within each member reference does better:
    #   Alice: reference 2/2 = 1.00, job 6/8 = 0.75 -> +0.25
    #   Bob:   reference 2/8 = 0.25, job 0/2 = 0.00 -> +0.25
    # Pooled over the group: reference 4/10 = 0.40, job 6/10 = 0.60 -> -0.20.
    # Mantel-Haenszel: w = n_ref n_job / (n_ref + n_job) = 2*8/10 = 1.6 for both,
    # so MH = (1.6 * 0.25 + 1.6 * 0.25) / 3.2 = +0.25.
    rows = (
        _lead_calls("alice", "reference", 2, 2)
        + _lead_calls("alice", "job", 8, 6)
        + _lead_calls("bob", "reference", 8, 2)
        + _lead_calls("bob", "job", 2, 0)
    )
    table = strategy_comparison(make_outcomes(rows))
    group = row_of(table, scope="group", member=None, metric="lead_rate")
    assert (group["n_ref"], group["x_ref"], group["n_job"], group["x_job"]) == (10, 4, 10, 6)
    assert group["diff"] == pytest.approx(-0.20, abs=1e-12)
    assert group["mh_diff"] == pytest.approx(0.25, abs=1e-12)
    assert group["small_sample"] is False
    for member in ("alice", "bob"):
        member_row = row_of(table, scope="member", member=member, metric="lead_rate")
        assert member_row["diff"] == pytest.approx(0.25, abs=1e-12)
        assert member_row["mh_diff"] is None
        assert member_row["small_sample"] is True  # one side has n = 2
    # said_yes mirrors the lead here, so yes_rate shows the same reversal.
    yes = row_of(table, scope="group", member=None, metric="yes_rate")
    assert yes["diff"] == pytest.approx(-0.20, abs=1e-12)
    assert yes["mh_diff"] == pytest.approx(0.25, abs=1e-12)


def test_comparison_numbers_for_one_against_one() -> None:
    # Reference 1/1 against job 0/1 (reached_out): diff = 1.
    # P(Beta(2,1) > Beta(1,2)) = int_0^1 2x (2x - x^2) dx = 4/3 - 1/2 = 5/6.
    rows = [
        {"call_id": "r", "strategy": "reference", "reached_out": True},
        {"call_id": "j", "strategy": "job"},
    ]
    table = strategy_comparison(make_outcomes(rows))
    reached = row_of(table, scope="group", member=None, metric="reached_out_rate")
    assert (reached["n_ref"], reached["x_ref"], reached["n_job"], reached["x_job"]) == (1, 1, 1, 0)
    assert reached["diff"] == 1.0
    assert reached["prob_ref_better"] == pytest.approx(5 / 6, abs=1e-9)
    _, lo, hi = stats.newcombe_diff_interval(1, 1, 0, 1)
    assert (reached["diff_lo"], reached["diff_hi"]) == (lo, hi)
    assert reached["mh_diff"] == 1.0  # one stratum (alice): its own difference
    # Sato (section 3.1), by hand: N = 2, W = 1/2, P = (0 - 1 + 0) / 4 = -1/4,
    # Q = (1 * 1 + 0) / 4 = 1/4, V = (1 * -1/4 + 1/4) / (1/4) = 0: no width.
    assert (reached["mh_diff_lo"], reached["mh_diff_hi"]) == (1.0, 1.0)
    # yes_rate: said_yes is null on both, so n = 0 and there is no yes_rate row.
    assert table.filter(pl.col("metric") == "yes_rate").height == 0
    assert table.columns == [
        "scope", "member", "metric", "n_ref", "x_ref", "n_job", "x_job", "diff", "diff_lo",
        "diff_hi", "prob_ref_better", "mh_diff", "mh_diff_lo", "mh_diff_hi", "small_sample",
    ]  # fmt: skip


def test_comparison_leaves_out_mixed_other_and_one_sided_members() -> None:
    rows = [
        {"call_id": "r", "member": "alice", "strategy": "reference", "leads_total": 1},
        {"call_id": "j", "member": "bob", "strategy": "job"},
        {"call_id": "m", "member": "bob", "strategy": "mixed", "leads_total": 1},
        {"call_id": "o", "member": "alice", "strategy": "other"},
    ]
    table = strategy_comparison(make_outcomes(rows))
    # Only the group has both sides; no member does, so no stratum for MH.
    assert table["scope"].unique().to_list() == ["group"]
    lead = row_of(table, scope="group", member=None, metric="lead_rate")
    assert (lead["n_ref"], lead["x_ref"], lead["n_job"], lead["x_job"]) == (1, 1, 1, 0)
    assert (lead["mh_diff"], lead["mh_diff_lo"], lead["mh_diff_hi"]) == (None, None, None)


def test_small_sample_flag_at_ten() -> None:
    rows = _lead_calls("alice", "reference", 10, 5) + _lead_calls("alice", "job", 10, 5)
    lead = row_of(strategy_comparison(make_outcomes(rows)), scope="group", metric="lead_rate")
    assert lead["small_sample"] is False
    rows = _lead_calls("alice", "reference", 10, 5) + _lead_calls("alice", "job", 9, 5)
    lead = row_of(strategy_comparison(make_outcomes(rows)), scope="group", metric="lead_rate")
    assert lead["small_sample"] is True


# -- Report marts ---------------------------------------------------------------------------


def test_ask_balance_shares_within_strategy() -> None:
    # Reference: 3 colleague + 1 friend; job: 1 colleague + 1 recruiter.
    rows = [
        {"call_id": "r1", "strategy": "reference", "relationship": "colleague"},
        {"call_id": "r2", "strategy": "reference", "relationship": "colleague"},
        {"call_id": "r3", "strategy": "reference", "relationship": "colleague", "mature": False},
        {"call_id": "r4", "strategy": "reference", "relationship": "friend"},
        {"call_id": "j1", "strategy": "job", "relationship": "colleague"},
        {"call_id": "j2", "strategy": "job", "relationship": "recruiter"},
    ]
    table = ask_balance(make_outcomes(rows)).filter(pl.col("scope") == "group")
    assert table.select("relationship", "strategy", "calls", "share").rows() == [
        ("colleague", "job", 1, 0.5),
        ("colleague", "reference", 3, 0.75),
        ("friend", "reference", 1, 0.25),
        ("recruiter", "job", 1, 0.5),
    ]


def test_time_to_first_lead_kaplan_meier_by_hand() -> None:
    # Four job calls, window 60, as_of 2026-03-01:
    #   own lead on the call -> event at day 0
    #   lead event 10 days after -> event at day 10
    #   call 20 days before as_of, no lead -> censored at 20
    #   call long ago, no lead -> censored at the window, 60
    # KM: day 0: 4 at risk, 1 event -> S = 3/4; day 10: 3 at risk, 1 event -> S = 1/2;
    # days 20 and 60: censoring only, S stays 1/2.
    as_of = D(2026, 3, 1)
    rows = [
        {"call_id": "a", "call_date": D(2026, 1, 1), "days_to_first_lead": 0, "leads_total": 1},
        {"call_id": "b", "call_date": D(2026, 1, 1), "days_to_first_lead": 10, "leads_total": 1},
        {"call_id": "c", "call_date": D(2026, 2, 9), "mature": False},
        {"call_id": "d", "call_date": D(2025, 10, 1)},
    ]
    curve = time_to_first_lead(make_outcomes(rows), as_of=as_of, window=WINDOW)
    group = curve.filter(pl.col("scope") == "group")
    assert group.select("day", "at_risk", "events", "censored", "survival").rows() == [
        (0, 4, 0, 0, 1.0),
        (0, 4, 1, 0, 0.75),
        (10, 3, 1, 0, 0.5),
        (20, 2, 0, 1, 0.5),
        (60, 1, 0, 1, 0.5),
    ]
    assert curve.filter(pl.col("scope") == "member")["member"].unique().to_list() == ["alice"]


def test_weekly_activity_weeks_start_on_monday() -> None:
    # 2026-03-02 is a Monday; 2026-03-08 the Sunday of that ISO week; 2026-03-09 the next Monday.
    rows = [
        {"call_id": "a", "call_date": D(2026, 3, 2)},
        {"call_id": "b", "call_date": D(2026, 3, 8)},
        {"call_id": "c", "call_date": D(2026, 3, 9)},
        {"call_id": "d", "call_date": D(2026, 3, 9), "member": "bob", "strategy": "reference"},
    ]
    table = weekly_activity(make_outcomes(rows))
    assert table.rows() == [
        ("group", None, D(2026, 3, 2), "job", 2),
        ("group", None, D(2026, 3, 9), "job", 1),
        ("group", None, D(2026, 3, 9), "reference", 1),
        ("member", "alice", D(2026, 3, 2), "job", 2),
        ("member", "alice", D(2026, 3, 9), "job", 1),
        ("member", "bob", D(2026, 3, 9), "reference", 1),
    ]


def test_funnel_counts_mature_calls_per_stage() -> None:
    rows = [
        {"call_id": "a", "said_yes": True, "leads_total": 1, "interviews": 1, "offers": 1},
        {"call_id": "b", "said_yes": False, "any_introduction": True, "leads_total": 2},
        {"call_id": "c", "said_yes": None},
        # Immature: counted nowhere, although it said yes.
        {"call_id": "d", "said_yes": True, "leads_total": 1, "mature": False},
    ]
    table = funnel(make_outcomes(rows)).filter(pl.col("scope") == "group")
    assert table.select("stage", "stage_order", "calls").rows() == [
        ("call", 1, 3),
        ("said_yes", 2, 1),
        ("introduction", 3, 1),
        ("lead", 4, 2),
        ("interview", 5, 1),
        ("offer", 6, 1),
    ]


def test_lead_timing_splits_mature_leads_into_immediate_and_later() -> None:
    rows = [
        {"call_id": "a", "leads_total": 3, "leads_immediate": 1, "leads_later": 2},
        {"call_id": "b", "leads_total": 4, "leads_immediate": 4, "leads_later": 0},
        {"call_id": "c", "leads_total": 5, "leads_immediate": 0, "leads_later": 5,
         "mature": False},
    ]  # fmt: skip
    table = lead_timing(make_outcomes(rows))
    assert table.rows() == [
        ("group", None, "job", 2, 5, 2),
        ("member", "alice", "job", 2, 5, 2),
    ]


# -- build_outcome_tables -----------------------------------------------------------------

TABLE_NAMES = {
    "events",
    "call_outcomes",
    "outcomes_by_strategy",
    "strategy_comparison",
    "outcomes_by_relationship",
    "ask_balance",
    "time_to_first_lead",
    "weekly_activity",
    "funnel",
    "lead_timing",
}


def _random_group(seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A small random group with repeated contacts, same-day calls and stray events."""
    rng = random.Random(seed)
    asks = ["job", "reference", "job+reference", "introduction", "advice", "reference+advice"]
    calls, events = [], []
    for i in range(60):
        calls.append(
            {
                "call_id": f"c{i:03d}",
                "member": rng.choice(["alice", "bob", "carol"]),
                "call_date": D(2026, 1, 1) + dt.timedelta(days=rng.randrange(120)),
                "contact_key": rng.choice(["ann", "bo", "cy", "di"]),
                "relationship": rng.choice(["friend", "colleague", "recruiter"]),
                "ask_label": rng.choice(asks),
                "agreed_reference": rng.choice([True, False, None]),
                "introductions": rng.randrange(2),
                "leads": rng.randrange(3) * rng.randrange(2),
            }
        )
    types = ["lead", "introduction", "reached_out", "reference_given", "interview", "offer"]
    for i in range(80):
        events.append(
            {
                "event_id": f"e{i:03d}",
                "member": rng.choice(["alice", "bob", "carol"]),
                "event_date": D(2026, 1, 1) + dt.timedelta(days=rng.randrange(150)),
                "contact_key": rng.choice(["ann", "bo", "cy", "di"]),
                "event_type": rng.choice(types),
                "count": 1 + rng.randrange(3),
            }
        )
    return make_calls(calls), make_events(events)


def test_same_inputs_in_any_row_order_give_identical_tables() -> None:
    calls, events = _random_group(seed=7)
    as_of = D(2026, 5, 31)
    first = build_outcome_tables(calls, events, as_of=as_of, window=WINDOW)
    assert set(first) == TABLE_NAMES
    for shuffle_seed in (1, 2):
        again = build_outcome_tables(
            calls.sample(fraction=1.0, shuffle=True, seed=shuffle_seed),
            events.sample(fraction=1.0, shuffle=True, seed=shuffle_seed),
            as_of=as_of,
            window=WINDOW,
        )
        for name in TABLE_NAMES:
            assert again[name].equals(first[name]), name
    # The fixture exercises every table.
    assert all(first[name].height > 0 for name in TABLE_NAMES)


def test_build_tables_are_consistent_with_each_other() -> None:
    calls, events = _random_group(seed=11)
    tables = build_outcome_tables(calls, events, as_of=D(2026, 5, 31), window=WINDOW)
    outcomes = tables["call_outcomes"]
    assert outcomes.height == calls.height
    assert tables["events"].height == events.height
    # Every lead counted somewhere: own leads plus attributed lead events.
    attributed_leads = (
        tables["events"]
        .filter(pl.col("call_id").is_not_null() & (pl.col("event_type") == "lead"))["count"]
        .sum()
    )
    assert outcomes["leads_total"].sum() == calls["leads"].sum() + attributed_leads
    group_rows = tables["outcomes_by_strategy"].filter(pl.col("scope") == "group")
    assert group_rows["calls"].sum() == calls.height


def test_empty_inputs_give_empty_tables_with_the_right_columns() -> None:
    tables = build_outcome_tables(make_calls([]), make_events([]), as_of=AS_OF, window=WINDOW)
    assert set(tables) == TABLE_NAMES
    for name, table in tables.items():
        assert table.height == 0, name
    assert tables["strategy_comparison"].columns[-4:] == [
        "mh_diff",
        "mh_diff_lo",
        "mh_diff_hi",
        "small_sample",
    ]
    assert tables["events"].columns[-1] == "call_id"
    assert tables["time_to_first_lead"].columns == [
        "scope", "member", "strategy", "day", "at_risk", "events", "censored", "survival",
        "survival_lo", "survival_hi",
    ]  # fmt: skip
    # Same schema as with data.
    calls, events = _random_group(seed=3)
    full = build_outcome_tables(calls, events, as_of=AS_OF, window=WINDOW)
    for name in TABLE_NAMES:
        assert tables[name].schema == full[name].schema, name


def test_calls_without_events_and_events_without_calls() -> None:
    calls, events = _random_group(seed=5)
    only_calls = build_outcome_tables(calls, make_events([]), as_of=AS_OF, window=WINDOW)
    assert only_calls["call_outcomes"].height == calls.height
    assert only_calls["call_outcomes"]["leads_later"].sum() == 0
    only_events = build_outcome_tables(make_calls([]), events, as_of=AS_OF, window=WINDOW)
    assert only_events["events"]["call_id"].null_count() == events.height
    assert only_events["outcomes_by_strategy"].height == 0


def test_frames_without_columns_stand_for_empty_tables() -> None:
    tables = build_outcome_tables(pl.DataFrame(), pl.DataFrame(), as_of=AS_OF, window=WINDOW)
    assert all(table.height == 0 for table in tables.values())
    assert "call_id" in tables["events"].columns


def test_rates_match_a_direct_count() -> None:
    # Cross-check the group lead rate against a plain count over call_outcomes.
    calls, events = _random_group(seed=13)
    tables = build_outcome_tables(calls, events, as_of=D(2026, 5, 31), window=WINDOW)
    outcomes = tables["call_outcomes"].filter(pl.col("strategy") == "reference")
    mature = outcomes.filter("mature")
    row = row_of(tables["outcomes_by_strategy"], scope="group", strategy="reference")
    assert row["lead_rate_n"] == mature.height
    assert row["lead_rate_x"] == mature["any_lead"].sum()
    if mature.height:
        assert math.isclose(row["lead_rate"], mature["any_lead"].sum() / mature.height)


def test_parts_of_disjoint_members_add_up_to_the_whole() -> None:
    # The pipeline computes a large group a few members at a time; the
    # summaries of the stacked parts must be those of the whole.
    from asklab.outcomes import outcome_parts, stack_parts, summary_tables

    calls, events = _random_group(seed=17)
    as_of = D(2026, 5, 31)
    whole = build_outcome_tables(calls, events, as_of=as_of, window=WINDOW)
    parts = [
        outcome_parts(
            calls.filter(pl.col("member").is_in(members)),
            events.filter(pl.col("member").is_in(members)),
            as_of=as_of,
            window=WINDOW,
        )
        for members in (["alice"], ["bob", "carol"])
    ]
    stacked = stack_parts([part.counts_only() for part in parts])
    assert stacked.call_outcomes.height == 0
    for name, table in summary_tables(stacked).items():
        assert table.equals(whole[name]), name
    rows = pl.concat([part.call_outcomes for part in parts]).sort("member", "call_date", "call_id")
    assert rows.equals(whole["call_outcomes"])


def test_time_to_first_lead_refuses_a_call_after_as_of() -> None:
    rows = [{"call_id": "late", "call_date": D(2026, 3, 10)}]
    with pytest.raises(ValueError, match=r"negative time to first lead, e\.g\. call late"):
        time_to_first_lead(make_outcomes(rows), as_of=D(2026, 3, 1), window=WINDOW)
