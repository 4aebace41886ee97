"""Cell text shared by the rules: blank as "", normalised words, values quoted in reasons."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

import polars as pl

from asklab.keys import WHITESPACE_CHARS, member_key

_REASON_VALUE_CHARS = 60
MAX_LISTED = 20


def cell(column: str) -> pl.Expr:
    """A (trimmed) cell, "" when missing."""
    return pl.col(column).fill_null("")


# The whitespace that collapsing changes: runs of two or more, and any single
# whitespace character other than a space (a lone space stays as it is, and
# most cells have nothing else, so most cells need no replacing).
_COLLAPSIBLE_WHITESPACE = f"[{WHITESPACE_CHARS}]{{2,}}|[{WHITESPACE_CHARS.replace(' ', '')}]"


def normalised_word(expr: pl.Expr) -> pl.Expr:
    """Lower-cased with inner whitespace runs collapsed: the form vocabularies are keyed by."""
    return expr.str.to_lowercase().str.replace_all(_COLLAPSIBLE_WHITESPACE, " ")


def normalise_word(text: str) -> str:
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


def nearest(word: str, choices: Sequence[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.0)
    return found[0] if found else choices[0]


def where(sheet: str | None, line: int) -> str:
    return f"line {line}" if sheet is None else f"row {line} of sheet {sheet!r}"


def with_reasons(frame: pl.DataFrame, reason: Callable[[dict], str]) -> pl.DataFrame:
    """Add ``reason``: ``reason(row)`` for rows with a ``code``, null elsewhere."""
    bad = frame.filter(pl.col("code").is_not_null())
    reasons = pl.Series("reason", [reason(row) for row in bad.iter_rows(named=True)], pl.String)
    bad = bad.select("value", reasons)
    return frame.join(bad, on="value", how="left", maintain_order="left")


# -- Word lists (sections 1.2, 1.4, 1.5, 1.6) --------------------------------------------
