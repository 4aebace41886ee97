"""load_report_data against a real DuckDB built from the small hand-made tables."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from asklab.outcomes.marts import iso_week_start
from asklab.queries import sql_folder
from asklab.report import load_report_data, render_reports
from asklab.report.data import FOLLOW_UP_LIMIT, ReportDataError
from tests.browser.fixtures import (
    SMALL_AS_OF,
    create_table,
    small_report_data,
    small_warehouse_tables,
    vega_cache_in_tmp,  # noqa: F401 (autouse)
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
    for path in sql_folder("reports"):
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


# -- Long lists are cut to FOLLOW_UP_LIMIT per member ------------------------------------
# Alice gets, on top of the small data, N_EXTRA rows in every list, dated one day
# apart from 2026-01-01 (so older than all of hers); bob keeps his short lists.
N_EXTRA = 60


@pytest.fixture
def long_con(con) -> duckdb.DuckDBPyConnection:
    inserts = """
        INSERT INTO calls BY NAME
        SELECT 'x' || i AS call_id, 'alice' AS member,
            DATE '2026-01-01' + CAST(i AS INTEGER) AS call_date,
            'Ref ' || lpad(CAST(i AS VARCHAR), 2, '0') AS contact,
            'ref ' || lpad(CAST(i AS VARCHAR), 2, '0') AS contact_key,
            'colleague' AS relationship, 'reference' AS ask_label, 'reference' AS strategy,
            true AS agreed_reference, 0 AS introductions, 0 AS leads,
            'alice/old.csv' AS source_file, i + 2 AS source_line
        FROM range($n) AS t(i);
        INSERT INTO events BY NAME
        SELECT kind || i AS event_id, 'alice' AS member,
            DATE '2026-01-01' + CAST(i AS INTEGER) AS event_date,
            kind || lpad(CAST(i AS VARCHAR), 2, '0') AS contact,
            lower(kind) || lpad(CAST(i AS VARCHAR), 2, '0') AS contact_key,
            CASE kind WHEN 'Reached ' THEN 'reached_out' ELSE 'introduction' END AS event_type,
            1 AS count, 'alice/events.csv' AS source_file, i + 10 AS source_line
        FROM range($n) AS t(i), (VALUES ('Reached '), ('Intro ')) AS k(kind);
        INSERT INTO rejected_rows BY NAME
        SELECT 'alice/big.csv' AS source_file, i + 2 AS line, 'leads' AS "column",
            'lots' AS value, 'not a whole number' AS reason, 'alice' AS member
        FROM range($n) AS t(i)
        """
    for statement in inserts.split(";"):
        con.execute(statement, {"n": N_EXTRA})
    return con


def test_long_lists_keep_the_most_relevant_rows_and_the_total(long_con) -> None:
    assert FOLLOW_UP_LIMIT == 50
    alice, bob, carol = load_report_data(long_con, as_of=SMALL_AS_OF, run_id="r2").members
    # References: Grace and Ines (86, 30 days) plus 60 new ones, 2026-01-01 being
    # 329 days before 2026-11-26; the 50 longest are Ref 00 to Ref 49.
    assert alice.references_to_call_total == 62
    assert alice.references_to_call["contact"].to_list() == [f"Ref {i:02}" for i in range(50)]
    assert alice.references_to_call["days_since_last_call"][[0, -1]].to_list() == [329, 280]
    # Reached out: Tomasz (2026-11-25) first, then the 49 newest, Reached 59 to 11.
    assert alice.reached_out_total == 61
    assert alice.reached_out["contact"].to_list() == ["Tomasz Novak"] + [
        f"Reached {i:02}" for i in range(59, 10, -1)
    ]
    # Introductions: the two of the small data, then Intro 59 to 12.
    assert alice.introductions_total == 62
    assert alice.introductions["contact"][:3].to_list() == [
        "Tomasz Novak",
        "Grace Okafor",
        "Intro 59",
    ]
    assert alice.introductions["contact"][-1] == "Intro 12"
    assert alice.introductions.height == 50
    # Rejected: in file order, alice/big.csv (lines 2..51) comes before alice/calls.csv.
    assert alice.rejected_total == 62
    assert alice.rejected["line"].to_list() == list(range(2, 52))
    assert set(alice.rejected["source_file"].to_list()) == {"alice/big.csv"}
    # Short lists are whole, with their own totals; the total column is dropped.
    assert (bob.references_to_call_total, bob.reached_out_total) == (1, 1)
    assert (bob.introductions_total, bob.rejected_total) == (1, 1)
    assert (carol.reached_out_total, carol.reached_out.height) == (0, 0)
    assert "total" not in alice.reached_out.columns


def test_member_page_says_how_many_rows_were_left_out(long_con, tmp_path) -> None:
    data = load_report_data(long_con, as_of=SMALL_AS_OF, run_id="r2")
    render_reports(data, tmp_path, as_of=SMALL_AS_OF)
    alice = (tmp_path / "2026-W48" / "members" / "alice.html").read_text(encoding="utf-8")
    bob = (tmp_path / "2026-W48" / "members" / "bob.html").read_text(encoding="utf-8")
    assert alice.count('<th scope="row">Ref ') == 50
    assert alice.count('<th scope="row">Reached ') == 49
    assert alice.count('<th scope="row">Intro ') == 48
    assert alice.count('<th scope="row">alice/big.csv</th>') == 50
    assert '<p class="more">Showing the 50 longest since their last call, of 62.</p>' in alice
    assert '<p class="more">Showing the newest 50 of 61.</p>' in alice
    assert '<p class="more">Showing the newest 50 of 62.</p>' in alice
    assert (
        '<p class="more">Showing the first 50 of 62 rejected cells; '
        "run `asklab validate` on your files for the full list.</p>"
    ) in alice
    assert 'class="more"' not in bob
