"""Apply the contract's value rules (CONTRACT.md sections 1.1-1.7) to raw tables.

Every rule is a vectorised Polars expression or, for the word lists, a
lookup computed once per distinct cell text and joined back; Python runs per
row only to word the reasons of rejected cells. A row breaking any rule is
left out of ``calls``/``events`` and each failing cell becomes one row of
``rejected``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from asklab.ingest.discover import (
    INPUT_SUFFIXES,
    discover_files,
    folder_member,
    source_name,
)
from asklab.ingest.readers import (
    DATE_COLUMNS,
    EXTRA_CELLS,
    FileError,
    FileRead,
    RawTable,
    read_file,
)
from asklab.keys import WHITESPACE_CHARS, member_key
from asklab.vocab import (
    ASK_ORDER,
    ASK_SEPARATOR_REGEX,
    ASK_SYNONYMS,
    CALL_COLUMNS,
    CALL_REQUIRED,
    EVENT_COLUMNS,
    EVENT_REQUIRED,
    EVENT_TYPE_SYNONYMS,
    MONTHS,
    RELATIONSHIP_SYNONYMS,
    YES_NO,
)

DateOrder = Literal["month-first", "day-first"]

CALL_ROW_SCHEMA = pl.Schema(
    {
        "member": pl.String,
        "call_date": pl.Date,
        "contact": pl.String,
        "contact_key": pl.String,
        "ask_label": pl.String,
        "strategy": pl.String,
        "relationship": pl.String,
        "agreed_reference": pl.Boolean,
        "introductions": pl.Int64,
        "leads": pl.Int64,
        "notes": pl.String,
        "source_file": pl.String,
        "sheet": pl.String,
        "source_line": pl.Int64,
    }
)

EVENT_ROW_SCHEMA = pl.Schema(
    {
        "member": pl.String,
        "event_date": pl.Date,
        "contact": pl.String,
        "contact_key": pl.String,
        "event_type": pl.String,
        "count": pl.Int64,
        "notes": pl.String,
        "source_file": pl.String,
        "sheet": pl.String,
        "source_line": pl.Int64,
    }
)

REJECTED_SCHEMA = pl.Schema(
    {
        "source_file": pl.String,
        "sheet": pl.String,
        "line": pl.Int64,
        "column": pl.String,
        "value": pl.String,
        "reason": pl.String,
        "member": pl.String,
    }
)

# Column name used in `rejected` for cells beyond the header of a CSV row and
# for file-level problems: neither belongs to a contract column.
NO_COLUMN = "-"

_REASON_VALUE_CHARS = 60
_MAX_LISTED = 20

# Row rules in the order their rejections are listed within a line.
_COLUMN_ORDER = {
    name: index
    for index, name in enumerate(
        dict.fromkeys(("member", *CALL_COLUMNS, *EVENT_COLUMNS, NO_COLUMN))
    )
}


@dataclass(frozen=True)
class ValidatedFile:
    """One file after validation.

    ``rows_total`` counts non-blank data rows; each is either in ``calls``/``events``
    or among the ``rows_rejected`` distinct (sheet, line) pairs of ``rejected``.
    ``max_date`` is the latest date that passed the date rule (also on rows
    rejected for another cell); ``earliest_future_date`` the earliest date
    rejected for being after ``as_of``.
    """

    source_file: str
    calls: pl.DataFrame
    events: pl.DataFrame
    rejected: pl.DataFrame
    notices: list[str] = field(default_factory=list)
    rows_total: int = 0
    rows_rejected: int = 0
    blank_rows: int = 0
    has_future_rejections: bool = False
    max_date: dt.date | None = None
    earliest_future_date: dt.date | None = None


@dataclass(frozen=True)
class Problem:
    """One line of ``asklab validate`` output."""

    file: str
    line: int
    column: str
    reason: str
    sheet: str | None = None

    def format(self) -> str:
        where = f"{self.file}[{self.sheet}]" if self.sheet is not None else self.file
        return f"{where}:{self.line}: {self.column}: {self.reason}"


# -- Entry points ------------------------------------------------------------------


def validate_file(
    path: Path, raw_root: Path, *, as_of: dt.date, date_order: DateOrder = "month-first"
) -> ValidatedFile:
    """Read and validate one file below ``raw_root``; raises ``FileError``."""
    source_file = source_name(path, raw_root)
    file_read = read_file(path, source_file)
    return validate_read(
        file_read, member_folder=folder_member(source_file), as_of=as_of, date_order=date_order
    )


def validate_read(
    file_read: FileRead,
    *,
    member_folder: str | None,
    as_of: dt.date,
    date_order: DateOrder = "month-first",
) -> ValidatedFile:
    """Validate the tables of a read file; ``member_folder`` is its member folder name."""
    if date_order not in ("month-first", "day-first"):
        raise ValueError(f"date_order must be month-first or day-first, got {date_order!r}")
    folder_key = member_key(member_folder) if member_folder is not None else ""
    notices = list(file_read.notices)
    orders = {
        kind: _decide_date_order(
            [t for t in file_read.tables if t.kind == kind], DATE_COLUMNS[kind], date_order
        )
        for kind in ("calls", "events")
    }
    results = [
        _validate_table(
            table,
            sheet_index=index,
            folder_key=folder_key or None,
            as_of=as_of,
            date_order=orders[table.kind],
        )
        for index, table in enumerate(file_read.tables)
    ]
    calls = [r.valid for r, t in zip(results, file_read.tables, strict=True) if t.kind == "calls"]
    events = [r.valid for r, t in zip(results, file_read.tables, strict=True) if t.kind == "events"]
    rejected = pl.concat([r.rejected for r in results], how="vertical")
    accepted_dates = [r.max_date for r in results if r.max_date is not None]
    future_dates = [r.earliest_future for r in results if r.earliest_future is not None]
    # One notice per file for the relationships counted as "other".
    unknown = list(dict.fromkeys(v for r in results for v in r.unknown_relationships))
    if unknown:
        listed = ", ".join(show(v) for v in unknown[:_MAX_LISTED])
        more = f" and {len(unknown) - _MAX_LISTED} more" if len(unknown) > _MAX_LISTED else ""
        notices.append(
            f"relationship values not in the contract, counted as 'other': {listed}{more}"
        )
    return ValidatedFile(
        source_file=file_read.source_file,
        calls=pl.concat(calls, how="vertical") if calls else CALL_ROW_SCHEMA.to_frame(),
        events=pl.concat(events, how="vertical") if events else EVENT_ROW_SCHEMA.to_frame(),
        rejected=rejected.sort("sheet_index", "line", "column_index").drop(
            "sheet_index", "column_index"
        ),
        notices=notices,
        rows_total=sum(t.rows.height for t in file_read.tables),
        rows_rejected=sum(r.rows_rejected for r in results),
        blank_rows=sum(t.blank_rows for t in file_read.tables),
        has_future_rejections=bool(future_dates),
        max_date=max(accepted_dates, default=None),
        earliest_future_date=min(future_dates, default=None),
    )


def validate_paths(
    paths: Sequence[Path | str],
    raw_root: Path,
    *,
    as_of: dt.date,
    date_order: DateOrder = "month-first",
) -> list[Problem]:
    """Problems of the given files and folders, for ``asklab validate``.

    A folder is searched like the raw root. A file's member folder is taken
    relative to ``raw_root`` when the file lies below it, else relative to the
    folder argument it was found in, else (a file named directly) it is the
    file's parent folder. Problems come per file in argument/discovery order,
    then by sheet and line. Notices (unknown columns, relationships) are not
    problems: they reject nothing.
    """
    problems: list[Problem] = []
    seen: set[Path] = set()
    for shown_file, found_in in _expand_paths(paths, problems):
        resolved = shown_file.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        source_file = _source_file_for(resolved, raw_root, found_in)
        shown = str(shown_file)
        try:
            file_read = read_file(shown_file, source_file)
            result = validate_read(
                file_read,
                member_folder=_member_folder_for(resolved, raw_root, found_in),
                as_of=as_of,
                date_order=date_order,
            )
        except FileError as exc:
            problems.append(Problem(shown, exc.line or 1, NO_COLUMN, exc.reason))
            continue
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror or exc}"
            problems.append(Problem(shown, 1, NO_COLUMN, reason))
            continue
        problems.extend(
            Problem(shown, row["line"], row["column"], row["reason"], row["sheet"])
            for row in result.rejected.iter_rows(named=True)
        )
    return problems


def _expand_paths(
    paths: Sequence[Path | str], problems: list[Problem]
) -> list[tuple[Path, Path | None]]:
    """(file as shown to the user, folder argument it was found in) per input file."""
    files: list[tuple[Path, Path | None]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend((found, path) for found in discover_files(path))
        elif path.is_file():
            if path.suffix.lower() in INPUT_SUFFIXES:
                files.append((path, None))
            else:
                problems.append(Problem(str(given), 1, NO_COLUMN, "not a .csv or .xlsx file"))
        else:
            problems.append(Problem(str(given), 1, NO_COLUMN, "no such file or folder"))
    return files


def _relative_to(path: Path, folder: Path) -> str | None:
    try:
        return path.relative_to(folder.resolve()).as_posix()
    except ValueError:
        return None


def _source_file_for(resolved: Path, raw_root: Path, found_in: Path | None) -> str:
    below_root = _relative_to(resolved, raw_root)
    if below_root is not None:
        return below_root
    if found_in is not None:
        below_folder = _relative_to(resolved, found_in)
        if below_folder is not None:
            return below_folder
    return resolved.name


def _member_folder_for(resolved: Path, raw_root: Path, found_in: Path | None) -> str | None:
    below_root = _relative_to(resolved, raw_root)
    if below_root is not None:
        return folder_member(below_root)
    if found_in is not None:
        below_folder = _relative_to(resolved, found_in)
        if below_folder is not None:
            return folder_member(below_folder)
    return resolved.parent.name or None


# -- Shared expressions --------------------------------------------------------------


def _cell(column: str) -> pl.Expr:
    """A (trimmed) cell, "" when missing."""
    return pl.col(column).fill_null("")


# The whitespace that collapsing changes: runs of two or more, and any single
# whitespace character other than a space (a lone space stays as it is, and
# most cells have nothing else, so most cells need no replacing).
_COLLAPSIBLE_WHITESPACE = f"[{WHITESPACE_CHARS}]{{2,}}|[{WHITESPACE_CHARS.replace(' ', '')}]"


def _normalised_word(expr: pl.Expr) -> pl.Expr:
    """Lower-cased with inner whitespace runs collapsed: the form vocabularies are keyed by."""
    return expr.str.to_lowercase().str.replace_all(_COLLAPSIBLE_WHITESPACE, " ")


def _normalise_word(text: str) -> str:
    return member_key(text)


def show(value: str) -> str:
    """A cell's text quoted for a message: control characters escaped, long text cut."""
    escaped = "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in value[: _REASON_VALUE_CHARS + 1]
    )
    if len(value) > _REASON_VALUE_CHARS:
        escaped = escaped[:_REASON_VALUE_CHARS] + "…"
    return f"'{escaped}'"


