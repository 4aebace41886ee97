"""Escaping: every text that reaches a page goes through ``esc`` unless it is ``Markup``.

``Markup`` is HTML built from escaped parts; ``esc`` leaves it alone.
``esc_expr`` does the same to a whole Polars column, for the tables of every
member page written in one pass (``asklab.report.frames.html_tables``).
"""

from __future__ import annotations

import html
import re

import polars as pl


class Markup(str):
    """Text that is already HTML (built from escaped parts): ``esc`` leaves it alone."""

    __slots__ = ()


_NEEDS_ESCAPE = re.compile("[&<>\"']")


def esc(value: object) -> str:
    """Escape any value for HTML text or an attribute; None becomes ''."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    text = str(value)
    # Most cells are plain text: finding that out is cheaper than escaping.
    return html.escape(text, quote=True) if _NEEDS_ESCAPE.search(text) else text


_HTML_SPECIAL = ["&", "<", ">", '"', "'"]


_HTML_ESCAPED = ["&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"]


_HTML_SPECIAL_CLASS = "[&<>\"']"


def esc_expr(text: pl.Expr) -> pl.Expr:
    """``esc`` for a String column: escaped like ``html.escape(quote=True)``; null is ''."""
    # Most cells need nothing: finding those first is much faster than replacing in all.
    special = text.str.contains(_HTML_SPECIAL_CLASS)
    escaped = pl.when(special).then(text.str.replace_many(_HTML_SPECIAL, _HTML_ESCAPED))
    return escaped.otherwise(text).fill_null("")
