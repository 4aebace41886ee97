"""The index page: every week's group report and member pages, newest week first."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
    """The index (``templates/index.html``): every week's pages, newest week first."""
    return page_html(
        "index.html",
        has_charts=False,
        title="asklab reports",
        heading="asklab reports",
        lede="Every weekly group report and member page, newest week first.",
        footer=f"Index written {as_of.isoformat()}.",
        weeks=weeks,
    )
