"""The report marts (sql/marts/): built by the outcomes stage, read by the report stage.

Small hand-made tables with values worked out by hand; then the report data
read through the marts against what the report queries gave before the marts
existed (their text kept below), on the hand-made, synthetic and demo data.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import fields
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from asklab import freshness, pipeline
from asklab.outcomes import marts as marts_module
from asklab.outcomes.marts import (
    MART_SQL_DIR,
    REPORT_MARTS,
    ReportMartError,
    build_report_marts,
    iso_week_start,
    parameters_used,
    report_marts_as_of,
)
from asklab.report import ReportData, load_report_data
from asklab.report.data import ReportDataError, run_report_query
from asklab.settings import Settings
from asklab.warehouse import open_warehouse
from tests.browser.fixtures import (
    AS_OF,
    RUN_ID,
    SMALL_AS_OF,
    build_warehouse,
    create_table,
    small_warehouse_tables,
    vega_cache_in_tmp,  # noqa: F401 (autouse)
)

D = dt.date.fromisoformat
THURSDAY = D("2026-11-26")  # ISO week 2026-W48 starts Monday 2026-11-23

# -- Small warehouses --------------------------------------------------------------------


def call(member: str, call_id: str, day: str, contact: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "call_id": call_id,
        "member": member,
        "call_date": D(day),
        "contact": contact,
        "contact_key": " ".join(contact.lower().split()),
        "agreed_reference": None,
        "introductions": 0,
        "source_file": f"{member}/calls.csv",
        "source_line": 2,
    }
    return row | values


def event(member: str, event_id: str, day: str, contact: str, kind: str, **values: Any) -> dict:
    row: dict[str, Any] = {
        "event_id": event_id,
        "member": member,
        "event_date": D(day),
        "contact": contact,
        "contact_key": " ".join(contact.lower().split()),
        "event_type": kind,
        "count": 1,
        "call_id": None,
    }
    return row | values


CALL_SCHEMA = {
    "call_id": pl.String,
    "member": pl.String,
    "call_date": pl.Date,
    "contact": pl.String,
    "contact_key": pl.String,
    "agreed_reference": pl.Boolean,
    "introductions": pl.Int64,
    "source_file": pl.String,
    "source_line": pl.Int64,
}
EVENT_SCHEMA = {
    "event_id": pl.String,
    "member": pl.String,
    "event_date": pl.Date,
    "contact": pl.String,
    "contact_key": pl.String,
    "event_type": pl.String,
    "count": pl.Int64,
    "call_id": pl.String,
}
OUTCOME_SCHEMA = {"call_id": pl.String, "member": pl.String, "mature": pl.Boolean}


def small_con(
    calls: list[dict], events: list[dict] = (), mature: dict[str, bool] | None = None
) -> duckdb.DuckDBPyConnection:
    """calls, events and call_outcomes (``mature`` by call id, default False)."""
    con = duckdb.connect()
    create_table(con, "calls", pl.DataFrame(calls, schema=CALL_SCHEMA))
    create_table(con, "events", pl.DataFrame(list(events), schema=EVENT_SCHEMA))
    outcomes = [
        {"call_id": c["call_id"], "member": c["member"], "mature": (mature or {}).get(c["call_id"])}
        for c in calls
    ]
    create_table(con, "call_outcomes", pl.DataFrame(outcomes, schema=OUTCOME_SCHEMA))
    return con


def mart(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    order = "member, position" if name.startswith("follow_up_") else "ALL"
    return con.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()


@pytest.fixture
def short_limit(monkeypatch) -> int:
    """Follow-up lists cut at 2 rows, so three rows show the cut."""
    monkeypatch.setattr(marts_module, "FOLLOW_UP_LIMIT", 2)
    return 2


# -- member_activity and group_activity --------------------------------------------------


def activity_con() -> duckdb.DuckDBPyConnection:
    # alice: one call this week, one exactly 28 days ago (not in the active 28 days);
    # bob: one call 27 days ago (active); carol: an event only.
    return small_con(
        calls=[
            call("alice", "c1", "2026-11-24", "Tomasz Novak"),
            call("alice", "c2", "2026-10-29", "Grace Okafor"),
            call("bob", "c3", "2026-10-30", "Ines Haddad"),
        ],
        events=[
            event("alice", "e1", "2026-11-25", "Tomasz Novak", "lead", call_id="c1"),
            event("carol", "e2", "2026-11-01", "Lena Moreau", "offer"),
        ],
        mature={"c1": False, "c2": True, "c3": True},
    )


def test_member_activity_counts_worked_out_by_hand() -> None:
    con = activity_con()
    rows = build_report_marts(con, as_of=THURSDAY)
    # member, calls_total, calls_this_week, recent_calls, mature_calls, events, unattributed
    assert mart(con, "member_activity") == [
        ("alice", 2, 1, 1, 1, 1, 0),
        ("bob", 1, 0, 1, 1, 0, 0),
        ("carol", 0, 0, 0, 0, 1, 1),
    ]
    assert rows["member_activity"] == 3
    assert con.execute("SELECT * FROM member_activity LIMIT 0").description[3][0] == "recent_calls"


def test_group_activity_is_one_row_with_its_as_of() -> None:
    con = activity_con()
    build_report_marts(con, as_of=THURSDAY)
    # as_of, week_start, calls this week, calls, active members (alice by her call of
    # 11-24, bob by his 27 days old), members with calls, mature calls
    assert mart(con, "group_activity") == [
        (THURSDAY, D("2026-11-23"), 1, 3, 2, 2, 2),
    ]
    assert report_marts_as_of(con) == THURSDAY


def test_active_members_follow_as_of() -> None:
    # A week later alice's call of 2026-11-24 is 7 days old: still active; bob's is
    # 34 days old: not.
    con = activity_con()
    build_report_marts(con, as_of=D("2026-12-03"))
    assert mart(con, "group_activity") == [(D("2026-12-03"), D("2026-11-30"), 0, 3, 1, 2, 2)]


def test_an_empty_warehouse_has_a_zero_row_of_group_counts() -> None:
    con = small_con(calls=[])
    rows = build_report_marts(con, as_of=THURSDAY)
    assert mart(con, "group_activity") == [(THURSDAY, D("2026-11-23"), 0, 0, 0, 0, 0)]
    assert rows == {name: (1 if name == "group_activity" else 0) for name in REPORT_MARTS}


# -- Follow-up lists: cut, totals, ties --------------------------------------------------


def test_reached_out_keeps_the_newest_with_the_total(short_limit) -> None:
    # Limit 2: Amir (11-25) first; Bea and Cem tie on 11-20, the contact key decides.
    con = small_con(
        calls=[call("alice", "c1", "2026-11-01", "Bea Lund")],
        events=[
            event("alice", "e1", "2026-11-20", "Cem Aydin", "reached_out"),
            event("alice", "e2", "2026-11-25", "Amir Saleh", "reached_out", count=2),
            event("alice", "e3", "2026-11-20", "Bea Lund", "reached_out", call_id="c1"),
            event("alice", "e4", "2026-11-26", "Dan Ode", "lead"),
            event("bob", "e5", "2026-11-02", "Eve Ash", "reached_out"),
        ],
    )
    build_report_marts(con, as_of=THURSDAY)
    # member, event_date, contact, count, attributed, position, total
    assert mart(con, "follow_up_reached_out") == [
        ("alice", D("2026-11-25"), "Amir Saleh", 2, False, 1, 3),
        ("alice", D("2026-11-20"), "Bea Lund", 1, True, 2, 3),
        ("bob", D("2026-11-02"), "Eve Ash", 1, False, 1, 1),
    ]


def test_introductions_merge_calls_and_events_newest_first(short_limit) -> None:
    # Same day, same contact: 'during the call' sorts before 'reported later';
    # the older event is cut, but counted in the total.
    con = small_con(
        calls=[
            call("alice", "c1", "2026-11-24", "Tomasz Novak", introductions=1),
            call("alice", "c2", "2026-11-25", "Grace Okafor"),  # offered none
        ],
        events=[
            event("alice", "e1", "2026-11-24", "Tomasz Novak", "introduction", count=2),
            event("alice", "e2", "2026-11-10", "Ines Haddad", "introduction"),
        ],
    )
    build_report_marts(con, as_of=THURSDAY)
    # member, received_on, contact, introductions, source, position, total
    assert mart(con, "follow_up_introductions") == [
        ("alice", D("2026-11-24"), "Tomasz Novak", 1, "during the call", 1, 3),
        ("alice", D("2026-11-24"), "Tomasz Novak", 2, "reported later", 2, 3),
    ]


def reference_calls() -> list[dict]:
    # Grace agreed on 09-01 and was called again 10-01 (56 days before Thursday);
    # Ines agreed 10-27 (30 days: due); Kwame agreed 10-28 (29 days: not yet);
    # Priya said no; Lena agreed but was called again 11-20.
    return [
        call("alice", "a1", "2026-09-01", "Grace Okafor", agreed_reference=True),
        call("alice", "a2", "2026-10-01", "Grace Okafor"),
        call("alice", "a3", "2026-10-27", "Ines Haddad", agreed_reference=True),
        call("alice", "a4", "2026-10-28", "Kwame Achebe", agreed_reference=True),
        call("alice", "a5", "2026-09-01", "Priya Natarajan", agreed_reference=False),
        call("alice", "a6", "2026-09-15", "Lena Moreau", agreed_reference=True),
        call("alice", "a7", "2026-11-20", "Lena Moreau"),
    ]


def test_references_due_on_as_of(short_limit) -> None:
    con = small_con(reference_calls())
    build_report_marts(con, as_of=THURSDAY)
    # member, contact, agreed_on, last_call, days_since_last_call, position, total
    assert mart(con, "follow_up_references") == [
        ("alice", "Grace Okafor", D("2026-09-01"), D("2026-10-01"), 56, 1, 2),
        ("alice", "Ines Haddad", D("2026-10-27"), D("2026-10-27"), 30, 2, 2),
    ]


def test_references_due_move_with_as_of(short_limit) -> None:
    # A day later Kwame reaches 30 days too: three due, the two longest listed.
    con = small_con(reference_calls())
    build_report_marts(con, as_of=THURSDAY + dt.timedelta(days=1))
    assert mart(con, "follow_up_references") == [
        ("alice", "Grace Okafor", D("2026-09-01"), D("2026-10-01"), 57, 1, 3),
        ("alice", "Ines Haddad", D("2026-10-27"), D("2026-10-27"), 31, 2, 3),
    ]


def test_reference_shows_the_name_on_the_latest_call() -> None:
    # Grace: two calls on 2026-09-10, the later file wins; Ines: two on 2026-10-01 in
    # one file, the later line wins. Both agreed earlier; as of 2026-11-26 Grace was
    # last called 77 days ago (20 + 31 + 26), Ines 56 (30 + 26).
    con = small_con(
        [
            call("alice", "g1", "2026-09-01", "grace okafor", agreed_reference=True,
                 source_file="alice/a.csv", source_line=2),
            call("alice", "g2", "2026-09-10", "Grace Okafor", source_file="alice/a.csv",
                 source_line=9),
            call("alice", "g3", "2026-09-10", "GRACE OKAFOR", source_file="alice/b.csv",
                 source_line=3),
            call("alice", "i1", "2026-10-01", "ines haddad", agreed_reference=True,
                 source_file="alice/a.csv", source_line=5),
            call("alice", "i2", "2026-10-01", "Ines Haddad", source_file="alice/a.csv",
                 source_line=7),
        ]
    )  # fmt: skip
    build_report_marts(con, as_of=THURSDAY)
    assert mart(con, "follow_up_references") == [
        ("alice", "GRACE OKAFOR", D("2026-09-01"), D("2026-09-10"), 77, 1, 2),
        ("alice", "Ines Haddad", D("2026-10-01"), D("2026-10-01"), 56, 2, 2),
    ]


# -- Building: parameters, errors, freshness ----------------------------------------------


def test_each_mart_names_only_known_parameters_and_no_formatting() -> None:
    known = {"as_of", "week_start", "active_days", "reference_days", "limit"}
    for name in REPORT_MARTS:
        text = (MART_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
        assert text.lstrip().startswith("-- " + name + ":"), name  # a header says what a row is
        assert parameters_used(text) <= known, name
        assert "{" not in text and "%s" not in text, name
    assert sorted(p.stem for p in MART_SQL_DIR.glob("*.sql")) == sorted(REPORT_MARTS)


def test_parameters_in_comments_are_not_bound() -> None:
    assert parameters_used("-- uses $limit\nSELECT $as_of AS a -- and $week_start\n") == {"as_of"}


def test_a_failing_mart_names_its_file() -> None:
    con = duckdb.connect()  # no calls table
    with pytest.raises(ReportMartError, match=r"sql/marts/member_activity\.sql"):
        build_report_marts(con, as_of=THURSDAY)


def test_report_data_needs_marts_of_its_as_of() -> None:
    con = duckdb.connect()
    for name, frame in small_warehouse_tables().items():
        create_table(con, name, frame)
    build_report_marts(con, as_of=SMALL_AS_OF)
    with pytest.raises(ReportDataError, match="built for as_of 2026-11-26, not 2026-11-27"):
        load_report_data(con, as_of=SMALL_AS_OF + dt.timedelta(days=1), run_id="r2")


def test_missing_marts_are_built_on_first_read() -> None:
    con = duckdb.connect()
    for name, frame in small_warehouse_tables().items():
        create_table(con, name, frame)
    assert report_marts_as_of(con) is None
    load_report_data(con, as_of=SMALL_AS_OF, run_id="r2")
    assert report_marts_as_of(con) == SMALL_AS_OF


# -- The report data equals what the queries gave before the marts ------------------------
# The text of sql/reports/*.sql before this change, scanning calls and events.

OLD_MEMBER_SUMMARY = """
WITH members AS (
    SELECT member FROM calls UNION SELECT member FROM events UNION SELECT member FROM rejected_rows
),
call_counts AS (
    SELECT member, count(*) AS calls_total,
        count(*) FILTER (
            WHERE call_date BETWEEN CAST($week_start AS DATE) AND CAST($as_of AS DATE)
        ) AS calls_this_week
    FROM calls GROUP BY member
),
mature_counts AS (
    SELECT member, count(*) FILTER (WHERE mature) AS mature_calls
    FROM call_outcomes GROUP BY member
),
event_counts AS (
    SELECT member, count(*) AS events,
        count(*) FILTER (WHERE call_id IS NULL) AS unattributed_events
    FROM events GROUP BY member
),
rejected_counts AS (
    SELECT member, count(*) AS rejected_cells, count(DISTINCT row_key) AS rejected_rows
    FROM (
        SELECT member, [source_file, coalesce(sheet, ''), CAST(line AS VARCHAR)] AS row_key
        FROM rejected_rows
    )
    GROUP BY member
)
SELECT
    m.member,
    coalesce(c.calls_total, 0) AS calls_total,
    coalesce(c.calls_this_week, 0) AS calls_this_week,
    coalesce(o.mature_calls, 0) AS mature_calls,
    coalesce(e.events, 0) AS events,
    coalesce(e.unattributed_events, 0) AS unattributed_events,
    coalesce(r.rejected_rows, 0) AS rejected_rows,
    coalesce(r.rejected_cells, 0) AS rejected_cells
