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

from asklab.sample.behaviour import (
    ARCHETYPES,
    ASK_BY_RELATIONSHIP,
    ASK_HAS,
    HELPFULNESS,
    RECRUITER,
    STYLES,
    Archetype,
)
from asklab.sample.texts import (
    ASK_SETS,
    ASK_TEXTS,
    CALL_NOTES,
    COMPANIES,
    EVENT_NOTES,
    FIRST_NAMES,
    LAST_NAMES,
    MULTILINE_NOTE,
    NOTES_SHEET_ROWS,
    RELATIONSHIP_TEXTS,
    member_name,
)

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


# -- The group as records -----------------------------------------------------


@dataclass(frozen=True)
class SampleCall:
    member: str
    call_date: dt.date
    contact: str
    relationship_text: str
    ask_text: str
    asks: tuple[str, ...]
    agreed_reference: bool | None
    introductions: int
    leads: int
    notes: str


@dataclass(frozen=True)
class SampleEvent:
    member: str
    event_date: dt.date
    contact: str
    event_type: str  # canonical
    count: int
    notes: str


@dataclass(frozen=True)
class MemberLog:
    index: int
    name: str
    style: str
    calls: tuple[SampleCall, ...]
    events: tuple[SampleEvent, ...]


def _categorical(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of ``weights`` (rows need not sum to 1)."""
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    return (rng.random(len(weights))[:, None] > cumulative).sum(axis=1)


def _pick(rng: np.random.Generator, options: tuple[str, ...], size: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), size)]


def _fill(template: str, rng: np.random.Generator) -> str:
    company = COMPANIES[int(rng.integers(len(COMPANIES)))]
    person = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
    return template.format(company=company, person=person)


def generate_member(
    index: int, *, weeks: int, seed: int, end: dt.date, archetype: Archetype | None = None
) -> MemberLog:
    """Calls and later events of one member over ``weeks`` weeks ending at ``end``."""
    rng = np.random.default_rng([seed, index])
    name = member_name(index)
    archetype = archetype or ARCHETYPES[index % len(ARCHETYPES)]
    span = weeks * 7
    start = end - dt.timedelta(days=span - 1)

    # Members of one archetype still differ a little.
    relationship_weights = np.array(archetype.relationship_weights) * rng.gamma(8.0, 1 / 8.0, 8)
    reference_lean = float(np.clip(archetype.reference_lean + rng.normal(0, 0.06), 0.05, 0.95))
    rate = archetype.calls_per_week * rng.uniform(0.8, 1.2)

    # Call days: mostly weekdays; at most one call per contact and day.
    n_drawn = int(rng.poisson(rate * weeks))
    days = np.arange(span)
    weekday = np.array([(start + dt.timedelta(days=int(d))).weekday() for d in days])
    day_weights = np.where(weekday < 5, 1.0, 0.15)
    call_day = np.sort(rng.choice(span, size=n_drawn, p=day_weights / day_weights.sum()))
    n_uncalled = 1 + int(rng.poisson(1.0))
    # About a third of calls go to someone called before; the name list caps the pool.
    name_space = len(FIRST_NAMES) * len(LAST_NAMES)
    pool_size = max(1, min(int(n_drawn * 1.5), name_space - n_uncalled))
    name_codes = rng.choice(name_space, size=pool_size + n_uncalled, replace=False)
    names = [
        f"{FIRST_NAMES[c // len(LAST_NAMES)]} {LAST_NAMES[c % len(LAST_NAMES)]}" for c in name_codes
    ]
    pool_relationship = _categorical(rng, np.tile(relationship_weights, (pool_size, 1)))
    pool_relationship_text = [
        RELATIONSHIP_TEXTS[r][int(rng.integers(len(RELATIONSHIP_TEXTS[r])))]
        for r in pool_relationship
    ]
    call_contact = rng.integers(0, pool_size, n_drawn)
    _, first_of_pair = np.unique(call_day * pool_size + call_contact, return_index=True)
    keep = np.sort(first_of_pair)
    call_day, call_contact = call_day[keep], call_contact[keep]
    n = len(call_day)

    relationship = pool_relationship[call_contact]
    helpful = HELPFULNESS[relationship]
    is_recruiter = relationship == RECRUITER

    lean = reference_lean
    base_ask = np.array(
        [0.72 * (1 - lean), 0.6 * lean, 0.1, 0.08, 0.3 * lean, 0.05, 0.08 * (1 - lean)]
    )
    ask = _categorical(rng, base_ask[None, :] * ASK_BY_RELATIONSHIP[relationship])
    has_job, has_ref = ASK_HAS["job"][ask], ASK_HAS["reference"][ask]
    has_intro, has_advice = ASK_HAS["introduction"][ask], ASK_HAS["advice"][ask]

    # During the call: most people agree to vouch; few have an opening at hand.
    agreed = rng.random(n) < 0.55 + 0.4 * helpful
    agreed_blank = rng.random(n) < 0.05  # forgot to fill it in
    p_lead_now = np.where(has_job, 0.08 + 0.22 * helpful + 0.25 * is_recruiter, 0.03)
    leads = (rng.random(n) < p_lead_now) * (1 + rng.poisson(0.3, n))
    p_intro_now = np.select(
        [has_intro, has_ref, has_advice],
        [0.35 + 0.4 * helpful, 0.15 * helpful, 0.2 * helpful],
        0.05,
    )
    introductions = (rng.random(n) < p_intro_now) * (1 + rng.poisson(0.4, n))

    # Later: people asked to vouch or introduce keep their eyes open for you.
    keeps_eyes_open = np.select([has_ref | has_intro, has_advice], [1.0, 0.5], 0.3)
    later: list[tuple[int, int, str, int]] = []  # (call index, day, type, count)

    def add_later(p: np.ndarray, delay: np.ndarray, event_type: str, count: np.ndarray) -> None:
        hit = rng.random(n) < p
        for i in np.flatnonzero(hit):
            later.append((int(i), int(call_day[i] + delay[i]), event_type, int(count[i])))

    ones = np.ones(n, dtype=int)
    add_later(
        0.12 + 0.4 * helpful * keeps_eyes_open,
        np.rint(3 + rng.gamma(2.0, 7.0, n)).astype(int),
        "reached_out",
        ones,
    )
    add_later(
        0.05 + 0.4 * helpful * keeps_eyes_open,
        np.rint(2 + rng.gamma(2.0, 9.0, n)).astype(int),
        "lead",
        1 + rng.poisson(0.15, n),
    )
    add_later(
        0.03 + 0.3 * helpful * keeps_eyes_open,
        np.rint(1 + rng.gamma(1.5, 6.0, n)).astype(int),
        "introduction",
        1 + rng.poisson(0.2, n),
    )
    add_later(
        np.where(has_ref & agreed, 0.55, 0.0),
        rng.integers(5, 40, n),
        "reference_given",
        ones,
    )
    # Some leads come back after the attribution window (two months and more).
    add_later(np.full(n, 0.05), rng.integers(61, 80, n), "lead", ones)

    # Leads (at the call or later) sometimes turn into interviews, a few into offers.
    lead_sources = [(int(i), int(call_day[i])) for i in np.flatnonzero(leads > 0)]
    lead_sources += [(i, day) for i, day, kind, _ in later if kind == "lead"]
    interviews: list[tuple[int, int, str, int]] = []
    if lead_sources:
        m = len(lead_sources)
        hit = rng.random(m) < 0.3
        delay = rng.integers(5, 21, m)
        interviews = [
            (lead_sources[k][0], lead_sources[k][1] + int(delay[k]), "interview", 1)
            for k in np.flatnonzero(hit)
        ]
    offers: list[tuple[int, int, str, int]] = []
    if interviews:
        m = len(interviews)
        hit = rng.random(m) < 0.25
        delay = rng.integers(7, 26, m)
        offers = [
            (interviews[k][0], interviews[k][1] + int(delay[k]), "offer", 1)
            for k in np.flatnonzero(hit)
        ]

    def day_to_date(day: int) -> dt.date:
        return start + dt.timedelta(days=day)

    calls: list[SampleCall] = []
    ask_text_choice = rng.random(n)
    note_kind = rng.random(n)
    for i in range(n):
        asks = ASK_SETS[ask[i]]
        texts = ASK_TEXTS[ask[i]]
        note = ""
        if note_kind[i] < 0.45:
            topic = asks[int(rng.integers(len(asks)))]
            went_well = {
                "job": bool(leads[i] > 0),
                "reference": None if agreed_blank[i] else bool(agreed[i]),
                "introduction": bool(introductions[i] > 0),
                "advice": None,
            }[topic]
            options = CALL_NOTES[topic, went_well]
            note = _fill(options[int(rng.integers(len(options)))], rng)
        elif note_kind[i] < 0.6:
            options = CALL_NOTES["any", None]
            note = options[int(rng.integers(len(options)))]
        calls.append(
            SampleCall(
                member=name,
                call_date=day_to_date(int(call_day[i])),
                contact=names[call_contact[i]],
                relationship_text=pool_relationship_text[call_contact[i]],
                ask_text=texts[int(ask_text_choice[i] * len(texts))],
                asks=asks,
                agreed_reference=None if not has_ref[i] or agreed_blank[i] else bool(agreed[i]),
                introductions=int(introductions[i]),
                leads=int(leads[i]),
                notes=note,
            )
        )

    # Events from people the member never logged a call with: unattributed.
    uncalled = [
        (names[pool_size + k], int(rng.integers(span)), kind, 1)
        for k, kind in enumerate(_pick(rng, ("reached_out", "lead", "introduction"), n_uncalled))
    ]
    raw_events = [
        (names[call_contact[i]], day, kind, count)
        for i, day, kind, count in later + interviews + offers
    ] + uncalled

    events: list[SampleEvent] = []
    seen: set[tuple[str, int, str]] = set()
    for contact, day, kind, count in raw_events:
        # Not happened yet, or a second identical row (only the planted duplicate may exist).
        if day >= span or (contact, day, kind) in seen:
            continue
        seen.add((contact, day, kind))
        # Names are retyped by hand now and then: case and spacing differ.
        styled = rng.random()
        if styled < 0.05:
            contact = contact.lower()
        elif styled < 0.08:
            contact = contact.replace(" ", "  ")
        note = ""
        if rng.random() < 0.5:
            options = EVENT_NOTES[kind]
            note = _fill(options[int(rng.integers(len(options)))], rng)
        events.append(SampleEvent(name, day_to_date(day), contact, kind, count, note))
    events.sort(key=lambda e: (e.event_date, e.contact.lower(), e.event_type))

    return MemberLog(
        index=index,
        name=name,
        style=STYLES[index % len(STYLES)],
        calls=tuple(calls),
        events=tuple(events),
    )


def generate_group(*, members: int, weeks: int, seed: int, end: dt.date) -> list[MemberLog]:
    if members < 1:
        raise ValueError(f"members must be >= 1, got {members}")
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    return [generate_member(i, weeks=weeks, seed=seed, end=end) for i in range(members)]


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
