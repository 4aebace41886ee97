"""Delimited text files (``.csv``, ``.tsv``): records with the line each starts on.

The separator (comma, semicolon or tab) is found in the header line
(:func:`detect_separator`); Polars reads the file when its line numbers are
provably exact, Python's csv module otherwise. Lines are what a person sees
in an editor: blank lines and the extra lines of quoted multi-line cells
counted.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import polars as pl

from asklab.ingest.table import (
    FileError,
    FileRead,
    build_table,
    cell_names,
    first_non_blank,
    read_bytes,
    trim_cells,
)

_BOM = b"\xef\xbb\xbf"


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
        cells, header_width = trim_cells(fast[0]), fast[1]
        header_index = 0
    else:
        cells, header_widths = _records_exact(data, separator)
        cells = trim_cells(cells)
        header_index_or_none = first_non_blank(cells)
        if header_index_or_none is None:
            raise FileError("no header: the file is empty", 1)
        header_index = header_index_or_none
        header_width = header_widths[header_index]
    notices: list[str] = []
    table = build_table(
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
    names = cell_names(frame.width)
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
    if first_non_blank(trim_cells(frame.head(1))) != 0:
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
            schema=dict.fromkeys(cell_names(width), pl.String),
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
        for i, name in enumerate(cell_names(width))
    }
    frame = pl.DataFrame(
        {**columns, "line": lines},
        schema={**dict.fromkeys(columns, pl.String), "line": pl.Int64},
    )
    return frame, [len(r) for r in records]
