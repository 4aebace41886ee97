"""Dates (CONTRACT.md section 1.3): the accepted forms, the day/month order of a
column, and the date rule (not a date, not a calendar date, out of range).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

from asklab.ingest.cells import cell, show, where, with_reasons
from asklab.ingest.table import RawTable
from asklab.vocab import MONTHS

DateOrder = Literal["month-first", "day-first"]

# How far before as_of a date may lie (CONTRACT.md section 1.3, v2).
YEARS_BACK = 20


def earliest_accepted(as_of: dt.date) -> dt.date:
    """The same day ``YEARS_BACK`` years before ``as_of``; for a 29 February, 1 March.

    The contract names 1 March for a 29 February ``as_of`` even when that
    earlier year is a leap year too (as it is unless a century intervenes).
    """
    if (as_of.month, as_of.day) == (2, 29):
        return dt.date(as_of.year - YEARS_BACK, 3, 1)
    return as_of.replace(year=as_of.year - YEARS_BACK)


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
class ColumnDateOrder:
    """How the slashed/dotted dates of one column of one file are read."""

    order: Literal["month-first", "day-first", "inconsistent"]
    explanation: str = ""


def _day_month_parts(value: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    parts = value.str.extract_groups(_DAY_MONTH)
    first = parts.struct.field("1").cast(pl.Int64)
    second = pl.coalesce(parts.struct.field("2"), parts.struct.field("3")).cast(pl.Int64)
    return first, second, parts.struct.field("4")


def decide_date_order(
    tables: list[RawTable], column: str, configured: DateOrder
) -> ColumnDateOrder:
    """Day-first if some first part is > 12, month-first if some second part is; both: neither."""
    day_first_example: tuple[str, str] | None = None
    month_first_example: tuple[str, str] | None = None
    for table in tables:
        if column not in table.columns:
            continue
        # Parts of the distinct values first; rows are only searched for an example.
        first, second, _ = _day_month_parts(pl.col("value"))
        parts = (
            table.rows.select(cell(column).alias("value")).unique().with_columns(a=first, b=second)
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
        return ColumnDateOrder("inconsistent", explanation)
    if day_first_example:
        return ColumnDateOrder("day-first")
    if month_first_example:
        return ColumnDateOrder("month-first")
    return ColumnDateOrder(configured)


def _first_example(table: RawTable, column: str, hits: pl.DataFrame) -> tuple[str, str] | None:
    """(value, where) of the first row of ``table`` whose ``column`` is among ``hits``."""
    if hits.height == 0:
        return None
    row = table.rows.filter(cell(column).is_in(hits["value"].implode())).row(0, named=True)
    return row[column], where(table.sheet, row["line"])


def date_rule(
    values: pl.Series, column: str, order: ColumnDateOrder, as_of: dt.date
) -> pl.DataFrame:
    """Per distinct cell text: the date (as ``column``), reason, future, future_date.

    A date after ``as_of`` is rejected as future; one before
    :func:`earliest_accepted` as too old.
    """
    earliest = earliest_accepted(as_of)
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
        .when(pl.col("candidate") < pl.lit(earliest))
        .then(pl.lit("too_old"))
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
        if code == "too_old":
            return (
                f"date {row['candidate'].isoformat()} is more than {YEARS_BACK} years before "
                f"the run date {as_of.isoformat()} (the earliest accepted is "
                f"{earliest.isoformat()})"
            )
        return f"date {row['candidate'].isoformat()} is after the run date {as_of.isoformat()}"

    return with_reasons(frame, reason).select(
        "value",
        pl.when(pl.col("code").is_null()).then(pl.col("candidate")).alias(column),
        "reason",
        (pl.col("code") == "future").fill_null(False).alias("future"),
        pl.when(pl.col("code") == "future").then(pl.col("candidate")).alias("future_date"),
    )


# A plan's created date: YYYY-MM-DD and nothing else (CONTRACT.md section 7.1).
_STRICT_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def iso_date_rule(values: pl.Series, column: str, as_of: dt.date) -> pl.DataFrame:
    """:func:`date_rule` for a column written ``YYYY-MM-DD`` only: any other form
    (``2026/03/04``, a time part, ``4 March 2026``) is rejected as not that form."""
    checked = date_rule(values, column, ColumnDateOrder("month-first"), as_of)
    strict = pl.col("value").str.contains(_STRICT_ISO) | (pl.col("value") == "")
    other_form = [
        f"{show(value)} is not a YYYY-MM-DD date (write the {column} date as e.g. 2026-03-04)"
        for value in values.to_list()
    ]
    return checked.with_columns(
        pl.when(strict).then(pl.col(column)).alias(column),
        pl.when(strict).then(pl.col("reason")).otherwise(pl.Series(other_form)).alias("reason"),
        (strict & pl.col("future")).alias("future"),
        pl.when(strict).then(pl.col("future_date")).alias("future_date"),
    )
