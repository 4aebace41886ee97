"""Attribution of events to calls (CONTRACT section 2), edge case by edge case.

The rule: an event of member m with contact c on day d goes to the latest call
of m with c whose call_date <= d, when d - call_date <= window; else it is
unattributed (call_id null) and kept.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import polars as pl
import pytest

from asklab.outcomes import attribute_events, build_outcome_tables, call_outcomes

D = dt.date
WINDOW = 60


def _strategy(ask_label: str) -> str:
    asks = set(ask_label.split("+"))
    if "job" in asks and "reference" in asks:
        return "mixed"
    if "job" in asks:
        return "job"
    if "reference" in asks:
        return "reference"
    return "other"


def make_calls(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A calls frame as the warehouse gives it; each row needs call_id and call_date."""
    defaults: dict[str, Any] = {
        "member": "alice",
        "contact_key": "john smith",
        "relationship": "friend",
        "ask_label": "job",
        "agreed_reference": None,
        "introductions": 0,
        "leads": 0,
    }
    full = []
    for line, row in enumerate(rows, start=2):
        merged = {**defaults, **row}
        merged.setdefault("strategy", _strategy(merged["ask_label"]))
        merged.setdefault("contact", merged["contact_key"].title())
        merged.setdefault("source_file", f"{merged['member']}/calls.csv")
        merged.setdefault("source_line", line)
        full.append(merged)
    return pl.DataFrame(
        full,
        schema={
            "call_id": pl.String,
            "member": pl.String,
            "call_date": pl.Date,
            "contact_key": pl.String,
            "contact": pl.String,
            "relationship": pl.String,
            "ask_label": pl.String,
            "strategy": pl.String,
            "agreed_reference": pl.Boolean,
            "introductions": pl.Int64,
            "leads": pl.Int64,
            "source_file": pl.String,
            "source_line": pl.Int64,
        },
    )


def make_events(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """An events frame as the warehouse gives it; each row needs event_id and event_date."""
    defaults: dict[str, Any] = {
        "member": "alice",
        "contact_key": "john smith",
        "event_type": "lead",
        "count": 1,
    }
    full = []
    for line, row in enumerate(rows, start=2):
        merged = {**defaults, **row}
        merged.setdefault("contact", merged["contact_key"].title())
        merged.setdefault("source_file", f"{merged['member']}/events.csv")
        merged.setdefault("source_line", line)
        full.append(merged)
    return pl.DataFrame(
        full,
        schema={
            "event_id": pl.String,
            "member": pl.String,
            "event_date": pl.Date,
            "contact_key": pl.String,
            "contact": pl.String,
            "event_type": pl.String,
            "count": pl.Int64,
            "source_file": pl.String,
            "source_line": pl.Int64,
        },
    )


def attributed_call(calls: pl.DataFrame, events: pl.DataFrame, *, window: int = WINDOW) -> dict:
    """event_id -> call_id after attribution."""
    result = attribute_events(calls, events, window=window)
    return dict(zip(result["event_id"], result["call_id"], strict=True))


def test_event_before_any_call_is_unattributed_and_kept() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 3, 10)}])
    events = make_events([{"event_id": "e1", "event_date": D(2026, 3, 9)}])
    assert attributed_call(calls, events) == {"e1": None}


def test_event_after_the_window_is_unattributed() -> None:
    # 2026-01-01 + 61 days = 2026-03-03 (January 31 days, February 28).
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 1, 1)}])
    events = make_events([{"event_id": "late", "event_date": D(2026, 3, 3)}])
    assert attributed_call(calls, events) == {"late": None}


def test_event_exactly_window_days_after_the_call_is_attributed() -> None:
    # 2026-01-01 + 60 days = 2026-03-02: d - call_date == window counts.
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 1, 1)}])
    events = make_events([{"event_id": "edge", "event_date": D(2026, 3, 2)}])
    assert attributed_call(calls, events) == {"edge": "c1"}


