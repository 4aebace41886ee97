"""Raw tables: cells as text with their lines, under canonical column names.

:func:`build_table` turns the records of a CSV file or a workbook sheet
(columns ``c0..``, ``line``) into a :class:`RawTable`: it finds the header,
lets :mod:`asklab.ingest.header` decide the kind and the columns, keeps the
contract's columns and drops blank rows. No value rule applies here: that is
``validate``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from asklab.ingest.header import (
    HeaderError,
    TableKind,
    ignored_columns_notice,
    no_kind_message,
    parse_header,
    quoted_list,
)

DATE_COLUMNS: dict[str, str] = {"calls": "call_date", "events": "event_date", "plan": "created"}
EXTRA_CELLS = "extra_cells"


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


def read_bytes(path: Path) -> bytes:
    """The file's bytes; ``FileError`` when it cannot be read (no permission, gone, a folder)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileError(f"cannot read the file: {exc.strerror or exc}") from exc


def cell_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def non_blank(column: str) -> pl.Expr:
    """For trimmed cells (blank ones are null): the cell holds text."""
    return pl.col(column).is_not_null()


def trim_cells(cells: pl.DataFrame) -> pl.DataFrame:
    """Trim every cell once, before any rule (CONTRACT.md section 1); blank -> null.

    Polars' default trim set is Rust's Unicode White_Space, the same characters
    as ``WHITESPACE_CHARS``, and runs about twice as fast as an explicit set.
    """
    names = [c for c in cells.columns if c != "line"]
    if not names:
        return cells
    return cells.with_columns(pl.col(names).str.strip_chars().replace("", None))


def build_table(
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
    has_text = pl.any_horizontal([non_blank(n) for n in names]) if names else pl.lit(False)
    data = data.filter(has_text)
    blank_rows = cells.height - header_index - 1 - data.height

    unnamed_with_cells = [
        i for i in header.unnamed if data.select(non_blank(names[i]).any()).item()
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
            pl.when(pl.any_horizontal([non_blank(n) for n in extra_names]))
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


def first_non_blank(cells: pl.DataFrame) -> int | None:
    names = [c for c in cells.columns if c != "line"]
    if not names or cells.height == 0:
        return None
    flags = cells.select(pl.any_horizontal([non_blank(n) for n in names]).arg_true())
    return int(flags.item(0, 0)) if flags.height else None
