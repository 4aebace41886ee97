"""The DuckDB warehouse: migrations, ids, deduplication, outcome writes, the run lock.

Inputs are validated-file stand-ins (tests/support/warehouse_frames.py), so
these tests do not depend on the CSV readers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from asklab.freshness import OUTCOMES_KEY, data_version, meta_value, set_meta_value
from asklab.outcomes.store import (
    append_call_outcomes,
    clear_call_outcomes,
    update_event_call_ids,
    write_outcomes,
)
from asklab.queries import sql_root
from asklab.warehouse import (
    EVENT_ROWID,
    MigrationError,
    WarehouseBusy,
    migrate,
    open_warehouse,
    read_calls,
    read_events,
    schema_version,
)
from tests.support.warehouse_frames import (
    call_row,
    event_row,
    load_log,
    run_load,
    validated,
)

D = dt.date


@pytest.fixture
def wh(tmp_path: Path):
    with open_warehouse(tmp_path / "wh.duckdb", lock_timeout=1) as warehouse:
        yield warehouse


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def rows(wh, sql: str) -> list[tuple]:
    return wh.con.execute(sql).fetchall()


# -- migrations --------------------------------------------------------------


def test_open_creates_parent_folders_and_applies_the_first_migration(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "er" / "wh.duckdb"
    with open_warehouse(db, lock_timeout=1) as wh:
        assert rows(wh, "SELECT version, name FROM schema_version ORDER BY version") == [
            (1, "001_init.sql"),
            (2, "002_plans.sql"),
        ]
        tables = {r[0] for r in rows(wh, "SELECT table_name FROM duckdb_tables()")}
        views = {r[0] for r in rows(wh, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert db.is_file()
    assert {
        "file_state",
        "rejected_rows",
        "calls",
        "call_duplicates",
        "events",
        "event_duplicates",
        "load_log",
        "call_outcomes",
        "outcomes_by_strategy",
        "strategy_comparison",
    } <= tables
    # Every valid row, duplicates included, as views over the two tables each.
    assert views == {"call_rows", "event_rows"}


def test_reopening_applies_nothing_and_keeps_data(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    with open_warehouse(db, lock_timeout=1) as wh:
        wh.execute("INSERT INTO warehouse_meta VALUES ('probe', 'kept')")
    with open_warehouse(db, lock_timeout=1) as wh:
        assert migrate(wh) == []
        assert rows(wh, "SELECT version FROM schema_version ORDER BY version") == [(1,), (2,)]
        assert rows(wh, "SELECT value FROM warehouse_meta WHERE key = 'probe'") == [("kept",)]


def test_a_later_migration_upgrades_an_existing_file_once(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(sql_root() / "schema", schema)
    db = tmp_path / "wh.duckdb"
    with open_warehouse(db, lock_timeout=1) as wh:
        run_load(
            wh, {"alice/a.csv": ("s1", validated("alice/a.csv", [call_row("a", 2)]))}, run_id="r1"
        )
    (schema / "900_add_call_flag.sql").write_text(
        "ALTER TABLE calls ADD COLUMN flagged BOOLEAN DEFAULT false;\n"
        "CREATE TABLE extra_notes (note VARCHAR);\n"
    )
    with open_warehouse(db, lock_timeout=1) as wh:
        assert migrate(wh, schema) == [900]
        assert migrate(wh, schema) == []
        assert schema_version(wh) == 900
        assert rows(wh, "SELECT version, name FROM schema_version ORDER BY version") == [
            (1, "001_init.sql"),
            (2, "002_plans.sql"),
            (900, "900_add_call_flag.sql"),
        ]
        assert rows(wh, "SELECT member, flagged FROM calls") == [("alice", False)]


def test_a_failing_migration_leaves_no_trace(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(sql_root() / "schema", schema)
    (schema / "900_broken.sql").write_text(
        "CREATE TABLE half_done (a INTEGER);\nSELECT * FROM no_such_table;\n"
    )
    with open_warehouse(tmp_path / "wh.duckdb", lock_timeout=1) as wh:
        with pytest.raises(duckdb.CatalogException):
            migrate(wh, schema)
        assert schema_version(wh) == 2
        assert rows(wh, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'") == [
            (0,)
        ]


def test_a_warehouse_from_a_newer_asklab_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    with open_warehouse(db, lock_timeout=1) as wh:
        wh.execute(
            "INSERT INTO schema_version VALUES (99, '099_future.sql', TIMESTAMP '2030-01-01')"
        )
    with (
        pytest.raises(MigrationError, match=r"\[99\].*newer asklab"),
        open_warehouse(db, lock_timeout=1),
    ):
        pass


def test_a_badly_named_migration_is_refused(tmp_path: Path, wh) -> None:
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "2_oops.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"001_name\.sql"):
        migrate(wh, schema)


# -- ids ---------------------------------------------------------------------


def test_call_id_is_md5_of_the_length_prefixed_duplicate_key(wh) -> None:
    calls = [
        call_row("alice/a.csv", 2),
        call_row(
            "alice/a.csv",
            3,
            contact="José  Díaz",
            contact_key="josé díaz",
            ask_label="reference+introduction",
            agreed_reference=True,
            introductions=2,
            leads=11,
        ),
    ]
    run_load(wh, {"alice/a.csv": ("s1", validated("alice/a.csv", calls))}, run_id="r1")
    # Each part is "<byte length>:<text>", null is "-"; 'josé díaz' is 11 bytes in UTF-8.
    assert rows(wh, "SELECT source_line, call_id FROM calls ORDER BY source_line") == [
        (2, md5("5:alice10:2026-03-0410:john smith3:job-1:01:0")),
        (3, md5("5:alice10:2026-03-0411:josé díaz22:reference+introduction4:true1:22:11")),
    ]


def test_event_id_is_md5_of_the_length_prefixed_duplicate_key(wh) -> None:
    events = [event_row("alice/e.csv", 2, event_type="reached_out", count=3)]
    run_load(wh, {"alice/e.csv": ("s1", validated("alice/e.csv", events=events))}, run_id="r1")
    assert rows(wh, "SELECT event_id FROM events") == [
        (md5("5:alice10:2026-03-1010:john smith11:reached_out1:3"),)
    ]


def test_length_prefix_keeps_apart_keys_that_concatenate_alike(wh) -> None:
    calls = [
        call_row("x.csv", 2, member="ab", contact_key="c"),
        call_row("x.csv", 3, member="a", contact_key="bc"),
    ]
    run_load(wh, {"x.csv": ("s1", validated("x.csv", calls))}, run_id="r1")
    assert rows(wh, "SELECT count(DISTINCT call_id) FROM calls") == [(2,)]


def test_ids_do_not_depend_on_file_line_or_run(tmp_path: Path) -> None:
    row = {"call_date": D(2026, 2, 1), "leads": 2}
    with open_warehouse(tmp_path / "one.duckdb", lock_timeout=1) as first:
        run_load(
            first, {"a.csv": ("s1", validated("a.csv", [call_row("a.csv", 2, **row)]))}, run_id="r1"
        )
        id_one = rows(first, "SELECT call_id FROM calls")
    with open_warehouse(tmp_path / "two.duckdb", lock_timeout=1) as second:
        moved = validated("z/b.csv", [call_row("z/b.csv", 2), call_row("z/b.csv", 40, **row)])
        run_load(second, {"z/b.csv": ("s9", moved)}, run_id="another-run")
        id_two = rows(second, "SELECT call_id FROM calls WHERE source_line = 40")
    assert id_one == id_two


# -- deduplication -----------------------------------------------------------


def test_duplicate_calls_keep_the_first_copy_in_file_then_line_order(wh) -> None:
    x = {"contact": "Xavier", "contact_key": "xavier"}
    y = {"contact": "Yan", "contact_key": "yan"}
    z = {"contact": "Zoe", "contact_key": "zoe"}
    files = {
        "alice/a.csv": (
            "sa",
            validated(
                "alice/a.csv",
                [
                    call_row("alice/a.csv", 2, **y),
                    call_row("alice/a.csv", 3, **y),  # copy within the file
                    call_row("alice/a.csv", 5, **x),
                ],
            ),
        ),
        "alice/b.csv": (
            "sb",
            validated(
                "alice/b.csv",
                [
                    # Earlier line than a.csv's copy, but a later file: a.csv:5 wins.
                    call_row("alice/b.csv", 2, relationship="family", **x),
                    call_row("alice/b.csv", 3, **z),
                ],
            ),
        ),
        # Same content under another member: a different call.
        "bob/c.csv": ("sc", validated("bob/c.csv", [call_row("bob/c.csv", 2, member="bob", **x)])),
    }
    summary = run_load(wh, files, run_id="r1")
    assert rows(
        wh,
        "SELECT member, contact_key, relationship, source_file, source_line "
        "FROM calls ORDER BY ALL",
    ) == [
        ("alice", "xavier", "friend", "alice/a.csv", 5),
        ("alice", "yan", "friend", "alice/a.csv", 2),
        ("alice", "zoe", "friend", "alice/b.csv", 3),
        ("bob", "xavier", "friend", "bob/c.csv", 2),
    ]
    # Every valid row is kept in call_rows, duplicates included.
    assert rows(wh, "SELECT count(*) FROM call_rows") == [(6,)]
    assert load_log(wh, "r1") == [
        ("alice/a.csv", "sa", "loaded", 2, 0, 1, None),
        ("alice/b.csv", "sb", "loaded", 1, 0, 1, None),
        ("bob/c.csv", "sc", "loaded", 1, 0, 0, None),
    ]
    assert (summary.files_loaded, summary.calls, summary.events) == (3, 4, 0)


def test_calls_differing_in_one_key_column_are_distinct(wh) -> None:
    calls = [
        call_row("a.csv", 2),
        call_row("a.csv", 3, agreed_reference=False),
        call_row("a.csv", 4, agreed_reference=True),
        call_row("a.csv", 5, agreed_reference=True),  # copy of line 4
        call_row("a.csv", 6, leads=1),
        call_row("a.csv", 7, notes="notes are not part of the key"),  # copy of line 2
    ]
    run_load(wh, {"a.csv": ("s", validated("a.csv", calls))}, run_id="r1")
    assert rows(wh, "SELECT source_line FROM calls ORDER BY source_line") == [
        (2,),
        (3,),
        (4,),
        (6,),
    ]
    assert load_log(wh, "r1") == [("a.csv", "s", "loaded", 4, 0, 2, None)]


def test_duplicate_events_keep_the_first_copy(wh) -> None:
    files = {
        "alice/e1.csv": (
            "s1",
            validated(
                "alice/e1.csv",
                events=[event_row("alice/e1.csv", 2), event_row("alice/e1.csv", 3, count=2)],
            ),
        ),
        "alice/e2.csv": (
            "s2",
            validated(
                "alice/e2.csv",
                events=[
                    event_row("alice/e2.csv", 2, contact="JOHN SMITH"),  # same key: a copy
                    event_row("alice/e2.csv", 3, event_type="offer"),
                ],
            ),
        ),
    }
    run_load(wh, files, run_id="r1")
    assert rows(
        wh,
        "SELECT contact, event_type, count, source_file, source_line, call_id "
        "FROM events ORDER BY ALL",
    ) == [
        ("John Smith", "lead", 1, "alice/e1.csv", 2, None),
        ("John Smith", "lead", 2, "alice/e1.csv", 3, None),
        ("John Smith", "offer", 1, "alice/e2.csv", 3, None),
    ]
    assert load_log(wh, "r1") == [
        ("alice/e1.csv", "s1", "loaded", 2, 0, 0, None),
        ("alice/e2.csv", "s2", "loaded", 1, 0, 1, None),
    ]


def test_rejected_rows_are_stored_and_counted_per_row(wh) -> None:
    rejected = [
        {"line": 3, "column": "call_date", "value": "someday", "reason": "not a date"},
        {"line": 3, "column": "leads", "value": "two", "reason": "not a whole number"},
        {"line": 5, "column": "ask_type", "value": "jbo", "reason": "unknown ask 'jbo'"},
    ]
    file = validated(
        "alice/a.csv",
        [call_row("alice/a.csv", 2)],
        rejected=[
            {"source_file": "alice/a.csv", "sheet": None, "member": "alice", **r} for r in rejected
        ],
        notices=("unknown column(s) kept out: mood",),
    )
    summary = run_load(wh, {"alice/a.csv": ("s", file)}, run_id="r1")
    assert rows(
        wh, 'SELECT line, "column", value, reason, member FROM rejected_rows ORDER BY ALL'
    ) == [
        (3, "call_date", "someday", "not a date", "alice"),
        (3, "leads", "two", "not a whole number", "alice"),
        (5, "ask_type", "jbo", "unknown ask 'jbo'", "alice"),
    ]
    # Two rows were rejected (line 3 has two bad cells).
    assert load_log(wh, "r1") == [
        ("alice/a.csv", "s", "loaded", 1, 2, 0, "unknown column(s) kept out: mood")
    ]
    assert (summary.rows_rejected_total, summary.rows_rejected_run) == (2, 2)
    assert summary.notices == ("alice/a.csv: unknown column(s) kept out: mood",)


# -- reading -----------------------------------------------------------------


def test_read_calls_and_read_events_give_contract_columns_and_contact(wh) -> None:
    files = {
        "a.csv": ("s", validated("a.csv", [call_row("a.csv", 2, contact="John  Smith")])),
        "e.csv": ("t", validated("e.csv", events=[event_row("e.csv", 2)])),
    }
    run_load(wh, files, run_id="r1")
    calls = read_calls(wh)
    assert calls.columns == [
        "call_id",
        "member",
        "call_date",
        "contact_key",
        "relationship",
        "ask_label",
        "strategy",
        "agreed_reference",
        "introductions",
        "leads",
        "source_file",
        "source_line",
        "contact",
    ]
    assert calls.row(0)[1:] == (
        "alice",
        D(2026, 3, 4),
        "john smith",
        "friend",
        "job",
        "job",
        None,
        0,
        0,
        "a.csv",
        2,
        "John  Smith",
    )
    events = read_events(wh)
    assert events.columns == [
        "event_id",
        "member",
        "event_date",
        "contact_key",
        "event_type",
        "count",
        "source_file",
        "source_line",
        "contact",
    ]
    assert events.schema["event_date"] == pl.Date
    assert events.row(0)[1:] == (
        "alice",
        D(2026, 3, 10),
        "john smith",
        "lead",
        1,
        "e.csv",
        2,
        "John Smith",
    )


# -- outcome tables ----------------------------------------------------------


def _loaded_one_call_one_event(wh) -> tuple[str, str]:
    files = {
        "a.csv": ("s", validated("a.csv", [call_row("a.csv", 2)])),
        "e.csv": ("t", validated("e.csv", events=[event_row("e.csv", 2)])),
    }
    run_load(wh, files, run_id="r1")
    return rows(wh, "SELECT call_id FROM calls")[0][0], rows(wh, "SELECT event_id FROM events")[0][
        0
    ]


def _strategy_comparison_frame(diff: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "scope": ["group"],
            "member": [None],
            "metric": ["yes_rate"],
            "n_ref": [10],
            "x_ref": [6],
            "n_job": [10],
            "x_job": [3],
            "diff": [diff],
            "diff_lo": [-0.1],
            "diff_hi": [0.6],
            "prob_ref_better": [0.9],
            "mh_diff": [0.3],
            "mh_diff_lo": [0.1],
            "mh_diff_hi": [0.5],
            "small_sample": [False],
        },
        schema_overrides={"member": pl.String},
    )


def test_write_outcomes_replaces_rows_and_adds_extra_columns(wh) -> None:
    with wh.transaction():
        write_outcomes(wh, {"strategy_comparison": _strategy_comparison_frame(0.3)})
        write_outcomes(wh, {"strategy_comparison": _strategy_comparison_frame(0.25)})
    assert rows(wh, "SELECT metric, n_ref, diff, small_sample FROM strategy_comparison") == [
        ("yes_rate", 10, 0.25, False)
    ]
    # The contract column keeps its declared type.
    assert rows(
        wh,
        "SELECT data_type FROM duckdb_columns() "
        "WHERE table_name = 'strategy_comparison' AND column_name = 'n_ref'",
    ) == [("BIGINT",)]


def test_write_outcomes_refuses_a_frame_missing_contract_columns(wh) -> None:
    with pytest.raises(ValueError, match="strategy_comparison: rows lack contract column"):
        write_outcomes(wh, {"strategy_comparison": _strategy_comparison_frame(0.3).drop("mh_diff")})


def test_write_outcomes_sets_event_call_ids_and_creates_marts(wh) -> None:
    call_id, event_id = _loaded_one_call_one_event(wh)
    funnel = pl.DataFrame({"scope": ["group"], "stage": ["call"], "calls": [1]})
    write_outcomes(
        wh,
        {"events": pl.DataFrame({"event_id": [event_id], "call_id": [call_id]}), "funnel": funnel},
    )
    assert rows(wh, "SELECT event_id, call_id FROM events") == [(event_id, call_id)]
    assert rows(wh, "SELECT * FROM funnel") == [("group", "call", 1)]
    # Replacing a mart replaces its columns too.
    write_outcomes(wh, {"funnel": pl.DataFrame({"stage": ["lead"]})})
    assert rows(wh, "SELECT * FROM funnel") == [("lead",)]
    # An event left out of the frame is unattributed.
    write_outcomes(
        wh, {"events": pl.DataFrame(schema={"event_id": pl.String, "call_id": pl.String})}
    )
    assert rows(wh, "SELECT call_id FROM events") == [(None,)]


def test_write_outcomes_refuses_unknown_events_and_ingest_tables(wh) -> None:
    call_id, event_id = _loaded_one_call_one_event(wh)
    with pytest.raises(ValueError, match="1 event_id"):
        write_outcomes(wh, {"events": pl.DataFrame({"event_id": ["nope"], "call_id": ["c"]})})
    twice = pl.DataFrame({"event_id": [event_id, event_id], "call_id": [call_id, None]})
    with pytest.raises(ValueError, match="repeats an event_id"):
        write_outcomes(wh, {"events": twice})
    with pytest.raises(ValueError, match="calls is written by the ingest stage"):
        write_outcomes(wh, {"calls": pl.DataFrame({"call_id": ["c"]})})


# -- transactions and the lock -----------------------------------------------


def test_a_failed_transaction_leaves_the_warehouse_as_before(wh) -> None:
    run_load(wh, {"a.csv": ("s1", validated("a.csv", [call_row("a.csv", 2)]))}, run_id="r1")
    before = rows(wh, "SELECT * FROM calls ORDER BY ALL")
    with pytest.raises(RuntimeError, match="boom"), wh.transaction():
        run_load(
            wh, {"a.csv": ("s2", validated("a.csv", [call_row("a.csv", 9, leads=4)]))}, run_id="r2"
        )
        raise RuntimeError("boom")
    assert rows(wh, "SELECT * FROM calls ORDER BY ALL") == before
    assert rows(wh, "SELECT DISTINCT run_id FROM load_log") == [("r1",)]
    assert not wh.in_transaction


def test_a_second_opener_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    with open_warehouse(db, lock_timeout=1):
        with pytest.raises(WarehouseBusy) as busy, open_warehouse(db, lock_timeout=0.2):
            pass
        assert f"another asklab run (pid {os.getpid()}) holds the warehouse" in str(busy.value)
    # Released on exit: the next run gets in at once.
    with open_warehouse(db, lock_timeout=0) as wh:
        assert schema_version(wh) == 2
    assert (tmp_path / "wh.duckdb.lock").is_file()


# -- where copies are stored, data version, outcome rows in parts ---------------


def test_first_copies_are_calls_and_later_copies_call_duplicates(wh) -> None:
    files = {
        "a.csv": ("sa", validated("a.csv", [call_row("a.csv", 2), call_row("a.csv", 3)])),
        "b.csv": ("sb", validated("b.csv", [call_row("b.csv", 2, relationship="family")])),
    }
    run_load(wh, files, run_id="r1")
    assert rows(wh, "SELECT source_file, source_line, relationship FROM calls") == [
        ("a.csv", 2, "friend")
    ]
    assert rows(
        wh, "SELECT source_file, source_line, relationship FROM call_duplicates ORDER BY ALL"
    ) == [("a.csv", 3, "friend"), ("b.csv", 2, "family")]
    # Every copy has the same content-derived id.
    assert rows(
        wh,
        "SELECT count(DISTINCT call_id) FROM (SELECT call_id FROM calls UNION ALL "
        "SELECT call_id FROM call_duplicates)",
    ) == [(1,)]


def test_a_new_earlier_copy_becomes_the_kept_one(wh) -> None:
    # b.csv holds the call first; then a.csv (earlier in file order) arrives
    # with a copy: a.csv's row is kept, b.csv's becomes the extra copy.
    b_only = {"b.csv": ("sb", validated("b.csv", [call_row("b.csv", 5, relationship="family")]))}
    run_load(wh, b_only, run_id="r1")
    both = {**b_only, "a.csv": ("sa", validated("a.csv", [call_row("a.csv", 9)]))}
    run_load(wh, both, run_id="r2")
    assert rows(wh, "SELECT source_file, source_line, relationship FROM calls") == [
        ("a.csv", 9, "friend")
    ]
    assert rows(wh, "SELECT source_file, source_line FROM call_duplicates") == [("b.csv", 5)]
    assert load_log(wh, "r2") == [
        ("a.csv", "sa", "loaded", 1, 0, 0, None),
        ("b.csv", "sb", "unchanged", 0, 0, 1, None),
    ]
    # And back: without a.csv, b.csv's copy is the kept one again.
    run_load(wh, b_only, run_id="r3")
    assert rows(wh, "SELECT source_file, relationship FROM calls") == [("b.csv", "family")]
    assert rows(wh, "SELECT count(*) FROM call_duplicates") == [(0,)]


def test_events_left_alone_keep_their_attribution(wh) -> None:
    call_id, event_id = _loaded_one_call_one_event(wh)
    write_outcomes(wh, {"events": pl.DataFrame({"event_id": [event_id], "call_id": [call_id]})})
    files = {
        "a.csv": ("s", validated("a.csv", [call_row("a.csv", 2)])),
        "e.csv": ("t", validated("e.csv", events=[event_row("e.csv", 2)])),
        "e2.csv": ("u", validated("e2.csv", events=[event_row("e2.csv", 2, count=4)])),
    }
    run_load(wh, files, run_id="r2")
    assert rows(wh, "SELECT source_file, call_id FROM events ORDER BY ALL") == [
        ("e.csv", call_id),
        ("e2.csv", None),  # new: attributed by the next outcomes stage
    ]


def test_the_data_version_changes_exactly_when_calls_or_events_change(wh) -> None:
    assert data_version(wh) is None
    files = {"a.csv": ("s1", validated("a.csv", [call_row("a.csv", 2)]))}
    run_load(wh, files, run_id="r1")
    first = data_version(wh)
    run_load(wh, files, run_id="r2")
    assert data_version(wh) == first
    files["e.csv"] = ("t1", validated("e.csv", events=[event_row("e.csv", 2)]))
    run_load(wh, files, run_id="r3")
    assert data_version(wh) not in (None, first)


def test_write_outcomes_forgets_what_the_outcomes_were_computed_from(wh) -> None:
    set_meta_value(wh, OUTCOMES_KEY, "computed from version x")
    write_outcomes(wh, {"funnel": pl.DataFrame({"calls": [1]})})
    assert meta_value(wh, OUTCOMES_KEY) is None


def test_read_calls_in_parts_splits_the_members(wh) -> None:
    members = ["ann", "bo", "cy", "di", "ed", "flo", "gus"]
    calls = [call_row("a.csv", line, member=m) for line, m in enumerate(members, start=2)]
    calls.append(call_row("a.csv", 20, member="cy", leads=3))  # cy's second call
    run_load(wh, {"a.csv": ("s", validated("a.csv", calls))}, run_id="r1")
    parts = [read_calls(wh, ["member", "call_id"], ordered=False, part=(i, 3)) for i in range(3)]
    assert sum(part.height for part in parts) == 8
    # Every member in exactly one part, with all its calls.
    seen = [member for part in parts for member in set(part["member"])]
    assert sorted(seen) == sorted(members)
    assert [part.filter(pl.col("member") == "cy").height for part in parts].count(2) == 1
    with pytest.raises(ValueError, match="part 3 of 3 does not exist"):
        read_calls(wh, part=(3, 3))


def test_update_event_call_ids_by_rowid(wh) -> None:
    files = {
        "e.csv": (
            "t",
            validated("e.csv", events=[event_row("e.csv", 2), event_row("e.csv", 3, count=2)]),
        )
    }
    run_load(wh, files, run_id="r1")
    with wh.transaction():
        events = read_events(wh, [EVENT_ROWID, "event_id", "count"], ordered=False)
        first = events.filter(pl.col("count") == 1).with_columns(call_id=pl.lit("c-1"))
        assert update_event_call_ids(wh, first) == 1
    assert rows(wh, "SELECT count, call_id FROM events ORDER BY count") == [(1, "c-1"), (2, None)]
    # A rowid that names another event is refused.
    swapped = events.with_columns(
        pl.col(EVENT_ROWID).reverse(), call_id=pl.lit("c-2", dtype=pl.String)
    )
    with pytest.raises(ValueError, match="2 row\\(s\\) whose event_rowid does not name"):
        update_event_call_ids(wh, swapped)
    assert rows(wh, "SELECT count, call_id FROM events ORDER BY count") == [(1, "c-1"), (2, None)]


def test_call_outcomes_appended_in_parts(wh) -> None:
    frame = pl.DataFrame(
        {column: [None] for column in wh.table_columns("call_outcomes")},
        schema={column: pl.String for column in wh.table_columns("call_outcomes")},
    ).with_columns(pl.lit(None, dtype=pl.Int64).alias(c) for c in ("interviews", "offers"))
    with wh.transaction():
        append_call_outcomes(wh, frame.with_columns(call_id=pl.lit("a")))
        append_call_outcomes(wh, frame.with_columns(call_id=pl.lit("b"), score=pl.lit(1.5)))
    assert rows(wh, "SELECT call_id, score FROM call_outcomes ORDER BY call_id") == [
        ("a", None),
        ("b", 1.5),
    ]
    clear_call_outcomes(wh)
    assert rows(wh, "SELECT count(*) FROM call_outcomes") == [(0,)]