def test_first_lead_exactly_window_days_after_the_call_counts_in_every_table() -> None:
    # The boundary test above stops at the event's call_id; here the same lead
    # (2026-01-01 + 60 days = 2026-03-02) is followed into the outcome tables,
    # beside a lead one day later (2026-03-03) for another contact's call.
    calls = make_calls(
        [
            {"call_id": "edge", "call_date": D(2026, 1, 1)},
            {"call_id": "late", "call_date": D(2026, 1, 1), "contact_key": "ann lee"},
        ]
    )
    events = make_events(
        [
            {"event_id": "day60", "event_date": D(2026, 3, 2)},
            {"event_id": "day61", "event_date": D(2026, 3, 3), "contact_key": "ann lee"},
        ]
    )
    tables = build_outcome_tables(calls, events, as_of=D(2026, 6, 1), window=WINDOW)
    attributed = tables["events"]
    assert dict(zip(attributed["event_id"], attributed["call_id"], strict=True)) == {
        "day60": "edge",
        "day61": None,
    }
    outcomes = {row["call_id"]: row for row in tables["call_outcomes"].iter_rows(named=True)}
    columns = ("days_to_first_lead", "leads_total", "any_lead", "mature")
    assert tuple(outcomes["edge"][c] for c in columns) == (60, 1, True, True)
    assert tuple(outcomes["late"][c] for c in columns) == (None, 0, False, True)
    job = tables["outcomes_by_strategy"].filter(scope="group", strategy="job").row(0, named=True)
    assert (job["lead_rate_n"], job["lead_rate_x"]) == (2, 1)
    # On the lead curve day 60 is an event for "edge" (not a censoring), and
    # "late", watched for the whole window, is censored on that same day.
    curve = tables["time_to_first_lead"].filter(scope="group")
    assert curve.select("day", "at_risk", "events", "censored", "survival").rows() == [
        (0, 2, 0, 0, 1.0),
        (60, 2, 1, 1, 0.5),
    ]


def test_window_is_a_parameter() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 1, 1)}])
    events = make_events(
        [
            {"event_id": "day7", "event_date": D(2026, 1, 8)},
            {"event_id": "day8", "event_date": D(2026, 1, 9)},
        ]
    )
    assert attributed_call(calls, events, window=7) == {"day7": "c1", "day8": None}


def test_window_zero_attributes_only_same_day_events() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 1, 1)}])
    events = make_events(
        [
            {"event_id": "same", "event_date": D(2026, 1, 1)},
            {"event_id": "next", "event_date": D(2026, 1, 2)},
        ]
    )
    assert attributed_call(calls, events, window=0) == {"same": "c1", "next": None}


def test_two_calls_to_one_contact_the_latest_earlier_call_wins() -> None:
    calls = make_calls(
        [
            {"call_id": "first", "call_date": D(2026, 1, 1)},
            {"call_id": "second", "call_date": D(2026, 1, 20)},
        ]
    )
    events = make_events(
        [
            {"event_id": "between", "event_date": D(2026, 1, 10)},
            {"event_id": "after_both", "event_date": D(2026, 1, 25)},
        ]
    )
    assert attributed_call(calls, events) == {"between": "first", "after_both": "second"}


def test_latest_call_out_of_window_does_not_fall_back_to_nothing_closer() -> None:
    # The later call is 70 days before the event: outside the window, and the
    # earlier call is further still, so the event stays unattributed.
    calls = make_calls(
        [
            {"call_id": "old", "call_date": D(2025, 12, 1)},
            {"call_id": "recent", "call_date": D(2026, 1, 1)},
        ]
    )
    events = make_events([{"event_id": "e1", "event_date": D(2026, 3, 12)}])
    assert attributed_call(calls, events) == {"e1": None}


def test_event_on_the_call_day_is_attributed_with_zero_days() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 2, 1)}])
    events = make_events([{"event_id": "e1", "event_date": D(2026, 2, 1), "event_type": "lead"}])
    attributed = attribute_events(calls, events, window=WINDOW)
    assert attributed["call_id"].to_list() == ["c1"]
    outcomes = call_outcomes(calls, attributed, as_of=D(2026, 5, 1), window=WINDOW)
    assert outcomes["days_to_first_lead"].to_list() == [0]
    assert outcomes["leads_total"].to_list() == [1]


