"""Read CSV and XLSX files into raw tables: every cell as text, with its line.

A reader finds each table's header, decides its kind (see ``header``) from
the normalised header (CONTRACT.md section 1), keeps the contract's columns
under their canonical names and drops blank rows. It applies no value rule:
that is ``validate``'s job.

Line numbers are what a person sees: for a CSV the editor line on which the
row starts (blank lines and the extra lines of quoted multi-line cells
counted), for an XLSX sheet the row number Excel shows.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

import fastexcel
import polars as pl

from asklab.ingest.discover import INPUT_SUFFIXES, SPREADSHEET_SUFFIXES, TEXT_SUFFIXES
from asklab.ingest.header import (
    HeaderError,
    TableKind,
    ignored_columns_notice,
    no_kind_message,
    parse_header,
    quoted_list,
)

DATE_COLUMNS: dict[str, str] = {"calls": "call_date", "events": "event_date"}
EXTRA_CELLS = "extra_cells"
_BOM = b"\xef\xbb\xbf"

# Excel error values as calamine names them, back to the text Excel shows.
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}


class FileError(Exception):
    """A file that cannot be read at all; ``line`` is set when one line is to blame."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class RawTable:
    """One table (a CSV file or an XLSX sheet) with its cells as written.

    ``rows`` has ``line`` (Int64), one String column per name in ``columns``
    (cells as written but trimmed; null for a blank or missing cell) and
    ``extra_cells`` (String: a CSV row's non-blank cells beyond the header's
    width joined by its separator, else null). Blank rows are already left
    out and counted in ``blank_rows``. ``separator`` is the CSV's separator
    (``,`` for a sheet).
    """

    source_file: str
    sheet: str | None
    kind: TableKind
    header_line: int
    columns: tuple[str, ...]
    rows: pl.DataFrame
    blank_rows: int
    header_width: int
    separator: str = ","
    # (line, canonical column) of workbook cells holding a formula with no saved value
    unsaved_formulas: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class FileRead:
    source_file: str
    tables: list[RawTable] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def read_file(path: Path, source_file: str) -> FileRead:
    """Read an input file by its suffix (any case); raises ``FileError`` when it cannot be read.

    ``.csv`` and ``.tsv`` are text tables (separator detected alike);
    ``.xlsx``, ``.xlsm``, ``.xls`` and ``.ods`` are workbooks, every sheet read.
    """
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_csv_file(path, source_file)
    if suffix in SPREADSHEET_SUFFIXES:
        return read_workbook_file(path, source_file)
    raise FileError(f"not an input file ({', '.join(INPUT_SUFFIXES)}): {path.name}")


