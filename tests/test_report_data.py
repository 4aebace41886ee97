"""load_report_data against a real DuckDB built from the small hand-made tables."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from asklab.report import load_report_data
from asklab.report.data import REPORT_SQL_DIR, ReportDataError, iso_week_start, run_report_query
from tests.browser.fixtures import (
    SMALL_AS_OF,
    create_table,
    small_report_data,
    small_warehouse_tables,
)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    for name, frame in small_warehouse_tables().items():
        create_table(connection, name, frame)
    yield connection
    connection.close()


def test_iso_week_start_is_the_monday() -> None:
    assert iso_week_start(dt.date(2026, 11, 26)) == dt.date(2026, 11, 23)
    assert iso_week_start(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)
    assert iso_week_start(dt.date(2026, 11, 29)) == dt.date(2026, 11, 23)


def test_kpis_worked_out_by_hand(con) -> None:
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")
    assert data.run_id == "r2"
    assert data.kpis == small_report_data().kpis


def test_no_run_id_means_the_latest_run(con) -> None:
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id=None)
    assert data.run_id == "r2"
    assert data.kpis.rows_rejected_run == 2


def test_unknown_run_has_no_rejected_count(con) -> None:
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id="no-such-run")
    assert data.kpis.rows_rejected_run is None


def test_empty_load_log_gives_no_run(con) -> None:
    con.execute("DELETE FROM load_log")
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id=None)
    assert data.run_id is None
    assert data.kpis.rows_rejected_run is None


def test_member_summary_and_lists_match_the_hand_made_data(con) -> None:
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")
    expected = small_report_data()
    assert_frame_equal(data.member_summary, expected.member_summary, check_dtypes=False)
    assert [m.member for m in data.members] == ["alice", "bob", "carol"]
    for got, want in zip(data.members, expected.members, strict=True):
        assert (got.calls_total, got.calls_this_week, got.mature_calls) == (
            want.calls_total,
            want.calls_this_week,
            want.mature_calls,
        )
        assert (got.events, got.unattributed_events, got.rejected_rows) == (
            want.events,
            want.unattributed_events,
            want.rejected_rows,
        )
        for name in ("references_to_call", "reached_out", "introductions", "rejected"):
            assert_frame_equal(getattr(got, name), getattr(want, name), check_dtypes=False)


def test_reference_follow_up_moves_with_as_of(con) -> None:
    # One day later Kwame (agreed 2026-10-28) reaches 30 days too.
    data = load_report_data(con, as_of=SMALL_AS_OF + dt.timedelta(days=1), run_id="r2")
    alice = data.members[0]
    assert alice.references_to_call["contact"].to_list() == [
        "Grace Okafor",
        "Ines Haddad",
        "Kwame Achebe",
    ]
    assert alice.references_to_call["days_since_last_call"].to_list() == [87, 31, 30]


def test_aggregates_are_read_with_only_the_needed_columns(con) -> None:
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")
    expected = small_report_data()
    assert_frame_equal(data.by_strategy, expected.by_strategy.select(data.by_strategy.columns))
    assert data.by_strategy.columns == expected.by_strategy.columns
    assert_frame_equal(data.comparison, expected.comparison)
    assert_frame_equal(data.by_relationship, expected.by_relationship)
    assert_frame_equal(data.time_to_first_lead, expected.time_to_first_lead)
    assert_frame_equal(data.lead_timing, expected.lead_timing)
    assert_frame_equal(data.weekly_activity, expected.weekly_activity)


def test_group_frames_never_carry_contacts_or_notes(con) -> None:
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")
    group_frames = [
        data.by_strategy,
        data.comparison,
        data.by_relationship,
        data.time_to_first_lead,
        data.lead_timing,
        data.weekly_activity,
        data.member_summary,
    ]
    for frame in group_frames:
        assert not {"contact", "contact_key", "notes", "value"} & set(frame.columns)


def test_user_text_reaches_sql_only_as_parameters() -> None:
    # Report SQL takes values through $parameters; none is built by formatting.
    for path in REPORT_SQL_DIR.glob("*.sql"):
        text = path.read_text()
        assert "{" not in text and "%s" not in text, path.name


def test_a_missing_table_names_the_sql_file() -> None:
    empty = duckdb.connect()
    with pytest.raises(ReportDataError, match=r"sql/reports/latest_run\.sql"):
        load_report_data(empty, as_of=SMALL_AS_OF, run_id=None)


def test_rejected_rows_without_member_stay_off_member_pages(con) -> None:
    data = load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")
    unknown = data.member_summary.filter(pl.col("member").is_null())
    assert unknown["rejected_rows"].to_list() == [1]
    files = {f for m in data.members for f in m.rejected["source_file"].to_list()}
    assert "orphan.csv" not in files


def test_reference_follow_up_shows_the_name_on_the_latest_call() -> None:
    # Grace: two calls on 2026-09-10, the later file wins; Ines: two on 2026-10-01 in
    # one file, the later line wins. Both agreed earlier; as of 2026-11-26 Grace was
    # last called 77 days ago (20 + 31 + 26), Ines 56 (30 + 26).
    rows = [
        ("grace okafor", "grace okafor", "2026-09-01", True, "alice/a.csv", 2),
        ("Grace Okafor", "grace okafor", "2026-09-10", None, "alice/a.csv", 9),
        ("GRACE OKAFOR", "grace okafor", "2026-09-10", None, "alice/b.csv", 3),
        ("ines haddad", "ines haddad", "2026-10-01", True, "alice/a.csv", 5),
        ("Ines Haddad", "ines haddad", "2026-10-01", None, "alice/a.csv", 7),
    ]
    calls = pl.DataFrame(
        [
            {"member": "alice", "contact": contact, "contact_key": key,
             "call_date": dt.date.fromisoformat(day), "agreed_reference": agreed,
             "source_file": source, "source_line": line}
            for contact, key, day, agreed, source, line in rows
        ],
        schema_overrides={"agreed_reference": pl.Boolean},
    )  # fmt: skip
    connection = duckdb.connect()
    create_table(connection, "calls", calls)
    due = run_report_query(connection, "references_to_call", {"as_of": SMALL_AS_OF})
    assert due.rows() == [
        ("alice", "GRACE OKAFOR", dt.date(2026, 9, 1), dt.date(2026, 9, 10), 77),
        ("alice", "Ines Haddad", dt.date(2026, 10, 1), dt.date(2026, 10, 1), 56),
    ]
