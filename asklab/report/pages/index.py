"""The index page: every week's group report and member pages, newest week first."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from asklab.report.markup import Markup, esc
from asklab.report.pages.shell import page_html

WEEK_FOLDER = re.compile(r"^\d{4}-W\d{2}$")


@dataclass(frozen=True)
class WeekPages:
    week: str
    has_group: bool
    member_slugs: tuple[str, ...]


def scan_report_weeks(reports_dir: Path) -> list[WeekPages]:
    """Every week folder under ``reports_dir`` with its pages, newest week first."""
    weeks = []
    if not reports_dir.is_dir():
        return weeks
    for folder in reports_dir.iterdir():
        if not folder.is_dir() or not WEEK_FOLDER.match(folder.name):
            continue
        members_dir = folder / "members"
        slugs = (
            sorted(p.stem for p in members_dir.glob("*.html") if p.is_file())
            if members_dir.is_dir()
            else []
        )
        has_group = (folder / "group.html").is_file()
        if has_group or slugs:
            weeks.append(WeekPages(folder.name, has_group, tuple(slugs)))
    return sorted(weeks, key=lambda w: w.week, reverse=True)


def index_page(weeks: Sequence[WeekPages], *, as_of: dt.date) -> str:
    parts = []
    for week in weeks:
        base = quote(week.week)
        links = []
        if week.has_group:
            links.append(f'<li><a href="{base}/group.html">Group report</a></li>')
        links.extend(
            f'<li><a href="{base}/members/{quote(slug)}.html">{esc(slug)}</a></li>'
            for slug in week.member_slugs
        )
        parts.append(
            f'<section><h2 id="week-{esc(week.week)}">Week {esc(week.week)}</h2>'
            f'<ul class="pages">{"".join(links)}</ul></section>'
        )
    body = "".join(parts) or '<p class="empty">No reports yet.</p>'
    return page_html(
        title="asklab reports",
        nav=Markup(""),
        heading="asklab reports",
        lede="Every weekly group report and member page, newest week first.",
        body=Markup(body),
        has_charts=False,
        footer=f"Index written {as_of.isoformat()}.",
    )
