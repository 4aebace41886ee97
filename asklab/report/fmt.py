"""Number formats for the report tables: plain text, escaped later by the HTML layer."""

from __future__ import annotations

import datetime as dt

MISSING = "–"  # an en dash: no value (n = 0, or not computed)


def pct(value: float | None) -> str:
    """A share as a whole percent: 0.254 -> '25%'."""
    if value is None:
        return MISSING
    return f"{value * 100:.0f}%"


def pct_interval(value: float | None, lo: float | None, hi: float | None) -> str:
    """'25% [10–50%]'; the rate alone when the interval is missing."""
    if value is None:
        return MISSING
    if lo is None or hi is None:
        return pct(value)
    return f"{pct(value)} [{lo * 100:.0f}–{hi * 100:.0f}%]"


def signed_points(value: float | None) -> str:
    """A difference of shares in percentage points: 0.123 -> '+12 pp', -0.004 -> '0 pp'."""
    if value is None:
        return MISSING
    points = round(value * 100)
    return "0 pp" if points == 0 else f"{points:+d} pp"


def points_interval(value: float | None, lo: float | None, hi: float | None) -> str:
    """'+12 pp [-3 to +26]'."""
    if value is None:
        return MISSING
    if lo is None or hi is None:
        return signed_points(value)
    return f"{signed_points(value)} [{_signed(lo)} to {_signed(hi)}]"


def _signed(value: float) -> str:
    points = round(value * 100)
    return "0" if points == 0 else f"{points:+d}"


def per_call(value: float | None, lo: float | None = None, hi: float | None = None) -> str:
    """Leads per call with two decimals: '0.42 [0.31–0.55]'."""
    if value is None:
        return MISSING
    if lo is None or hi is None:
        return f"{value:.2f}"
    return f"{value:.2f} [{lo:.2f}–{hi:.2f}]"


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
