"""The outcomes stage's plan tables end to end (CONTRACT.md sections 7.3 and 7.4).

Calls, events and accepted plan rows go straight into a warehouse; the
outcomes stage builds ``plan_assignments`` and ``plan_comparison``; the
numbers are checked against values worked by hand and against scipy and
statsmodels called here directly.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import polars as pl
import pytest
from scipy.integrate import quad
from scipy.stats import beta, chi2_contingency
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize

from asklab import freshness
from asklab.outcomes import build as outcomes_build
from asklab.outcomes.build import build_outcomes
from asklab.outcomes.store import write_outcomes
from asklab.settings import Settings
from asklab.stats import Z95
from asklab.warehouse import open_warehouse

D = dt.date
AS_OF = D(2026, 6, 1)  # window 60: calls up to 2026-04-02 are mature

ASSIGNMENT_COLUMNS = [
    "plan_id", "member", "contact_key", "relationship", "arm", "created", "call_id", "complied",
    "source_file", "source_line",
]  # fmt: skip
COMPARISON_COLUMNS = [
    "arm", "metric", "n_arm", "x_arm", "n_job", "x_job", "diff", "diff_lo", "diff_hi",
    "prob_arm_better", "mh_diff", "mh_diff_lo", "mh_diff_hi", "plans", "assigned_arm",
    "done_arm", "assigned_job", "done_job", "attrition_p", "n_needed_per_arm",
]  # fmt: skip

# (member, plan_id, created, arms, contact_key, arm) in file order.
PLAN = [
    ("alice", "p1", D(2026, 3, 2), "job+reference", "a1", "job"),
    ("alice", "p1", D(2026, 3, 2), "job+reference", "a2", "job"),
    ("alice", "p1", D(2026, 3, 2), "job+reference", "a3", "job"),
    ("alice", "p1", D(2026, 3, 2), "job+reference", "a4", "reference"),
    ("alice", "p1", D(2026, 3, 2), "job+reference", "a5", "reference"),
    ("alice", "p1", D(2026, 3, 2), "job+reference", "a6", "reference"),
    # Bob's plan has the same plan_id: plans are per member.
    ("bob", "p1", D(2026, 3, 1), "job+reference+introduction", "b1", "job"),
    ("bob", "p1", D(2026, 3, 1), "job+reference+introduction", "b2", "reference"),
    ("bob", "p1", D(2026, 3, 1), "job+reference+introduction", "b3", "reference"),
    ("bob", "p1", D(2026, 3, 1), "job+reference+introduction", "b4", "introduction"),
    ("bob", "p1", D(2026, 3, 1), "job+reference+introduction", "b5", "job"),
]

# (call_id, member, contact_key, call_date, ask_label, agreed_reference, introductions, leads)
CALLS = [
    ("c-a1", "alice", "a1", D(2026, 3, 5), "job", None, 0, 1),
    ("c-a2-early", "alice", "a2", D(2026, 3, 1), "job", None, 0, 3),  # before the plan
    ("c-a2", "alice", "a2", D(2026, 3, 10), "job", None, 0, 0),
    ("c-a4", "alice", "a4", D(2026, 3, 6), "reference", True, 0, 0),
    ("c-a5", "alice", "a5", D(2026, 4, 20), "reference", False, 0, 0),  # not mature
    ("c-a6", "alice", "a6", D(2026, 3, 9), "job+reference", True, 0, 0),  # not as planned
    ("c-a6-again", "alice", "a6", D(2026, 3, 20), "reference", True, 2, 0),  # a later call
    ("c-other", "alice", "zed", D(2026, 3, 6), "reference", True, 1, 1),  # unplanned
    ("c-b1", "bob", "b1", D(2026, 3, 2), "job", None, 0, 0),
    ("c-b2", "bob", "b2", D(2026, 3, 3), "reference", None, 0, 0),  # agreed blank
    ("c-b3", "bob", "b3", D(2026, 3, 4), "reference+advice", True, 0, 0),
    ("c-b4", "bob", "b4", D(2026, 3, 5), "introduction", None, 1, 0),
    ("c-a1-bob", "bob", "a1", D(2026, 3, 5), "job", None, 0, 1),  # bob's a1 is not alice's
]

# (event_id, member, contact_key, event_date, event_type)
EVENTS = [
    ("e1", "alice", "a2", D(2026, 3, 20), "reached_out"),
    ("e2", "alice", "a4", D(2026, 3, 15), "introduction"),
    ("e3", "bob", "b2", D(2026, 3, 30), "reached_out"),
]


def _strategy(label: str) -> str:
    asks = set(label.split("+"))
    if "job" in asks:
        return "mixed" if "reference" in asks else "job"
    return "reference" if "reference" in asks else "other"


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("rows_in", frame)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows_in")
    con.unregister("rows_in")


def plan_rows(plan: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "plan_id": [r[1] for r in plan],
            "member": [r[0] for r in plan],
            "created": [r[2] for r in plan],
            "seed": ["0" * 32] * len(plan),
            "arms": [r[3] for r in plan],
            "contact": [r[4].upper() for r in plan],
            "contact_key": [r[4] for r in plan],
            "relationship": ["friend"] * len(plan),
            "arm": [r[5] for r in plan],
            "source_file": [f"{r[0]}/plans/{r[1]}.csv" for r in plan],
            "sheet": [None] * len(plan),
            "source_line": [i + 2 for i in range(len(plan))],
        },
        schema_overrides={"created": pl.Date, "sheet": pl.String},
    )


def fill(db: Path, plan: list[tuple] = PLAN) -> None:
    calls = pl.DataFrame(
        [
            {
                "call_id": c[0],
                "member": c[1],
                "contact_key": c[2],
                "contact": c[2].upper(),
                "call_date": c[3],
                "relationship": "friend",
                "ask_label": c[4],
                "strategy": _strategy(c[4]),
                "agreed_reference": c[5],
                "introductions": c[6],
                "leads": c[7],
                "source_file": f"{c[1]}/calls.csv",
                "source_line": i + 2,
            }
            for i, c in enumerate(CALLS)
        ],
        schema_overrides={"agreed_reference": pl.Boolean},
    )
    events = pl.DataFrame(
        [
            {
                "event_id": e[0],
                "member": e[1],
                "contact_key": e[2],
                "contact": e[2].upper(),
                "event_date": e[3],
                "event_type": e[4],
                "count": 1,
                "source_file": f"{e[1]}/events.csv",
                "source_line": i + 2,
            }
            for i, e in enumerate(EVENTS)
        ]
    )
    with open_warehouse(db) as wh, wh.transaction():
        _insert(wh.con, "calls", calls)
        _insert(wh.con, "events", events)
        if plan:
            _insert(wh.con, "plan_rows", plan_rows(plan))
        freshness.new_data_version(wh)


def settings(tmp_path: Path) -> Settings:
    return Settings(raw=tmp_path, db=tmp_path / "w.duckdb", as_of=AS_OF, window=60)


def build(tmp_path: Path) -> dict[str, int]:
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        return build_outcomes(wh, settings(tmp_path))


def table(db: Path, name: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(f"SELECT * FROM {name}").pl()


@pytest.fixture
def built(tmp_path: Path) -> Path:
    fill(tmp_path / "w.duckdb")
    build(tmp_path)
    return tmp_path / "w.duckdb"


def comparison_row(db: Path, arm: str, metric: str) -> dict:
    rows = table(db, "plan_comparison").filter(
        (pl.col("arm") == arm) & (pl.col("metric") == metric)
    )
    assert rows.height == 1
    return rows.row(0, named=True)


# -- plan_assignments ---------------------------------------------------------------------


def test_assignments_are_linked_to_the_first_call_on_or_after_created(built: Path) -> None:
    got = table(built, "plan_assignments")
    assert got.columns[: len(ASSIGNMENT_COLUMNS)] == ASSIGNMENT_COLUMNS
    linked = {
        (r["member"], r["contact_key"]): (r["call_id"], r["complied"])
        for r in got.iter_rows(named=True)
    }
    assert linked == {
        ("alice", "a1"): ("c-a1", True),
        ("alice", "a2"): ("c-a2", True),  # the call before created does not count
        ("alice", "a3"): (None, None),
        ("alice", "a4"): ("c-a4", True),
        ("alice", "a5"): ("c-a5", True),
        ("alice", "a6"): ("c-a6", False),  # asked job too; the later call does not count
        ("bob", "b1"): ("c-b1", True),
        ("bob", "b2"): ("c-b2", True),
        ("bob", "b3"): ("c-b3", True),  # advice may be added
        ("bob", "b4"): ("c-b4", True),
        ("bob", "b5"): (None, None),
    }
    first = got.filter(pl.col("contact_key") == "a1").row(0, named=True)
    assert (first["plan_id"], first["relationship"], first["arm"]) == ("p1", "friend", "job")
    assert (first["created"], first["source_file"], first["source_line"]) == (
        D(2026, 3, 2),
        "alice/plans/p1.csv",
        2,
    )
    # Extras for the member pages: the contact as written and the linked call.
    assert (first["contact"], first["call_date"], first["ask_label"]) == (
        "A1",
        D(2026, 3, 5),
        "job",
    )
    assert got.height == len(PLAN)


def test_planned_calls_still_count_in_the_observational_tables(built: Path) -> None:
    outcomes = table(built, "call_outcomes")
    assert outcomes.height == len(CALLS)


# -- plan_comparison ----------------------------------------------------------------------


def test_comparison_has_a_row_per_arm_and_metric(built: Path) -> None:
    got = table(built, "plan_comparison")
    assert got.columns[: len(COMPARISON_COLUMNS)] == COMPARISON_COLUMNS
    assert sorted(got.select("arm", "metric").rows()) == sorted(
        [
            (arm, metric)
            for arm in ("reference", "introduction")
            for metric in ("yes_rate", "intro_rate", "lead_rate", "reached_out_rate")
        ]
    )


def test_reference_yes_rate_by_hand(built: Path) -> None:
    got = comparison_row(built, "reference", "yes_rate")
    # said_yes known: alice ref a4 yes, a5 no, a6 yes (reference asked and agreed);
    # bob ref b3 yes (b2's agreed is blank: unknown). Job: a1 yes (a lead), a2 no, b1 no.
    assert (got["n_arm"], got["x_arm"], got["n_job"], got["x_job"]) == (4, 3, 3, 1)
    assert got["diff"] == pytest.approx(3 / 4 - 1 / 3)
    lo, hi = confint_proportions_2indep(3, 4, 1, 3, method="newcomb", compare="diff")
    assert (got["diff_lo"], got["diff_hi"]) == pytest.approx((lo, hi), abs=1e-9)
    # Mantel-Haenszel with the two plans as strata (section 3.1), by hand:
    #   alice: a=2/3, c=1/2, N=5: W=6/5, (2*2-1*3)/5=1/5,
    #          P=(9*1-4*2+6*(2-3)/2)/25=-2/25, Q=(2*(2-1)+1*(3-2))/10=3/10
    #   bob:   a=1/1, c=0/1, N=2: W=1/2, (1*1-0)/2=1/2, P=(0-1+0)/4=-1/4, Q=(1*1+0)/4=1/4
    #   mh = (7/10)/(17/10) = 7/17; V = (7/17 * (-33/100) + 55/100) / (17/10)^2
    mh = 7 / 17
    variance = (mh * (-2 / 25 - 1 / 4) + (3 / 10 + 1 / 4)) / (17 / 10) ** 2
    assert got["mh_diff"] == pytest.approx(mh)
    assert got["mh_diff_lo"] == pytest.approx(mh - Z95 * math.sqrt(variance))
    assert got["mh_diff_hi"] == pytest.approx(mh + Z95 * math.sqrt(variance))
    assert got["plans"] == 2
    # P(Beta(4, 2) > Beta(2, 3)) = integral of f_X(t) F_Y(t), by quadrature.
    expected, _ = quad(lambda t: beta.pdf(t, 4, 2) * beta.cdf(t, 2, 3), 0.0, 1.0)
    assert got["prob_arm_better"] == pytest.approx(expected, abs=1e-8)


def test_rates_over_mature_calls(built: Path) -> None:
    # Mature (on or before 2026-04-02): reference a4, a6, b2, b3 (a5 is too recent);
    # job a1, a2, b1.
    intro = comparison_row(built, "reference", "intro_rate")
    assert (intro["n_arm"], intro["x_arm"], intro["n_job"], intro["x_job"]) == (4, 1, 3, 0)
    lead = comparison_row(built, "reference", "lead_rate")
    assert (lead["n_arm"], lead["x_arm"], lead["n_job"], lead["x_job"]) == (4, 0, 3, 1)
    reached = comparison_row(built, "reference", "reached_out_rate")
    # e1 (a2, job) and e3 (b2, reference) are attributed to the linked calls.
    assert (reached["n_arm"], reached["x_arm"], reached["n_job"], reached["x_job"]) == (4, 1, 3, 1)
    lo, hi = confint_proportions_2indep(1, 4, 1, 3, method="newcomb", compare="diff")
    assert (reached["diff_lo"], reached["diff_hi"]) == pytest.approx((lo, hi), abs=1e-9)


def test_attrition_and_calls_needed(built: Path) -> None:
    got = table(built, "plan_comparison").filter(pl.col("arm") == "reference")
    counts = got.select("assigned_arm", "done_arm", "assigned_job", "done_job").unique()
    # Reference: a4, a5, a6, b2, b3 all done; job: a1, a2, b1 done, a3 and b5 open.
    assert counts.rows() == [(5, 5, 5, 3)]
    expected_p = chi2_contingency([[5, 0], [3, 2]], correction=False).pvalue
    assert got["attrition_p"].to_list() == pytest.approx([expected_p] * 4)
    # By hand: chi2 = 10 * (5*2 - 0*3)^2 / (5 * 5 * 8 * 2) = 2.5, p = erfc(sqrt(1.25)).
    assert expected_p == pytest.approx(math.erfc(math.sqrt(1.25)))
    for row in got.iter_rows(named=True):
        p0 = min(max(row["x_job"] / row["n_job"], 0.05), 0.80)
        n = NormalIndPower().solve_power(
            effect_size=abs(proportion_effectsize(p0 + 0.15, p0)),
            alpha=0.05,
            power=0.8,
            ratio=1.0,
            alternative="two-sided",
        )
        assert row["n_needed_per_arm"] == math.ceil(float(n)), row["metric"]


def test_introduction_against_job_uses_only_plans_with_both_arms(built: Path) -> None:
    got = comparison_row(built, "introduction", "yes_rate")
    # Bob's plan only: introduction b4 yes; job b1 no (b5 open).
    assert (got["n_arm"], got["x_arm"], got["n_job"], got["x_job"]) == (1, 1, 1, 0)
    assert (got["assigned_arm"], got["done_arm"], got["assigned_job"], got["done_job"]) == (
        1,
        1,
        2,
        1,
    )
    assert got["plans"] == 1
    assert got["mh_diff"] == pytest.approx(1.0)
    # Nothing open on the introduction side... but one job open: the test is defined.
    assert got["attrition_p"] == pytest.approx(
        chi2_contingency([[1, 0], [1, 1]], correction=False).pvalue
    )


# -- No plans, parts, freshness ---------------------------------------------------------


def test_no_plan_gives_empty_tables_with_the_contract_columns(tmp_path: Path) -> None:
    fill(tmp_path / "w.duckdb", plan=[])
    rows = build(tmp_path)
    assert (rows["plan_assignments"], rows["plan_comparison"]) == (0, 0)
    assignments = table(tmp_path / "w.duckdb", "plan_assignments")
    comparison = table(tmp_path / "w.duckdb", "plan_comparison")
    assert (assignments.height, comparison.height) == (0, 0)
    assert assignments.columns[: len(ASSIGNMENT_COLUMNS)] == ASSIGNMENT_COLUMNS
    assert comparison.columns == COMPARISON_COLUMNS


def test_tables_in_parts_equal_tables_at_once(tmp_path: Path, monkeypatch) -> None:
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    for folder in (whole, parts):
        folder.mkdir()
        fill(folder / "w.duckdb")
    build(whole)
    monkeypatch.setattr(outcomes_build, "CALLS_PER_PART", 3)
    build(parts)
    for name in ("plan_assignments", "plan_comparison"):
        one = table(whole / "w.duckdb", name).sort(pl.all())
        other = table(parts / "w.duckdb", name).sort(pl.all())
        assert one.height > 0
        assert one.equals(other), name


def test_new_plan_rows_with_a_new_data_version_make_the_tables_stale(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    fill(db, plan=[])
    build(tmp_path)
    with open_warehouse(db) as wh:
        assert freshness.outcomes_are_current(wh, settings(tmp_path))
        # What the ingest stage does when a plan file changes: new rows, a new version.
        with wh.transaction():
            _insert(wh.con, "plan_rows", plan_rows(PLAN))
            freshness.new_data_version(wh)
        assert not freshness.outcomes_are_current(wh, settings(tmp_path))
        build_outcomes(wh, settings(tmp_path))
        assert freshness.outcomes_are_current(wh, settings(tmp_path))
    assert table(db, "plan_assignments").height == len(PLAN)


def test_write_outcomes_refuses_the_ingest_stage_plan_tables(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        for name in ("plan_rows", "plan_file_rows"):
            with pytest.raises(ValueError, match="ingest stage"):
                write_outcomes(wh, {name: pl.DataFrame({"x": [1]})})
