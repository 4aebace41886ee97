"""CONTRACT §4 loading guarantees, §1.7 duplicates and file errors, and the load log.

Most tests feed the loader validated-file stand-ins (tests/support/
warehouse_frames.py); the end-to-end ones at the bottom load real CSV files.
The kill and lock tests run tests/support/warehouse_loader.py as a subprocess.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from asklab.ingest.read import FileError
from asklab.load import (
    apply_ingest,
    build_plan,
    ingest,
    plan_ingest,
    read_planned,
)
from asklab.load.plan import params_fingerprint, sha256_file
from asklab.outcomes.store import write_outcomes
from asklab.warehouse import WarehouseBusy, open_warehouse
from tests.support.warehouse_frames import (
    call_row,
    differences,
    event_row,
    load_log,
    rejected_row,
    run_load,
    snapshot,
    synthetic_group,
    validated,
)

D = dt.date
LOADER = Path(__file__).parent / "support" / "warehouse_loader.py"
AS_OF_JUNE = D(2026, 6, 1)


@pytest.fixture
def wh(tmp_path: Path):
    with open_warehouse(tmp_path / "wh.duckdb", lock_timeout=1) as warehouse:
        yield warehouse


def rows(wh, sql: str, params: list | None = None) -> list[tuple]:
    return wh.con.execute(sql, params).fetchall()


def state(**values) -> dict:
    """One file_state row."""
    row = {
        "source_file": "alice/a.csv",
        "sha256": "s1",
        "params_fingerprint": "fp",
        "as_of": D(2026, 6, 1),
        "max_date": D(2026, 5, 1),
        "has_future_rejections": False,
        "last_loaded_run": "r0",
        "loaded_at": dt.datetime(2026, 6, 1),
    }
    row.update(values)
    return row


def plan_changes(
    states: list[dict], on_disk: dict[str, str], *, as_of: dt.date = AS_OF_JUNE, fp: str = "fp"
):
    plan = build_plan(
        pl.DataFrame(states, schema_overrides={"max_date": pl.Date}) if states else pl.DataFrame(),
        {name: (Path(name), sha) for name, sha in on_disk.items()},
        raw_root=Path("raw"),
        as_of=as_of,
        date_order="month-first",
        fingerprint=fp,
    )
    return [(f.source_file, f.sha256, f.change) for f in plan.files]


# -- planning ------------------------------------------------------------------


def test_sha256_file_streams_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "abc.csv"
    path.write_bytes(b"abc")
    # FIPS 180-2 test vector for "abc".
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_plan_sorts_files_into_new_changed_unchanged_removed() -> None:
    states = [
        state(source_file="a.csv", sha256="same"),
        state(source_file="b.csv", sha256="old"),
        state(source_file="c.csv", sha256="gone"),
    ]
    on_disk = {"a.csv": "same", "b.csv": "new-bytes", "d.csv": "fresh"}
    assert plan_changes(states, on_disk) == [
        ("a.csv", "same", "unchanged"),
        ("b.csv", "new-bytes", "changed"),
        ("c.csv", "gone", "removed"),
        ("d.csv", "fresh", "new"),
    ]


def test_plan_rereads_every_file_when_date_order_or_rules_change() -> None:
    assert plan_changes([state()], {"alice/a.csv": "s1"}, fp="other") == [
        ("alice/a.csv", "s1", "revalidate")
    ]
    assert params_fingerprint("month-first", "r1") != params_fingerprint("day-first", "r1")
    assert params_fingerprint("month-first", "r1") != params_fingerprint("month-first", "r2")


def test_plan_rechecks_future_rejections_whenever_as_of_moves() -> None:
    future = [state(has_future_rejections=True)]
    assert plan_changes(future, {"alice/a.csv": "s1"}, as_of=D(2026, 6, 1)) == [
        ("alice/a.csv", "s1", "unchanged")
    ]
    assert plan_changes(future, {"alice/a.csv": "s1"}, as_of=D(2026, 6, 2)) == [
        ("alice/a.csv", "s1", "revalidate")
    ]


def test_plan_rechecks_a_file_only_when_the_new_as_of_is_before_its_latest_date() -> None:
    latest_may_1 = [state(max_date=D(2026, 5, 1))]
    changes = [
        plan_changes(latest_may_1, {"alice/a.csv": "s1"}, as_of=as_of)[0][2]
        for as_of in (D(2026, 9, 1), D(2026, 5, 1), D(2026, 4, 30))
    ]
    assert changes == ["unchanged", "unchanged", "revalidate"]


# -- reruns, changes, removals -------------------------------------------------


def two_files(version: int = 1) -> dict:
    a_calls = [
        call_row("alice/a.csv", 2),
        call_row("alice/a.csv", 3, contact_key="ann lee", contact="Ann Lee", leads=version),
    ]
    b_events = [event_row("alice/b.csv", 2), event_row("alice/b.csv", 3, event_type="offer")]
    return {
        "alice/a.csv": (f"a{version}", validated("alice/a.csv", a_calls)),
        "alice/b.csv": ("b1", validated("alice/b.csv", events=b_events)),
    }


def test_rerun_on_unchanged_files_changes_no_table(wh) -> None:
    run_load(wh, two_files(), run_id="r1")
    before = snapshot(wh)
    ids_before = rows(wh, "SELECT call_id FROM calls UNION ALL SELECT event_id FROM events")
    summary = run_load(wh, two_files(), run_id="r2")
    assert snapshot(wh) == before
    assert rows(wh, "SELECT call_id FROM calls UNION ALL SELECT event_id FROM events") == ids_before
    assert load_log(wh, "r2") == [
        ("alice/a.csv", "a1", "unchanged", 2, 0, 0, None),
        ("alice/b.csv", "b1", "unchanged", 2, 0, 0, None),
    ]
    assert (summary.files_unchanged, summary.files_loaded, summary.rebuilt) == (2, 0, False)


def test_a_changed_file_replaces_exactly_what_it_contributed(wh) -> None:
    run_load(wh, two_files(version=1), run_id="r1")
    b_before = rows(wh, "SELECT * FROM events ORDER BY ALL")
    b_rows_before = rows(wh, "SELECT * FROM event_rows ORDER BY ALL")
    run_load(wh, two_files(version=2), run_id="r2")
    assert rows(wh, "SELECT * FROM events ORDER BY ALL") == b_before
    assert rows(wh, "SELECT * FROM event_rows ORDER BY ALL") == b_rows_before
    assert rows(wh, "SELECT contact_key, leads FROM calls ORDER BY ALL") == [
        ("ann lee", 2),
        ("john smith", 0),
    ]
    assert [r[:3] for r in load_log(wh, "r2")] == [
        ("alice/a.csv", "a2", "loaded"),
        ("alice/b.csv", "b1", "unchanged"),
    ]


def test_a_removed_file_has_its_rows_removed(wh) -> None:
    files = two_files()
    rejected = [rejected_row("alice/c.csv", 4)]
    files["alice/c.csv"] = (
        "c1",
        validated("alice/c.csv", [call_row("alice/c.csv", 2, leads=5)], rejected=rejected),
    )
    run_load(wh, files, run_id="r1")
    del files["alice/c.csv"]
    summary = run_load(wh, files, run_id="r2")
    for table in ("call_rows", "calls", "rejected_rows", "file_state"):
        assert rows(wh, f"SELECT count(*) FROM {table} WHERE source_file = 'alice/c.csv'") == [
            (0,)
        ], table
    assert load_log(wh, "r2")[2] == ("alice/c.csv", "c1", "removed", 0, 0, 0, None)
    assert (summary.files_removed, summary.rows_rejected_total) == (1, 0)


def test_a_file_in_error_keeps_what_it_contributed_on_its_last_good_load(wh) -> None:
    run_load(wh, two_files(), run_id="r1")
    before = snapshot(wh)
    broken = two_files()
    broken["alice/a.csv"] = ("a-broken", FileError("file is not UTF-8 text"))
    broken["alice/new.csv"] = (
        "n1",
        FileError("no recognised header (needs ask_type or event_type)"),
    )
    summary = run_load(wh, broken, run_id="r2")
    assert snapshot(wh) == before
    assert load_log(wh, "r2") == [
        ("alice/a.csv", "a-broken", "error", 0, 0, 0, "file is not UTF-8 text"),
        ("alice/b.csv", "b1", "unchanged", 2, 0, 0, None),
        (
            "alice/new.csv",
            "n1",
            "error",
            0,
            0,
            0,
            "no recognised header (needs ask_type or event_type)",
        ),
    ]
    assert summary.errors == (
        "alice/a.csv: file is not UTF-8 text",
        "alice/new.csv: no recognised header (needs ask_type or event_type)",
    )
    # Still broken next run: reported again, rows still kept.
    run_load(wh, broken, run_id="r3")
    assert [r[2] for r in load_log(wh, "r3")] == ["error", "unchanged", "error"]
    assert snapshot(wh) == before
    # Fixed: loaded again.
    run_load(wh, two_files(version=3), run_id="r4")
    assert rows(wh, "SELECT leads FROM calls WHERE contact_key = 'ann lee'") == [(3,)]


def test_after_any_sequence_of_runs_tables_equal_a_fresh_run(tmp_path: Path) -> None:
    final = two_files(version=2)
    final["bob/c.csv"] = (
        "c1",
        validated(
            "bob/c.csv",
            [call_row("bob/c.csv", 7, member="bob")],
            rejected=[rejected_row("bob/c.csv", 3, member="bob")],
        ),
    )
    # The history: a file changed, one removed, one added, one in error then fixed.
    history = two_files(version=1)
    history["alice/gone.csv"] = ("g", validated("alice/gone.csv", [call_row("alice/gone.csv", 2)]))
    broken = dict(final)
    broken["bob/c.csv"] = ("c-bad", FileError("broken"))
    with open_warehouse(tmp_path / "history.duckdb", lock_timeout=1) as wh:
        for number, files in enumerate((history, final, broken, final)):
            run_load(wh, files, run_id=f"r{number}")
        evolved = snapshot(wh)
    with open_warehouse(tmp_path / "fresh.duckdb", lock_timeout=1) as wh:
        run_load(wh, final, run_id="fresh")
        assert snapshot(wh) == evolved


def test_a_future_date_rejection_is_reloaded_once_as_of_reaches_it(wh) -> None:
    future = rejected_row(
        "alice/a.csv", 3, value="2026-07-01", reason="date 2026-07-01 is after the run date"
    )
    early = validated(
        "alice/a.csv", [call_row("alice/a.csv", 2)], rejected=[future], has_future_rejections=True
    )
    run_load(wh, {"alice/a.csv": ("s1", early)}, run_id="r1", as_of=D(2026, 6, 1))
    # Same as_of: nothing to recheck.
    run_load(wh, {"alice/a.csv": ("s1", early)}, run_id="r2", as_of=D(2026, 6, 1))
    assert [r[2] for r in load_log(wh, "r2")] == ["unchanged"]
    later = validated(
        "alice/a.csv",
        [call_row("alice/a.csv", 2), call_row("alice/a.csv", 3, call_date=D(2026, 7, 1))],
    )
    run_load(wh, {"alice/a.csv": ("s1", later)}, run_id="r3", as_of=D(2026, 7, 2))
    assert load_log(wh, "r3") == [("alice/a.csv", "s1", "loaded", 2, 0, 0, None)]
    assert rows(wh, "SELECT call_date FROM calls ORDER BY ALL") == [
        (D(2026, 3, 4),),
        (D(2026, 7, 1),),
    ]
    assert rows(wh, "SELECT count(*) FROM rejected_rows") == [(0,)]


def test_apply_ingest_refuses_results_that_do_not_match_the_plan(wh) -> None:
    plan = build_plan(
        pl.DataFrame(),
        {"a.csv": (Path("a.csv"), "s")},
        raw_root=Path("raw"),
        as_of=D(2026, 6, 1),
        date_order="month-first",
        fingerprint="fp",
    )
    with pytest.raises(ValueError, match=r"missing \['a.csv'\]"):
        apply_ingest(wh, plan, {}, run_id="r1")


# -- a run killed mid-transaction ------------------------------------------------

# 6 files x 21,000 rows: 126,000 call rows and as many event rows, more than one
# DuckDB row group (122,880 rows), so DuckDB writes blocks to the file before
# the commit.
BIG = ("6", "21000")
SMALL = ("6", "200")


def loader(db: Path, run_id: str, size: tuple[str, str], *args: str) -> list[str]:
    files, rows_per_file = size
    return [
        sys.executable,
        str(LOADER),
        *("--db", str(db), "--run-id", run_id, "--files", files, "--rows", rows_per_file),
        *args,
    ]


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"loader exited early: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("loader never reached the pause point")
        time.sleep(0.05)


def load_synthetic(db: Path, size: tuple[str, str], variant: int, run_id: str) -> None:
    group = synthetic_group(int(size[0]), int(size[1]), variant)
    with open_warehouse(db, lock_timeout=5) as wh:
        run_load(wh, group, run_id=run_id, fingerprint="synthetic")


@pytest.mark.parametrize(("size", "pause_at"), [(BIG, 2), (SMALL, 3)], ids=["big", "small"])
def test_a_run_killed_mid_transaction_leaves_the_warehouse_as_before(
    tmp_path: Path, size: tuple[str, str], pause_at: int
) -> None:
    db = tmp_path / "wh.duckdb"
    load_synthetic(db, size, variant=1, run_id="first")
    with open_warehouse(db, lock_timeout=5) as wh, wh.transaction():
        write_outcomes(wh, {"weekly_activity": pl.DataFrame({"calls": [1]})})
    before = tmp_path / "before.duckdb"
    shutil.copyfile(db, before)
    signal_file = tmp_path / "paused"
    # Variant 2 changes every file; the loader stops after step `pause_at` of
    # apply_ingest (2: old rows deleted and new rows inserted, 3: calls and
    # events rebuilt too), inside the open transaction, and is killed there.
    args = ("--variant", "2", "--pause-at", str(pause_at), "--signal", str(signal_file))
    process = subprocess.Popen(
        loader(db, "killed", size, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    wait_for(signal_file, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL

    with open_warehouse(db, lock_timeout=5) as wh:
        assert differences(wh, before, with_load_log=True) == {}
        assert rows(wh, "SELECT DISTINCT run_id FROM load_log") == [("first",)]
        assert rows(wh, "SELECT calls FROM weekly_activity") == [(1,)]
    # The next run completes the work: equal to a clean run on a fresh file.
    load_synthetic(db, size, variant=2, run_id="rerun")
    fresh = tmp_path / "fresh.duckdb"
    load_synthetic(fresh, size, variant=2, run_id="fresh")
    with open_warehouse(db, lock_timeout=5) as wh:
        assert differences(wh, fresh) == {}
        # Deduplication had work to do: a member's second file repeats 10% of
        # the first one's rows (3 members).
        files, per_file = int(size[0]), int(size[1])
        assert rows(wh, "SELECT (SELECT count(*) FROM call_rows), count(*) FROM calls") == [
            (files * per_file, files * per_file - 3 * per_file // 10)
        ]
        assert rows(
            wh, "SELECT status, count(*) FROM load_log WHERE run_id = 'rerun' GROUP BY ALL"
        ) == [("loaded", 6)]


# -- two runs at once ------------------------------------------------------------


def test_a_second_run_waits_for_the_first_or_refuses_with_a_clear_message(
    tmp_path: Path,
) -> None:
    db = tmp_path / "wh.duckdb"
    signal_file = tmp_path / "paused"
    pause = ("--pause-at", "2", "--pause-seconds", "3", "--signal", str(signal_file))
    first = subprocess.Popen(
        loader(db, "first", SMALL, *pause),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(signal_file, first)
    # A run that will not wait long is refused, naming the holder.
    with pytest.raises(WarehouseBusy) as busy, open_warehouse(db, lock_timeout=0.1):
        pass
    assert f"another asklab run (pid {first.pid}) holds the warehouse" in str(busy.value)
    # A run that waits gets in once the first has committed.
    second = subprocess.run(
        loader(db, "second", SMALL, "--lock-timeout", "60"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    first_out, first_err = first.communicate(timeout=60)
    assert (first.returncode, first_err) == (0, "")
    assert (second.returncode, second.stderr) == (0, "")
    assert first_out.startswith("loaded=6 unchanged=0")
    assert second.stdout.startswith("loaded=0 unchanged=6")
    fresh = tmp_path / "fresh.duckdb"
    load_synthetic(fresh, SMALL, variant=1, run_id="fresh")
    with open_warehouse(db, lock_timeout=5) as wh:
        assert rows(
            wh, "SELECT run_id, status, count(*) FROM load_log GROUP BY ALL ORDER BY ALL"
        ) == [
            ("first", "loaded", 6),
            ("second", "unchanged", 6),
        ]
        assert differences(wh, fresh) == {}


def test_a_busy_loader_process_exits_with_the_message(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    with open_warehouse(db, lock_timeout=1):
        refused = subprocess.run(
            loader(db, "late", SMALL, "--lock-timeout", "0.2"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert refused.returncode == 3
    assert f"another asklab run (pid {os.getpid()}) holds the warehouse" in refused.stderr


def test_a_warehouse_held_open_by_another_program_is_refused_clearly(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    with open_warehouse(db, lock_timeout=1):
        pass
    holder_code = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
        "print('open', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "open\n"
        with (
            pytest.raises(WarehouseBusy, match="another program has the warehouse"),
            open_warehouse(db, lock_timeout=0.2),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    # The lock file was free all along; DuckDB's own file lock was the obstacle.
    with open_warehouse(db, lock_timeout=5) as wh:
        assert rows(wh, "SELECT max(version) FROM schema_version") == [(2,)]


# -- end to end over real CSV files ----------------------------------------------

AS_OF = D(2026, 4, 1)
CALLS_HEADER = "date,name,ask,relationship,agreed,intros,leads,notes\n"


def write(raw: Path, relative: str, text: str) -> Path:
    path = raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_csv(wh, raw: Path, run_id: str, as_of: dt.date = AS_OF):
    with wh.transaction():
        return ingest(wh, raw, as_of=as_of, date_order="month-first", run_id=run_id)


def test_csv_duplicates_across_files_and_an_unchanged_rerun(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    write(
        raw,
        "alice/a.csv",
        CALLS_HEADER
        + "2026-03-01,John Smith,job,friend,,0,1,first\n"
        + "2026-03-02,Ann Lee,ref,colleague,yes,,,\n",
    )
    write(
        raw,
        "alice/b.csv",
        CALLS_HEADER
        + "\n"  # a blank line still counts for line numbers
        + "03/01/2026, john  SMITH ,Job Lead,family,,0,1.0,copy with other notes\n"
        + "2026-03-09,Zoe,advice,,,,,\n",
    )
    summary = run_csv(wh, raw, "r1")
    assert rows(
        wh, "SELECT contact, relationship, source_file, source_line FROM calls ORDER BY ALL"
    ) == [
        ("Ann Lee", "colleague", "alice/a.csv", 3),
        ("John Smith", "friend", "alice/a.csv", 2),
        ("Zoe", "unknown", "alice/b.csv", 4),
    ]
    assert [r[2:6] for r in load_log(wh, "r1")] == [
        ("loaded", 2, 0, 0),
        ("loaded", 1, 0, 1),
    ]
    assert load_log(wh, "r1")[0][1] == sha256_file(raw / "alice/a.csv")
    assert (summary.files_loaded, summary.calls) == (2, 3)
    before = snapshot(wh)
    rerun = run_csv(wh, raw, "r2")
    assert snapshot(wh) == before
    assert [r[2:6] for r in load_log(wh, "r2")] == [
        ("unchanged", 2, 0, 0),
        ("unchanged", 1, 0, 1),
    ]
    assert rerun.rebuilt is False


def test_csv_row_moved_to_another_file_keeps_its_call_id(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    write(raw, "alice/a.csv", CALLS_HEADER + "2026-03-01,John Smith,ref,friend,yes,1,0,\n")
    run_csv(wh, raw, "r1")
    [(call_id,)] = rows(wh, "SELECT call_id FROM calls")
    (raw / "alice/a.csv").unlink()
    write(
        raw,
        "alice/2026/b.csv",
        CALLS_HEADER + "2026-03-05,Other,job,,,,,\n" + "2026-03-01,john smith,Ref,friend,Y,1,0,\n",
    )
    summary = run_csv(wh, raw, "r2")
    assert rows(wh, "SELECT source_file, source_line FROM calls WHERE call_id = ?", [call_id]) == [
        ("alice/2026/b.csv", 3)
    ]
    assert [r[:3:2] for r in load_log(wh, "r2")] == [
        ("alice/2026/b.csv", "loaded"),
        ("alice/a.csv", "removed"),
    ]
    assert (summary.files_loaded, summary.files_removed) == (1, 1)


def test_csv_future_date_is_loaded_once_as_of_reaches_it(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    write(
        raw,
        "alice/a.csv",
        CALLS_HEADER + "2026-03-01,John Smith,job,,,,,\n" + "2026-04-10,Ann Lee,job,,,,,\n",
    )
    first = run_csv(wh, raw, "r1", as_of=D(2026, 4, 1))
    assert rows(wh, 'SELECT line, "column", value FROM rejected_rows') == [
        (3, "call_date", "2026-04-10")
    ]
    assert (first.rows_rejected_total, first.rows_rejected_run) == (1, 1)
    run_csv(wh, raw, "r2", as_of=D(2026, 4, 1))
    assert [r[2] for r in load_log(wh, "r2")] == ["unchanged"]
    run_csv(wh, raw, "r3", as_of=D(2026, 4, 10))
    assert [r[2:5] for r in load_log(wh, "r3")] == [("loaded", 2, 0)]
    assert rows(wh, "SELECT count(*) FROM rejected_rows") == [(0,)]
    assert rows(wh, "SELECT contact FROM calls ORDER BY ALL") == [("Ann Lee",), ("John Smith",)]
    # Back to an earlier as_of: the April 10 call is rejected again.
    run_csv(wh, raw, "r4", as_of=D(2026, 4, 1))
    assert rows(wh, "SELECT contact FROM calls") == [("John Smith",)]


def test_csv_file_error_keeps_the_last_good_rows(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    write(raw, "alice/a.csv", CALLS_HEADER + "2026-03-01,John Smith,job,,,,,\n")
    run_csv(wh, raw, "r1")
    before = snapshot(wh)
    (raw / "alice/a.csv").write_bytes(b"date,name,ask\n2026-03-02,Jos\xe9,job\n")  # Latin-1
    summary = run_csv(wh, raw, "r2")
    assert snapshot(wh) == before
    [(source_file, _, status, *_counts, message)] = load_log(wh, "r2")
    assert (source_file, status, summary.files_error) == ("alice/a.csv", "error", 1)
    assert "UTF-8" in message
    assert summary.errors == (f"alice/a.csv: {message}",)


def test_read_planned_turns_a_vanished_file_into_a_file_error(tmp_path: Path, wh) -> None:
    raw = tmp_path / "raw"
    write(raw, "alice/a.csv", CALLS_HEADER + "2026-03-01,John Smith,job,,,,,\n")
    write(raw, "alice/b.csv", CALLS_HEADER + "2026-03-02,Ann Lee,job,,,,,\n")
    plan = plan_ingest(wh, raw, as_of=AS_OF, date_order="month-first")
    (raw / "alice/b.csv").unlink()
    calls: list[tuple[int, int]] = []
    results = read_planned(
        plan, as_of=AS_OF, date_order="month-first", progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 2), (2, 2)]
    assert results["alice/a.csv"].calls.height == 1
    assert isinstance(results["alice/b.csv"], FileError)
    with pytest.raises(ValueError, match="does not match the plan"):
        read_planned(plan, as_of=D(2026, 1, 1), date_order="month-first")


def test_a_change_to_the_id_models_rereads_every_file(tmp_path: Path, monkeypatch) -> None:
    # Ids are computed when a file's rows are stored, so a new id rule must
    # reach every stored row: the rules fingerprint covers the id models.
    from asklab.load import plan
    from asklab.queries import sql_root

    before = plan.rules_fingerprint()
    sql = tmp_path / "sql"
    shutil.copytree(sql_root(), sql)
    monkeypatch.setattr(plan, "sql_path", lambda name: sql / f"{name}.sql")
    assert plan.rules_fingerprint() == before
    (sql / "models" / "event_ids.sql").write_text("SELECT md5(member) AS event_id FROM staged_rows")
    assert plan.rules_fingerprint() != before