def test_same_day_calls_to_one_contact_go_to_the_greatest_call_id() -> None:
    calls = make_calls(
        [
            {"call_id": "bbb", "call_date": D(2026, 2, 1), "ask_label": "job"},
            {"call_id": "aaa", "call_date": D(2026, 2, 1), "ask_label": "reference"},
            {"call_id": "ccc", "call_date": D(2026, 2, 1), "ask_label": "advice"},
        ]
    )
    events = make_events([{"event_id": "e1", "event_date": D(2026, 2, 3)}])
    assert attributed_call(calls, events) == {"e1": "ccc"}
    assert attributed_call(calls.reverse(), events) == {"e1": "ccc"}


def test_contacts_are_per_member() -> None:
    # Alice's and Bob's "john smith" are different people.
    calls = make_calls(
        [
            {"call_id": "alice_call", "member": "alice", "call_date": D(2026, 2, 1)},
            {"call_id": "bob_call", "member": "bob", "call_date": D(2026, 2, 5)},
        ]
    )
    events = make_events(
        [
            {"event_id": "alice_event", "member": "alice", "event_date": D(2026, 2, 10)},
            {"event_id": "bob_event", "member": "bob", "event_date": D(2026, 2, 10)},
            # Bob heard from him before Bob's call: Alice's call must not take it.
            {"event_id": "bob_early", "member": "bob", "event_date": D(2026, 2, 3)},
        ]
    )
    assert attributed_call(calls, events) == {
        "alice_event": "alice_call",
        "bob_event": "bob_call",
        "bob_early": None,
    }


def test_another_contact_of_the_same_member_is_not_matched() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 2, 1), "contact_key": "ann lee"}])
    events = make_events([{"event_id": "e1", "event_date": D(2026, 2, 2)}])
    assert attributed_call(calls, events) == {"e1": None}


def test_immature_call_still_collects_its_events() -> None:
    # as_of - call_date = 59 < 60: immature; its event is attributed all the same.
    as_of = D(2026, 3, 1)
    calls = make_calls(
        [
            {"call_id": "young", "call_date": D(2026, 1, 1)},  # 59 days before as_of
            {"call_id": "old", "call_date": D(2025, 12, 31), "contact_key": "ann lee"},  # 60 days
        ]
    )
    events = make_events([{"event_id": "e1", "event_date": D(2026, 1, 15), "count": 2}])
    attributed = attribute_events(calls, events, window=WINDOW)
    outcomes = call_outcomes(calls, attributed, as_of=as_of, window=WINDOW)
    by_id = {row["call_id"]: row for row in outcomes.iter_rows(named=True)}
    assert by_id["young"]["mature"] is False
    assert by_id["young"]["leads_total"] == 2
    assert by_id["young"]["days_to_first_lead"] == 14
    assert by_id["old"]["mature"] is True


def test_result_keeps_every_event_and_column_sorted_by_member_date_contact_id() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 2, 1)}])
    events = make_events(
        [
            {"event_id": "z", "member": "bob", "event_date": D(2026, 1, 1)},
            {"event_id": "y", "event_date": D(2026, 2, 2), "contact_key": "zed"},
            {"event_id": "x", "event_date": D(2026, 2, 2)},
            {"event_id": "w", "event_date": D(2026, 1, 5)},
        ]
    )
    result = attribute_events(calls, events, window=WINDOW)
    assert result.columns == [*events.columns, "call_id"]
    assert result["event_id"].to_list() == ["w", "x", "y", "z"]
    assert result["call_id"].to_list() == [None, "c1", None, None]
    assert result["source_line"].to_list() == [5, 4, 3, 2]


def test_no_calls_leaves_every_event_unattributed() -> None:
    events = make_events([{"event_id": "e1", "event_date": D(2026, 2, 2)}])
    result = attribute_events(make_calls([]), events, window=WINDOW)
    assert result["call_id"].to_list() == [None]


