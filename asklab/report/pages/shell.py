"""The Jinja2 templates of the pages, loaded once, and the page shell around a layout.

``templates/page.html`` is the shell (head with its CSP, ``style.css``,
header, footer); ``group.html``, ``member.html`` and ``index.html`` extend
it. Autoescaping is on: a ``{{ value }}`` that is not ``Markup`` is escaped by
``html_text`` (``&quot;`` and ``&#x27;`` for quotes, as the tables write them).
Tables and figures reach the templates as ``Markup`` built by
``asklab.report.frames`` and ``asklab.report.figures``.

A page with charts carries the Vega bundle and the embed script last. A page
is written as UTF-8 pieces, so the 0.9 MB of scripts are encoded once per
process and never copied into a joined page: the layout is rendered with a
mark where the scripts go and split there.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from asklab.report.assets.page_scripts import (
    chart_page_csp,
    chart_scripts,
    chart_scripts_utf8,
    content_security_policy,
)
from asklab.report.data import ReportData
from asklab.report.frames import formats as fmt
from asklab.report.markup import Markup, html_text

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# A page as UTF-8 pieces, written one after the other (see ``page_utf8``).
Page = tuple[bytes, ...]

# Where the chart scripts go. It holds a "<", which escaped user text never does
# (and script-safe JSON never does), so only the shell can write it.
_SCRIPTS_MARK = "<!--asklab:chart-scripts-->"


def _one_line(text: str) -> Markup:
    """Static template text written one element a line, as one line (no newlines)."""
    return Markup("".join(line.strip() for line in str(text).splitlines()))


@functools.cache
def environment() -> jinja2.Environment:
    """The templates' environment, made once per process (Jinja2 caches each template)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        finalize=html_text,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["count"] = fmt.count
    env.filters["url_path"] = quote
    env.filters["oneline"] = _one_line
    return env


def iso_week_label(day: dt.date) -> str:
    """'2026-W48' for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def footer(data: ReportData, as_of: dt.date) -> str:
    run = data.run_id if data.run_id is not None else "none recorded"
    return f"asklab report as of {as_of.isoformat()} (ISO week {iso_week_label(as_of)}); run {run}."


def page_parts(layout: str, *, has_charts: bool, **context: Any) -> tuple[str, str]:
    """The page from ``templates/<layout>`` before and after its scripts (none without charts).

    ``context`` is what the layout shows; the shell needs ``title``, ``heading``,
    ``lede`` and ``footer``.
    """
    csp = chart_page_csp() if has_charts else content_security_policy([])
    html = _render(layout, {**context, "csp": csp, "has_charts": has_charts})
    before, mark, after = html.rpartition(_SCRIPTS_MARK)
    if not mark or _SCRIPTS_MARK in before:
        raise RuntimeError(f"{layout}: the page shell must place its scripts exactly once")
    return before, after


def _render(layout: str, context: Mapping[str, Any]) -> str:
    return environment().get_template(layout).render(context, scripts=Markup(_SCRIPTS_MARK))


def page_html(layout: str, *, has_charts: bool, **context: Any) -> str:
    """A whole page. With charts, the Vega bundle and the embed script come last."""
    before, after = page_parts(layout, has_charts=has_charts, **context)
    return before + (chart_scripts() if has_charts else "") + after


def page_utf8(layout: str, *, has_charts: bool, **context: Any) -> Page:
    """``page_html`` as UTF-8 pieces to write one after the other.

    The 0.9 MB of chart scripts are encoded once per process and never copied
    into a joined page: each page's own HTML is the only new bytes.
    """
    before, after = page_parts(layout, has_charts=has_charts, **context)
    scripts = chart_scripts_utf8() if has_charts else b""
    return (before.encode("utf-8"), scripts, after.encode("utf-8"))
