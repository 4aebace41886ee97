"""Apply the contract's value rules (CONTRACT.md sections 1.1-1.7) to raw tables.

Every rule is a vectorised Polars expression or, for the word lists, a
lookup computed once per distinct cell text and joined back; Python runs per
row only to word the reasons of rejected cells. A row breaking any rule is
left out of ``calls``/``events`` and each failing cell becomes one row of
``rejected``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
from asklab.ingest.discover import folder_member, source_name
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
from asklab.ingest.row_schemas import (
    CALL_ROW_SCHEMA,
    EVENT_ROW_SCHEMA,
    NO_COLUMN,
    PLAN_ROW_SCHEMA,
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
from asklab.keys import member_key
from asklab.vocab import (
    CALL_COLUMNS,
    CALL_REQUIRED,
    EVENT_COLUMNS,
    EVENT_REQUIRED,
    PLAN_COLUMNS,
    PLAN_REQUIRED,
)

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
