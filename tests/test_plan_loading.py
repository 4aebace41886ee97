"""Plan files in the warehouse: the checks across files (CONTRACT.md section 7.1)
and the loading guarantees (section 4) with plan files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from asklab.freshness import data_version
from asklab.load import ingest
from asklab.warehouse import open_warehouse
from tests.support.plan_files import (
    OTHER_SEED,
    expected_arm,
    other_arm,
    plan_lines,
    write_plan_file,
)
from tests.support.warehouse_frames import differences, load_log, snapshot

AS_OF = dt.date(2026, 4, 1)
LOADER = Path(__file__).parent / "support" / "warehouse_loader.py"
FIRST = [("John Smith", "friend"), ("Ann Lee", "colleague"), ("Bo", "friend")]
LATER = [("Dee", "friend"), ("john smith", "family"), ("Bo", "")]


@pytest.fixture
def wh(tmp_path: Path):
    with open_warehouse(tmp_path / "wh.duckdb", lock_timeout=5) as warehouse:
        yield warehouse


def run(wh, raw: Path, run_id: str, as_of: dt.date = AS_OF):
    with wh.transaction():
        return ingest(wh, raw, as_of=as_of, date_order="month-first", run_id=run_id)


def rows(wh, sql: str) -> list[tuple]:
    return wh.con.execute(sql).fetchall()


def plan_rows(wh) -> list[tuple]:
    return rows(
        wh, "SELECT plan_id, contact_key, source_file, source_line FROM plan_rows ORDER BY ALL"
    )


def rejections(wh) -> list[tuple]:
    return rows(
        wh,
        'SELECT source_file, sheet, line, "column", value, reason FROM rejected_rows ORDER BY ALL',
    )


def statuses(wh, run_id: str) -> list[tuple]:
    """(source_file, status, rows_loaded, rows_rejected) per file of the run."""
    return [(r[0], r[2], r[3], r[4]) for r in load_log(wh, run_id)]


def two_plans(raw: Path) -> None:
    write_plan_file(raw, "alice/plans/b-first.csv", plan_lines("p1", "2026-03-01", FIRST))
    # Earlier in path order but created later: the contacts it shares with p1 are p1's.
    write_plan_file(
        raw, "alice/plans/a-later.csv", plan_lines("p2", "2026-03-05", LATER, seed=OTHER_SEED)
    )


def fresh(tmp_path: Path, raw: Path, name: str = "fresh") -> dict:
    with open_warehouse(tmp_path / f"{name}.duckdb", lock_timeout=5) as other:
        run(other, raw, "fresh")
        return snapshot(other)


def test_a_contact_already_in_an_earlier_plan_is_rejected(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    two_plans(raw)
    summary = run(wh, raw, "r1")
    assert plan_rows(wh) == [
        ("p1", "ann lee", "alice/plans/b-first.csv", 3),
        ("p1", "bo", "alice/plans/b-first.csv", 4),
        ("p1", "john smith", "alice/plans/b-first.csv", 2),
        ("p2", "dee", "alice/plans/a-later.csv", 2),
    ]
    assert rejections(wh) == [
        ("alice/plans/a-later.csv", None, 3, "contact", "john smith", "contact already in plan p1"),
        ("alice/plans/a-later.csv", None, 4, "contact", "Bo", "contact already in plan p1"),
    ]
    assert statuses(wh, "r1") == [
        ("alice/plans/a-later.csv", "loaded", 1, 2),
        ("alice/plans/b-first.csv", "loaded", 3, 0),
    ]
    assert summary.rows_rejected == 2
    # plan_rows keeps the arm, relationship and plan columns of its file row
    assert rows(
        wh, "SELECT arm, relationship, created, arms FROM plan_rows WHERE contact_key = 'dee'"
    ) == [
        (
            expected_arm(LATER, "Dee", seed=OTHER_SEED),
            "friend",
            dt.date(2026, 3, 5),
            "job+reference",
        )
    ]


def test_plans_of_one_member_do_not_reject_another_members_contacts(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    write_plan_file(raw, "alice/p.csv", plan_lines("p1", "2026-03-01", FIRST))
    write_plan_file(raw, "bob/p.csv", plan_lines("p1", "2026-03-01", FIRST, member="Bob"))
    run(wh, raw, "r1")
    assert rows(wh, "SELECT member, count(*) FROM plan_rows GROUP BY ALL ORDER BY ALL") == [
        ("alice", 3),
        ("bob", 3),
    ]
    assert rejections(wh) == []


def test_rerun_on_unchanged_plan_files_changes_no_table(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    two_plans(raw)
    run(wh, raw, "r1")
    before, version = snapshot(wh), data_version(wh)
    summary = run(wh, raw, "r2")
    assert snapshot(wh) == before
    assert data_version(wh) == version
    assert statuses(wh, "r2") == [
        ("alice/plans/a-later.csv", "unchanged", 1, 2),
        ("alice/plans/b-first.csv", "unchanged", 3, 0),
    ]
    assert summary.rebuilt is False


def test_a_removed_plan_frees_its_contacts_for_a_later_plan(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    two_plans(raw)
    run(wh, raw, "r1")
    version = data_version(wh)
    (raw / "alice/plans/b-first.csv").unlink()
    run(wh, raw, "r2")
    assert statuses(wh, "r2") == [
        ("alice/plans/a-later.csv", "unchanged", 3, 0),
        ("alice/plans/b-first.csv", "removed", 0, 0),
    ]
    assert plan_rows(wh) == [
        ("p2", "bo", "alice/plans/a-later.csv", 4),
        ("p2", "dee", "alice/plans/a-later.csv", 2),
        ("p2", "john smith", "alice/plans/a-later.csv", 3),
    ]
    assert rejections(wh) == []
    assert data_version(wh) != version  # the outcomes stage must recompute
    assert snapshot(wh) == fresh(tmp_path, raw)


def test_an_edited_plan_is_a_file_error_and_no_longer_counts(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    two_plans(raw)
    run(wh, raw, "r1")
    kept = rows(wh, "SELECT * FROM plan_file_rows ORDER BY ALL")
    version = data_version(wh)
    arm = other_arm(expected_arm(FIRST, "Ann Lee"))
    write_plan_file(
        raw,
        "alice/plans/b-first.csv",
        plan_lines("p1", "2026-03-01", FIRST, arm_cells={"Ann Lee": arm}),
    )
    summary = run(wh, raw, "r2")
    [(_, _, status, loaded, rejected, _, message)] = [
        r for r in load_log(wh, "r2") if r[0] == "alice/plans/b-first.csv"
    ]
    assert (status, loaded, rejected) == ("error", 0, 0)
    assert "'Ann Lee' on line 3" in message and "plans must not be edited" in message
    assert summary.files_error == 1
    # Its last good rows are kept, but a plan in error does not count: p2's
    # contacts are p2's now, and the outcomes stage must recompute.
    assert rows(wh, "SELECT * FROM plan_file_rows ORDER BY ALL") == kept
    assert plan_rows(wh) == [
        ("p2", "bo", "alice/plans/a-later.csv", 4),
        ("p2", "dee", "alice/plans/a-later.csv", 2),
        ("p2", "john smith", "alice/plans/a-later.csv", 3),
    ]
    assert rejections(wh) == []
    assert data_version(wh) != version
    mine, theirs = snapshot(wh), fresh(tmp_path, raw)
    assert (mine["plan_rows"], mine["rejected_rows"]) == (
        theirs["plan_rows"],
        theirs["rejected_rows"],
    )
    # Put back as it was: the plan counts again.
    two_plans(raw)
    run(wh, raw, "r3")
    # (the same bytes as its last good load: unchanged, its kept rows count again)
    assert statuses(wh, "r3")[1] == ("alice/plans/b-first.csv", "unchanged", 3, 0)
    assert snapshot(wh) == fresh(tmp_path, raw, "fresh-again")


def test_a_plan_id_used_twice_makes_the_later_file_an_error(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    write_plan_file(raw, "alice/a.csv", plan_lines("p1", "2026-03-01", FIRST))
    write_plan_file(raw, "alice/b.csv", plan_lines("p1", "2026-03-02", [("Eve", "friend")]))
    summary = run(wh, raw, "r1")
    log = {r[0]: r for r in load_log(wh, "r1")}
    assert log["alice/a.csv"][2:5] == ("loaded", 3, 0)
    assert log["alice/b.csv"][2:5] == ("error", 0, 0)
    assert log["alice/b.csv"][6] == (
        "plan_id 'p1' of member 'alice' is already used by alice/a.csv: a member's plan_ids "
        "must be unique, so this later file (in path order) is not loaded"
    )
    assert summary.errors == (f"alice/b.csv: {log['alice/b.csv'][6]}",)
    assert [r[2] for r in plan_rows(wh)] == ["alice/a.csv"] * 3
    # The first file removed: the second loads.
    (raw / "alice/a.csv").unlink()
    run(wh, raw, "r2")
    assert statuses(wh, "r2") == [("alice/a.csv", "removed", 0, 0), ("alice/b.csv", "loaded", 1, 0)]
    assert snapshot(wh) == fresh(tmp_path, raw)


def test_an_earlier_file_with_the_plan_id_turns_an_unchanged_later_file_into_an_error(
    tmp_path: Path, wh
) -> None:
    raw = tmp_path / "raw"
    write_plan_file(raw, "alice/b.csv", plan_lines("p1", "2026-03-02", [("Eve", "friend")]))
    run(wh, raw, "r1")
    write_plan_file(raw, "alice/a.csv", plan_lines("p1", "2026-03-01", FIRST))
    run(wh, raw, "r2")
    assert statuses(wh, "r2") == [("alice/a.csv", "loaded", 3, 0), ("alice/b.csv", "error", 0, 0)]
    assert [r[2] for r in plan_rows(wh)] == ["alice/a.csv"] * 3
    # Tables other than the error file's kept rows equal a fresh run's.
    mine, theirs = snapshot(wh), fresh(tmp_path, raw)
    assert mine["plan_rows"] == theirs["plan_rows"]
    assert mine["rejected_rows"] == theirs["rejected_rows"]


def test_a_changed_plan_recomputes_the_rejections_in_other_files(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    two_plans(raw)
    run(wh, raw, "r1")
    # p1 drops John Smith (a new seed, so the arms are the rule's again).
    kept = [c for c in FIRST if c[0] != "John Smith"]
    write_plan_file(raw, "alice/plans/b-first.csv", plan_lines("p1", "2026-03-01", kept))
    run(wh, raw, "r2")
    assert rejections(wh) == [
        ("alice/plans/a-later.csv", None, 4, "contact", "Bo", "contact already in plan p1")
    ]
    assert statuses(wh, "r2") == [
        ("alice/plans/a-later.csv", "unchanged", 2, 1),
        ("alice/plans/b-first.csv", "loaded", 2, 0),
    ]
    assert snapshot(wh) == fresh(tmp_path, raw)


def test_plans_and_calls_in_one_run_equal_a_fresh_run_after_changes(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    two_plans(raw)
    (raw / "alice/calls.csv").write_text(
        "date,name,ask\n2026-03-02,John Smith,job\n", encoding="utf-8"
    )
    run(wh, raw, "r1")
    assert rows(wh, "SELECT count(*) FROM calls") == [(1,)]
    write_plan_file(raw, "alice/plans/c.csv", plan_lines("p3", "2026-02-01", [("Dee", "friend")]))
    run(wh, raw, "r2")
    # p3 is the earliest plan: Dee is its contact now, rejected in p2.
    assert ("p3", "dee", "alice/plans/c.csv", 2) in plan_rows(wh)
    assert snapshot(wh) == fresh(tmp_path, raw)


# -- a run killed mid-transaction ------------------------------------------------


@pytest.mark.slow
def test_a_run_killed_while_loading_plans_leaves_the_warehouse_as_before(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    two_plans(raw)
    db = tmp_path / "wh.duckdb"
    with open_warehouse(db, lock_timeout=5) as wh:
        run(wh, raw, "first")
    before = tmp_path / "before.duckdb"
    shutil.copyfile(db, before)
    (raw / "alice/plans/b-first.csv").unlink()
    write_plan_file(raw, "alice/plans/c.csv", plan_lines("p3", "2026-02-01", [("Dee", "friend")]))
    signal_file = tmp_path / "paused"
    process = subprocess.Popen(
        [
            sys.executable,
            str(LOADER),
            *("--db", str(db), "--run-id", "killed", "--raw", str(raw)),
            *("--as-of", AS_OF.isoformat(), "--pause-at", "3", "--signal", str(signal_file)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not signal_file.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert signal_file.exists(), "the loader never reached the pause point"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None and not signal_file.exists():
            process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    with open_warehouse(db, lock_timeout=5) as wh:
        assert differences(wh, before, with_load_log=True) == {}
        run(wh, raw, "rerun")
        assert snapshot(wh) == fresh(tmp_path, raw)
        assert plan_rows(wh) == [
            ("p2", "bo", "alice/plans/a-later.csv", 4),
            ("p2", "john smith", "alice/plans/a-later.csv", 3),
            ("p3", "dee", "alice/plans/c.csv", 2),
        ]
