"""Value rules of CONTRACT.md sections 1.1-1.7, one test per rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from asklab.ingest import (
    CALL_ROW_SCHEMA,
    EVENT_ROW_SCHEMA,
    REJECTED_SCHEMA,
    FileError,
    ValidatedFile,
    validate_file,
    validate_paths,
)
from asklab.ingest.check import check_paths
from asklab.ingest.dates import earliest_accepted
from tests.support.spreadsheets import drop_formula_values, write_ods

AS_OF = dt.date(2026, 11, 26)
CALL_HEADER = "call_date,contact,ask_type,relationship,agreed_reference,introductions,leads,notes"


def _validate(
    tmp_path: Path,
    text: str,
    *,
    name: str = "calls.csv",
    folder: str | None = "alice",
    as_of: dt.date = AS_OF,
    date_order: str = "month-first",
) -> ValidatedFile:
    raw = tmp_path / "raw"
    path = (raw / folder / name) if folder else (raw / name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return validate_file(path, raw, as_of=as_of, date_order=date_order)


def _calls(tmp_path: Path, rows: list[str], **kwargs) -> ValidatedFile:
    return _validate(tmp_path, "\n".join([CALL_HEADER, *rows]) + "\n", **kwargs)


def _rejected(result: ValidatedFile) -> list[tuple]:
    """(line, column, value) of every rejected cell."""
    return [(r["line"], r["column"], r["value"]) for r in result.rejected.iter_rows(named=True)]


def _column(result: ValidatedFile, column: str, table: str = "calls") -> list:
    return getattr(result, table).get_column(column).to_list()


# -- A whole call row -----------------------------------------------------------------


def test_a_valid_call_row_is_stored_with_every_column(tmp_path: Path) -> None:
    result = _calls(
        tmp_path,
        ["2026-03-04, John  SMITH ,Reference + Intro,Former colleague,yes,2,1, met at cafe "],
    )
    assert result.calls.schema == CALL_ROW_SCHEMA
    assert result.calls.row(0, named=True) == {
        "member": "alice",
        "call_date": dt.date(2026, 3, 4),
        "contact": "John  SMITH",
        "contact_key": "john smith",
        "ask_label": "reference+introduction",
        "strategy": "reference",
        "relationship": "colleague",
        "agreed_reference": True,
        "introductions": 2,
        "leads": 1,
        "notes": "met at cafe",
        "source_file": "alice/calls.csv",
        "sheet": None,
        "source_line": 2,
    }
    assert result.rejected.height == 0
    assert (result.rows_total, result.rows_rejected, result.blank_rows) == (1, 0, 0)


def test_optional_call_columns_default_when_blank_or_absent(tmp_path: Path) -> None:
    blank = _calls(tmp_path, ["2026-03-04,Ann,job,,,,,"])
    absent = _validate(tmp_path, "date,name,ask\n2026-03-04,Ann,job\n", name="short.csv")
    for result in (blank, absent):
        row = result.calls.row(0, named=True)
        assert (row["relationship"], row["agreed_reference"]) == ("unknown", None)
        assert (row["introductions"], row["leads"], row["notes"]) == (0, 0, None)


def test_duplicate_rows_are_kept_for_the_warehouse_to_dedup(tmp_path: Path) -> None:
    result = _calls(tmp_path, ["2026-03-04,Ann,job,,,,,", "2026-03-04,Ann,job,,,,,"])
    assert _column(result, "source_line") == [2, 3]


# -- member ----------------------------------------------------------------------------


def test_member_comes_from_the_folder_as_a_key(tmp_path: Path) -> None:
    result = _calls(tmp_path, ["2026-03-04,Ann,job,,,,,"], folder="Alice  Smith")
    assert _column(result, "member") == ["alice smith"]
    assert _column(result, "source_file") == ["Alice  Smith/calls.csv"]


def test_a_member_column_wins_over_the_folder_and_a_blank_cell_rejects(tmp_path: Path) -> None:
    text = "date,name,ask,Member\n2026-03-04,Ann,job, Bob  JONES \n2026-03-05,Cy,job,  \n"
    result = _validate(tmp_path, text)
    assert _column(result, "member") == ["bob jones"]
    assert result.rejected.rows() == [
        (
            "alice/calls.csv",
            None,
            3,
            "member",
            "",
            "member is blank (the file has a member column)",
            None,
        )
    ]


def test_a_file_in_the_root_with_a_member_column_loads(tmp_path: Path) -> None:
    result = _validate(tmp_path, "date,name,ask,member\n2026-03-04,Ann,job,bob\n", folder=None)
    assert _column(result, "member") == ["bob"]
    assert _column(result, "source_file") == ["calls.csv"]


def test_no_member_column_and_no_member_folder_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError) as caught:
        _validate(tmp_path, "date,name,ask\n2026-03-04,Ann,job\n", folder=None)
    assert caught.value.reason == "no member column and the file is not in a member folder"


# -- contact ---------------------------------------------------------------------------


def test_blank_contact_rejects_the_row(tmp_path: Path) -> None:
    result = _calls(tmp_path, ["2026-03-04,  ,job,,,,,", "2026-03-04,Ann,job,,,,,"])
    assert _rejected(result) == [(2, "contact", "")]
    assert result.rejected["reason"].to_list() == ["contact is required but blank"]
    assert result.rejected["member"].to_list() == ["alice"]
    assert _column(result, "contact") == ["Ann"]


def test_a_missing_required_column_rejects_every_row_saying_why(tmp_path: Path) -> None:
    result = _validate(tmp_path, "name,ask\nAnn,job\nBo,ref\n")
    assert _rejected(result) == [(2, "call_date", ""), (3, "call_date", "")]
    assert set(result.rejected["reason"]) == {
        "call_date is required but the file has no call_date column"
    }
    assert result.calls.height == 0


# -- dates (1.3) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("2026-03-04", dt.date(2026, 3, 4)),
        ("2026-03-04 17:45", dt.date(2026, 3, 4)),
        ("2026-03-04T17:45:10", dt.date(2026, 3, 4)),
        ("2026-03-04T17:45:10Z", dt.date(2026, 3, 4)),
        ("2026-3-4", dt.date(2026, 3, 4)),
        ("2026-03-04 00:00:00", dt.date(2026, 3, 4)),
        ("2026/03/04", dt.date(2026, 3, 4)),
        ("Mar 4 2026", dt.date(2026, 3, 4)),
        ('"Mar 4, 2026"', dt.date(2026, 3, 4)),
        ('"March 14, 2026"', dt.date(2026, 3, 14)),
        ("4 March 2026", dt.date(2026, 3, 4)),
        ("4 mar 2026", dt.date(2026, 3, 4)),
        ("4 SEPT 2026", dt.date(2026, 9, 4)),
        ("4th March 2026", dt.date(2026, 3, 4)),
        ('"dec 31, 2025"', dt.date(2025, 12, 31)),
        ("3/4/2026", dt.date(2026, 3, 4)),  # month-first by default
        ("03.04.2026", dt.date(2026, 3, 4)),
    ],
)
def test_accepted_date_forms(tmp_path: Path, written: str, date: dt.date) -> None:
    result = _calls(tmp_path, [f"{written},Ann,job,,,,,"])
    assert result.rejected.height == 0
    assert _column(result, "call_date") == [date]


def test_configured_day_first_order_applies_when_no_value_decides(tmp_path: Path) -> None:
    result = _calls(
        tmp_path, ["3/4/2026,Ann,job,,,,,", "05.06.2026,Bo,job,,,,,"], date_order="day-first"
    )
    assert _column(result, "call_date") == [dt.date(2026, 4, 3), dt.date(2026, 6, 5)]


def test_a_first_part_over_12_makes_the_column_day_first(tmp_path: Path) -> None:
    result = _calls(tmp_path, ["4/3/2026,Ann,job,,,,,", "25/3/2026,Bo,job,,,,,"])
    assert _column(result, "call_date") == [dt.date(2026, 3, 4), dt.date(2026, 3, 25)]


def test_a_second_part_over_12_makes_the_column_month_first(tmp_path: Path) -> None:
    result = _calls(
        tmp_path, ["4.3.2026,Ann,job,,,,,", "3.25.2026,Bo,job,,,,,"], date_order="day-first"
    )
    assert _column(result, "call_date") == [dt.date(2026, 4, 3), dt.date(2026, 3, 25)]


def test_both_orders_in_one_column_reject_every_slashed_or_dotted_date(tmp_path: Path) -> None:
    rows = [
        "25/3/2026,Ann,job,,,,,",
        "2026-03-04,Bo,job,,,,,",
        "3/25/2026,Cy,job,,,,,",
        "4.3.2026,Di,job,,,,,",
    ]
    result = _calls(tmp_path, rows)
    assert _rejected(result) == [
        (2, "call_date", "25/3/2026"),
        (4, "call_date", "3/25/2026"),
        (5, "call_date", "4.3.2026"),
    ]
    reason = result.rejected["reason"][2]
    assert reason.startswith("'4.3.2026' cannot be read: the call_date column mixes day-first")
    assert "'25/3/2026' (line 2) has a first part > 12" in reason
    assert "'3/25/2026' (line 4) has a second part > 12" in reason
    assert _column(result, "contact") == ["Bo"]


def test_date_order_is_decided_across_the_sheets_of_a_workbook(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "alice").mkdir(parents=True)
    path = raw / "alice" / "calls.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for sheet_name, date in (("Jan", "25/1/2026"), ("Feb", "4/2/2026")):
        sheet = book.add_worksheet(sheet_name)
        sheet.write_row(0, 0, ["date", "name", "ask"])
        sheet.write_row(1, 0, [date, "Ann", "job"])
    book.close()
    result = validate_file(path, raw, as_of=AS_OF, date_order="month-first")
    assert _column(result, "call_date") == [dt.date(2026, 1, 25), dt.date(2026, 2, 4)]
    assert _column(result, "sheet") == ["Jan", "Feb"]


def test_xlsx_native_dates_are_dates(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "alice").mkdir(parents=True)
    path = raw / "alice" / "calls.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Calls")
    sheet.write_row(0, 0, ["Date", "Name", "Ask", "Leads"])
    sheet.write_datetime(1, 0, dt.datetime(2026, 3, 4), book.add_format({"num_format": "d/m/yy"}))
    sheet.write_row(1, 1, ["Ann", "job"])
    sheet.write_number(1, 3, 2.0)
    sheet.write_datetime(
        2, 0, dt.datetime(2026, 12, 24, 9, 0), book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    )
    sheet.write_row(2, 1, ["Bo", "ref"])
    book.close()
    result = validate_file(path, raw, as_of=AS_OF, date_order="month-first")
    assert _column(result, "call_date") == [dt.date(2026, 3, 4)]
    assert _column(result, "leads") == [2]
    assert result.rejected.rows() == [
        (
            "alice/calls.xlsx",
            "Calls",
            3,
            "call_date",
            "2026-12-24 09:00:00",
            "date 2026-12-24 is after the run date 2026-11-26",
            "alice",
        )
    ]


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("2026-02-30", "'2026-02-30' is not a valid calendar date (read as 2026-02-30)"),
        ("31/02/2026", "'31/02/2026' is not a valid calendar date (read day-first as 2026-02-31)"),
        ("2026-13-01", "'2026-13-01' is not a valid calendar date (read as 2026-13-01)"),
    ],
)
def test_invalid_calendar_dates_reject(tmp_path: Path, written: str, reason: str) -> None:
    result = _calls(tmp_path, [f"{written},Ann,job,,,,,"])
    assert _rejected(result) == [(2, "call_date", written)]
    assert result.rejected["reason"].to_list() == [reason]


@pytest.mark.parametrize(
    "written", ["yesterday", "03/04/26", "2026-03", "4th of March", "Marc 4 2026", "2026.03.04"]
)
def test_text_that_is_not_a_date_rejects(tmp_path: Path, written: str) -> None:
    result = _calls(tmp_path, [f"{written},Ann,job,,,,,"])
    assert _rejected(result) == [(2, "call_date", written)]
    assert result.rejected["reason"][0].startswith(f"'{written}' is not a date")


def test_blank_date_rejects(tmp_path: Path) -> None:
    result = _calls(tmp_path, [",Ann,job,,,,,"])
    assert _rejected(result) == [(2, "call_date", "")]
    assert result.rejected["reason"].to_list() == ["call_date is required but blank"]


def test_a_date_after_as_of_rejects_and_is_marked_as_future(tmp_path: Path) -> None:
    result = _calls(
        tmp_path,
        ["2026-11-26,Ann,job,,,,,", "2026-12-01,Bo,job,,,,,", "Dec 25 2026,Cy,job,,,,,"],
    )
    assert _column(result, "call_date") == [dt.date(2026, 11, 26)]
    assert _rejected(result) == [(3, "call_date", "2026-12-01"), (4, "call_date", "Dec 25 2026")]
    assert result.rejected["reason"].to_list() == [
        "date 2026-12-01 is after the run date 2026-11-26",
        "date 2026-12-25 is after the run date 2026-11-26",
    ]
    assert result.has_future_rejections is True
    assert result.earliest_future_date == dt.date(2026, 12, 1)
    assert result.max_date == dt.date(2026, 11, 26)


def test_a_date_more_than_20_years_before_as_of_rejects(tmp_path: Path) -> None:
    rows = ["2006-11-26,Ann,job,,,,,", "2006-11-25,Bo,job,,,,,", "1/1/1900,Cy,job,,,,,"]
    result = _calls(tmp_path, rows)
    assert _column(result, "call_date") == [dt.date(2006, 11, 26)]
    assert result.rejected.rows() == [
        (
            "alice/calls.csv",
            None,
            3,
            "call_date",
            "2006-11-25",
            "date 2006-11-25 is more than 20 years before the run date 2026-11-26 "
            "(the earliest accepted is 2006-11-26)",
            "alice",
        ),
        (
            "alice/calls.csv",
            None,
            4,
            "call_date",
            "1/1/1900",
            "date 1900-01-01 is more than 20 years before the run date 2026-11-26 "
            "(the earliest accepted is 2006-11-26)",
            "alice",
        ),
    ]
    assert result.has_future_rejections is False
    assert result.min_date == dt.date(2006, 11, 26)


def test_for_a_29_february_as_of_the_earliest_date_is_1_march(tmp_path: Path) -> None:
    assert earliest_accepted(dt.date(2028, 2, 29)) == dt.date(2008, 3, 1)
    assert earliest_accepted(dt.date(2100, 2, 28)) == dt.date(2080, 2, 28)
    rows = ["2008-03-01,Ann,job,,,,,", "2008-02-29,Bo,job,,,,,"]
    result = _calls(tmp_path, rows, as_of=dt.date(2028, 2, 29))
    assert _column(result, "contact") == ["Ann"]
    assert _rejected(result) == [(3, "call_date", "2008-02-29")]
    assert result.rejected["reason"].to_list() == [
        "date 2008-02-29 is more than 20 years before the run date 2028-02-29 "
        "(the earliest accepted is 2008-03-01)"
    ]


def test_no_future_dates_no_future_flag(tmp_path: Path) -> None:
    result = _calls(tmp_path, ["2026-03-04,Ann,jbo,,,,,", "2026-05-06,Bo,job,,,,,"])
    assert result.has_future_rejections is False
    assert result.earliest_future_date is None
    # The latest date that passed the date rule, also on a row rejected for its ask.
    assert result.max_date == dt.date(2026, 5, 6)


# -- asks (1.4) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("job", "job"),
        ("Job Lead", "job"),
        ("jobs", "job"),
        ("lead", "job"),
        ("LEADS", "job"),
        ("opening", "job"),
        ("reference", "reference"),
        ("ref", "reference"),
        ("Be a reference", "reference"),
        ("introduction", "introduction"),
        ("intro", "introduction"),
        ("Introductions", "introduction"),
        ("advice", "advice"),
        ("informational", "advice"),
        ("Informational Interview", "advice"),
        ("info interview", "advice"),
    ],
)
def test_ask_synonyms(tmp_path: Path, written: str, label: str) -> None:
    result = _calls(tmp_path, [f"2026-03-04,Ann,{written},,,,,"])
    assert _column(result, "ask_label") == [label]


@pytest.mark.parametrize(
    ("written", "label", "strategy"),
    [
        ("intro + ref", "reference+introduction", "reference"),
        ("advice & job lead", "job+advice", "job"),
        ('"advice, ref, intro"', "reference+introduction+advice", "reference"),
        ("ref/job", "job+reference", "mixed"),
        ("introduction AND advice", "introduction+advice", "other"),
        ("job + jobs + lead", "job", "job"),
        ("advice", "advice", "other"),
        ("intro", "introduction", "other"),
    ],
)
def test_several_asks_make_one_ordered_label_and_a_strategy(
    tmp_path: Path, written: str, label: str, strategy: str
) -> None:
    result = _calls(tmp_path, [f"2026-03-04,Ann,{written},,,,,"])
    assert (_column(result, "ask_label"), _column(result, "strategy")) == ([label], [strategy])


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("jbo", "unknown ask 'jbo'; did you mean 'job'?"),
        ("refrence", "unknown ask 'refrence'; did you mean 'reference'?"),
        ("job + coffee", "unknown ask 'coffee'; did you mean"),
    ],
)
def test_an_unknown_ask_rejects_naming_the_nearest_ask(
    tmp_path: Path, written: str, reason: str
) -> None:
    result = _calls(tmp_path, [f"2026-03-04,Ann,{written},,,,,"])
    assert _rejected(result) == [(2, "ask_type", written)]
    assert result.rejected["reason"][0].startswith(reason)


def test_blank_ask_rejects(tmp_path: Path) -> None:
    result = _calls(tmp_path, ["2026-03-04,Ann, ,,,,,"])
    assert result.rejected.rows()[0][3:6] == ("ask_type", "", "ask_type is required but blank")


# -- relationship (1.5) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "relationship"),
    [
        ("colleague", "colleague"),
        ("Former Colleague", "colleague"),
        ("coworker", "colleague"),
        ("co-worker", "colleague"),
        ("ex-colleague", "colleague"),
        ("work", "colleague"),
        ("FRIEND", "friend"),
        ("classmate", "classmate"),
        ("college", "classmate"),
        ("college buddy", "classmate"),
        ("alumni", "classmate"),
        ("school", "classmate"),
        ("family", "family"),
        ("recruiter", "recruiter"),
        ("acquaintance", "acquaintance"),
        ("", "unknown"),
    ],
)
def test_relationship_synonyms(tmp_path: Path, written: str, relationship: str) -> None:
    result = _calls(tmp_path, [f"2026-03-04,Ann,job,{written},,,,"])
    assert _column(result, "relationship") == [relationship]
    assert result.notices == []


def test_an_unknown_relationship_is_other_with_one_notice(tmp_path: Path) -> None:
    rows = ["2026-03-04,Ann,job,Neighbor,,,,", "2026-03-05,Bo,job,gym buddy,,,,"]
    result = _calls(tmp_path, [*rows, "2026-03-06,Cy,job,Neighbor,,,,"])
    assert _column(result, "relationship") == ["other", "other", "other"]
    assert result.rejected.height == 0
    assert result.notices == [
        "relationship values not in the contract, counted as 'other': 'Neighbor', 'gym buddy'"
    ]


# -- yes/no (1.6) and whole numbers (1.7) ---------------------------------------------------


@pytest.mark.parametrize(
    ("written", "agreed"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("x", True),
        ("no", False),
        ("N", False),
        ("false", False),
        ("0", False),
        ("", None),
    ],
)
def test_yes_no(tmp_path: Path, written: str, agreed: bool | None) -> None:
    result = _calls(tmp_path, [f"2026-03-04,Ann,ref,,{written},,,"])
    assert _column(result, "agreed_reference") == [agreed]


def test_a_value_that_is_not_yes_or_no_rejects(tmp_path: Path) -> None:
    result = _calls(tmp_path, ["2026-03-04,Ann,ref,,maybe,,,"])
    assert _rejected(result) == [(2, "agreed_reference", "maybe")]
    assert result.rejected["reason"][0].startswith("'maybe' is not yes/no")


@pytest.mark.parametrize(("written", "number"), [("3", 3), (" 3 ", 3), ("3.0", 3), ("0", 0)])
def test_whole_numbers(tmp_path: Path, written: str, number: int) -> None:
    result = _calls(tmp_path, [f"2026-03-04,Ann,job,,,{written},{written},"])
    assert (_column(result, "introductions"), _column(result, "leads")) == ([number], [number])


@pytest.mark.parametrize("written", ["2.5", "-1", "two", "1e3"])
def test_not_a_whole_number_rejects(tmp_path: Path, written: str) -> None:
    result = _calls(tmp_path, [f"2026-03-04,Ann,job,,,,{written},"])
    assert _rejected(result) == [(2, "leads", written)]
    assert result.rejected["reason"].to_list() == [f"'{written}' is not a whole number >= 0"]


@pytest.mark.parametrize(
    "written", ["1000", "1000.0", "9223372036854775807", "99999999999999999999"]
)
def test_a_whole_number_above_999_rejects_the_row(tmp_path: Path, written: str) -> None:
    result = _calls(tmp_path, [f"2026-03-04,Ann,job,,,999,{written},", "2026-03-05,Bo,job,,,,,"])
    assert result.rejected.rows() == [
        (
            "alice/calls.csv",
            None,
            2,
            "leads",
            written,
            f"'{written}' is above 999, the largest leads accepted",
            "alice",
        )
    ]
    assert _column(result, "contact") == ["Bo"]


def test_an_event_count_above_999_rejects_the_row(tmp_path: Path) -> None:
    rows = ["2026-03-04,Ann,lead,999,", "2026-03-04,Bo,lead,9223372036854775807,"]
    result = _validate(tmp_path, "\n".join([EVENT_HEADER, *rows]), name="events.csv")
    assert _column(result, "count", "events") == [999]
    assert result.rejected.rows() == [
        (
            "alice/events.csv",
            None,
            3,
            "count",
            "9223372036854775807",
            "'9223372036854775807' is above 999, the largest count accepted",
            "alice",
        )
    ]


# -- events (1.2) -------------------------------------------------------------------------

EVENT_HEADER = "event_date,contact,event_type,count,notes"


@pytest.mark.parametrize(
    ("written", "event_type"),
    [
        ("lead", "lead"),
        ("Job Lead", "lead"),
        ("introduction", "introduction"),
        ("intro", "introduction"),
        ("reference_given", "reference_given"),
        ("reference", "reference_given"),
        ("Gave reference", "reference_given"),
        ("interview", "interview"),
        ("OFFER", "offer"),
        ("reached_out", "reached_out"),
        ("contacted me", "reached_out"),
        ("called back", "reached_out"),
    ],
)
def test_event_type_synonyms(tmp_path: Path, written: str, event_type: str) -> None:
    text = f"{EVENT_HEADER}\n2026-03-04,Ann,{written},,\n"
    result = _validate(tmp_path, text, name="events.csv")
    assert result.events.schema == EVENT_ROW_SCHEMA
    assert result.events.row(0, named=True) == {
        "member": "alice",
        "event_date": dt.date(2026, 3, 4),
        "contact": "Ann",
        "contact_key": "ann",
        "event_type": event_type,
        "count": 1,
        "notes": None,
        "source_file": "alice/events.csv",
        "sheet": None,
        "source_line": 2,
    }


def test_an_unknown_event_type_rejects_naming_the_nearest(tmp_path: Path) -> None:
    text = f"{EVENT_HEADER}\n2026-03-04,Ann,intreview,,\n"
    result = _validate(tmp_path, text, name="events.csv")
    assert _rejected(result) == [(2, "event_type", "intreview")]
    assert result.rejected["reason"].to_list() == [
        "unknown event type 'intreview'; did you mean 'interview'?"
    ]


def test_event_count_is_a_whole_number_of_at_least_one(tmp_path: Path) -> None:
    rows = ["2026-03-04,Ann,offer,,", "2026-03-04,Ann,lead,2.0,", "2026-03-04,Ann,lead,0,"]
    result = _validate(tmp_path, "\n".join([EVENT_HEADER, *rows]), name="events.csv")
    assert _column(result, "count", "events") == [1, 2]
    assert _rejected(result) == [(4, "count", "0")]
    assert result.rejected["reason"].to_list() == ["'0' is not a whole number >= 1"]


# -- rejected rows (1.7) --------------------------------------------------------------------


def test_each_failing_cell_is_one_rejected_row(tmp_path: Path) -> None:
    result = _calls(tmp_path, ["2026-02-30,Ann,jbo,,maybe,2.5,-1,", "2026-03-04,Bo,job,,,,,"])
    assert result.rejected.schema == REJECTED_SCHEMA
    assert result.rejected.rows() == [
        (
            "alice/calls.csv",
            None,
            2,
            "call_date",
            "2026-02-30",
            "'2026-02-30' is not a valid calendar date (read as 2026-02-30)",
            "alice",
        ),
        (
            "alice/calls.csv",
            None,
            2,
            "ask_type",
            "jbo",
            "unknown ask 'jbo'; did you mean 'job'?",
            "alice",
        ),
        (
            "alice/calls.csv",
            None,
            2,
            "agreed_reference",
            "maybe",
            "'maybe' is not yes/no (yes, y, true, 1, x or no, n, false, 0)",
            "alice",
        ),
        (
            "alice/calls.csv",
            None,
            2,
            "introductions",
            "2.5",
            "'2.5' is not a whole number >= 0",
            "alice",
        ),
        ("alice/calls.csv", None, 2, "leads", "-1", "'-1' is not a whole number >= 0", "alice"),
    ]
    assert (result.rows_total, result.rows_rejected) == (2, 1)
    assert _column(result, "contact") == ["Bo"]


def test_rejected_lines_follow_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    text = (
        f'{CALL_HEADER}\n2026-03-04,Ann,job,,,,,"first\nsecond\nthird"\n\n2026-03-04,Bo,jbo,,,,,\n'
    )
    result = _validate(tmp_path, text)
    assert _rejected(result) == [(6, "ask_type", "jbo")]
    assert _column(result, "notes") == ["first\nsecond\nthird"]
    assert result.blank_rows == 1


def test_cells_beyond_the_header_reject_the_row(tmp_path: Path) -> None:
    text = "date,name,ask,notes\n2026-03-04,Ann,job,met,at cafe\n2026-03-04,Bo,job,ok,,\n"
    result = _validate(tmp_path, text)
    assert _rejected(result) == [(2, "-", "at cafe")]
    assert result.rejected["reason"].to_list() == [
        "the header has 4 columns but this row has more cells: 'at cafe' "
        "(quote a cell that contains a comma)"
    ]
    assert _column(result, "contact") == ["Bo"]


def test_hostile_text_is_stored_verbatim(tmp_path: Path) -> None:
    notes = '"=HYPERLINK(""http://x"",""click"")"'
    result = _calls(tmp_path, [f"2026-03-04,<script>alert(1)</script>,job,,,,,{notes}"])
    assert _column(result, "contact") == ["<script>alert(1)</script>"]
    assert _column(result, "notes") == ['=HYPERLINK("http://x","click")']
    bad = _calls(tmp_path, ["2026-03-04,Ann,<b>\x07job,,,,,"], name="bad.csv")
    assert _rejected(bad) == [(2, "ask_type", "<b>\x07job")]
    assert bad.rejected["reason"][0].startswith("unknown ask '<b>\\x07job'")


# -- asklab validate ------------------------------------------------------------------------


def test_validate_paths_lists_problems_in_file_and_line_order(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "alice").mkdir(parents=True)
    (raw / "alice" / "calls.csv").write_text(
        "date,name,ask\n2026-03-04,Ann,jbo\n2026-03-04,,job\n2026-03-05,Bo,job\n"
    )
    (raw / "alice" / "notes.csv").write_text("what,ever\n1,2\n")
    (raw / "bob").mkdir()
    (raw / "bob" / "events.csv").write_text("date,who,type\n2027-01-01,Ann,offer\n")
    problems = validate_paths([raw], raw, as_of=AS_OF)
    lines = [p.format() for p in problems]
    assert lines[:2] == [
        f"{raw}/alice/calls.csv:2: ask_type: unknown ask 'jbo'; did you mean 'job'?",
        f"{raw}/alice/calls.csv:3: contact: contact is required but blank",
    ]
    assert lines[2].startswith(f"{raw}/alice/notes.csv:1: -: no recognised header")
    assert lines[3] == (
        f"{raw}/bob/events.csv:2: event_date: date 2027-01-01 is after the run date 2026-11-26"
    )
    assert len(lines) == 4


def test_validate_paths_member_folder_outside_the_raw_root(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    inbox = tmp_path / "inbox"
    (inbox / "carol").mkdir(parents=True)
    text = "date,name,ask\n2026-03-04,Ann,job\n"
    (inbox / "carol" / "calls.csv").write_text(text)
    (inbox / "loose.csv").write_text(text)
    # Found in a folder argument: the member folder is the first folder below it.
    assert [p.format() for p in validate_paths([inbox], raw, as_of=AS_OF)] == [
        f"{inbox}/loose.csv:1: -: no member column and the file is not in a member folder"
    ]
    # Named directly: its parent folder is the member folder.
    assert validate_paths([inbox / "loose.csv"], raw, as_of=AS_OF) == []


def test_validate_paths_reports_missing_paths_and_other_file_types(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    problems = validate_paths(
        [tmp_path / "nope.csv", tmp_path / "notes.txt"], tmp_path, as_of=AS_OF
    )
    assert [p.format() for p in problems] == [
        f"{tmp_path}/nope.csv:1: -: no such file or folder",
        f"{tmp_path}/notes.txt:1: -: not an input file (.csv, .tsv, .xlsx, .xlsm, .xls, .ods)",
    ]


def test_validate_paths_names_the_sheet_of_a_workbook_problem(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "alice").mkdir(parents=True)
    path = raw / "alice" / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Calls")
    sheet.write_row(0, 0, ["date", "name", "ask"])
    sheet.write_row(3, 0, ["2026-03-04", "Ann", "jbo"])
    book.close()
    assert [p.format() for p in validate_paths([path], raw, as_of=AS_OF)] == [
        f"{path}[Calls]:4: ask_type: unknown ask 'jbo'; did you mean 'job'?"
    ]


# -- the documented example files --------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def test_the_example_calls_file_loads_as_documented() -> None:
    result = validate_file(EXAMPLES / "calls.csv", EXAMPLES, as_of=AS_OF)
    assert result.rejected.height == 0
    assert result.notices == []
    calls = result.calls
    assert calls["source_line"].to_list() == [2, 3, 4, 5, 7]
    assert calls["member"].to_list() == ["alice", "alice", "alice", "bob", "bob"]
    assert calls["call_date"].to_list() == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 9),
    ]
    assert calls["ask_label"].to_list() == [
        "reference",
        "job+introduction",
        "advice",
        "job+reference",
        "reference",
    ]
    assert calls["strategy"].to_list() == ["reference", "job", "other", "mixed", "reference"]
    assert calls["relationship"].to_list() == [
        "colleague",
        "friend",
        "classmate",
        "colleague",
        "recruiter",
    ]
    assert calls["agreed_reference"].to_list() == [True, None, None, False, True]
    assert calls["introductions"].to_list() == [1, 2, 0, 0, 0]
    assert calls["leads"].to_list() == [0, 1, 0, 2, 0]


def test_the_example_events_file_loads_as_documented() -> None:
    result = validate_file(EXAMPLES / "events.csv", EXAMPLES, as_of=AS_OF)
    assert result.rejected.height == 0
    assert result.events["event_type"].to_list() == [
        "introduction",
        "reference_given",
        "lead",
        "reached_out",
        "interview",
        "offer",
    ]
    assert result.events["count"].to_list() == [1, 1, 2, 1, 1, 1]
    assert result.events["contact_key"].to_list()[3] == "tom o'brien"


def test_event_types_outside_the_contract_list_reject_with_a_suggestion(tmp_path: Path) -> None:
    # The contract's list is closed: a space for the underscore is not in it.
    path = tmp_path / "bob" / "events.csv"
    path.parent.mkdir()
    path.write_text("event_date,contact,event_type\n2026-03-02,Ann,reached out\n", encoding="utf-8")
    result = validate_file(path, tmp_path, as_of=AS_OF)
    assert result.events.height == 0
    [reason] = result.rejected["reason"].to_list()
    assert "'reached out'" in reason and "reached_out" in reason


# -- v2 inputs through validate_file -----------------------------------------------------


def test_a_semicolon_separated_tsv_validates_with_its_lines(tmp_path: Path) -> None:
    text = (
        "Date;Name;Ask;Leads\n2026-03-04;Ann;job;1\n\n2026-03-05;Bo;jbo;\n2026-03-06;Cy;ref;2;x\n"
    )
    result = _validate(tmp_path, text, name="calls.tsv")
    assert _column(result, "contact") == ["Ann"]
    assert _column(result, "source_file") == ["alice/calls.tsv"]
    assert result.rejected.rows() == [
        (
            "alice/calls.tsv",
            None,
            4,
            "ask_type",
            "jbo",
            "unknown ask 'jbo'; did you mean 'job'?",
            "alice",
        ),
        (
            "alice/calls.tsv",
            None,
            5,
            "-",
            "x",
            "the header has 4 columns but this row has more cells: 'x' "
            "(quote a cell that contains a semicolon)",
            "alice",
        ),
    ]


def test_an_xls_workbook_validates_like_xlsx(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "alice").mkdir(parents=True)
    path = raw / "alice" / "calls.xls"
    path.write_bytes((Path(__file__).parent / "fixtures" / "calls.xls").read_bytes())
    result = validate_file(path, raw, as_of=AS_OF)
    assert _column(result, "contact") == ["Zoë", "Bo", "Di"]
    assert _column(result, "call_date") == [
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 7),
    ]
    assert _column(result, "leads") == [3, 0, 0]
    assert result.rejected.rows() == [
        (
            "alice/calls.xls",
            "Calls",
            4,
            "ask_type",
            "jbo",
            "unknown ask 'jbo'; did you mean 'job'?",
            "alice",
        )
    ]


def test_an_ods_workbook_validates_like_xlsx(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "bob").mkdir(parents=True)
    path = raw / "bob" / "events.ods"
    write_ods(
        path,
        {
            "Events": [
                ["Date", "Who", "Type", "N"],
                [dt.date(2026, 3, 4), "Ann", "offer", 1],
                [dt.date(2026, 3, 5), "Bo", "lead", 1000],
            ]
        },
    )
    result = validate_file(path, raw, as_of=AS_OF)
    assert _column(result, "event_type", "events") == ["offer"]
    assert _column(result, "member", "events") == ["bob"]
    assert result.rejected.rows() == [
        (
            "bob/events.ods",
            "Events",
            3,
            "count",
            "1000",
            "'1000' is above 999, the largest count accepted",
            "bob",
        )
    ]


def test_a_formula_with_no_saved_value_rejects_its_row(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "alice").mkdir(parents=True)
    path = raw / "alice" / "calls.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Calls")
    sheet.write_row(0, 0, ["date", "name", "ask", "notes"])
    sheet.write_row(1, 0, ["2026-03-04", "Ann", "job", "fine"])
    sheet.write_row(2, 0, ["2026-03-05", "Bo", "job"])
    sheet.write_formula(2, 3, '="met "&B3')  # a note: would pass as blank
    sheet.write_row(3, 1, ["Cy", "ref"])
    sheet.write_formula(3, 0, "=A2+1")  # a required date: would read as blank
    book.close()
    drop_formula_values(path)
    result = validate_file(path, raw, as_of=AS_OF)
    assert _column(result, "contact") == ["Ann"]
    reason = "formula with no saved value: open and save the file in Excel or LibreOffice"
    assert result.rejected.rows() == [
        ("alice/calls.xlsx", "Calls", 3, "notes", '="met "&B3', reason, "alice"),
        ("alice/calls.xlsx", "Calls", 4, "call_date", "=A2+1", reason, "alice"),
    ]


def test_validate_paths_follows_a_linked_member_folder_under_its_link_name(
    tmp_path: Path,
) -> None:
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    raw.mkdir()
    (elsewhere / "shared").mkdir(parents=True)
    (elsewhere / "shared" / "calls.csv").write_text("date,name,ask\n2026-03-04,Ann,jbo\n")
    (raw / "carol").symlink_to(elsewhere / "shared", target_is_directory=True)
    report = check_paths([raw], raw, as_of=AS_OF)
    assert [p.format() for p in report.problems] == [
        f"{raw}/carol/calls.csv:2: ask_type: unknown ask 'jbo'; did you mean 'job'?"
    ]
    result = validate_file(raw / "carol" / "calls.csv", raw, as_of=AS_OF)
    assert result.rejected["source_file"].to_list() == ["carol/calls.csv"]
    assert result.rejected["member"].to_list() == ["carol"]
    assert (report.files_checked, report.rows_loadable) == (1, 0)