def _nearest(word: str, choices: Sequence[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.0)
    return found[0] if found else choices[0]


def _where(sheet: str | None, line: int) -> str:
    return f"line {line}" if sheet is None else f"row {line} of sheet {sheet!r}"


# -- Dates (section 1.3) -------------------------------------------------------------

# ASCII digits only: Rust's \d also matches other scripts' digits.
# YYYY-MM-DD, optionally with a time part after a space or T (dropped): hh:mm[:ss[.f]][zone].
_TIME = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?\s*(?:z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_ISO = rf"^([0-9]{{4}})-([0-9]{{1,2}})-([0-9]{{1,2}})(?:[ t]{_TIME})?$"
_YEAR_FIRST_SLASHED = r"^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})$"
# Slashed or dotted day/month dates with a 4-digit year: first, second (slash), second (dot), year.
_DAY_MONTH = r"^([0-9]{1,2})(?:/([0-9]{1,2})/|\.([0-9]{1,2})\.)([0-9]{4})$"
_ORDINAL = r"(?:st|nd|rd|th)?"
_MONTH_NAME_FIRST = rf"^([a-z]+)\.?\s+([0-9]{{1,2}}){_ORDINAL},?\s+([0-9]{{4}})$"
_DAY_FIRST_NAMED = rf"^([0-9]{{1,2}}){_ORDINAL}\s+([a-z]+)\.?,?\s+([0-9]{{4}})$"


@dataclass(frozen=True)
class _ColumnDateOrder:
    """How the slashed/dotted dates of one column of one file are read."""

    order: Literal["month-first", "day-first", "inconsistent"]
    explanation: str = ""


def _day_month_parts(value: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    parts = value.str.extract_groups(_DAY_MONTH)
    first = parts.struct.field("1").cast(pl.Int64)
    second = pl.coalesce(parts.struct.field("2"), parts.struct.field("3")).cast(pl.Int64)
    return first, second, parts.struct.field("4")


def _decide_date_order(
    tables: list[RawTable], column: str, configured: DateOrder
) -> _ColumnDateOrder:
    """Day-first if some first part is > 12, month-first if some second part is; both: neither."""
    day_first_example: tuple[str, str] | None = None
    month_first_example: tuple[str, str] | None = None
    for table in tables:
        if column not in table.columns:
            continue
        # Parts of the distinct values first; rows are only searched for an example.
        first, second, _ = _day_month_parts(pl.col("value"))
        parts = (
            table.rows.select(_cell(column).alias("value")).unique().with_columns(a=first, b=second)
        )
        if day_first_example is None:
            day_first_example = _first_example(table, column, parts.filter(pl.col("a") > 12))
        if month_first_example is None:
            month_first_example = _first_example(table, column, parts.filter(pl.col("b") > 12))
    if day_first_example and month_first_example:
        explanation = (
            f"the {column} column mixes day-first and month-first dates: "
            f"{show(day_first_example[0])} ({day_first_example[1]}) has a first part > 12 "
            f"but {show(month_first_example[0])} ({month_first_example[1]}) has a second "
            "part > 12, so no slashed or dotted date of this column can be read"
        )
        return _ColumnDateOrder("inconsistent", explanation)
    if day_first_example:
        return _ColumnDateOrder("day-first")
    if month_first_example:
        return _ColumnDateOrder("month-first")
    return _ColumnDateOrder(configured)


def _first_example(table: RawTable, column: str, hits: pl.DataFrame) -> tuple[str, str] | None:
    """(value, where) of the first row of ``table`` whose ``column`` is among ``hits``."""
    if hits.height == 0:
        return None
    row = table.rows.filter(_cell(column).is_in(hits["value"].implode())).row(0, named=True)
    return row[column], _where(table.sheet, row["line"])


def _date_rule(
    values: pl.Series, column: str, order: _ColumnDateOrder, as_of: dt.date
) -> pl.DataFrame:
    """Per distinct cell text: the date (as ``column``), reason, future, future_date."""
    lower = pl.col("value").str.to_lowercase()
    frame = pl.DataFrame({"value": values}).with_columns(
        iso=lower.str.extract_groups(_ISO),
        slashed=lower.str.extract_groups(_YEAR_FIRST_SLASHED),
        named1=lower.str.extract_groups(_MONTH_NAME_FIRST),
        named2=lower.str.extract_groups(_DAY_FIRST_NAMED),
    )
    first, second, dm_year = _day_month_parts(pl.col("value"))
    if order.order == "day-first":
        dm_month, dm_day = second, first
    else:
        dm_month, dm_day = first, second
    named1_month = pl.col("named1").struct.field("1").replace_strict(MONTHS, default=None)
    named2_month = pl.col("named2").struct.field("2").replace_strict(MONTHS, default=None)
    frame = frame.with_columns(
        form=pl.when(pl.col("value") == "")
        .then(pl.lit("blank"))
        .when(pl.col("iso").struct.field("1").is_not_null())
        .then(pl.lit("iso"))
        .when(pl.col("slashed").struct.field("1").is_not_null())
        .then(pl.lit("iso"))
        .when(dm_year.is_not_null())
        .then(pl.lit("day_month"))
        .when(named1_month.is_not_null() | named2_month.is_not_null())
        .then(pl.lit("named")),
        year=pl.coalesce(
            pl.col("iso").struct.field("1"),
            pl.col("slashed").struct.field("1"),
            dm_year,
            pl.col("named1").struct.field("3"),
            pl.col("named2").struct.field("3"),
        ).cast(pl.Int64),
        month=pl.coalesce(
            pl.col("iso").struct.field("2").cast(pl.Int64),
            pl.col("slashed").struct.field("2").cast(pl.Int64),
            dm_month,
            named1_month.cast(pl.Int64),
            named2_month.cast(pl.Int64),
        ),
        day=pl.coalesce(
            pl.col("iso").struct.field("3"),
            pl.col("slashed").struct.field("3"),
            dm_day.cast(pl.String),
            pl.col("named1").struct.field("2"),
            pl.col("named2").struct.field("1"),
        ).cast(pl.Int64),
    )
    frame = frame.with_columns(
        candidate=pl.format(
            "{}-{}-{}",
            pl.col("year").cast(pl.String).str.zfill(4),
            pl.col("month").cast(pl.String).str.zfill(2),
            pl.col("day").cast(pl.String).str.zfill(2),
        ).str.to_date("%Y-%m-%d", strict=False)
    )
    inconsistent = (pl.col("form") == "day_month") & pl.lit(order.order == "inconsistent")
    frame = frame.with_columns(
        code=pl.when(pl.col("form") == "blank")
        .then(pl.lit("blank"))
        .when(pl.col("form").is_null())
        .then(pl.lit("not_a_date"))
        .when(inconsistent)
        .then(pl.lit("inconsistent"))
        .when(pl.col("candidate").is_null())
        .then(pl.lit("invalid"))
        .when(pl.col("candidate") > pl.lit(as_of))
        .then(pl.lit("future"))
    )

    def reason(row: dict) -> str:
        value, code = row["value"], row["code"]
        if code == "blank":
            return f"{column} is required but blank"
        if code == "not_a_date":
            return (
                f"{show(value)} is not a date (use e.g. 2026-03-04, 2026/03/04, 4/3/2026, "
                "04.03.2026, Mar 4, 2026 or 4 March 2026)"
            )
        if code == "inconsistent":
            return f"{show(value)} cannot be read: {order.explanation}"
        if code == "invalid":
            read_as = f"{row['year']:04d}-{row['month']:02d}-{row['day']:02d}"
            how = f" {order.order}" if row["form"] == "day_month" else ""
            return f"{show(value)} is not a valid calendar date (read{how} as {read_as})"
        return f"date {row['candidate'].isoformat()} is after the run date {as_of.isoformat()}"

    return _with_reasons(frame, reason).select(
        "value",
        pl.when(pl.col("code").is_null()).then(pl.col("candidate")).alias(column),
        "reason",
        (pl.col("code") == "future").fill_null(False).alias("future"),
        pl.when(pl.col("code") == "future").then(pl.col("candidate")).alias("future_date"),
    )


def _with_reasons(frame: pl.DataFrame, reason: Callable[[dict], str]) -> pl.DataFrame:
    """Add ``reason``: ``reason(row)`` for rows with a ``code``, null elsewhere."""
    bad = frame.filter(pl.col("code").is_not_null())
    reasons = pl.Series("reason", [reason(row) for row in bad.iter_rows(named=True)], pl.String)
    bad = bad.select("value", reasons)
    return frame.join(bad, on="value", how="left", maintain_order="left")


# -- Word lists (sections 1.2, 1.4, 1.5, 1.6) --------------------------------------------

_ASK_SPLIT = re.compile(ASK_SEPARATOR_REGEX, re.IGNORECASE)
_ASK_WORDS = tuple(ASK_SYNONYMS)
_EVENT_WORDS = tuple(EVENT_TYPE_SYNONYMS)


def parse_asks(text: str) -> tuple[str, str] | str:
    """``(ask_label, strategy)`` for a trimmed non-blank ask cell, or the rejection reason."""
    parts = [p.strip(WHITESPACE_CHARS) for p in _ASK_SPLIT.split(text)]
    parts = [p for p in parts if p]
    if not parts:
        return f"unknown ask {show(text)}; did you mean {show(_nearest(text.lower(), _ASK_WORDS))}?"
    asks: set[str] = set()
    unknown: list[str] = []
    for part in parts:
        ask = ASK_SYNONYMS.get(_normalise_word(part))
        if ask is None:
            near = _nearest(_normalise_word(part), _ASK_WORDS)
            unknown.append(f"unknown ask {show(part)}; did you mean {show(near)}?")
        else:
            asks.add(ask)
    if unknown:
        return " ".join(unknown)
    label = "+".join(a for a in ASK_ORDER if a in asks)
    has_job, has_reference = "job" in asks, "reference" in asks
    strategy = (
        "mixed"
        if has_job and has_reference
        else "job"
        if has_job
        else "reference"
        if has_reference
        else "other"
    )
    return label, strategy


def _ask_rule(values: pl.Series) -> pl.DataFrame:
    labels: list[str | None] = []
    strategies: list[str | None] = []
    reasons: list[str | None] = []
    for value in values.to_list():
        parsed = "ask_type is required but blank" if value == "" else parse_asks(value)
        if isinstance(parsed, str):
            labels.append(None)
            strategies.append(None)
            reasons.append(parsed)
        else:
            labels.append(parsed[0])
            strategies.append(parsed[1])
            reasons.append(None)
    return pl.DataFrame(
        {"value": values, "ask_label": labels, "strategy": strategies, "reason": reasons},
        schema=dict.fromkeys(("value", "ask_label", "strategy", "reason"), pl.String),
    )


def _event_type_rule(values: pl.Series) -> pl.DataFrame:
    types: list[str | None] = []
    reasons: list[str | None] = []
    for value in values.to_list():
        event_type = EVENT_TYPE_SYNONYMS.get(_normalise_word(value))
        types.append(event_type)
        if value == "":
            reasons.append("event_type is required but blank")
        elif event_type is None:
            near = _nearest(_normalise_word(value), _EVENT_WORDS)
            reasons.append(f"unknown event type {show(value)}; did you mean {show(near)}?")
        else:
            reasons.append(None)
    return pl.DataFrame(
        {"value": values, "event_type": types, "reason": reasons},
        schema={"value": pl.String, "event_type": pl.String, "reason": pl.String},
    )


# Relationship words written as the canonical fallbacks themselves.
_RELATIONSHIPS = {**RELATIONSHIP_SYNONYMS, "unknown": "unknown", "other": "other"}


def _relationship_rule(values: pl.Series) -> pl.DataFrame:
    """Blank -> unknown; a word outside the list -> other (no rejection, a notice)."""
    word = _normalised_word(pl.col("value"))
    return pl.DataFrame({"value": values}).select(
        "value",
        pl.when(pl.col("value") == "")
        .then(pl.lit("unknown"))
        .otherwise(word.replace_strict(_RELATIONSHIPS, default="other"))
        .alias("relationship"),
        ((pl.col("value") != "") & ~word.is_in(list(_RELATIONSHIPS))).alias("relationship_unknown"),
        pl.lit(None, dtype=pl.String).alias("reason"),
    )


def _member_rule(values: pl.Series, blank_reason: str) -> pl.DataFrame:
    return pl.DataFrame({"value": values}).select(
        "value",
        pl.when(pl.col("value") != "").then(_normalised_word(pl.col("value"))).alias("member"),
        pl.when(pl.col("value") == "").then(pl.lit(blank_reason)).alias("reason"),
    )


def _contact_rule(values: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({"value": values}).select(
        "value",
        pl.col("value").alias("contact"),
        _normalised_word(pl.col("value")).alias("contact_key"),
        pl.when(pl.col("value") == "")
        .then(pl.lit("contact is required but blank"))
        .alias("reason"),
    )


def _yes_no_rule(values: pl.Series, column: str) -> pl.DataFrame:
    frame = pl.DataFrame({"value": values}).with_columns(
        parsed=_normalised_word(pl.col("value")).replace_strict(
            YES_NO, default=None, return_dtype=pl.Boolean
        )
    )
    frame = frame.with_columns(
        code=pl.when((pl.col("value") != "") & pl.col("parsed").is_null()).then(pl.lit("bad"))
    )
    return _with_reasons(
        frame,
        lambda row: f"{show(row['value'])} is not yes/no (yes, y, true, 1, x or no, n, false, 0)",
    ).select("value", pl.col("parsed").alias(column), "reason")


def _whole_number_rule(values: pl.Series, column: str, minimum: int, blank: int) -> pl.DataFrame:
    value = pl.col("value")
    shaped = value.str.contains(r"^[0-9]+(?:\.0+)?$")
    number = value.str.replace(r"\.0+$", "").str.to_integer(strict=False)
    frame = pl.DataFrame({"value": values}).with_columns(
        parsed=pl.when(value == "").then(pl.lit(blank, dtype=pl.Int64)).when(shaped).then(number)
    )
    frame = frame.with_columns(
        code=pl.when(pl.col("parsed").is_null() | (pl.col("parsed") < minimum)).then(pl.lit("bad"))
    ).with_columns(parsed=pl.when(pl.col("code").is_null()).then(pl.col("parsed")))

    def reason(row: dict) -> str:
        shaped = re.fullmatch(r"[0-9]+(?:\.0+)?", row["value"]) is not None
        if shaped and int(row["value"].split(".")[0]) >= minimum:
            return f"{show(row['value'])} is too large a number for {column}"
        return f"{show(row['value'])} is not a whole number >= {minimum}"

    return _with_reasons(frame, reason).select("value", pl.col("parsed").alias(column), "reason")


def _extra_cells_rule(values: pl.Series, header_width: int) -> pl.DataFrame:
    """Non-blank cells beyond the header's width reject the row (a comma in an unquoted cell?)."""
    frame = pl.DataFrame({"value": values}).with_columns(
        code=pl.when(pl.col("value") != "").then(pl.lit("extra"))
    )
    return _with_reasons(
        frame,
        lambda row: (
            f"the header has {header_width} columns but this row has more cells: "
            f"{show(row['value'])} (quote a cell that contains a comma)"
        ),
    ).select("value", "reason")


# -- One table -------------------------------------------------------------------------


@dataclass(frozen=True)
class _TableResult:
    valid: pl.DataFrame
    rejected: pl.DataFrame
    rows_rejected: int
    max_date: dt.date | None
    earliest_future: dt.date | None
    unknown_relationships: list[str]


def _join_rule(
    frame: pl.DataFrame,
    column: str,
    rule: Callable[[pl.Series], pl.DataFrame],
    outputs: list[str],
    *,
    per_row: bool = False,
) -> pl.DataFrame:
    """Run ``rule`` once per distinct cell text of ``column`` and add its outputs per row.

    Cells repeat a lot (dates, asks, yes/no), so the rule sees few values; the
    join runs on the key column alone and its result is stacked on ``frame``.
    ``per_row``: run the rule on every cell instead, for a cheap vectorised
    rule on a column whose cells are mostly distinct (contact names), where
    finding the distinct values and joining back costs more than the rule.
    """
    keys = frame.get_column(f"{column}__value")
    if per_row:
        table = rule(keys).select(*outputs, pl.col("reason").alias(f"{column}__reason"))
        if table.height != frame.height:
            raise RuntimeError(f"rule for {column} gave {table.height} rows for {frame.height}")
        return frame.hstack(table)
    distinct = keys.unique()
    table = rule(distinct).select(
        pl.col("value").alias(keys.name), *outputs, pl.col("reason").alias(f"{column}__reason")
    )
    if distinct.len() == 1:
        # One value for every row (e.g. an absent column): broadcast instead of joining.
        return frame.with_columns(
            pl.lit(table[name][0], table[name].dtype).alias(name) for name in table.columns[1:]
        )
    mapped = keys.to_frame().join(table, on=keys.name, how="left", maintain_order="left")
    return frame.hstack(mapped.drop(keys.name))


def _validate_table(
    table: RawTable,
    *,
    sheet_index: int,
    folder_key: str | None,
    as_of: dt.date,
    date_order: _ColumnDateOrder,
) -> _TableResult:
    is_calls = table.kind == "calls"
    unknown_relationships: list[str] = []
    contract = CALL_COLUMNS if is_calls else EVENT_COLUMNS
    date_column = DATE_COLUMNS[table.kind]
    where_label = "file" if table.sheet is None else "sheet"
    has_member_column = "member" in table.columns
    if not has_member_column and folder_key is None:
        where = "" if table.sheet is None else f"sheet {table.sheet!r}: "
        raise FileError(
            f"{where}no member column and the file is not in a member folder", table.header_line
        )

    frame = table.rows.select(
        "line",
        *[
            (pl.col(c).fill_null("") if c in table.columns else pl.lit("", dtype=pl.String)).alias(
                f"{c}__value"
            )
            for c in contract
        ],
        pl.col(EXTRA_CELLS).fill_null("").alias(f"{NO_COLUMN}__value"),
    )

    # member: the column where the file has one, else the member folder.
    if has_member_column:
        member_reason = f"member is blank (the {where_label} has a member column)"
        frame = _join_rule(frame, "member", lambda v: _member_rule(v, member_reason), ["member"])
    else:
        frame = frame.with_columns(
            member=pl.lit(folder_key, dtype=pl.String),
            member__reason=pl.lit(None, dtype=pl.String),
        )
    frame = _join_rule(frame, "contact", _contact_rule, ["contact", "contact_key"], per_row=True)
    frame = _join_rule(
        frame,
        date_column,
        lambda v: _date_rule(v, date_column, date_order, as_of),
        [date_column, "future", "future_date"],
    )
    frame = frame.with_columns(notes=pl.when(pl.col("notes__value") != "").then("notes__value"))
    if is_calls:
        frame = _join_rule(frame, "ask_type", _ask_rule, ["ask_label", "strategy"])
        frame = _join_rule(
            frame, "relationship", _relationship_rule, ["relationship", "relationship_unknown"]
        )
        frame = _join_rule(
            frame,
            "agreed_reference",
            lambda v: _yes_no_rule(v, "agreed_reference"),
            ["agreed_reference"],
        )
        for number_column in ("introductions", "leads"):
            frame = _join_rule(
                frame,
                number_column,
                lambda v, c=number_column: _whole_number_rule(v, c, minimum=0, blank=0),
                [number_column],
            )
        unknown_relationships = _unknown_relationships(frame)
    else:
        frame = _join_rule(frame, "event_type", _event_type_rule, ["event_type"])
        frame = _join_rule(
            frame, "count", lambda v: _whole_number_rule(v, "count", minimum=1, blank=1), ["count"]
        )
    frame = _join_rule(frame, NO_COLUMN, lambda v: _extra_cells_rule(v, table.header_width), [])
    # A required column missing from the header fails every row, with a reason saying so.
    frame = frame.with_columns(
        pl.lit(f"{c} is required but the {where_label} has no {c} column").alias(f"{c}__reason")
        for c in (CALL_REQUIRED if is_calls else EVENT_REQUIRED)
        if c not in table.columns
    )
    reason_columns = [
        c
        for c in dict.fromkeys(("member", *contract, NO_COLUMN))
        if f"{c}__reason" in frame.columns
    ]
    frame = frame.with_columns(
        rejected_row=pl.any_horizontal(
            [pl.col(f"{c}__reason").is_not_null() for c in reason_columns]
        )
    )

    rejected = pl.concat(
        [
            frame.filter(pl.col(f"{c}__reason").is_not_null()).select(
                pl.lit(table.source_file, dtype=pl.String).alias("source_file"),
                pl.lit(table.sheet, dtype=pl.String).alias("sheet"),
                pl.col("line"),
                pl.lit(c, dtype=pl.String).alias("column"),
                pl.col(f"{c}__value").alias("value"),
                pl.col(f"{c}__reason").alias("reason"),
                pl.col("member"),
                pl.lit(sheet_index, dtype=pl.Int64).alias("sheet_index"),
                pl.lit(_COLUMN_ORDER[c], dtype=pl.Int64).alias("column_index"),
            )
            for c in reason_columns
        ],
        how="vertical",
    )

    valid = frame.filter(~pl.col("rejected_row")).with_columns(
        source_file=pl.lit(table.source_file, dtype=pl.String),
        sheet=pl.lit(table.sheet, dtype=pl.String),
        source_line=pl.col("line"),
    )
    schema = CALL_ROW_SCHEMA if is_calls else EVENT_ROW_SCHEMA
    valid = valid.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])

    summary = frame.select(
        pl.col("rejected_row").sum().alias("rows_rejected"),
        pl.col(date_column).max().alias("max_date"),
        pl.col("future_date").min().alias("earliest_future"),
    ).row(0, named=True)
    return _TableResult(
        valid=valid,
        rejected=rejected,
        rows_rejected=int(summary["rows_rejected"]),
        max_date=summary["max_date"],
        earliest_future=summary["earliest_future"],
        unknown_relationships=unknown_relationships,
    )


def _unknown_relationships(frame: pl.DataFrame) -> list[str]:
    """The relationship values counted as ``other``, as written, in order of appearance."""
    return (
        frame.filter(pl.col("relationship_unknown"))
        .get_column("relationship__value")
        .unique(maintain_order=True)
        .to_list()
    )
