"""Readers: cells as text with the line a person sees (CONTRACT.md sections 1 and 1.7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from asklab.ingest import FileError, read_file
from asklab.ingest.delimited import _records_fast, detect_separator
from asklab.ingest.header import normalise_header
from asklab.ingest.workbook import unsaved_formulas
from tests.support.spreadsheets import drop_formula_values, write_ods


def _read_csv(tmp_path: Path, data: bytes, name: str = "calls.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_file(path, name)


def _rows(file_read, table: int = 0) -> list[tuple]:
    return file_read.tables[table].rows.drop("extra_cells").rows()


# -- CSV encoding and line ends ---------------------------------------------------------


def test_csv_with_bom_and_crlf(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"\xef\xbb\xbfAsk,Name\r\njob,Ann\r\nref,Bo\r\n")
    table = read.tables[0]
    assert table.kind == "calls"
    assert table.columns == ("ask_type", "contact")
    assert _rows(read) == [(2, "job", "Ann"), (3, "ref", "Bo")]


def test_csv_with_bom_before_a_blank_first_line(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"\xef\xbb\xbf\r\nAsk,Name\r\njob,Ann\r\n")
    assert read.tables[0].header_line == 2
    assert _rows(read) == [(3, "job", "Ann")]


def test_quoted_newlines_count_as_the_lines_they_span(tmp_path: Path) -> None:
    data = (
        b'ask_type,contact,notes\r\njob,Ann,"two\r\nlines"\r\n\r\n'
        b'ref,Bo,"a\nb\nc"\r\nadvice,Cy,\r\n'
    )
    read = _read_csv(tmp_path, data)
    # line 2-3: Ann's row, 4: blank, 5-7: Bo's row, 8: Cy's row
    assert _rows(read) == [
        (2, "job", "Ann", "two\r\nlines"),
        (5, "ref", "Bo", "a\nb\nc"),
        (8, "advice", "Cy", None),
    ]
    assert read.tables[0].blank_rows == 1


def test_quoted_newlines_after_leading_blank_lines(tmp_path: Path) -> None:
    # Leading blank lines make the header line 3; rows after a multi-line cell follow on.
    data = b'\n\nask_type,contact,notes\njob,Ann,"x\ny"\nref,Bo,\n'
    read = _read_csv(tmp_path, data)
    assert read.tables[0].header_line == 3
    assert _rows(read) == [(4, "job", "Ann", "x\ny"), (6, "ref", "Bo", None)]


def test_blank_lines_and_all_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    data = b"ask_type,contact\n\njob,Ann\n  ,  \n,\n   \nref,Bo\n"
    read = _read_csv(tmp_path, data)
    assert _rows(read) == [(3, "job", "Ann"), (7, "ref", "Bo")]
    assert read.tables[0].blank_rows == 4


def test_old_mac_line_ends_are_lines_too(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"ask_type,contact\rjob,Ann\r\rref,Bo\r")
    assert _rows(read) == [(2, "job", "Ann"), (4, "ref", "Bo")]


def test_cells_are_trimmed_text_never_typed(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"ask_type,contact,leads,call_date\n job , 007 ,3.0, 2026-03-04 \n")
    assert _rows(read) == [(2, "job", "007", "3.0", "2026-03-04")]


def test_hostile_text_is_kept_verbatim(tmp_path: Path) -> None:
    data = (
        b"ask_type,contact,notes\n"
        b'job,<script>alert(1)</script>,"=HYPERLINK(""http://evil"",""x"")"\n'
        b"job,A\x07B,\x1b[31mred\n"
    )
    read = _read_csv(tmp_path, data)
    assert _rows(read) == [
        (2, "job", "<script>alert(1)</script>", '=HYPERLINK("http://evil","x")'),
        (3, "job", "A\x07B", "\x1b[31mred"),
    ]


def test_a_very_long_cell_is_read_whole(tmp_path: Path) -> None:
    long_note = "n" * 300_000  # beyond the csv module's default 128 KiB field limit
    data = f'\nask_type,contact,notes\njob,Ann,"{long_note}"\n'.encode()
    read = _read_csv(tmp_path, data)
    assert _rows(read) == [(3, "job", "Ann", long_note)]


def test_not_utf8_is_a_file_error_naming_the_line(tmp_path: Path) -> None:
    data = "ask_type,contact\njob,Ann\njob,Jos\xe9\n".encode("latin-1")
    with pytest.raises(FileError) as caught:
        _read_csv(tmp_path, data)
    assert caught.value.line == 3
    assert "not UTF-8" in caught.value.reason


def test_unclosed_quote_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError) as caught:
        _read_csv(tmp_path, b'ask_type,contact\njob,Ann\nref,"Bo\nadvice,Cy\n')
    assert caught.value.line == 3
    assert "never closed" in caught.value.reason


def test_text_after_a_closing_quote_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError) as caught:
        _read_csv(tmp_path, b'ask_type,contact\njob,Ann\n\nref,"Bo"x\n')
    assert caught.value.line == 4
    assert caught.value.reason.startswith("malformed CSV in the row starting on line 4")


def test_empty_csv_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="empty"):
        _read_csv(tmp_path, b"\n \n")


# -- Headers -------------------------------------------------------------------------


def test_normalise_header() -> None:
    assert normalise_header("  Agreed to be Reference? ") == "agreed_to_be_reference"
    assert normalise_header("Job-Leads") == "job_leads"
    assert normalise_header("__Call  Date__") == "call_date"


def test_call_header_synonyms(tmp_path: Path) -> None:
    header = "Date,Contact Name,Asked for,Agreed to be reference,Intros,Job leads,Notes,Member\n"
    read = _read_csv(tmp_path, header.encode())
    assert read.tables[0].kind == "calls"
    assert read.tables[0].columns == (
        "call_date",
        "contact",
        "ask_type",
        "agreed_reference",
        "introductions",
        "leads",
        "notes",
        "member",
    )
    assert read.notices == []


@pytest.mark.parametrize(
    ("header", "columns"),
    [
        ("date,name,ask,agreed", ("call_date", "contact", "ask_type", "agreed_reference")),
        ("Who,ASK", ("contact", "ask_type")),
    ],
)
def test_call_header_short_synonyms(tmp_path: Path, header: str, columns: tuple) -> None:
    assert _read_csv(tmp_path, f"{header}\n".encode()).tables[0].columns == columns


def test_event_header_synonyms(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"Date,Who,Type,N,Notes\n", "events.csv")
    assert read.tables[0].kind == "events"
    assert read.tables[0].columns == ("event_date", "contact", "event_type", "count", "notes")
    other = _read_csv(tmp_path, b"Contact name,Event type,Number,name_x\n", "e2.csv")
    assert other.tables[0].columns == ("contact", "event_type", "count")


def test_unknown_columns_are_listed_once_in_a_notice(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"ask,name,Mood,Where?\njob,Ann,ok,cafe\nref,Bo,meh,zoom\n")
    assert read.tables[0].columns == ("ask_type", "contact")
    assert read.notices == ["columns not in the contract are ignored: 'Mood', 'Where?'"]


def test_csv_without_ask_or_event_type_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError) as caught:
        _read_csv(tmp_path, b"\ndate,contact\n2026-03-04,Ann\n")
    assert caught.value.line == 2
    assert caught.value.reason.startswith("no recognised header")


def test_header_with_both_kinds_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="both an ask_type and an event_type"):
        _read_csv(tmp_path, b"ask,type,name\n")


def test_a_literal_kind_column_wins_over_a_synonym(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"ask_type,type,name\n")
    assert read.tables[0].kind == "calls"
    assert read.notices == ["columns not in the contract are ignored: 'type'"]


def test_two_columns_meaning_the_same_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="'Date' and 'call_date' both mean call_date"):
        _read_csv(tmp_path, b"Date,call_date,ask,name\n")


def test_extra_cells_beyond_the_header_are_kept_apart(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"ask,name\njob,Ann,\nref,Bo, x ,y\nadvice\n")
    rows = read.tables[0].rows
    assert rows.rows() == [
        (2, "job", "Ann", None),
        (3, "ref", "Bo", "x,y"),
        (4, "advice", None, None),
    ]


# -- XLSX ------------------------------------------------------------------------------


def _workbook(path: Path, sheets: dict[str, list[tuple[int, int, object]]]) -> None:
    """Write cells (row, col, value) per sheet; rows and cols 0-based as in xlsxwriter."""
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "d mmm yyyy"})
    stamp_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, cells in sheets.items():
        sheet = book.add_worksheet(name)
        for row, col, value in cells:
            if isinstance(value, dt.datetime):
                fmt = stamp_format if value.hour or value.minute else date_format
                sheet.write_datetime(row, col, value, fmt)
            elif isinstance(value, str) and value.startswith("="):
                sheet.write_formula(row, col, value, None, "#N/A")
            elif isinstance(value, str):
                sheet.write_string(row, col, value)
            else:
                sheet.write(row, col, value)
    book.close()


def test_xlsx_rows_are_sheet_row_numbers_with_native_dates_as_text(tmp_path: Path) -> None:
    path = tmp_path / "calls.xlsx"
    _workbook(
        path,
        {
            "Calls": [
                # header on Excel row 3, from column B
                (2, 1, "Date"),
                (2, 2, "Name"),
                (2, 3, "Ask"),
                (2, 4, "Intros"),
                (2, 5, "Agreed"),
                (3, 1, dt.datetime(2026, 3, 4)),
                (3, 2, "Ann"),
                (3, 3, "job"),
                (3, 4, 3.0),
                (3, 5, True),
                # Excel row 5 left empty: a blank row
                (5, 1, dt.datetime(2026, 3, 5, 13, 30)),
                (5, 2, " Bo "),
                (5, 3, "ref"),
                (5, 4, "=NA()"),
            ]
        },
    )
    read = read_file(path, "calls.xlsx")
    table = read.tables[0]
    assert (table.sheet, table.kind, table.header_line) == ("Calls", "calls", 3)
    assert table.columns == (
        "call_date",
        "contact",
        "ask_type",
        "introductions",
        "agreed_reference",
    )
    assert _rows(read) == [
        (4, "2026-03-04", "Ann", "job", "3", "true"),
        (6, "2026-03-05 13:30:00", "Bo", "ref", "#N/A", None),
    ]
    assert table.blank_rows == 1


def test_xlsx_every_sheet_is_read_and_unknown_sheets_skipped_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _workbook(
        path,
        {
            "Lookup": [(0, 0, "colour"), (1, 0, "red")],
            "Calls": [(0, 0, "ask"), (0, 1, "name"), (1, 0, "job"), (1, 1, "Ann")],
            "Empty": [],
            "Events": [(0, 0, "type"), (0, 1, "who"), (1, 0, "offer"), (1, 1, "Ann")],
        },
    )
    read = read_file(path, "book.xlsx")
    assert [(t.sheet, t.kind) for t in read.tables] == [("Calls", "calls"), ("Events", "events")]
    assert _rows(read, 1) == [(2, "offer", "Ann")]
    assert len(read.notices) == 2
    assert read.notices[0].startswith("sheet 'Lookup': no recognised header: row 1")
    assert read.notices[0].endswith("sheet skipped")
    assert read.notices[1] == "sheet 'Empty': empty; sheet skipped"


def test_xlsx_without_any_table_sheet_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _workbook(path, {"Lookup": [(0, 0, "colour")]})
    with pytest.raises(FileError, match="no recognised header"):
        read_file(path, "book.xlsx")


def test_broken_xlsx_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(FileError, match="cannot read the workbook"):
        read_file(path, "broken.xlsx")


def test_xlsx_cells_under_no_header_are_ignored_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    # Used range starts at column B; the header leaves column D blank.
    _workbook(
        path,
        {
            "Calls": [
                (0, 1, "ask"),
                (0, 2, "name"),
                (1, 1, "job"),
                (1, 2, "Ann"),
                (1, 3, "stray"),
            ]
        },
    )
    read = read_file(path, "book.xlsx")
    assert _rows(read) == [(2, "job", "Ann")]
    assert read.notices == [
        "sheet 'Calls': columns not in the contract are ignored: '(unnamed column D)'"
    ]


# -- CSV separators (v2) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "separator"),
    [
        (b"date,name,ask\n", ","),
        (b"date;name;ask\n", ";"),
        (b"date\tname\task\n", "\t"),
        (b"date;name,ask\n", ","),  # a tie: comma
        (b"date\n", ","),  # none: comma
        (b'"date,when";name;ask,x\n', ";"),  # 2 semicolons beat 1 comma outside quotes
        (b'"a,b,c";name;ask\n', ";"),  # commas inside quotes do not count
        (b"\n \n;;\ndate\tname\task\n", "\t"),  # blank lines and bare separators skipped
        (b'\xef\xbb\xbf"multi\nline";name;ask\n', ";"),  # a quoted line break does not end it
        (b"date;name;ask\rjob,a,b,c,d\r", ";"),  # CR ends the header line
    ],
)
def test_detect_separator_counts_the_header_line_outside_quotes(
    header: bytes, separator: str
) -> None:
    assert detect_separator(header + b"x,y,z,w\n") == separator


SEMICOLON_CALLS = 'Date;Name;Ask;Notes\n2026-03-04;Ann;job;"a; b, c"\n\n2026-03-05;Bo;ref;x\n'


@pytest.mark.parametrize("name", ["calls.csv", "calls.tsv", "CALLS.TSV"])
def test_semicolon_separated_file_reads_with_exact_lines(tmp_path: Path, name: str) -> None:
    read = _read_csv(tmp_path, SEMICOLON_CALLS.encode(), name)
    table = read.tables[0]
    assert (table.kind, table.separator) == ("calls", ";")
    assert table.columns == ("call_date", "contact", "ask_type", "notes")
    assert _rows(read) == [
        (2, "2026-03-04", "Ann", "job", "a; b, c"),
        (4, "2026-03-05", "Bo", "ref", "x"),
    ]
    assert table.blank_rows == 1


def test_tab_separated_file_reads_on_the_fast_and_the_exact_path(tmp_path: Path) -> None:
    fast = b'ask\tname\tnotes\njob\tAnn\t"two\nlines"\n\nref\tBo\tx\n'
    exact = fast.replace(b"\n", b"\r")  # lone CRs: only the exact reader takes them
    assert _records_fast(fast, "\t") is not None
    assert _records_fast(exact, "\t") is None
    for data in (fast, exact):
        read = _read_csv(tmp_path, data, "calls.tsv")
        assert read.tables[0].separator == "\t"
        notes = "two\nlines" if data is fast else "two\rlines"
        assert _rows(read) == [(2, "job", "Ann", notes), (5, "ref", "Bo", "x")]


def test_a_tsv_with_commas_is_read_with_commas(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"ask,name\njob,Ann\n", "calls.tsv")
    assert _rows(read) == [(2, "job", "Ann")]


def test_semicolon_extra_cells_are_joined_by_the_separator(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"ask;name\njob;Ann;x;y\n")
    assert read.tables[0].rows.rows() == [(2, "job", "Ann", "x;y")]


def test_a_header_in_one_cell_names_the_separator_it_seems_to_use(tmp_path: Path) -> None:
    with pytest.raises(FileError) as caught:
        _read_csv(tmp_path, b"date|name|ask\n2026-03-04|Ann|job\n")
    assert caught.value.line == 1
    assert caught.value.reason == (
        "no recognised header: line 1 has no ask_type column (a calls table), no "
        "event_type column (an events table) and no arm column (a plan table); "
        "found 'date|name|ask'; the whole header is "
        "one cell: the file seems to separate cells with '|', but a CSV's cells must be "
        "separated by commas, semicolons or tabs (save it again as CSV)"
    )


def test_a_one_word_header_gets_no_separator_hint(tmp_path: Path) -> None:
    with pytest.raises(FileError) as caught:
        _read_csv(tmp_path, b"colour\nred\n")
    assert caught.value.reason.endswith("found 'colour'")


# -- Unknown columns (v2: nearest column named) ---------------------------------------


def test_an_unknown_column_close_to_a_contract_column_is_named(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"Date,Name,Ask,Agred,Job Leds,Mood\n2026-03-04,Ann,job,y,1,ok\n")
    assert read.tables[0].columns == ("call_date", "contact", "ask_type")
    assert read.notices == [
        "columns not in the contract are ignored: 'Agred', 'Job Leds', 'Mood'; "
        "'Agred': did you mean 'agreed_reference'?; 'Job Leds': did you mean 'leads'?"
    ]


def test_a_column_the_header_already_has_is_not_suggested(tmp_path: Path) -> None:
    read = _read_csv(tmp_path, b"ask,name,notes,note\n", "calls.csv")
    assert read.notices == ["columns not in the contract are ignored: 'note'"]
    events = _read_csv(tmp_path, b"type,who,cnt,count_\n", "events.csv")
    assert events.tables[0].columns == ("event_type", "contact", "count")
    assert events.notices == ["columns not in the contract are ignored: 'cnt'"]


# -- Files that cannot be read (v2: permission) -----------------------------------------


@pytest.mark.parametrize("name", ["calls.csv", "calls.xlsx"])
def test_a_file_without_read_permission_is_a_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Tests run as root, which reads any file: the refusal is simulated.
    path = tmp_path / name
    path.write_bytes(b"ask,name\njob,Ann\n")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(FileError) as caught:
        read_file(path, name)
    assert (caught.value.reason, caught.value.line) == (
        "cannot read the file: Permission denied",
        None,
    )


# -- Workbooks: .xlsm, .xls, .ods (v2) ----------------------------------------------------


def test_xlsm_is_read_like_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "book.XLSM"
    _workbook(path, {"Calls": [(0, 0, "ask"), (0, 1, "name"), (2, 0, "job"), (2, 1, "Ann")]})
    read = read_file(path, "book.XLSM")
    assert [(t.sheet, t.kind) for t in read.tables] == [("Calls", "calls")]
    assert _rows(read) == [(3, "job", "Ann")]
    assert read.tables[0].blank_rows == 1


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_xls_is_read_like_xlsx_every_sheet(tmp_path: Path) -> None:
    # tests/fixtures/calls.xls is written by tests/fixtures/make_xls.py (xlwt).
    read = read_file(FIXTURES / "calls.xls", "alice/calls.xls")
    table = read.tables[0]
    assert (table.sheet, table.kind, table.header_line) == ("Calls", "calls", 1)
    assert table.columns == ("call_date", "contact", "ask_type", "leads")
    assert _rows(read) == [
        (2, "2026-03-04", "Zoë", "job", "3"),
        (3, "2026-03-05", "Bo", "ref", None),
        (4, "2026-03-06", "Cy", "jbo", None),
        (6, "2026-03-07", "Di", "advice", None),
    ]
    assert table.blank_rows == 1
    assert len(read.notices) == 1
    assert read.notices[0].startswith("sheet 'Lookup': no recognised header: row 1")


def test_ods_is_read_like_xlsx_every_sheet(tmp_path: Path) -> None:
    path = tmp_path / "book.ods"
    write_ods(
        path,
        {
            "Calls": [
                ["Date", "Name", "Ask", "Leads", "Agreed"],
                [dt.date(2026, 3, 4), " Ann ", "job", 3.0, True],
                [None, None, None],
                ["2026-03-05", "Bo", "ref", None, None],
            ],
            "Events": [["type", "who"], ["offer", "Ann"]],
            "Empty": [],
        },
    )
    read = read_file(path, "book.ods")
    assert [(t.sheet, t.kind) for t in read.tables] == [("Calls", "calls"), ("Events", "events")]
    assert _rows(read) == [
        (2, "2026-03-04", "Ann", "job", "3", "true"),
        (4, "2026-03-05", "Bo", "ref", None, None),
    ]
    assert _rows(read, 1) == [(2, "offer", "Ann")]
    assert read.notices == ["sheet 'Empty': empty; sheet skipped"]


def test_a_broken_ods_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ods"
    path.write_bytes(b"PK\x03\x04 not a spreadsheet")
    with pytest.raises(FileError, match="cannot read the workbook"):
        read_file(path, "broken.ods")


# -- Formulas with no saved value (v2) ----------------------------------------------------


def test_unsaved_formulas_are_found_in_the_sheet_xml(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _workbook(
        path,
        {
            "Calls": [(0, 0, "ask"), (0, 1, "name"), (1, 0, "job"), (1, 1, '=A1&"<x>"')],
            "Other": [(4, 2, "=1+1")],
        },
    )
    assert unsaved_formulas(path.read_bytes()) == {}  # the value #N/A is saved
    drop_formula_values(path)
    assert unsaved_formulas(path.read_bytes()) == {
        "Calls": [(1, 1, 'A1&"<x>"')],
        "Other": [(4, 2, "1+1")],
    }
    read = read_file(path, "book.xlsx")
    assert _rows(read) == [(2, "job", '=A1&"<x>"')]
    assert read.tables[0].unsaved_formulas == ((2, "contact"),)
