"""Read the contact list given to ``asklab plan --contacts FILE`` (CONTRACT.md section 6).

FILE is a CSV (or TSV) or a spreadsheet with a ``contact`` or ``name`` column
and an optional ``relationship`` column, or LinkedIn's ``Connections.csv``
export as downloaded: note lines, a blank line, then the header
``First Name,Last Name,URL,...``. The header is found by its content, not by
counting lines, because LinkedIn has changed its preamble before.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import fastexcel

from asklab.ingest.header import normalise_header
from asklab.keys import WHITESPACE_CHARS, contact_key
from asklab.vocab import RELATIONSHIP_SYNONYMS

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

# Header names (normalised as in section 1) that hold the contact, best first.
CONTACT_HEADERS = ("contact", "name", "contact_name", "who")
LINKEDIN_HEADERS = ("first_name", "last_name")
SEPARATORS = (",", ";", "\t")

# Relationship words written as the canonical fallbacks themselves.
_RELATIONSHIPS = {**RELATIONSHIP_SYNONYMS, "unknown": "unknown", "other": "other"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MAX_LISTED = 20


class ContactsError(Exception):
    """A contact list that cannot be used; the message names the file and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Contact:
    name: str  # as written (trimmed); for LinkedIn "First Last"
    key: str  # contact key, section 1
    relationship: str  # canonical relationship, section 1.5
    line: int  # line (CSV) or row (spreadsheet) it came from


@dataclass(frozen=True)
class ContactList:
    path: Path
    contacts: tuple[Contact, ...]
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Columns:
    contact: int | None  # index of the contact column, or None for LinkedIn's two
    first_name: int | None
    last_name: int | None
    relationship: int | None


# -- Reading ------------------------------------------------------------------------


def read_contacts(path: Path) -> ContactList:
    """The distinct contacts of FILE in row order, with notices for skipped rows.

    Raises ContactsError when the file cannot be read, has no header with a
    contact (or name, or LinkedIn's First Name and Last Name) column, or no
    usable contact.
    """
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return _contact_list(path, _spreadsheet_rows(path), unit="row")
    if suffix in TEXT_SUFFIXES:
        return _contact_list(path, _text_rows(path, _read_text(path)), unit="line")
    raise ContactsError(
        f"{path}: not a CSV or spreadsheet file (expected one of "
        f"{', '.join(TEXT_SUFFIXES + SPREADSHEET_SUFFIXES)})"
    )


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContactsError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContactsError(
            f"{path}: not UTF-8 text (line {line}); save the file as CSV UTF-8"
        ) from None


def _cells(cells: Sequence[object | None]) -> list[str]:
    return ["" if c is None else str(c).strip(WHITESPACE_CHARS) for c in cells]


def _find_columns(cells: list[str]) -> _Columns | None:
    """The columns of a header row, or None when the row is not a contact header."""
    names = [normalise_header(c) for c in cells]
    relationship = names.index("relationship") if "relationship" in names else None
    for wanted in CONTACT_HEADERS:
        if wanted in names:
            return _Columns(names.index(wanted), None, None, relationship)
    if all(n in names for n in LINKEDIN_HEADERS):
        first, last = (names.index(n) for n in LINKEDIN_HEADERS)
        return _Columns(None, first, last, relationship)
    return None


def separator_of(line: str) -> str:
    """Comma, semicolon or tab: the one most frequent outside quotes (comma on a tie)."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts.values())
    return next(s for s in SEPARATORS if counts[s] == best) if best else ","


def _text_rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) from the header line on; the header found by content."""
    physical = _LINE_BREAK.split(text)
    for index, line in enumerate(physical):
        if not line.strip(WHITESPACE_CHARS):
            continue
        separator = separator_of(line)
        if _find_columns(_cells(next(csv.reader([line], delimiter=separator), []))) is None:
            continue
        yield from _records(path, text, index, separator)
        return
    raise ContactsError(_no_header(path))


