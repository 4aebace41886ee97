"""A synthetic job-search group for demos and tests (``asklab sample DIR``).

The group is meant to look like what real members hand in: every file variant
of the data contract (section 1) appears somewhere, a handful of rows carry
realistic typos so the demo shows rejections, and the outcomes follow a
plausible story: reference asks are said yes to far more often than job asks,
reference and introduction asks keep contacts "keeping an eye out" (more
introductions and later leads), and the members differ in whom they call and
what they ask for, so relationship confounds a naive comparison.

Everything is drawn from numpy generators seeded by ``(seed, member index)``,
so the same seed and end date give the same bytes, and adding members does
not change the earlier ones.

Layout for five members (styles repeat for larger groups)::

    alice/calls.csv, alice/followups.csv       canonical headers, ISO dates,
                                               quoted notes, blank lines, a duplicate
    bob/<year>/calls.csv, followups.csv        nested by year, UTF-8 BOM, messy
                                               headers, an unknown column, times
    carmen/job_search.xlsx                     Calls + Follow-ups sheets with native
                                               dates, a Notes sheet with no known header
    deepak/calls.csv, deepak/events.csv        CRLF, month-name dates
    erin/calls.csv, erin/outcomes.csv          day-first dates (slashed / dotted)
    shared/cohort_log.csv                      calls of alice and bob, member column
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import xlsxwriter

from asklab.sample.logs import MemberLog, SampleCall, generate_group
from asklab.sample.texts import MULTILINE_NOTE, NOTES_SHEET_ROWS, member_name

__all__ = ["generate_group", "member_name", "sample_files", "write_sample"]

# -- Vocabulary used to write the files ---------------------------------------


# How each style writes the same values. Variants rotate by row so every form
# shows up; the event-type and yes/no words are all in the contract's vocabulary.
EVENT_TYPE_TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "plain": {},
    "nested": {
        "lead": ("job lead", "Lead"),
        "introduction": ("intro", "Introduction"),
        "reached_out": ("contacted me", "called back"),
        "reference_given": ("gave reference",),
    },
    "workbook": {
        "lead": ("Lead",),
        "introduction": ("Intro",),
        "reached_out": ("Contacted me",),
        "reference_given": ("Reference",),
        "interview": ("Interview",),
        "offer": ("Offer",),
    },
    "month_names": {"reached_out": ("Called back", "reached_out"), "lead": ("Job lead",)},
    "day_first": {"introduction": ("intro",), "reference_given": ("reference",)},
}
YES_NO_TEXTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "plain": (("yes",), ("no",)),
    "nested": (("Y", "y"), ("N", "no")),
    "workbook": (("Yes",), ("No",)),
    "month_names": (("x", "X"), ("no",)),
    "day_first": (("yes", "Yes", "TRUE"), ("no", "No")),
    "shared": (("y",), ("n",)),
}
# Spelled out rather than taken from `calendar`, whose names follow the locale.
MONTH_NAMES: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTH_ABBRS = tuple(name[:3] for name in MONTH_NAMES)

BOM = b"\xef\xbb\xbf"

# Column headers as each style writes them; all normalise to contract names
# except `Follow-up by`, an unknown column, and the notes sheet, which has no
# recognised header at all.
HEADERS: dict[tuple[str, str], list[str]] = {
    (style, kind): header.split(",")
    for style, kind, header in (
        ("plain", "calls", "call_date,contact,ask_type,relationship,agreed_reference,"
         "introductions,leads,notes"),
        ("plain", "events", "event_date,contact,event_type,count,notes"),
        ("nested", "calls", "Date,Who,Asked For, Relationship ,Agreed?,Intros,Job Leads,"
         "Follow-up by,Notes"),
        ("nested", "events", "Date,Who,Type,N,Notes"),
        ("workbook", "calls", "Date,Contact Name,Ask,Relationship,Agreed to be reference,"
         "Introductions,Leads,Notes"),
        ("workbook", "events", "Date,Name,Type,Number,Notes"),
        ("workbook", "notes", "Week,What worked,Try next"),
        ("month_names", "calls", "Date,Name,Ask,Relationship,Agreed,Intros,Leads,Notes"),
        ("month_names", "events", "Date,Name,Type,Count,Notes"),
        ("day_first", "calls", "date,contact_name,ask,relationship,agreed_to_be_reference,"
         "intros,job_leads,notes"),
        ("day_first", "events", "date,name,type,number,notes"),
        ("shared", "calls", "Member,Date,Contact,Ask,Relationship,Agreed,Intros,Leads,Notes"),
    )
}  # fmt: skip


# -- Rendering into files -----------------------------------------------------

Row = list[str] | None  # None: a blank line


def csv_bytes(
    header: list[str], rows: list[Row], *, crlf: bool = False, bom: bool = False
) -> bytes:
    newline = "\r\n" if crlf else "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        if row is None:
            buffer.write(newline)
        else:
            writer.writerow(row)
    return (BOM if bom else b"") + buffer.getvalue().encode("utf-8")


def yes_no(style: str, value: bool | None, row: int) -> str:
    if value is None:
        return ""
    options = YES_NO_TEXTS[style][0 if value else 1]
    return options[row % len(options)]


def event_type_text(style: str, event_type: str, row: int) -> str:
    options = EVENT_TYPE_TEXTS[style].get(event_type, (event_type,))
    return options[row % len(options)]


def whole(value: int, *, blank_zero: bool) -> str:
    return "" if blank_zero and value == 0 else str(value)


def month_name_date(day: dt.date, row: int) -> str:
    if row % 2 == 0:
        return f"{MONTH_ABBRS[day.month - 1]} {day.day}, {day.year}"
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def day_first_dates(days: list[dt.date], separator: str) -> list[str]:
    """Day-first dates, or ISO when no day > 12 would make the order decidable."""
    if not any(day.day > 12 for day in days):
        return [day.isoformat() for day in days]
    return [f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year}" for day in days]


def invalid_day_first(day: dt.date) -> str:
    """A typo like 31/11/2026: a day the month does not have."""
    if calendar.monthrange(day.year, day.month)[1] < 31:
        return f"31/{day.month:02d}/{day.year}"
    return f"30/02/{day.year}"


@dataclass(frozen=True)
class Faults:
    """Which deliberate mistakes and oddities go into a member's files."""

    duplicate: bool = False  # one exact duplicate call row
    # A note spanning two lines and a relationship outside the vocabulary (`mentor`).
    oddities: bool = False
    bad_count: bool = False  # an event count written as `two`
    bad_ask: bool = False  # an ask written as `jbo`
    bad_date: bool = False  # a day the month does not have


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
        [
            c.call_date.isoformat(),
            c.contact,
            c.ask_text,
            c.relationship_text,
            yes_no("plain", c.agreed_reference, i),
            str(c.introductions),
            str(c.leads),
            c.notes,
        ]
        for i, c in enumerate(calls)
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
                c.call_date.isoformat(),
                c.contact,
                c.ask_text,
                c.relationship_text,
                yes_no("nested", c.agreed_reference, i),
                whole(c.introductions, blank_zero=True),
                whole(c.leads, blank_zero=True),
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
        [
            month_name_date(c.call_date, i),
            c.contact,
            c.ask_text,
            c.relationship_text,
            yes_no("month_names", c.agreed_reference, i),
            str(c.introductions),
            str(c.leads),
            c.notes,
        ]
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
        [
            call_dates[i],
            c.contact,
            c.ask_text,
            c.relationship_text,
            yes_no("day_first", c.agreed_reference, i),
            whole(c.introductions, blank_zero=True),
            whole(c.leads, blank_zero=True),
            c.notes,
        ]
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


