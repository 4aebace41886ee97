"""Property: every row of a generated CSV is loaded, rejected or blank, exactly once.

Files are built from valid and invalid cells, ragged rows, quoted commas and
newlines, blank and whitespace-only lines, with LF or CRLF, an optional BOM
and a comma, semicolon or tab as separator (v2). The expected line of each
row is counted while writing, as an editor would show it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from asklab.ingest import CALL_ROW_SCHEMA, REJECTED_SCHEMA, FileError, validate_read
from asklab.ingest.delimited import (
    _records_exact,
    _records_fast,
    detect_separator,
    read_csv_bytes,
)
from asklab.ingest.table import trim_cells
from asklab.keys import WHITESPACE_CHARS

AS_OF = dt.date(2026, 11, 26)

# Free text without a lone CR (an old-Mac line end inside a cell is its own topic).
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=12
)


def _cells(*samples: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(samples), _TEXT)


COLUMNS: dict[str, tuple[tuple[str, ...], st.SearchStrategy[str]]] = {
    # canonical name: (header spellings, cell values)
    "call_date": (
        ("call_date", "Date"),
        _cells(
            "2026-03-04",
            "3/4/2026",
            "25/3/2026",
            "3/25/2026",
            "2026-02-30",
            "2027-01-01",
            "Mar 4, 2026",
            "",
            "  ",
            "yesterday",
        ),
    ),
    "contact": (
        ("contact", "Name", "who"),
        _cells("Ann", "", " Bo ", "O'Brien, Pat", 'Say "hi"', "multi\nline", "two\r\nlines"),
    ),
    "ask_type": (
        ("ask_type", "Ask", "asked for"),
        _cells("job", "ref", "jbo", "", "intro + advice", "job and reference"),
    ),
    "relationship": (("relationship",), _cells("friend", "Neighbor", "", "coworker")),
    "agreed_reference": (("agreed",), _cells("yes", "n", "maybe", "")),
    "introductions": (("intros",), _cells("0", "3", "3.0", "2.5", "-1", "two", "")),
    "leads": (("leads", "Job leads"), _cells("0", "1", "1.0", "x", "")),
    "notes": (("notes",), _TEXT),
    "member": (("member",), _cells("bob", "", " Carol ")),
}


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, bool, list[int], int]:
    """(file bytes, has a calls header, lines of non-blank rows, number of blank rows)."""
    optional = [c for c in COLUMNS if c != "ask_type"]
    chosen = draw(st.lists(st.sampled_from(optional), unique=True, max_size=len(optional)))
    has_kind = draw(st.booleans()) or draw(st.booleans())  # mostly a calls table
    if has_kind:
        chosen.insert(draw(st.integers(0, len(chosen))), "ask_type")
    if not chosen:
        chosen = ["notes"]
    header = [draw(st.sampled_from(COLUMNS[c][0])) for c in chosen]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    separator = draw(st.sampled_from([",", ",", ";", "\t"]))

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline, delimiter=separator)
    # Leading blank lines and ragged rows send a file to the exact reader; keep
    # them rare so the fast reader gets its share of quoted newlines.
    leading = draw(st.sampled_from([0, 0, 0, 0, 1, 2]))
    out.write(newline * leading)
    writer.writerow(header)
    line = leading + 2
    data_lines: list[int] = []
    blank_rows = 0
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["row", "row", "row", "blank", "spaces", "commas"]))
        if kind == "blank":
            out.write(newline)
            blank_rows += 1
            line += 1
            continue
        if kind == "spaces":
            out.write(" \t " + newline)
            blank_rows += 1
            line += 1
            continue
        if kind == "commas":
            cells = [" "] * draw(st.integers(1, len(header)))
        else:
            ragged = draw(st.integers(0, 5)) == 0
            width = draw(st.integers(1, len(header) + 2)) if ragged else len(header)
            cells = [
                draw(COLUMNS[chosen[i]][1]) if i < len(header) else draw(_cells("", "extra"))
                for i in range(width)
            ]
        before = out.tell()
        writer.writerow(cells)
        written = out.getvalue()[before:]
        if all(c.strip(WHITESPACE_CHARS) == "" for c in cells):
            blank_rows += 1
        else:
            data_lines.append(line)
        line += written.count("\n")
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + out.getvalue().encode("utf-8"), has_kind, data_lines, blank_rows


@settings(max_examples=120, deadline=None, database=None)
@given(csv_files())
def test_every_row_is_loaded_rejected_or_blank_exactly_once(
    case: tuple[bytes, bool, list[int], int],
) -> None:
    data, has_kind, data_lines, blank_rows = case
    try:
        file_read = read_csv_bytes(data, "alice/calls.csv")
        result = validate_read(file_read, member_folder="alice", as_of=AS_OF)
    except FileError:
        assert not has_kind  # the only file-level case generated: no ask_type column
        return
    assert has_kind

    loaded = result.calls["source_line"].to_list()
    rejected = set(result.rejected["line"].to_list())
    assert len(loaded) == len(set(loaded))
    assert not rejected & set(loaded)
    assert sorted([*loaded, *rejected]) == data_lines
    assert result.rows_total == len(data_lines)
    assert result.rows_rejected == len(rejected)
    assert result.blank_rows == blank_rows
    assert result.events.height == 0
    assert result.calls.schema == CALL_ROW_SCHEMA
    assert result.rejected.schema == REJECTED_SCHEMA
    # One rejected row per failing cell: (line, column) never repeats.
    assert result.rejected.select("line", "column").is_duplicated().sum() == 0


@settings(max_examples=120, deadline=None, database=None)
@given(csv_files())
def test_the_fast_reader_agrees_with_the_exact_reader(
    case: tuple[bytes, bool, list[int], int],
) -> None:
    data = case[0]
    separator = detect_separator(data)
    read = _records_fast(data, separator)
    if read is None:
        return  # the exact reader is used for this file
    fast, header_width = read
    exact, widths = _records_exact(data, separator)
    # The fast reader starts at the header, skipping leading blank lines.
    header_index = exact["line"].to_list().index(fast["line"][0])
    exact = exact.slice(header_index)
    assert header_width == widths[header_index]
    # The exact frame is as wide as the longest row; the fast one may keep empty columns.
    shared = [c for c in fast.columns if c in exact.columns]
    assert_frame_equal(trim_cells(fast).select(shared), trim_cells(exact).select(shared))
    for column in fast.drop(shared).columns:
        assert fast[column].null_count() == fast.height
