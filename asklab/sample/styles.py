"""A member's log as the files of their style (plain, nested, workbook, month
names, day first), with the deliberate faults, and the shared cohort file."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass, replace

import numpy as np
import xlsxwriter

from asklab.sample.cells import (
    HEADERS,
    Row,
    csv_bytes,
    day_first_dates,
    event_type_text,
    invalid_day_first,
    month_name_date,
    whole,
    yes_no,
)
from asklab.sample.logs import MemberLog, SampleCall
from asklab.sample.texts import MULTILINE_NOTE, NOTES_SHEET_ROWS


@dataclass(frozen=True)
class Faults:
    """Which deliberate mistakes and oddities go into a member's files."""

    duplicate: bool = False  # one exact duplicate call row
    # A note spanning two lines and a relationship outside the vocabulary (`mentor`).
    oddities: bool = False
    bad_count: bool = False  # an event count written as `two`
    bad_ask: bool = False  # an ask written as `jbo`
    bad_date: bool = False  # a day the month does not have


def _call_cells(
    style: str, call: SampleCall, row: int, date: str, *, blank_zero: bool = False
) -> list[str]:
    """Date to leads, the columns every style's call header has in this order; the
    notes, and any column a style adds, are the caller's to place."""
    return [
        date,
        call.contact,
        call.ask_text,
        call.relationship_text,
        yes_no(style, call.agreed_reference, row),
        whole(call.introductions, blank_zero=blank_zero),
        whole(call.leads, blank_zero=blank_zero),
    ]


