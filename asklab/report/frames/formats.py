"""Number formats for the report tables: plain text, escaped later by the HTML layer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl

MISSING = "–"  # an en dash: no value (n = 0, or not computed)


def pct(value: float | None) -> str:
    """A share as a whole percent: 0.254 -> '25%'."""
    if value is None:
        return MISSING
    return f"{_whole_percent(value)}%"


def pct_interval(value: float | None, lo: float | None, hi: float | None) -> str:
    """'25% [10–50%]'; the rate alone when the interval is missing."""
    if value is None:
        return MISSING
    if lo is None or hi is None:
        return pct(value)
    return f"{pct(value)} [{_whole_percent(lo)}–{_whole_percent(hi)}%]"


def signed_points(value: float | None) -> str:
    """A difference of shares in percentage points: 0.123 -> '+12 pp', -0.004 -> '0 pp'."""
    if value is None:
        return MISSING
    return f"{signed_int(whole_points(value))} pp"


def points_interval(value: float | None, lo: float | None, hi: float | None) -> str:
    """'+12 pp [-3 to +26]'."""
    if value is None:
        return MISSING
    if lo is None or hi is None:
        return signed_points(value)
    return (
        f"{signed_points(value)} [{signed_int(whole_points(lo))} to {signed_int(whole_points(hi))}]"
    )


def whole_points(share: float) -> int:
    """A share (or a difference of shares) as whole percentage points: 0.123 -> 12."""
    return round(share * 100)


def signed_int(value: int) -> str:
    """'+12', '-3', and '0' without a sign."""
    return "0" if value == 0 else f"{value:+d}"


def per_call(value: float | None, lo: float | None = None, hi: float | None = None) -> str:
    """Leads per call with two decimals: '0.42 [0.31–0.55]'."""
    if value is None:
        return MISSING
    if lo is None or hi is None:
        return _two_decimals(value)
    return f"{_two_decimals(value)} [{_two_decimals(lo)}–{_two_decimals(hi)}]"


def signed_per_call(value: float | None) -> str:
    if value is None:
        return MISSING
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def fraction(x: int | None, n: int | None) -> str:
    """'12 / 30' (x of n)."""
    if n is None:
        return MISSING
    return f"{0 if x is None else x} / {n}"


def count(value: int | None) -> str:
    """A whole number with thousands separators."""
    if value is None:
        return MISSING
    return f"{value:,}"


def date(value: dt.date | None) -> str:
    return MISSING if value is None else value.isoformat()


def probability(value: float | None) -> str:
    """P(reference better) as a percent, with the extremes kept honest (never 0% or 100%)."""
    if value is None:
        return MISSING
    if value < 0.01:
        return "<1%"
    if value > 0.99:
        return ">99%"
    return f"{value * 100:.0f}%"


# -- The same formats for a whole column (tables of many rows, see html_tables.tables_html) --
# Each distinct value is formatted once by the Python function above, so a
# column reads exactly as the per-value format would write it.


def texts_expr(value: pl.Expr, format_one: Callable[[Any], str]) -> pl.Expr:
    """``format_one`` of each non-null value of a column; null stays null."""

    def format_column(values: pl.Series) -> pl.Series:
        distinct = values.drop_nulls().unique().to_list()
        texts = [format_one(v) for v in distinct]
        return values.replace_strict(distinct, texts, default=None, return_dtype=pl.String)

    return value.map_batches(format_column, return_dtype=pl.String)


def count_expr(value: pl.Expr) -> pl.Expr:
    """``count`` for an integer column: '1,234,567'; null is ``MISSING``."""
    return texts_expr(value, count).fill_null(MISSING)


def date_expr(value: pl.Expr) -> pl.Expr:
    """``date`` for a Date column: ISO 'YYYY-MM-DD'; null is ``MISSING``."""
    return texts_expr(value, date).fill_null(MISSING)


def _whole_percent(value: float) -> str:
    return f"{value * 100:.0f}"


def _two_decimals(value: float) -> str:
    return f"{value:.2f}"


def _interval_expr(
    value: pl.Expr, lo: pl.Expr, hi: pl.Expr, number: Callable[[Any], str], unit: str
) -> pl.Expr:
    def text(column: pl.Expr) -> pl.Expr:
        return texts_expr(column, number)

    alone = pl.concat_str(text(value), pl.lit(unit))
    both = pl.concat_str(
        text(value), pl.lit(f"{unit} ["), text(lo), pl.lit("–"), text(hi), pl.lit(f"{unit}]")
    )
    return (
        pl.when(value.is_null())
        .then(pl.lit(MISSING))
        .when(lo.is_null() | hi.is_null())
        .then(alone)
        .otherwise(both)
    )


def pct_interval_expr(value: pl.Expr, lo: pl.Expr, hi: pl.Expr) -> pl.Expr:
    """``pct_interval`` for columns: '25% [10–50%]'."""
    return _interval_expr(value, lo, hi, _whole_percent, "%")


def per_call_expr(value: pl.Expr, lo: pl.Expr, hi: pl.Expr) -> pl.Expr:
    """``per_call`` for columns: '0.42 [0.31–0.55]'."""
    return _interval_expr(value, lo, hi, _two_decimals, "")


def fraction_expr(x: pl.Expr, n: pl.Expr) -> pl.Expr:
    """``fraction`` for columns: '12 / 30'."""
    text = pl.concat_str(x.fill_null(0).cast(pl.String), pl.lit(" / "), n.cast(pl.String))
    return pl.when(n.is_null()).then(pl.lit(MISSING)).otherwise(text)