def _shared_file(calls: list[SampleCall]) -> bytes:
    calls = sorted(calls, key=lambda c: (c.call_date, c.member, c.contact))
    rows: list[Row] = [
        [
            # A coordinator typed the member names: capitalised, with stray spaces.
            c.member.title() if i % 3 else f" {c.member.upper()} ",
            c.call_date.isoformat(),
            c.contact,
            c.ask_text,
            c.relationship_text,
            yes_no("shared", c.agreed_reference, i),
            str(c.introductions),
            str(c.leads),
            c.notes,
        ]
        for i, c in enumerate(calls)
    ]
    return csv_bytes(HEADERS["shared", "calls"], rows)


def sample_files(
    *, members: int = 5, weeks: int = 8, seed: int = 7, end: dt.date
) -> dict[str, bytes]:
    """Every file of the sample group: relative POSIX path -> bytes."""
    group = generate_group(members=members, weeks=weeks, seed=seed, end=end)

    # The first two members logged some calls at cohort sessions, in a shared
    # file with a member column instead of their own folders.
    shared_calls: list[SampleCall] = []
    logs: list[MemberLog] = []
    for log in group:
        if log.index < 2 and log.calls:
            rng = np.random.default_rng([seed, log.index, 1])
            moved = rng.random(len(log.calls)) < 0.15
            moved[int(rng.integers(len(log.calls)))] = True
            shared_calls += [c for c, m in zip(log.calls, moved, strict=True) if m]
            log = replace(
                log, calls=tuple(c for c, m in zip(log.calls, moved, strict=True) if not m)
            )
        logs.append(log)

    files: dict[str, bytes] = {}
    first_of_style = {
        style: min(g.index for g in logs if g.style == style) for style in {g.style for g in logs}
    }
    created = dt.datetime.combine(end, dt.time(18, 0))
    for log in logs:
        first = first_of_style[log.style] == log.index
        faults = Faults(
            duplicate=first and log.style == "plain",
            oddities=first and log.style == "plain",
            bad_count=first and log.style == "nested",
            bad_ask=first and log.style == "month_names",
            bad_date=first and log.style == "day_first",
        )
        rng = np.random.default_rng([seed, log.index, 2])
        if log.style == "plain":
            files.update(_plain_files(log, faults, rng))
        elif log.style == "nested":
            files.update(_nested_files(log, faults, rng))
        elif log.style == "workbook":
            files[f"{log.name}/job_search.xlsx"] = _workbook_bytes(log, created)
        elif log.style == "month_names":
            files.update(_month_name_files(log, faults, rng))
        else:
            files.update(_day_first_files(log, faults, rng))
    if shared_calls:
        files["shared/cohort_log.csv"] = _shared_file(shared_calls)
    return dict(sorted(files.items()))


def write_sample(
    out_dir: Path,
    *,
    members: int = 5,
    weeks: int = 8,
    seed: int = 7,
    end: dt.date | None = None,
) -> list[Path]:
    """Write a synthetic job-search group below ``out_dir``; return the files written.

    Calls span ``weeks`` weeks ending at ``end`` (default today); no date is
    after ``end``. Existing files of the same names are overwritten; nothing
    else in ``out_dir`` is touched.
    """
    files = sample_files(members=members, weeks=weeks, seed=seed, end=end or dt.date.today())
    written: list[Path] = []
    for relative, data in files.items():
        path = Path(out_dir, *relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
