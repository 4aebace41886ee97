"""Escaping: every text that reaches a page is escaped unless it is ``Markup``.

``Markup`` (``markupsafe.Markup``, as Jinja2 uses) is HTML built from escaped
parts; ``esc`` leaves it alone. ``esc`` writes ``&quot;`` and ``&#x27;`` for
quotes, like ``html.escape(quote=True)``; the templates use the same escaping
through ``html_text`` (see ``asklab.report.pages.shell``). ``esc_expr`` does
the same to a whole Polars column, for the tables of every member page
written in one pass (``asklab.report.frames.html_tables``).

Careful with ``Markup`` arithmetic: ``Markup + str`` escapes the ``str``
(markupsafe's rule); join plain strings first and wrap the result once.
"""

from __future__ import annotations

import html
import re

import polars as pl
from markupsafe import Markup

__all__ = ["Markup", "esc", "esc_expr", "html_text"]

_NEEDS_ESCAPE = re.compile("[&<>\"']")


def esc(value: object) -> str:
    """Escape any value for HTML text or an attribute; None becomes ''."""
    if hasattr(value, "__html__"):  # Markup, and anything else that is HTML already
        return value.__html__()
    if value is None:
        return ""
    text = str(value)
    # Most cells are plain text: finding that out is cheaper than escaping.
    return html.escape(text, quote=True) if _NEEDS_ESCAPE.search(text) else text


def html_text(value: object) -> Markup:
    """``esc`` as ``Markup``: what a template writes for ``{{ value }}``.

    Called for every ``{{ }}`` of every page, so it skips ``Markup.__new__``
    (a Python-level constructor): the text is escaped already.
    """
    if type(value) is Markup:
        return value
    return str.__new__(Markup, esc(value))


_HTML_SPECIAL = ["&", "<", ">", '"', "'"]


_HTML_ESCAPED = ["&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"]


_HTML_SPECIAL_CLASS = "[&<>\"']"


def esc_expr(text: pl.Expr) -> pl.Expr:
    """``esc`` for a String column: escaped like ``html.escape(quote=True)``; null is ''."""
    # Most cells need nothing: finding those first is much faster than replacing in all.
    special = text.str.contains(_HTML_SPECIAL_CLASS)
    escaped = pl.when(special).then(text.str.replace_many(_HTML_SPECIAL, _HTML_ESCAPED))
    return escaped.otherwise(text).fill_null("")
