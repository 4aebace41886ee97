"""Number formats used in the report tables."""

from __future__ import annotations

import datetime as dt

import polars as pl

from asklab.report.frames import formats as fmt


def test_percent_and_interval() -> None:
    assert fmt.pct(0.254) == "25%"
    assert fmt.pct(None) == "–"
    assert fmt.pct_interval(0.4, 0.17, 0.69) == "40% [17–69%]"
    assert fmt.pct_interval(0.4, None, None) == "40%"
    assert fmt.pct_interval(None, 0.1, 0.2) == "–"


def test_points_are_signed_and_zero_has_no_sign() -> None:
    assert fmt.signed_points(0.123) == "+12 pp"
    assert fmt.signed_points(-0.42) == "-42 pp"
    assert fmt.signed_points(-0.004) == "0 pp"
    assert fmt.points_interval(0.2, -0.19, 0.5) == "+20 pp [-19 to +50]"
    assert fmt.points_interval(0.01, 0.0, 0.02) == "+1 pp [0 to +2]"


def test_per_call_and_counts() -> None:
    assert fmt.per_call(0.8, 0.4, 1.4) == "0.80 [0.40–1.40]"
    assert fmt.per_call(0.25) == "0.25"
    assert fmt.signed_per_call(0.25 - 0.8) == "-0.55"
    assert fmt.signed_per_call(-0.001) == "0.00"
    assert fmt.fraction(4, 10) == "4 / 10"
    assert fmt.fraction(None, 3) == "0 / 3"
    assert fmt.count(12345) == "12,345"
    assert fmt.date(dt.date(2026, 1, 2)) == "2026-01-02"


def test_probability_never_claims_certainty() -> None:
    assert fmt.probability(0.8) == "80%"
    assert fmt.probability(0.004) == "<1%"
    assert fmt.probability(0.9999) == ">99%"
    assert fmt.probability(0.0) == "<1%"
    assert fmt.probability(1.0) == ">99%"


# -- The same formats for whole columns ------------------------------------------


def column_texts(expr: pl.Expr, **columns: list) -> list[str]:
    return pl.DataFrame(columns, strict=False).select(expr.alias("text"))["text"].to_list()


def test_count_column_groups_thousands_and_keeps_signs() -> None:
    texts = column_texts(fmt.count_expr(pl.col("n")), n=[0, 999, 1000, 1234567, -1234, None])
    assert texts == ["0", "999", "1,000", "1,234,567", "-1,234", "–"]


def test_date_column_is_iso_or_missing() -> None:
    texts = column_texts(fmt.date_expr(pl.col("d")), d=[dt.date(2026, 9, 1), None])
    assert texts == ["2026-09-01", "–"]


def test_percent_interval_column() -> None:
    expr = fmt.pct_interval_expr(pl.col("v"), pl.col("lo"), pl.col("hi"))
    texts = column_texts(expr, v=[0.4, 0.4, None, 0.254], lo=[0.17, None, 0.1, 0.1],
                         hi=[0.69, None, 0.2, 0.5])  # fmt: skip
    assert texts == ["40% [17–69%]", "40%", "–", "25% [10–50%]"]


def test_per_call_and_fraction_columns() -> None:
    per_call = fmt.per_call_expr(pl.col("v"), pl.col("lo"), pl.col("hi"))
    texts = column_texts(per_call, v=[0.8, 0.25, None], lo=[0.4, None, 0.1], hi=[1.4, None, 0.2])
    assert texts == ["0.80 [0.40–1.40]", "0.25", "–"]
    fraction = fmt.fraction_expr(pl.col("x"), pl.col("n"))
    assert column_texts(fraction, x=[4, None, 2], n=[10, 3, None]) == ["4 / 10", "0 / 3", "–"]