def test_no_events_gives_an_empty_frame_with_call_id() -> None:
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 2, 1)}])
    result = attribute_events(calls, make_events([]), window=WINDOW)
    assert result.height == 0
    assert result.schema["call_id"] == pl.String


def test_missing_column_is_a_clear_error() -> None:
    events = make_events([{"event_id": "e1", "event_date": D(2026, 2, 2)}]).drop("contact_key")
    calls = make_calls([{"call_id": "c1", "call_date": D(2026, 2, 1)}])
    with pytest.raises(ValueError, match=r"events: missing column.*contact_key"):
        attribute_events(calls, events, window=WINDOW)


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        attribute_events(make_calls([]), make_events([]), window=-1)


def _naive_attribution(calls: pl.DataFrame, events: pl.DataFrame, window: int) -> dict:
    """The contract rule written as a plain loop over every (event, call) pair."""
    answer = {}
    for event in events.iter_rows(named=True):
        candidates = [
            (call["call_date"], call["call_id"])
            for call in calls.iter_rows(named=True)
            if call["member"] == event["member"]
            and call["contact_key"] == event["contact_key"]
            and call["call_date"] <= event["event_date"]
        ]
        latest = max(candidates, default=None)  # latest date, then greatest call_id
        within = latest is not None and (event["event_date"] - latest[0]).days <= window
        answer[event["event_id"]] = latest[1] if within else None
    return answer


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_attribution_agrees_with_a_plain_loop(seed: int) -> None:
    rng = random.Random(seed)
    start = D(2026, 1, 1)
    calls = make_calls(
        [
            {
                "call_id": f"c{i:03d}",
                "member": rng.choice(["alice", "bob"]),
                "contact_key": rng.choice(["ann", "bo", "cy"]),
                "call_date": start + dt.timedelta(days=rng.randrange(90)),
            }
            for i in range(40)
        ]
    )
    events = make_events(
        [
            {
                "event_id": f"e{i:03d}",
                "member": rng.choice(["alice", "bob"]),
                "contact_key": rng.choice(["ann", "bo", "cy"]),
                "event_date": start + dt.timedelta(days=rng.randrange(-10, 120)),
            }
            for i in range(80)
        ]
    )
    for window in (0, 7, WINDOW):
        assert attributed_call(calls, events, window=window) == _naive_attribution(
            calls, events, window
        )


def test_pairs_sharing_a_hash_are_still_told_apart(monkeypatch) -> None:
    # Pairs are matched by a 64-bit hash of (member, contact_key); force every
    # pair onto one hash, the worst collision, and the answer must not change.
    from asklab.outcomes import attribution

    def one_hash_for_all(calls: pl.DataFrame, events: pl.DataFrame):
        return pl.repeat(7, calls.height, dtype=pl.UInt64, eager=True), pl.repeat(
            7, events.height, dtype=pl.UInt64, eager=True
        )

    calls = make_calls(
        [
            {"call_id": "ann-jan-3", "contact_key": "ann", "call_date": D(2026, 1, 3)},
            {"call_id": "bo-jan-5", "contact_key": "bo", "call_date": D(2026, 1, 5)},
            {
                "call_id": "bob-ann",
                "member": "bob",
                "contact_key": "ann",
                "call_date": D(2026, 1, 6),
            },
        ]
    )
    events = make_events(
        [
            # Ann's latest call is Jan 3; Bo's Jan 5 call and Bob's Ann are later.
            {"event_id": "e1", "contact_key": "ann", "event_date": D(2026, 1, 7)},
            {"event_id": "e2", "contact_key": "bo", "event_date": D(2026, 1, 7)},
            {"event_id": "e3", "member": "bob", "contact_key": "ann", "event_date": D(2026, 1, 6)},
            # Nobody called Cy.
            {"event_id": "e4", "contact_key": "cy", "event_date": D(2026, 1, 8)},
        ]
    )
    monkeypatch.setattr(attribution, "_hashed_pairs", one_hash_for_all)
    assert attributed_call(calls, events) == {
        "e1": "ann-jan-3",
        "e2": "bo-jan-5",
        "e3": "bob-ann",
        "e4": None,
    }