FROM members AS m
LEFT JOIN call_counts AS c ON c.member IS NOT DISTINCT FROM m.member
LEFT JOIN mature_counts AS o ON o.member IS NOT DISTINCT FROM m.member
LEFT JOIN event_counts AS e ON e.member IS NOT DISTINCT FROM m.member
LEFT JOIN rejected_counts AS r ON r.member IS NOT DISTINCT FROM m.member
ORDER BY m.member NULLS LAST
"""

OLD_KPIS = """
SELECT
    (SELECT count(*) FROM calls
        WHERE call_date BETWEEN CAST($week_start AS DATE) AND CAST($as_of AS DATE)
    ) AS calls_this_week,
    (SELECT count(*) FROM calls) AS calls_total,
    (SELECT count(DISTINCT member) FROM calls
        WHERE call_date > CAST($as_of AS DATE) - 28 AND call_date <= CAST($as_of AS DATE)
    ) AS active_members,
    (SELECT count(DISTINCT member) FROM calls) AS members_with_calls,
    (SELECT count(*) FROM call_outcomes WHERE mature) AS mature_calls,
    CASE WHEN EXISTS (SELECT 1 FROM load_log WHERE run_id = CAST($run_id AS VARCHAR)) THEN
        (SELECT coalesce(CAST(sum(rows_rejected) AS BIGINT), 0) FROM load_log
            WHERE run_id = CAST($run_id AS VARCHAR) AND status = 'loaded')
    END AS rows_rejected_run,
    (SELECT count(*) FROM (SELECT DISTINCT source_file, sheet, line FROM rejected_rows)
    ) AS rejected_rows_stored