def read_bytes(path: Path) -> bytes:
    """The file's bytes; ``FileError`` when it cannot be read (no permission, gone, a folder)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileError(f"cannot read the file: {exc.strerror or exc}") from exc


# -- Records to table ------------------------------------------------------------


def _cell_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def _non_blank(column: str) -> pl.Expr:
    """For trimmed cells (blank ones are null): the cell holds text."""
    return pl.col(column).is_not_null()


def _trim_cells(cells: pl.DataFrame) -> pl.DataFrame:
    """Trim every cell once, before any rule (CONTRACT.md section 1); blank -> null.

    Polars' default trim set is Rust's Unicode White_Space, the same characters
    as ``WHITESPACE_CHARS``, and runs about twice as fast as an explicit set.
    """
    names = [c for c in cells.columns if c != "line"]
    if not names:
        return cells
    return cells.with_columns(pl.col(names).str.strip_chars().replace("", None))


def _build_table(
    cells: pl.DataFrame,
    header_index: int,
    header_width: int,
    *,
    source_file: str,
    sheet: str | None,
    notices: list[str],
    column_labels: list[str] | None = None,
    separator: str = ",",
    formula_cells: set[tuple[int, str]] | frozenset[tuple[int, str]] = frozenset(),
) -> RawTable | None:
    """Turn records (columns ``c0..``, ``line``) into a RawTable; None if no kind.

    ``header_index`` is the row of ``cells`` holding the header; a CSV record
    with more cells than ``header_width`` gets them in ``extra_cells``.
    ``column_labels`` name the cell columns in notices (default: column 1, 2, ...).
    """
    where = f"sheet {sheet!r}: " if sheet is not None else ""
    names = [c for c in cells.columns if c != "line"]
    header_row = cells.row(header_index, named=True)
    header_line = int(header_row["line"])
    try:
        header = parse_header([header_row[n] for n in names[:header_width]])
    except HeaderError as exc:
        raise FileError(f"{where}{exc.reason}", header_line) from None
    if header is None:
        found = [str(header_row[n]).strip() for n in names if header_row[n]]
        message = (
            f"no recognised header: {'line' if sheet is None else 'row'} {header_line} has "
            f"{no_kind_message()}; found {quoted_list(found)}"
        )
        if sheet is None:
            if len(found) == 1:
                message += separator_hint(found[0])
            raise FileError(message, header_line)
        notices.append(f"{where}{message}; sheet skipped")
        return None

    data = cells.slice(header_index + 1)
    non_blank = pl.any_horizontal([_non_blank(n) for n in names]) if names else pl.lit(False)
    data = data.filter(non_blank)
    blank_rows = cells.height - header_index - 1 - data.height

    unnamed_with_cells = [
        i for i in header.unnamed if data.select(_non_blank(names[i]).any()).item()
    ]
    ignored = [w for _, w in header.unknown]
    labels = column_labels or [f"column {i + 1}" for i in range(len(names))]
    ignored += [f"(unnamed {labels[i]})" for i in unnamed_with_cells]
    if ignored:
        notices.append(f"{where}{ignored_columns_notice(ignored, header.suggestions)}")

    extra_names = names[header_width:]
    if extra_names:
        # The extra cells as they stand in the row, but only when one of them is non-blank.
        extra = (
            pl.when(pl.any_horizontal([_non_blank(n) for n in extra_names]))
            .then(
                pl.concat_str(
                    [pl.col(n) for n in extra_names], separator=separator, ignore_nulls=True
                )
            )
            .otherwise(None)
        )
    else:
        extra = pl.lit(None, dtype=pl.String)

    columns = tuple(canonical for _, canonical in header.known)
    rows = data.select(
        pl.col("line").cast(pl.Int64),
        *[pl.col(names[i]).alias(canonical) for i, canonical in header.known],
        extra.alias(EXTRA_CELLS),
    )
    if sheet is not None:
        # calamine writes a native date as "YYYY-MM-DD 00:00:00"; show it as the date it is.
        date_column = DATE_COLUMNS[header.kind]
        if date_column in columns:
            rows = rows.with_columns(
                pl.col(date_column).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1")
            )
    return RawTable(
        source_file=source_file,
        sheet=sheet,
        kind=header.kind,
        header_line=header_line,
        columns=columns,
        rows=rows,
        blank_rows=blank_rows,
        header_width=header_width,
        separator=separator,
        unsaved_formulas=tuple(
            sorted(
                (line, canonical)
                for line, cell_name in formula_cells
                if line > header_line
                for i, canonical in header.known
                if names[i] == cell_name
            )
        ),
    )


def separator_hint(header_cell: str) -> str:
    """For a CSV header read as one cell: the separator it seems to use instead, if any.

    The most frequent character that is not a letter, digit, ``_`` or ``-``
    (spaces only when nothing else is there and there are at least two).
    """
    counts: dict[str, int] = {}
    for ch in header_cell:
        if not (ch.isalnum() or ch in "_-" or ch.isspace()):
            counts[ch] = counts.get(ch, 0) + 1
    if not counts and sum(ch.isspace() for ch in header_cell.strip()) >= 2:
        counts = {" ": 2}
    if not counts:
        return ""
    found = max(counts, key=lambda ch: counts[ch])
    return (
        f"; the whole header is one cell: the file seems to separate cells with {found!r}, "
        "but a CSV's cells must be separated by commas, semicolons or tabs "
        "(save it again as CSV)"
    )


def _first_non_blank(cells: pl.DataFrame) -> int | None:
    names = [c for c in cells.columns if c != "line"]
    if not names or cells.height == 0:
        return None
    flags = cells.select(pl.any_horizontal([_non_blank(n) for n in names]).arg_true())
    return int(flags.item(0, 0)) if flags.height else None


# -- CSV -------------------------------------------------------------------------


def read_csv_file(path: Path, source_file: str) -> FileRead:
    return read_csv_bytes(read_bytes(path), source_file)


def read_csv_bytes(data: bytes, source_file: str) -> FileRead:
    """Read CSV bytes: Polars when its line numbers are provably exact, else Python's csv.

    Both use the separator :func:`detect_separator` finds in the header line.
    """
    _check_utf8(data)
    separator = detect_separator(data)
    fast = _records_fast(data, separator)
    if fast is not None:
        cells, header_width = _trim_cells(fast[0]), fast[1]
        header_index = 0
    else:
        cells, header_widths = _records_exact(data, separator)
        cells = _trim_cells(cells)
        header_index_or_none = _first_non_blank(cells)
        if header_index_or_none is None:
            raise FileError("no header: the file is empty", 1)
        header_index = header_index_or_none
        header_width = header_widths[header_index]
    notices: list[str] = []
    table = _build_table(
        cells,
        header_index,
        header_width,
        source_file=source_file,
        sheet=None,
        notices=notices,
        separator=separator,
    )
    assert table is not None  # a CSV without a kind raised FileError
    return FileRead(source_file=source_file, tables=[table], notices=notices)


# The separators a CSV may use (CONTRACT.md section 1, v2), comma first: it wins ties.
SEPARATORS = (",", ";", "\t")
_SEPARATOR_BYTES = {ord(s): s for s in SEPARATORS}
_HEADER_SCAN_BYTES = 1 << 20
_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")
_BLANK_BYTES = frozenset(b" \v\f")


def detect_separator(data: bytes) -> str:
    """The one of comma, semicolon and tab occurring most often in the header line
    outside quotes; comma on a tie or when none occurs.

    The header line is the first line with a cell that is not blank (lines of
    blanks and bare separators before it are skipped, as the readers skip
    them); a quoted line break inside it does not end it.
    """
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    counts = dict.fromkeys(SEPARATORS, 0)
    in_quotes = has_text = False
    for byte in body[:_HEADER_SCAN_BYTES]:
        if byte == _QUOTE:
            in_quotes = not in_quotes
        elif in_quotes:
            has_text = True
        elif byte in (_LF, _CR):
            if has_text:
                break
            counts = dict.fromkeys(SEPARATORS, 0)
        elif byte in _SEPARATOR_BYTES:
            counts[_SEPARATOR_BYTES[byte]] += 1
        elif byte not in _BLANK_BYTES:
            has_text = True
    most = max(counts.values())
    leaders = [s for s, n in counts.items() if n == most]
    return leaders[0] if most and len(leaders) == 1 else ","


def _check_utf8(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} cannot be read "
            "(save the file as CSV UTF-8)",
            line,
        ) from None


def _records_fast(data: bytes, separator: str = ",") -> tuple[pl.DataFrame, int] | None:
    """Records by Polars with exact lines and the header's width, or None.

    Polars keeps blank lines as all-null rows, so record i starts on line
    1 + sum of the line spans of records before it, a span being 1 plus the
    newlines inside its cells. The result is only trusted when the spans add
    up to the physical line count (no line skipped) and the header is the
    first record after any leading blank lines (counted here, as Polars
    would take the first line's width for the header's). A lone CR (old Mac
    line end) or an odd number of quote characters (an unclosed quote) go to
    the exact reader, and so does anything Polars cannot parse. A row with
    more cells than the header (an unquoted comma in a note) is read by a
    second, wider pass, so one such row does not slow the whole file down.
    """
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    leading_blank = 0
    start = 0
    while (end := body.find(b"\n", start)) >= 0 and not body[start:end].strip():
        leading_blank += 1
        start = end + 1
    body = body[start:] if start else body
    if not body.strip():
        return None
    carriage_returns = body.count(b"\r")
    if carriage_returns and carriage_returns != body.count(b"\r\n"):
        return None
    quotes = body.count(b'"')
    if quotes % 2:
        return None
    try:
        frame = pl.read_csv(
            body,
            has_header=False,
            separator=separator,
            infer_schema=False,
            raise_if_empty=False,
            encoding="utf8",
        )
        header_width = frame.width
    except (pl.exceptions.PolarsError, ValueError):
        wide = _read_csv_wide(body, separator)
        if wide is None:
            return None
        frame, header_width = wide
    if frame.height == 0 or frame.width == 0:
        return None
    names = _cell_names(frame.width)
    frame.columns = names
    physical_lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    first_line = leading_blank + 1
    if quotes:
        newlines = frame.select(
            pl.sum_horizontal(
                [pl.col(n).str.count_matches("\n", literal=True).fill_null(0) for n in names]
            )
            .cast(pl.Int64)
            .alias("newlines")
        ).to_series()
        spans = newlines + 1
        if int(spans.sum()) != physical_lines:
            return None
        line = (spans.cum_sum() - spans + first_line).alias("line")
    else:
        if frame.height != physical_lines:
            return None
        line = pl.int_range(
            first_line, first_line + frame.height, dtype=pl.Int64, eager=True
        ).alias("line")
    frame = frame.with_columns(line)
    if _first_non_blank(_trim_cells(frame.head(1))) != 0:
        return None  # e.g. a first line of blank cells (",,"): the exact reader finds the header
    return frame, header_width


# Cells a row may have beyond the header and still be read by Polars.
_WIDE_EXTRA_CELLS = 16


def _read_csv_wide(body: bytes, separator: str = ",") -> tuple[pl.DataFrame, int] | None:
    """Polars with room for extra cells; trailing all-empty columns dropped."""
    try:
        # The header's own width, from its record alone (it may span lines).
        reader = csv.reader(
            io.TextIOWrapper(io.BytesIO(body), encoding="utf-8", newline=""), delimiter=separator
        )
        header_width = len(next(reader))
        width = header_width + _WIDE_EXTRA_CELLS
        frame = pl.read_csv(
            body,
            has_header=False,
            separator=separator,
            schema=dict.fromkeys(_cell_names(width), pl.String),
            missing_columns="insert",
            raise_if_empty=False,
            encoding="utf8",
        )
    except (pl.exceptions.PolarsError, ValueError, csv.Error, StopIteration):
        return None
    used = frame.select(pl.all().is_not_null().any()).row(0)
    last_used = max((i for i, flag in enumerate(used) if flag), default=-1)
    return frame.select(frame.columns[: max(header_width, last_used + 1)]), header_width


def _records_exact(data: bytes, separator: str = ",") -> tuple[pl.DataFrame, list[int]]:
    """Records by Python's csv module (strict RFC 4180), each with its start line."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    # Long notes are legal; the module's default limit is 128 KiB per cell.
    csv.field_size_limit(max(csv.field_size_limit(), sys.maxsize >> 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    try:
        for record in reader:
            records.append(record)
            lines.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as exc:
        start = previous_end + 1
        detail = "a quoted cell is never closed" if "end of data" in str(exc) else str(exc)
        message = f"malformed CSV in the row starting on line {start}: {detail}"
        raise FileError(message, start) from None
    width = max((len(r) for r in records), default=0)
    columns = {
        name: [r[i] if i < len(r) else None for r in records]
        for i, name in enumerate(_cell_names(width))
    }
    frame = pl.DataFrame(
        {**columns, "line": lines},
        schema={**dict.fromkeys(columns, pl.String), "line": pl.Int64},
    )
    return frame, [len(r) for r in records]


# -- Workbooks (.xlsx, .xlsm, .xls, .ods) ----------------------------------------------

FORMULA_WITHOUT_VALUE = (
    "formula with no saved value: open and save the file in Excel or LibreOffice"
)


def read_workbook_file(path: Path, source_file: str) -> FileRead:
    """Every sheet of a workbook; a sheet without a recognised header is skipped with a notice.

    calamine (through fastexcel) reads ``.xlsx``, ``.xlsm``, ``.xls`` and
    ``.ods`` alike, by their content. For ``.xlsx``/``.xlsm`` the sheets'
    XML is also searched for formula cells without a saved value (see
    :func:`unsaved_formulas`).
    """
    data = read_bytes(path)
    try:
        workbook = fastexcel.read_excel(data)
        sheet_names = list(workbook.sheet_names)
    except (fastexcel.FastExcelError, OSError) as exc:
        raise FileError(f"cannot read the workbook: {_first_line(exc)}") from None
    formulas = unsaved_formulas(data) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    tables: list[RawTable] = []
    notices: list[str] = []
    for name in sheet_names:
        cells, letters, formula_cells = _sheet_cells(workbook, name, formulas.get(name, []))
        header_index = _first_non_blank(cells)
        if header_index is None:
            notices.append(f"sheet {name!r}: empty; sheet skipped")
            continue
        table = _build_table(
            cells,
            header_index,
            cells.width - 1,
            source_file=source_file,
            sheet=name,
            notices=notices,
            column_labels=[f"column {letter}" for letter in letters],
            formula_cells=formula_cells,
        )
        if table is not None:
            tables.append(table)
    if not tables:
        raise FileError(f"no recognised header: no sheet has {no_kind_message()}")
    return FileRead(source_file=source_file, tables=tables, notices=notices)


read_xlsx_file = read_workbook_file  # the v1 name


def _sheet_cells(
    workbook: fastexcel.ExcelReader, name: str, formulas: list[tuple[int, int, str]]
) -> tuple[pl.DataFrame, list[str], set[tuple[int, str]]]:
    """The sheet's cells as text from row 1 (``skip_rows=0`` keeps leading empty rows).

    Also the Excel letter of each column (the cells start at the sheet's first
    used column, not necessarily A), and the (line, cell column) of each
    formula without a saved value among ``formulas`` (0-based row, column,
    formula text): such a cell holds ``=`` and its formula.
    """
    try:
        sheet = workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        batch, errors = sheet.to_arrow_with_errors()
    except fastexcel.FastExcelError as exc:
        raise FileError(f"cannot read sheet {name!r}: {_first_line(exc)}") from None
    frame = pl.DataFrame(pl.from_arrow(batch))
    absolute = [c.absolute_index for c in sheet.selected_columns]
    letters = [_excel_letters(index) for index in absolute]
    names = _cell_names(frame.width)
    frame.columns = names
    frame = frame.with_columns(pl.col(names).cast(pl.String)) if names else frame
    formula_cells: set[tuple[int, str]] = set()
    if (errors is not None and errors.errors) or formulas:
        patched = {n: frame[n].to_list() for n in names}
        # Formula errors (#DIV/0!, #N/A, ...) come back as cell errors: keep their text.
        for error in errors.errors if errors is not None else []:
            row, column = error.position
            found = re.search(r"Error\((\w+)\)", error.detail)
            text = _EXCEL_ERRORS.get(found.group(1), "#ERROR") if found else "#ERROR"
            patched[names[column]][row] = text
        height = frame.height
        for row, column, formula in formulas:
            if column not in absolute:
                continue  # outside the used columns: under no header
            cell_name = names[absolute.index(column)]
            if row >= height:  # calamine leaves out trailing rows that hold no value
                for values in patched.values():
                    values.extend([None] * (row + 1 - height))
                height = row + 1
            patched[cell_name][row] = f"={formula}"
            formula_cells.add((row + 1, cell_name))
        frame = pl.DataFrame(patched, schema=dict.fromkeys(names, pl.String))
    line = pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("line")
    return _trim_cells(frame.with_columns(line)), letters, formula_cells


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_XML_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_XML_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_XML_REF = re.compile(rb'\br="\$?([A-Za-z]{1,3})\$?([0-9]+)"')


def unsaved_formulas(data: bytes) -> dict[str, list[tuple[int, int, str]]]:
    """Formula cells with no saved (cached) value, per sheet name: (row, column, formula).

    Rows and columns are 0-based. Files written by programs that do not
    calculate (openpyxl, many exporters) hold formulas with no ``<v>``; Excel
    and LibreOffice save the value. calamine reads only values, so such a
    cell would look blank. A file that is not a readable zip of sheets gives
    ``{}`` (calamine reports it). A writer that saves ``0`` as a placeholder
    value (xlsxwriter does) cannot be told from a real 0.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels}
            found: dict[str, list[tuple[int, int, str]]] = {}
            for sheet in book.iter(f"{{{_MAIN_NS}}}sheet"):
                target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
                member = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(f"xl/{target}")
                )
                try:
                    if not _has_formula(archive, member):
                        continue
                    xml = archive.read(member)
                except KeyError:
                    continue
                cells = _formulas_without_value(xml)
                if cells:
                    found[sheet.get("name") or ""] = cells
            return found
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
        return {}


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_SCAN_CHUNK = 1 << 20


def _has_formula(archive: zipfile.ZipFile, member: str) -> bool:
    """Whether a sheet's XML has a formula tag, read in chunks (a sheet may be large)."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _formulas_without_value(xml: bytes) -> list[tuple[int, int, str]]:
    cells: list[tuple[int, int, str]] = []
    for match in _XML_CELL.finditer(xml):
        inner = match.group(2) or b""
        formula = _XML_FORMULA.search(inner)
        if formula is None:
            continue
        value = _XML_VALUE.search(inner)
        if value is not None and (value.group(1) or b"").strip():
            continue
        ref = _XML_REF.search(match.group(1))
        if ref is None:
            continue
        text = unescape((formula.group(1) or b"").decode("utf-8", "replace")) or "(shared formula)"
        cells.append((int(ref.group(2)) - 1, _excel_index(ref.group(1).decode()), text))
    return cells


def _excel_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _excel_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