def _records(
    path: Path, text: str, header_index: int, separator: str
) -> Iterator[tuple[int, list[str]]]:
    # Re-join from the header on so quoted cells may span lines, as in RFC 4180.
    starts = [m.end() for m in _LINE_BREAK.finditer(text)]
    offset = starts[header_index - 1] if header_index else 0
    csv.field_size_limit(max(csv.field_size_limit(), sys.maxsize >> 1))
    reader = csv.reader(io.StringIO(text[offset:], newline=""), delimiter=separator)
    previous_end = 0
    try:
        for record in reader:
            yield header_index + previous_end + 1, _cells(record)
            previous_end = reader.line_num
    except csv.Error as exc:
        line = header_index + previous_end + 1
        raise ContactsError(f"{path}: malformed CSV on line {line}: {exc}") from None


def _spreadsheet_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the first sheet that has a contact header, from it on."""
    try:
        workbook = fastexcel.read_excel(path)
        sheets = [
            workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_polars()
            for name in workbook.sheet_names
        ]
    except (fastexcel.FastExcelError, OSError) as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ContactsError(f"{path}: cannot read the workbook: {first_line}") from None
    for sheet in sheets:
        rows = [_cells(row) for row in sheet.iter_rows()]
        for index, cells in enumerate(rows):
            if _find_columns(cells) is not None:
                # Row numbers as Excel shows them (skip_rows=0 keeps leading empty rows).
                yield from ((i + 1, rows[i]) for i in range(index, len(rows)))
                return
    raise ContactsError(_no_header(path))


def _no_header(path: Path) -> str:
    return (
        f"{path}: no header with a 'contact' or 'name' column (or LinkedIn's "
        "'First Name,Last Name,...') was found"
    )


# -- Contacts -----------------------------------------------------------------------


def canonical_relationship(text: str) -> str | None:
    """Section 1.5's canonical word; unknown for blank, None for an unlisted value."""
    return _RELATIONSHIPS.get(contact_key(text)) if text else "unknown"


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _contact_name(cells: list[str], columns: _Columns) -> str:
    if columns.contact is not None:
        return _cell(cells, columns.contact)
    parts = (_cell(cells, columns.first_name), _cell(cells, columns.last_name))
    return " ".join(p for p in parts if p)


def _contact_list(path: Path, rows: Iterator[tuple[int, list[str]]], *, unit: str) -> ContactList:
    """Contacts from the header row on; ``unit`` words the notices (CSV line, sheet row)."""
    header_line, header = next(rows)
    columns = _find_columns(header)
    assert columns is not None  # the row was picked for being a header
    contacts: dict[str, Contact] = {}
    notices: list[str] = []
    unlisted: list[str] = []
    for line, cells in rows:
        if not any(cells):
            continue  # blank rows are skipped silently, as in section 1
        name = _contact_name(cells, columns)
        if not name:
            notices.append(f"{path}: {unit} {line}: no contact name; row skipped")
            continue
        key = contact_key(name)
        if key in contacts:
            first = contacts[key].line
            notices.append(
                f"{path}: line {line}: {name!r} is listed again (line {first}); kept once"
            )
            continue
        written = _cell(cells, columns.relationship)
        relationship = canonical_relationship(written)
        if relationship is None:
            relationship = "other"
            if written not in unlisted:
                unlisted.append(written)
        contacts[key] = Contact(name=name, key=key, relationship=relationship, line=line)
    if unlisted:
        shown = ", ".join(repr(w) for w in unlisted[:_MAX_LISTED])
        more = f" and {len(unlisted) - _MAX_LISTED} more" if len(unlisted) > _MAX_LISTED else ""
        notices.append(f"{path}: relationships not in the list taken as 'other': {shown}{more}")
    if not contacts:
        raise ContactsError(f"{path}: no contact found below the header ({unit} {header_line})")
    return ContactList(path=path, contacts=tuple(contacts.values()), notices=tuple(notices))
