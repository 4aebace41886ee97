"""Staging: files validated on worker threads, their rows waiting in Parquet
files beside the warehouse, then written in one statement per table.

The threaded path must give exactly what reading the files one after another
gives; the staging folder belongs to the run (emptied first, removed after).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from asklab.ingest.read import FileError
from asklab.load import (
    apply_ingest,
    apply_staged,
    plan_ingest,
    read_and_stage,
    read_planned,
)
from asklab.settings import SettingsError, settings_from_mapping
from asklab.warehouse import StagingArea, open_warehouse, staging_area
from tests.support.warehouse_frames import snapshot

AS_OF = dt.date(2026, 4, 1)
HEADER = "member,date,name,ask,relationship,agreed,intros,leads\n"
EVENTS_HEADER = "member,date,contact,type\n"


def write(raw: Path, relative: str, text: str | bytes) -> None:
    path = raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def group_folder(raw: Path) -> None:
    """Seven files: copies of one call across files and within a file, a
    rejected row, an events file, and a file that is a file-level error."""
    write(raw, "a.csv", HEADER + "Ann,2026-03-01,John Smith,job,,,,\nAnn,2026-03-02,Lee,ref,,,,\n")
    # The same call as a.csv line 2 (a duplicate across files), twice.
    write(raw, "b.csv", HEADER + "Ann,2026-03-01,John Smith,job,,,,\n" * 2)
    write(raw, "c.csv", HEADER + "Bo,2026-03-05,Kim,reference,colleague,yes,1,0\n")
    write(raw, "d.csv", HEADER + "Bo,2026-03-06,Kim,lunch,,,,\n")  # unknown ask: rejected
    write(raw, "e.csv", HEADER + "Bo,2026-03-07,Ray,job,,,,2\nBo,2026-03-08,Ray,job,,,,\n")
    write(raw, "events.csv", EVENTS_HEADER + "Bo,2026-03-09,Kim,lead\nBo,2026-03-09,Kim,lead\n")
    write(raw, "f.csv", b"member,date,name,ask\nBo,2026-03-02,Jos\xe9,job\n")  # not UTF-8


def load_threaded(db: Path, raw: Path, workers: int):
    with open_warehouse(db) as wh, wh.transaction():
        plan = plan_ingest(wh, raw, as_of=AS_OF, date_order="month-first")
        staged = read_and_stage(wh, plan, as_of=AS_OF, date_order="month-first", workers=workers)
        summary = apply_staged(wh, plan, staged, run_id="r1")
    return summary


def load_serially(db: Path, raw: Path):
    with open_warehouse(db) as wh, wh.transaction():
        plan = plan_ingest(wh, raw, as_of=AS_OF, date_order="month-first")
        results = read_planned(plan, as_of=AS_OF, date_order="month-first")
        summary = apply_ingest(wh, plan, results, run_id="r1")
    return summary


def tables(db: Path) -> dict:
    with open_warehouse(db) as wh:
        found = snapshot(wh)
        found["load_log"] = wh.con.execute(
            "SELECT source_file, status, rows_loaded, rows_rejected, duplicates, message "
            "FROM load_log ORDER BY ALL"
        ).fetchall()
    return found


@pytest.mark.parametrize("workers", [1, 3])
def test_threaded_staging_loads_what_serial_reading_loads(tmp_path: Path, workers: int) -> None:
    raw = tmp_path / "raw"
    group_folder(raw)
    threaded = load_threaded(tmp_path / "threaded.duckdb", raw, workers)
    serial = load_serially(tmp_path / "serial.duckdb", raw)
    assert tables(tmp_path / "threaded.duckdb") == tables(tmp_path / "serial.duckdb")
    # Worked out from the files: 7 call rows are valid (a 2, b 2, c 1, e 2),
    # of which b's two are copies of a's first call: 5 distinct calls. The
    # two event rows are one event. d's row is rejected; f is a file error.
    assert (threaded.calls, threaded.events) == (5, 1)
    assert (threaded.files_loaded, threaded.files_error, threaded.rows_rejected) == (6, 1, 1)
    assert threaded.errors == serial.errors and threaded.errors[0].startswith("f.csv: ")
    with open_warehouse(tmp_path / "threaded.duckdb") as wh:
        copies = wh.con.execute(
            "SELECT source_file, source_line FROM call_duplicates ORDER BY ALL"
        ).fetchall()
        kept = wh.con.execute(
            "SELECT source_file, source_line FROM calls WHERE contact = 'John Smith'"
        ).fetchall()
    # The first copy in (file, line) order is kept; the later ones are duplicates.
    assert kept == [("a.csv", 2)]
    assert copies == [("b.csv", 2), ("b.csv", 3)]


def test_read_and_stage_reports_progress_per_file_and_turns_errors_into_file_errors(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    group_folder(raw)
    with open_warehouse(tmp_path / "wh.duckdb") as wh, wh.transaction():
        plan = plan_ingest(wh, raw, as_of=AS_OF, date_order="month-first")
        (raw / "c.csv").unlink()  # vanishes after planning
        seen: list[tuple[int, int]] = []
        staged = read_and_stage(
            wh,
            plan,
            as_of=AS_OF,
            date_order="month-first",
            workers=2,
            progress=lambda done, total: seen.append((done, total)),
        )
        assert seen == [(n, 7) for n in range(1, 8)]
        assert isinstance(staged["c.csv"], FileError)
        assert "cannot read the file" in str(staged["c.csv"].reason)
        assert isinstance(staged["f.csv"], FileError)
        assert staged["d.csv"].notices == ()
        with pytest.raises(ValueError, match="does not match the plan"):
            read_and_stage(wh, plan, as_of=dt.date(2026, 1, 1), date_order="month-first")


def test_the_staging_folder_is_emptied_first_and_removed_after(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "a.csv", HEADER + "Ann,2026-03-01,John Smith,job,,,,\n")
    db = tmp_path / "wh.duckdb"
    with open_warehouse(db) as wh:
        folder = staging_area(wh).folder
    # What a killed run might have left: rows of a member no file has.
    leftover = StagingArea(folder)
    folder.mkdir()
    ghost = pl.DataFrame({"member": ["ghost"], "call_date": [dt.date(2026, 3, 1)]})
    leftover.write("calls", "999999", ghost)
    assert leftover.files("calls")
    summary = load_threaded(db, raw, workers=2)
    assert summary.calls == 1
    with open_warehouse(db) as wh:
        assert wh.con.execute("SELECT DISTINCT member FROM call_rows").fetchall() == [("ann",)]
    assert not folder.exists()


def test_staging_keys_and_tables_are_checked(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    frame = pl.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="not a staging key"):
        area.write("calls", "../x", frame)
    with pytest.raises(ValueError, match="is not staged"):
        area.write("load_log", "1", frame)
    area.write("calls", "1", frame.clear())  # no rows: no file
    assert area.files("calls") == []
    with open_warehouse(tmp_path / "wh.duckdb") as wh:
        view = area.view(wh, "calls", empty="SELECT 1 AS a LIMIT 0")
        assert wh.query(f"SELECT * FROM {view}").columns == ["a"]
        area.write("calls", "2", pl.DataFrame({"a": [7]}))
        # A path with a quote reaches DuckDB as a value, never as SQL text.
        quoted = StagingArea(tmp_path / "it's here")
        quoted.folder.mkdir()
        quoted.write("calls", "3", pl.DataFrame({"a": [8]}))
        assert wh.query(f"SELECT a FROM {area.view(wh, 'calls', empty='')}")["a"].to_list() == [7]
        assert wh.query(f"SELECT a FROM {quoted.view(wh, 'calls', empty='')}")["a"].to_list() == [8]


def test_duckdb_memory_limit_is_applied_and_checked(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "wh.duckdb", memory_limit="64MB") as wh:
        # DuckDB reports the limit in binary units: 64 MB = 61.0 MiB.
        assert wh.scalar("SELECT current_setting('memory_limit')") == "61.0 MiB"
    with (
        pytest.raises(ValueError, match="duckdb_memory_limit 'lots' is not a memory size"),
        open_warehouse(tmp_path / "wh.duckdb", memory_limit="lots"),
    ):
        pass


def test_duckdb_memory_limit_comes_from_the_config(tmp_path: Path) -> None:
    settings = settings_from_mapping({"duckdb_memory_limit": "2GB"}, tmp_path, "asklab.toml")
    assert settings.duckdb_memory_limit == "2GB"
    with pytest.raises(SettingsError, match="unknown setting"):
        settings_from_mapping({"memory": "2GB"}, tmp_path, "asklab.toml")


def test_staging_refuses_rows_without_a_contract_column(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from asklab.ingest.row_schemas import CALL_ROW_SCHEMA, EVENT_ROW_SCHEMA, REJECTED_SCHEMA
    from asklab.load import stage_validated

    rows = SimpleNamespace(
        calls=CALL_ROW_SCHEMA.to_frame().drop("leads"),
        events=EVENT_ROW_SCHEMA.to_frame(),
        rejected=REJECTED_SCHEMA.to_frame(),
        notices=[],
        has_future_rejections=False,
        max_date=None,
    )
    with pytest.raises(ValueError, match="calls: rows lack column\\(s\\) leads"):
        stage_validated(StagingArea(tmp_path), "000001", rows)


def test_rows_sharing_a_key_hash_are_ranked_by_id_like_unique_ones(
    tmp_path: Path, monkeypatch
) -> None:
    # Hashing only the member puts every row of a member on one key hash, as
    # a hash collision would: all rows then go through the ranking by id, and
    # the warehouse must come out the same.
    from asklab.load.copies import COPY_TABLES

    raw = tmp_path / "raw"
    group_folder(raw)
    load_threaded(tmp_path / "hashed.duckdb", raw, workers=2)
    for table, copies in COPY_TABLES.items():
        monkeypatch.setitem(COPY_TABLES, table, copies._replace(key_columns=("member",)))
    load_threaded(tmp_path / "colliding.duckdb", raw, workers=2)
    assert tables(tmp_path / "colliding.duckdb") == tables(tmp_path / "hashed.duckdb")


@pytest.mark.parametrize("table", ["calls", "events"])
def test_the_key_hash_columns_are_the_columns_the_id_model_hashes(tmp_path: Path, table) -> None:
    # Rows with one id must share a key hash (else a copy would be kept as a
    # first copy too): the hashed columns are exactly the id's key columns.
    import re

    from asklab.load.copies import COPY_TABLES
    from asklab.queries import read_sql

    copies = COPY_TABLES[table]
    with open_warehouse(tmp_path / "wh.duckdb") as wh:
        columns = set(wh.table_columns(copies.duplicates)) - {copies.id_column}
    md5_part = read_sql(f"models/{copies.id_model}").split("md5(", 1)[1]
    in_model = {c for c in columns if re.search(rf"\b{c}\b", md5_part)}
    assert set(copies.key_columns) == in_model