"""

OLD_REFERENCES_TO_CALL = """
WITH per_contact AS (
    SELECT member, contact_key,
        arg_max(contact, (call_date, source_file, source_line)) AS contact,
        max(call_date) AS last_call,
        max(call_date) FILTER (WHERE agreed_reference) AS agreed_on
    FROM calls
    GROUP BY member, contact_key
)
SELECT member, contact, agreed_on, last_call,
    CAST($as_of AS DATE) - last_call AS days_since_last_call,
    count(*) OVER (PARTITION BY member) AS total
FROM per_contact
WHERE agreed_on IS NOT NULL AND CAST($as_of AS DATE) - last_call >= 30
QUALIFY row_number() OVER (
    PARTITION BY member ORDER BY days_since_last_call DESC, contact_key
) <= CAST($limit AS BIGINT)
ORDER BY member, days_since_last_call DESC, contact_key
"""

OLD_REACHED_OUT = """
SELECT member, event_date, contact, count, call_id IS NOT NULL AS attributed,
    count(*) OVER (PARTITION BY member) AS total
FROM events
WHERE event_type = 'reached_out'
QUALIFY row_number() OVER (
    PARTITION BY member ORDER BY event_date DESC, contact_key, event_id
) <= CAST($limit AS BIGINT)
ORDER BY member, event_date DESC, contact_key, event_id
"""

OLD_INTRODUCTIONS_RECEIVED = """
SELECT member, received_on, contact, introductions, source,
    count(*) OVER (PARTITION BY member) AS total
