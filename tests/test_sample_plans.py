"""Plans in the synthetic group (CONTRACT §7): plan files as `asklab plan` writes them,
planned calls that follow their arm on or after the plan's date, open and done
assignments, the member who skipped job asks, and every other record as without plans.

The plan files are read with the csv module and their arms re-derived with
§7.2's rule written out in tests/support, independently of asklab.plans.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import polars as pl
import pytest
from scipy.stats import chi2_contingency

from asklab.sample import generate_group, logs, sample_files
from tests.support.plan_rule import rule_arms

DEMO_END = dt.date(2026, 11, 20)
PLAN_HEADER = ["plan_id", "created", "seed", "arms", "contact", "relationship", "arm", "member"]
RELATIONSHIPS = {
    "colleague", "friend", "classmate", "family", "recruiter", "acquaintance", "unknown", "other",
}  # fmt: skip


def key(name: str) -> str:
    return " ".join(name.lower().split())


@pytest.fixture(scope="module")
def demo_files() -> dict[str, bytes]:
    return sample_files(members=5, weeks=20, seed=7, end=DEMO_END)


@pytest.fixture(scope="module")
def demo_group() -> list[logs.MemberLog]:
    return generate_group(members=5, weeks=20, seed=7, end=DEMO_END)


def plan_tables(files: dict[str, bytes]) -> dict[str, list[dict[str, str]]]:
    """path -> rows of every plan file (a CSV whose header has `arm`)."""
    plans = {}
    for path, data in files.items():
        if not path.endswith(".csv"):
            continue
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        if "arm" in rows[0]:
            assert rows[0] == PLAN_HEADER, path
            plans[path] = [dict(zip(PLAN_HEADER, row, strict=True)) for row in rows[1:]]
    return plans


def assignments(group: list[logs.MemberLog]) -> pl.DataFrame:
    """One row per planned contact: its plan, arm, and its first call on or after created."""
    rows = []
    for log in group:
        for plan in log.plans:
            arm_of = rule_arms(
                plan.seed, list(plan.arms), [(c.key, c.relationship) for c in plan.contacts]
            )
            for contact in plan.contacts:
                calls = [c for c in log.calls if key(c.contact) == contact.key]
                first = min(calls, key=lambda c: c.call_date) if calls else None
                rows.append(
                    {
                        "member": log.name,
                        "plan_id": plan.plan_id,
                        "arms": "+".join(plan.arms),
                        "created": plan.created,
                        "arm": arm_of[contact.key],
                        "calls": len(calls),
                        "first_date": first and first.call_date,
                        "first_asks": first and "+".join(first.asks),
                        "first_plan": first and first.plan_id,
                    }
                )
    return pl.DataFrame(rows)


# -- The plan files ----------------------------------------------------------------------


def test_demo_plan_files_are_what_asklab_plan_writes(demo_files: dict[str, bytes]) -> None:
    plans = plan_tables(demo_files)
    assert sorted(plans) == [
        "alice/plans/2026-08-08-cc98076a.csv",
        "alice/plans/2026-11-07-04800bfc.csv",
        "bob/plans/2026-08-15-b16c4f98.csv",
        "carmen/plans/2026-08-15-9dad614c.csv",
    ]
    for path, rows in plans.items():
        member, _, name = path.split("/")
        (plan_id, created, seed, arms, member_cell), *others = {
            (r["plan_id"], r["created"], r["seed"], r["arms"], r["member"]) for r in rows
        }
        assert not others, path  # one plan per file
        assert name == f"{plan_id}.csv" and plan_id == f"{created}-{seed[:8]}"
        assert re.fullmatch(r"[0-9a-f]{32}", seed)
        assert member_cell == member
        assert dt.date.fromisoformat(created) <= DEMO_END
        assert arms in {"job+reference", "job+reference+introduction"}
        keys = [(key(r["contact"]), r["relationship"]) for r in rows]
        assert len({k for k, _ in keys}) == len(keys)  # no contact twice
        assert {r for _, r in keys} <= RELATIONSHIPS
        expected = rule_arms(seed, arms.split("+"), keys)
        assert [r["arm"] for r in rows] == [expected[k] for k, _ in keys], path
        # Plans and their files are written with CRLF, as Python's csv module does.
        assert demo_files[path].count(b"\n") == demo_files[path].count(b"\r\n")


def test_plans_are_made_only_in_samples_long_enough() -> None:
    short = sample_files(members=3, weeks=3, seed=7, end=DEMO_END)
    assert not any("/plans/" in path for path in short)
    default = sample_files(members=3, weeks=8, seed=7, end=DEMO_END)
    assert sum("/plans/" in path for path in default) == 4


# -- The calls of planned contacts ------------------------------------------------------------


def test_planned_contacts_are_new_and_called_on_or_after_the_plan(demo_group) -> None:
    for log in demo_group:
        planned = {c.key for plan in log.plans for c in plan.contacts}
        for call in log.calls:
            if key(call.contact) in planned:
                plan = next(p for p in log.plans if p.plan_id == call.plan_id)
                assert call.call_date >= plan.created
                assert key(call.contact) in {c.key for c in plan.contacts}
            else:
                assert call.plan_id is None
        for event in log.events:
            assert event.event_date <= DEMO_END


def test_planned_calls_mostly_ask_the_assigned_arm() -> None:
    group = generate_group(members=15, weeks=26, seed=11, end=DEMO_END)
    done = assignments(group).filter(pl.col("calls") > 0)
    assert done.height > 100
    complied = done.filter(pl.col("first_asks") == pl.col("arm"))
    # About 90% ask exactly the arm; the others ask both arms at once.
    assert 0.8 < complied.height / done.height < 0.97
    slipped = done.filter(pl.col("first_asks") != pl.col("arm"))
    assert set(slipped["first_asks"]) <= {"job+reference", "reference+introduction"}


def test_demo_has_done_and_open_assignments_and_a_three_arm_plan(demo_group) -> None:
    table = assignments(demo_group)
    by_plan = table.group_by("member", "plan_id", "arms").agg(
        assigned=pl.len(), done=(pl.col("calls") > 0).sum()
    )
    assert by_plan.height == 4
    assert (by_plan["done"] > 0).all()
    assert (by_plan["done"] < by_plan["assigned"]).sum() >= 2  # some still open
    # Alice's recent plan is half open or more.
    recent = by_plan.filter(pl.col("plan_id").str.starts_with("2026-11")).row(0, named=True)
    assert recent["member"] == "alice" and recent["done"] <= recent["assigned"] // 2
    assert by_plan.filter(pl.col("arms") == "job+reference+introduction")["member"].to_list() == [
        "bob"
    ]


def test_the_demo_member_who_skipped_job_asks_shows_in_the_attrition_check(demo_group) -> None:
    table = assignments(demo_group).filter(pl.col("arms").str.contains("job\\+reference"))
    counts = (
        table.filter(pl.col("arm").is_in(["reference", "job"]))
        .group_by("member", "arm")
        .agg(assigned=pl.len(), done=(pl.col("calls") > 0).sum())
    )
    carmen = {
        r["arm"]: r for r in counts.filter(pl.col("member") == "carmen").iter_rows(named=True)
    }
    assert carmen["job"]["done"] / carmen["job"]["assigned"] < 0.5
    assert carmen["reference"]["done"] / carmen["reference"]["assigned"] > 0.8
    totals = counts.group_by("arm").agg(pl.col("assigned", "done").sum()).sort("arm")
    (job_assigned, job_done), (ref_assigned, ref_done) = totals.select("assigned", "done").rows()
    # The randomised section's attrition check (section 7.4) flags the demo.
    p = chi2_contingency(
        [[ref_done, ref_assigned - ref_done], [job_done, job_assigned - job_done]],
        correction=False,
    ).pvalue
    assert p < 0.05


# -- Everything else as without plans --------------------------------------------------------


def test_records_outside_plans_are_those_of_a_group_without_plans(monkeypatch) -> None:
    with_plans = generate_group(members=6, weeks=12, seed=3, end=DEMO_END)
    monkeypatch.setattr(logs, "plan_designs", lambda index, weeks: ())
    without = generate_group(members=6, weeks=12, seed=3, end=DEMO_END)
    # Members 0, 1, 2 and 5 (alice-2, a second plain member) make plans.
    assert [len(log.plans) for log in with_plans] == [2, 1, 1, 0, 0, 2]
    for planned, plain in zip(with_plans, without, strict=True):
        contacts = {c.key for plan in planned.plans for c in plan.contacts}
        assert [c for c in planned.calls if c.plan_id is None] == list(plain.calls)
        assert [e for e in planned.events if key(e.contact) not in contacts] == list(plain.events)
        assert not plain.plans


def test_files_of_members_without_plans_are_unchanged_by_plans(monkeypatch) -> None:
    with_plans = sample_files(members=5, weeks=20, seed=7, end=DEMO_END)
    monkeypatch.setattr(logs, "plan_designs", lambda index, weeks: ())
    without = sample_files(members=5, weeks=20, seed=7, end=DEMO_END)
    for path in (
        "deepak/calls.csv",
        "deepak/events.csv",
        "erin/calls.csv",
        "shared/cohort_log.csv",
    ):
        assert with_plans[path] == without[path], path