def _plain_files(log: MemberLog, faults: Faults, rng: np.random.Generator) -> dict[str, bytes]:
    calls = list(log.calls)
    if faults.oddities and calls:
        k = len(calls) // 3
        calls[k] = replace(calls[k], notes=MULTILINE_NOTE)
        mentor = calls[-1].contact
        calls = [
            replace(c, relationship_text="mentor") if c.contact == mentor else c for c in calls
        ]
    rows: list[Row] = [
        [*_call_cells("plain", c, i, c.call_date.isoformat()), c.notes] for i, c in enumerate(calls)
    ]
    if faults.duplicate and rows:
        k = int(rng.integers(len(rows)))
        rows.insert(min(len(rows), k + 3), list(rows[k]))  # type: ignore[arg-type]
    if len(rows) > 4:
        rows.insert(len(rows) // 2, None)
        rows.insert(len(rows) - 2, [""] * len(HEADERS["plain", "calls"]))
    event_rows: list[Row] = [
        [e.event_date.isoformat(), e.contact, e.event_type, str(e.count), e.notes]
        for e in log.events
    ]
    event_rows.append(None)  # a trailing blank line, as editors leave them
    return {
        f"{log.name}/calls.csv": csv_bytes(HEADERS["plain", "calls"], rows),
        f"{log.name}/followups.csv": csv_bytes(HEADERS["plain", "events"], event_rows),
    }


def _nested_files(log: MemberLog, faults: Faults, rng: np.random.Generator) -> dict[str, bytes]:
    years = sorted({c.call_date.year for c in log.calls} | {e.event_date.year for e in log.events})
    files: dict[str, bytes] = {}
    for year in years:
        rows: list[Row] = [
            [
                *_call_cells("nested", c, i, c.call_date.isoformat(), blank_zero=True),
                (c.call_date + dt.timedelta(days=7)).isoformat()
                if c.leads or c.introductions
                else "",
                c.notes,
            ]
            for i, c in enumerate(x for x in log.calls if x.call_date.year == year)
        ]
        year_events = [e for e in log.events if e.event_date.year == year]
        with_time = rng.random(len(year_events)) < 0.25
        event_rows: list[Row] = [
            [
                f"{e.event_date.isoformat()} {9 + i % 9:02d}:{(i * 17) % 60:02d}"
                if with_time[i]
                else e.event_date.isoformat(),
                e.contact,
                event_type_text("nested", e.event_type, i),
                "" if e.count == 1 else str(e.count),
                e.notes,
            ]
            for i, e in enumerate(year_events)
        ]
        if faults.bad_count and year == years[-1] and event_rows:
            k = int(rng.integers(len(event_rows)))
            event_rows[k][3] = "two"  # type: ignore[index]
        files[f"{log.name}/{year}/calls.csv"] = csv_bytes(
            HEADERS["nested", "calls"], rows, bom=True
        )
        files[f"{log.name}/{year}/followups.csv"] = csv_bytes(
            HEADERS["nested", "events"], event_rows, bom=True
        )
    return files


def _workbook_bytes(log: MemberLog, created: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    # A fixed creation time keeps the bytes reproducible.
    workbook.set_properties({"created": created, "author": log.name.title()})
    bold = workbook.add_format({"bold": True})
    iso = workbook.add_format({"num_format": "yyyy-mm-dd"})
    long_date = workbook.add_format({"num_format": "d mmm yyyy"})

    calls_sheet = workbook.add_worksheet("Calls")
    calls_sheet.write_row(0, 0, HEADERS["workbook", "calls"], bold)
    for r, c in enumerate(log.calls, start=1):
        calls_sheet.write_datetime(r, 0, dt.datetime.combine(c.call_date, dt.time()), iso)
        calls_sheet.write_string(r, 1, c.contact)
        calls_sheet.write_string(r, 2, c.ask_text)
        if c.relationship_text:
            calls_sheet.write_string(r, 3, c.relationship_text)
        if c.agreed_reference is not None:
            calls_sheet.write_string(r, 4, yes_no("workbook", c.agreed_reference, r))
        calls_sheet.write_number(r, 5, c.introductions)
        calls_sheet.write_number(r, 6, c.leads)
        if c.notes:
            calls_sheet.write_string(r, 7, c.notes)

    events_sheet = workbook.add_worksheet("Follow-ups")
    events_sheet.write_row(0, 0, HEADERS["workbook", "events"], bold)
    for r, e in enumerate(log.events, start=1):
        events_sheet.write_datetime(r, 0, dt.datetime.combine(e.event_date, dt.time()), long_date)
        events_sheet.write_string(r, 1, e.contact)
        events_sheet.write_string(r, 2, event_type_text("workbook", e.event_type, r))
        events_sheet.write_number(r, 3, e.count)
        if e.notes:
            events_sheet.write_string(r, 4, e.notes)

    notes_sheet = workbook.add_worksheet("Notes")
    notes_sheet.write_row(0, 0, HEADERS["workbook", "notes"], bold)
    for r, values in enumerate(NOTES_SHEET_ROWS, start=1):
        notes_sheet.write_row(r, 0, list(values))
    workbook.close()
    return buffer.getvalue()


def _month_name_files(log: MemberLog, faults: Faults, rng: np.random.Generator) -> dict[str, bytes]:
    rows: list[Row] = [
        [*_call_cells("month_names", c, i, month_name_date(c.call_date, i)), c.notes]
        for i, c in enumerate(log.calls)
    ]
    if faults.bad_ask and rows:
        job_rows = [i for i, c in enumerate(log.calls) if c.asks == ("job",)] or list(
            range(len(rows))
        )
        rows[job_rows[int(rng.integers(len(job_rows)))]][2] = "jbo"  # type: ignore[index]
    event_rows: list[Row] = [
        [
            month_name_date(e.event_date, i + 1),
            e.contact,
            event_type_text("month_names", e.event_type, i),
            str(e.count),
            e.notes,
        ]
        for i, e in enumerate(log.events)
    ]
    return {
        f"{log.name}/calls.csv": csv_bytes(HEADERS["month_names", "calls"], rows, crlf=True),
        f"{log.name}/events.csv": csv_bytes(
            HEADERS["month_names", "events"], event_rows, crlf=True
        ),
    }


def _day_first_files(log: MemberLog, faults: Faults, rng: np.random.Generator) -> dict[str, bytes]:
    call_dates = day_first_dates([c.call_date for c in log.calls], "/")
    if faults.bad_date and log.calls:
        # Prefer a month with fewer than 31 days, where `31/MM` is the natural slip.
        short_months = [
            i
            for i, c in enumerate(log.calls)
            if calendar.monthrange(c.call_date.year, c.call_date.month)[1] < 31
        ]
        candidates = short_months or list(range(len(log.calls)))
        k = candidates[int(rng.integers(len(candidates)))]
        call_dates[k] = invalid_day_first(log.calls[k].call_date)
    rows: list[Row] = [
        [*_call_cells("day_first", c, i, call_dates[i], blank_zero=True), c.notes]
        for i, c in enumerate(log.calls)
    ]
    event_dates = day_first_dates([e.event_date for e in log.events], ".")
    event_rows: list[Row] = [
        [
            event_dates[i],
            e.contact,
            event_type_text("day_first", e.event_type, i),
            "" if e.count == 1 else str(e.count),
            e.notes,
        ]
        for i, e in enumerate(log.events)
    ]
    return {
        f"{log.name}/calls.csv": csv_bytes(HEADERS["day_first", "calls"], rows),
        f"{log.name}/outcomes.csv": csv_bytes(HEADERS["day_first", "events"], event_rows),
    }


def shared_file(calls: list[SampleCall]) -> bytes:
    calls = sorted(calls, key=lambda c: (c.call_date, c.member, c.contact))
    rows: list[Row] = [
        [
            # A coordinator typed the member names: capitalised, with stray spaces.
            c.member.title() if i % 3 else f" {c.member.upper()} ",
            *_call_cells("shared", c, i, c.call_date.isoformat()),
            c.notes,
        ]
        for i, c in enumerate(calls)
    ]
    return csv_bytes(HEADERS["shared", "calls"], rows)


def member_files(
    log: MemberLog, faults: Faults, rng: np.random.Generator, created: dt.datetime
) -> dict[str, bytes]:
    """The files of ``log`` in the member's style: relative POSIX path -> bytes."""
    if log.style == "plain":
        return _plain_files(log, faults, rng)
    if log.style == "nested":
        return _nested_files(log, faults, rng)
    if log.style == "workbook":
        # No fault is planted in the workbook.
        return {f"{log.name}/job_search.xlsx": _workbook_bytes(log, created)}
    if log.style == "month_names":
        return _month_name_files(log, faults, rng)
    return _day_first_files(log, faults, rng)
