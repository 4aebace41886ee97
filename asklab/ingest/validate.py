"""Apply the contract's value rules (CONTRACT.md sections 1.1-1.7) to raw tables.

Every rule is a vectorised Polars expression or, for the word lists, a
lookup computed once per distinct cell text and joined back; Python runs per
row only to word the reasons of rejected cells. A row breaking any rule is
left out of ``calls``/``events`` and each failing cell becomes one row of
``rejected``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from asklab.ingest.cells import MAX_LISTED, show
from asklab.ingest.dates import (
    ColumnDateOrder,
    DateOrder,
    date_rule,
    decide_date_order,
    iso_date_rule,
)
from asklab.ingest.discover import INPUT_SUFFIXES, discover, folder_member, source_name
from asklab.ingest.plan_files import check_plans_across_files
from asklab.ingest.plan_rules import (
    arm_rule,
    arms_rule,
    check_assignment,
    check_plan_level,
    plan_id_rule,
    reject_repeated_contacts,
    seed_rule,
)
from asklab.ingest.read import (
    DATE_COLUMNS,
    EXTRA_CELLS,
    FORMULA_WITHOUT_VALUE,
    FileError,
    FileRead,
    RawTable,
    read_file,
)
from asklab.ingest.rules import (
    ask_rule,
    contact_rule,
    event_type_rule,
    extra_cells_rule,
    member_rule,
    relationship_rule,
    whole_number_rule,
    yes_no_rule,
)
from asklab.keys import SLUG_MAX_CHARS, member_key, member_slug, member_slugs
from asklab.vocab import (
    CALL_COLUMNS,
    CALL_REQUIRED,
    EVENT_COLUMNS,
    EVENT_REQUIRED,
    PLAN_COLUMNS,
    PLAN_REQUIRED,
)

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

# The valid rows of a plan table, as the warehouse's plan_file_rows stores them.
PLAN_ROW_SCHEMA = pl.Schema(
    {
        "plan_id": pl.String,
        "member": pl.String,
        "created": pl.Date,
        "seed": pl.String,
        "arms": pl.String,
        "contact": pl.String,
        "contact_key": pl.String,
        "relationship": pl.String,
        "arm": pl.String,
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


_CONTRACT_COLUMNS = {"calls": CALL_COLUMNS, "events": EVENT_COLUMNS, "plan": PLAN_COLUMNS}
_REQUIRED_COLUMNS = {"calls": CALL_REQUIRED, "events": EVENT_REQUIRED, "plan": PLAN_REQUIRED}
_ROW_SCHEMAS = {"calls": CALL_ROW_SCHEMA, "events": EVENT_ROW_SCHEMA, "plan": PLAN_ROW_SCHEMA}

# Row rules in the order their rejections are listed within a line.
_COLUMN_ORDER = {
    name: index
    for index, name in enumerate(
        dict.fromkeys(("member", *CALL_COLUMNS, *EVENT_COLUMNS, *PLAN_COLUMNS, NO_COLUMN))
    )
}


@dataclass(frozen=True)
class ValidatedFile:
    """One file after validation.

    ``rows_total`` counts non-blank data rows; each is either in ``calls``/``events``/
    ``plans`` (the plan rows valid within their file, before the checks across
    files) or among the ``rows_rejected`` distinct (sheet, line) pairs of ``rejected``.
    ``max_date`` is the latest date that passed the date rule (also on rows
    rejected for another cell) and ``min_date`` the earliest (a later
    ``as_of`` rejects it once it is more than 20 years back);
    ``earliest_future_date`` the earliest date
    rejected for being after ``as_of``.
    """

    source_file: str
    calls: pl.DataFrame
    events: pl.DataFrame
    rejected: pl.DataFrame
    notices: list[str] = field(default_factory=list)
    plans: pl.DataFrame = field(default_factory=PLAN_ROW_SCHEMA.to_frame)
    rows_total: int = 0
    rows_rejected: int = 0
    blank_rows: int = 0
    has_future_rejections: bool = False
    max_date: dt.date | None = None
    earliest_future_date: dt.date | None = None
    min_date: dt.date | None = None


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
        kind: decide_date_order(
            [t for t in file_read.tables if t.kind == kind], DATE_COLUMNS[kind], date_order
        )
        for kind in ("calls", "events", "plan")
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
    plans = [r.valid for r, t in zip(results, file_read.tables, strict=True) if t.kind == "plan"]
    rejected = pl.concat([r.rejected for r in results], how="vertical")
    accepted_dates = [r.max_date for r in results if r.max_date is not None]
    earliest_dates = [r.min_date for r in results if r.min_date is not None]
    future_dates = [r.earliest_future for r in results if r.earliest_future is not None]
    # One notice per file for the relationships counted as "other".
    unknown = list(dict.fromkeys(v for r in results for v in r.unknown_relationships))
    if unknown:
        listed = ", ".join(show(v) for v in unknown[:MAX_LISTED])
        more = f" and {len(unknown) - MAX_LISTED} more" if len(unknown) > MAX_LISTED else ""
        notices.append(
            f"relationship values not in the contract, counted as 'other': {listed}{more}"
        )
    return ValidatedFile(
        source_file=file_read.source_file,
        calls=pl.concat(calls, how="vertical") if calls else CALL_ROW_SCHEMA.to_frame(),
        events=pl.concat(events, how="vertical") if events else EVENT_ROW_SCHEMA.to_frame(),
        plans=pl.concat(plans, how="vertical") if plans else PLAN_ROW_SCHEMA.to_frame(),
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
        min_date=min(earliest_dates, default=None),
    )


@dataclass(frozen=True)
class NoticeLine:
    """One notice of ``asklab validate``: ``FILE: notice: TEXT``."""

    file: str
    text: str

    def format(self) -> str:
        return f"{self.file}: notice: {self.text}"


@dataclass
class PathsReport:
    """What ``asklab validate`` found: problems, notices and counts.

    ``files_checked`` counts the input files read or tried (ignored files are
    not counted); ``rows_loadable`` the rows that would load.
    """

    problems: list[Problem] = field(default_factory=list)
    notices: list[NoticeLine] = field(default_factory=list)
    files_checked: int = 0
    rows_loadable: int = 0

    @property
    def rejects_anything(self) -> bool:
        """Whether a row or a file would be rejected (notices alone do not count)."""
        return bool(self.problems)

    def summary(self) -> str:
        return (
            f"{_count(self.files_checked, 'file')} checked: "
            f"{_count(self.rows_loadable, 'row')} would load, "
            f"{_count(len(self.problems), 'problem')}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def validate_paths(
    paths: Sequence[Path | str],
    raw_root: Path,
    *,
    as_of: dt.date,
    date_order: DateOrder = "month-first",
) -> list[Problem]:
    """The problems of :func:`check_paths` (kept for callers of the v1 API)."""
    return check_paths(paths, raw_root, as_of=as_of, date_order=date_order).problems


def check_paths(
    paths: Sequence[Path | str],
    raw_root: Path,
    *,
    as_of: dt.date,
    date_order: DateOrder = "month-first",
) -> PathsReport:
    """Problems, notices and counts of the given files and folders, for ``asklab validate``.

    A folder is searched like the raw root (:func:`discover`). A file's
    member folder is taken relative to ``raw_root`` when the file lies below
    it, else relative to the folder argument it was found in, else (a file
    named directly) it is the file's parent folder. Each file is read and
    validated as a run would (``read_file`` + :func:`validate_read`).
    Problems come per file in argument/discovery order, then by sheet and
    line; a folder that cannot be listed is a problem too (its files would be
    in error). Notices (ignored files and columns, skipped sheets, broken
    links, relationships counted as other, member page names) reject nothing.
    """
    report = PathsReport()
    seen: set[Path] = set()
    first_file_of_member: dict[str, str] = {}
    per_file: dict[str, list[Problem]] = {}
    plan_rows: list[pl.DataFrame] = []
    for shown_file, found_in in _expand_paths(paths, report):
        resolved = shown_file.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        below = _below(shown_file, raw_root, found_in)
        source_file = below if below is not None else shown_file.name
        member_folder = (
            folder_member(below) if below is not None else (resolved.parent.name or None)
        )
        shown = str(shown_file)
        report.files_checked += 1
        problems = per_file.setdefault(shown, [])
        try:
            file_read = read_file(shown_file, source_file)
            result = validate_read(
                file_read, member_folder=member_folder, as_of=as_of, date_order=date_order
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
        report.notices.extend(NoticeLine(shown, text) for text in result.notices)
        report.rows_loadable += result.calls.height + result.events.height
        plan_rows.append(result.plans.with_columns(source_file=pl.lit(shown, pl.String)))
        for member in (*result.calls["member"], *result.events["member"], *result.plans["member"]):
            first_file_of_member.setdefault(member, shown)
    report.rows_loadable += _check_plans_across_files(plan_rows, per_file)
    report.problems.extend(problem for problems in per_file.values() for problem in problems)
    report.notices.extend(_member_slug_notices(first_file_of_member))
    report.notices.sort(key=lambda n: n.file)  # stable: a file's notices stay in order
    return report


def _check_plans_across_files(
    plan_rows: list[pl.DataFrame], per_file: dict[str, list[Problem]]
) -> int:
    """The plan checks across the files given (as a run makes them, with the
    files in path order): a plan_id clash replaces the file's problems by
    the file-level error; a contact already in an earlier plan is a problem
    of its line. Returns the plan rows that would load."""
    if not plan_rows:
        return 0
    rows = pl.concat(plan_rows, how="vertical")
    across = check_plans_across_files(rows)
    for file, reason in across.errors.items():
        first_line = rows.filter(pl.col("source_file") == file)["source_line"].min()
        per_file[file] = [Problem(file, int(first_line or 1), NO_COLUMN, reason)]
    for row in across.rejected.iter_rows(named=True):
        problems = per_file[row["source_file"]]
        problems.append(
            Problem(row["source_file"], row["line"], row["column"], row["reason"], row["sheet"])
        )
        sheets = list(dict.fromkeys(p.sheet for p in problems))
        problems.sort(key=lambda p: (sheets.index(p.sheet), p.line))
    return sum(across.accepted.values())


def _member_slug_notices(first_file_of_member: dict[str, str]) -> list[NoticeLine]:
    """Notices for members whose page name is not their plain slug (empty, shared, cut)."""
    slugs = member_slugs(first_file_of_member)
    plain_users: dict[str, list[str]] = {}
    for key in first_file_of_member:
        plain_users.setdefault(member_slug(key), []).append(key)
    notices: list[NoticeLine] = []
    for key, file in first_file_of_member.items():
        plain, slug = member_slug(key), slugs[key]
        if not plain:
            text = (
                f"member {show(key)} has no letter a-z or digit for a page name; "
                f"its pages are named {slug!r}"
            )
        elif slug != plain:
            others = ", ".join(show(k) for k in plain_users[plain] if k != key)
            text = (
                f"member {show(key)} has the page name {plain!r} of {others} too; "
                f"its pages are named {slug!r}"
            )
        elif len(plain) == SLUG_MAX_CHARS and len(key) > SLUG_MAX_CHARS:
            text = f"member {show(key)} has a long name; its pages are named {slug!r}"
        else:
            continue
        notices.append(NoticeLine(file, text))
    return notices


def _expand_paths(
    paths: Sequence[Path | str], report: PathsReport
) -> list[tuple[Path, Path | None]]:
    """(file as shown to the user, folder argument it was found in) per input file.

    Discovery notices go to ``report.notices``; a folder that cannot be
    listed, a path that is not there and a named file of another type to
    ``report.problems``.
    """
    files: list[tuple[Path, Path | None]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            try:
                found = discover(path)
            except FileNotFoundError as exc:
                report.problems.append(Problem(str(given), 1, NO_COLUMN, str(exc)))
                continue
            files.extend((file, path) for file in found.files)
            report.notices.extend(NoticeLine(str(n.path), n.text) for n in found.notices)
            report.problems.extend(
                Problem(str(f.path), 1, NO_COLUMN, f.reason) for f in found.unreadable_folders
            )
        elif path.is_file():
            if path.name.lower().endswith(INPUT_SUFFIXES):
                files.append((path, None))
            else:
                reason = f"not an input file ({', '.join(INPUT_SUFFIXES)})"
                report.problems.append(Problem(str(given), 1, NO_COLUMN, reason))
        elif path.is_symlink():
            report.problems.append(Problem(str(given), 1, NO_COLUMN, "broken link"))
        else:
            report.problems.append(Problem(str(given), 1, NO_COLUMN, "no such file or folder"))
    return files


def _below(file: Path, raw_root: Path, found_in: Path | None) -> str | None:
    """The file's name relative to the raw root, else to the folder it was found in.

    Compared through links first (a file reached through a link below the
    root keeps that path), then with both sides resolved.
    """
    for folder in (raw_root, found_in):
        if folder is None:
            continue
        for path, base in (
            (Path(os.path.abspath(file)), Path(os.path.abspath(folder))),
            (file.resolve(), folder.resolve()),
        ):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
    return None


# -- One table -------------------------------------------------------------------------


@dataclass(frozen=True)
class _TableResult:
    valid: pl.DataFrame
    rejected: pl.DataFrame
    rows_rejected: int
    max_date: dt.date | None
    min_date: dt.date | None
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
    date_order: ColumnDateOrder,
) -> _TableResult:
    is_calls = table.kind == "calls"
    unknown_relationships: list[str] = []
    contract = _CONTRACT_COLUMNS[table.kind]
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
        frame = _join_rule(frame, "member", lambda v: member_rule(v, member_reason), ["member"])
    else:
        frame = frame.with_columns(
            member=pl.lit(folder_key, dtype=pl.String),
            member__reason=pl.lit(None, dtype=pl.String),
        )
    frame = _join_rule(frame, "contact", contact_rule, ["contact", "contact_key"], per_row=True)
    frame = _join_rule(
        frame,
        date_column,
        (lambda v: iso_date_rule(v, date_column, as_of))
        if table.kind == "plan"
        else (lambda v: date_rule(v, date_column, date_order, as_of)),
        [date_column, "future", "future_date"],
    )
    if "notes" in contract:
        frame = frame.with_columns(notes=pl.when(pl.col("notes__value") != "").then("notes__value"))
    if is_calls:
        frame = _join_rule(frame, "ask_type", ask_rule, ["ask_label", "strategy"])
        frame = _join_rule(
            frame, "relationship", relationship_rule, ["relationship", "relationship_unknown"]
        )
        frame = _join_rule(
            frame,
            "agreed_reference",
            lambda v: yes_no_rule(v, "agreed_reference"),
            ["agreed_reference"],
        )
        for number_column in ("introductions", "leads"):
            frame = _join_rule(
                frame,
                number_column,
                lambda v, c=number_column: whole_number_rule(v, c, minimum=0, blank=0),
                [number_column],
            )
        unknown_relationships = _unknown_relationships(frame)
    elif table.kind == "plan":
        frame = _plan_rules(frame, table)
        unknown_relationships = _unknown_relationships(frame)
    else:
        frame = _join_rule(frame, "event_type", event_type_rule, ["event_type"])
        frame = _join_rule(
            frame, "count", lambda v: whole_number_rule(v, "count", minimum=1, blank=1), ["count"]
        )
    frame = _join_rule(
        frame,
        NO_COLUMN,
        lambda v: extra_cells_rule(v, table.header_width, table.separator),
        [],
    )
    frame = _reject_unsaved_formulas(frame, table.unsaved_formulas)
    # A required column missing from the header fails every row, with a reason saying so.
    frame = frame.with_columns(
        pl.lit(f"{c} is required but the {where_label} has no {c} column").alias(f"{c}__reason")
        for c in _REQUIRED_COLUMNS[table.kind]
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
    schema = _ROW_SCHEMAS[table.kind]
    valid = valid.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])

    summary = frame.select(
        pl.col("rejected_row").sum().alias("rows_rejected"),
        pl.col(date_column).max().alias("max_date"),
        pl.col(date_column).min().alias("min_date"),
        pl.col("future_date").min().alias("earliest_future"),
    ).row(0, named=True)
    return _TableResult(
        valid=valid,
        rejected=rejected,
        rows_rejected=int(summary["rows_rejected"]),
        max_date=summary["max_date"],
        min_date=summary["min_date"],
        earliest_future=summary["earliest_future"],
        unknown_relationships=unknown_relationships,
    )


def _plan_rules(frame: pl.DataFrame, table: RawTable) -> pl.DataFrame:
    """The cell rules of a plan table, then the checks of the plan as a whole
    (CONTRACT.md sections 7.1-7.2); raises FileError for an inconsistent or
    edited plan."""
    frame = _join_rule(frame, "plan_id", plan_id_rule, ["plan_id"])
    frame = _join_rule(frame, "seed", seed_rule, ["seed"])
    frame = _join_rule(frame, "arms", arms_rule, ["arms"])
    frame = _join_rule(
        frame, "relationship", relationship_rule, ["relationship", "relationship_unknown"]
    )
    check_plan_level(frame, table)
    first_arms = frame.get_column("arms")[0] if frame.height else None
    plan_arms = tuple(first_arms.split("+")) if first_arms else None
    frame = _join_rule(frame, "arm", lambda v: arm_rule(v, plan_arms), ["arm"])
    check_assignment(frame, table)
    return reject_repeated_contacts(frame)


def _reject_unsaved_formulas(
    frame: pl.DataFrame, cells: tuple[tuple[int, str], ...]
) -> pl.DataFrame:
    """A workbook formula with no saved value rejects its row, whatever its column's rule."""
    for column in dict.fromkeys(c for _, c in cells):
        lines = pl.Series([line for line, c in cells if c == column], dtype=pl.Int64)
        previous = (
            pl.col(f"{column}__reason")
            if f"{column}__reason" in frame.columns
            else pl.lit(None, dtype=pl.String)
        )
        frame = frame.with_columns(
            pl.when(pl.col("line").is_in(lines.implode()))
            .then(pl.lit(FORMULA_WITHOUT_VALUE))
            .otherwise(previous)
            .alias(f"{column}__reason")
        )
    return frame


def _unknown_relationships(frame: pl.DataFrame) -> list[str]:
    """The relationship values counted as ``other``, as written, in order of appearance."""
    return (
        frame.filter(pl.col("relationship_unknown"))
        .get_column("relationship__value")
        .unique(maintain_order=True)
        .to_list()
    )