FROM (
    SELECT member, call_date AS received_on, contact, contact_key, introductions,
        'during the call' AS source, call_id AS row_id
    FROM calls WHERE introductions > 0
    UNION ALL
    SELECT member, event_date AS received_on, contact, contact_key, count AS introductions,
        'reported later' AS source, event_id AS row_id
    FROM events WHERE event_type = 'introduction'
)
QUALIFY row_number() OVER (
    PARTITION BY member ORDER BY received_on DESC, contact_key, source, row_id
) <= CAST($limit AS BIGINT)
ORDER BY member, received_on DESC, contact_key, source, row_id
"""


def assert_named_frames_equal(name: str, got: pl.DataFrame, want: pl.DataFrame) -> None:
    try:
        assert_frame_equal(got, want)
    except AssertionError as exc:
        raise AssertionError(f"{name}: {exc}") from exc


def old_report_frames(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, run_id: str | None
) -> dict[str, pl.DataFrame]:
    week = {"as_of": as_of, "week_start": iso_week_start(as_of)}
    limit = {"limit": 50}
    return {
        "member_summary": con.sql(OLD_MEMBER_SUMMARY, params=week).pl(),
        "kpis": con.sql(OLD_KPIS, params={**week, "run_id": run_id}).pl(),
        "references_to_call": con.sql(
            OLD_REFERENCES_TO_CALL, params={"as_of": as_of, **limit}
        ).pl(),
        "reached_out": con.sql(OLD_REACHED_OUT, params=limit).pl(),
        "introductions_received": con.sql(OLD_INTRODUCTIONS_RECEIVED, params=limit).pl(),
    }


def assert_report_data_as_before(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, run_id: str | None
) -> None:
    """The report stage's data through the marts equals the old queries' output, and
    needs none of calls, events or call_outcomes once the marts are built."""
    old = old_report_frames(con, as_of, run_id)
    build_report_marts(con, as_of=as_of)
    with_big_tables = load_report_data(con, as_of=as_of, run_id=run_id)
    new = {"member_summary": run_report_query(con, "member_summary")}
    new["kpis"] = run_report_query(con, "kpis", {"run_id": run_id})
    for name in ("references_to_call", "reached_out", "introductions_received"):
        new[name] = run_report_query(con, name)
    for name, frame in old.items():
        assert_named_frames_equal(name, new[name], frame)
    assert new["references_to_call"].height > 0  # the data exercise every list
    assert new["reached_out"].height > 0
    assert new["introductions_received"].height > 0

    # The report stage reads the marts, never the tables that grow with the calls.
    con.execute("DROP TABLE calls; DROP TABLE events; DROP TABLE call_outcomes")
    assert_same_report_data(load_report_data(con, as_of=as_of, run_id=run_id), with_big_tables)


REPORT_FRAMES = (
    "by_strategy",
    "comparison",
    "by_relationship",
    "time_to_first_lead",
    "lead_timing",
    "weekly_activity",
    "member_summary",
    "plan_arms",
    "plan_comparison",
)
MEMBER_FRAMES = (
    "references_to_call",
    "reached_out",
    "introductions",
    "rejected",
    "open_assignments",
    "done_assignments",
)


def assert_same_report_data(one: ReportData, other: ReportData) -> None:
    assert (one.run_id, one.kpis) == (other.run_id, other.kpis)
    for name in REPORT_FRAMES:
        assert_named_frames_equal(name, getattr(one, name), getattr(other, name))
    assert len(one.members) == len(other.members)
    for a, b in zip(one.members, other.members, strict=True):
        counts = [field.name for field in fields(a) if field.name not in MEMBER_FRAMES]
        assert [getattr(a, c) for c in counts] == [getattr(b, c) for c in counts]
        for name in MEMBER_FRAMES:
            assert_named_frames_equal(name, getattr(a, name), getattr(b, name))


def test_small_warehouse_report_data_as_before() -> None:
    con = duckdb.connect()
    for name, frame in small_warehouse_tables().items():
        create_table(con, name, frame)
    assert_report_data_as_before(con, SMALL_AS_OF, "r2")


def test_synthetic_group_report_data_as_before() -> None:
    # Five members with many calls each: lists longer than 50 are cut.
    fixture = build_warehouse(scale=10)
    old = old_report_frames(fixture.con, AS_OF, RUN_ID)
    assert old["reached_out"]["total"].max() > 50
    assert old["introductions_received"]["total"].max() > 50
    assert_report_data_as_before(fixture.con, AS_OF, RUN_ID)


def test_demo_warehouse_report_data_as_before(demo_copy: Path, tmp_path: Path) -> None:
    settings = Settings(
        raw=demo_copy, db=tmp_path / "w.duckdb", reports=tmp_path / "reports", as_of=AS_OF
    )
    summary = pipeline.run_weekly(settings)
    with duckdb.connect(str(settings.db)) as con:
        assert report_marts_as_of(con) == AS_OF  # built by the outcomes stage
        assert_report_data_as_before(con, AS_OF, summary.run_id)


# -- Wiring: the outcomes stage builds the marts, and they are part of its code ---------


def test_outcomes_are_recomputed_when_a_mart_query_changes(
    demo_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    settings = Settings(
        raw=demo_copy, db=tmp_path / "w.duckdb", reports=tmp_path / "reports", as_of=AS_OF
    )
    monkeypatch.setattr(pipeline, "render_pages", lambda wh, settings, run_id: [])
    pipeline.run_weekly(settings)
    changed = tmp_path / "marts"
    shutil.copytree(MART_SQL_DIR, changed)
    member_activity = changed / "member_activity.sql"
    member_activity.write_text(member_activity.read_text() + "\n-- changed\n")
    with open_warehouse(settings.db) as wh:
        assert freshness.outcomes_are_current(wh, settings)
        real_sql_folder = freshness.sql_folder
        monkeypatch.setattr(
            freshness,
            "sql_folder",
            lambda folder: (
                sorted(changed.glob("*.sql")) if folder == "marts" else real_sql_folder(folder)
            ),
        )
        assert not freshness.outcomes_are_current(wh, settings)
