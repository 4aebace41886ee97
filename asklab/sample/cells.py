"""How each file style writes a value: headers, yes/no, event types, dates, CSV bytes."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io

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
