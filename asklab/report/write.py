"""Writing the pages (CONTRACT section 5): ``index.html``, ``<YYYY-Www>/group.html``
and ``<YYYY-Www>/members/<slug>.html``.

``render_reports`` makes each page (``asklab.report.pages``) and writes it
atomically, leaving a page that is already on disk as it is; member pages
are made and written in parts so memory stays bounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from asklab.keys import member_slugs
from asklab.report.data import MemberData, ReportData
from asklab.report.pages.group import group_page
from asklab.report.pages.index import index_page, scan_report_weeks
from asklab.report.pages.member import member_page, member_parts
from asklab.report.pages.shell import Page, iso_week_label


def member_page_names(members: Sequence[MemberData]) -> dict[str, str]:
    """Member key -> page name (CONTRACT section 1 slug, hashed when empty or
    shared), over every member the pages show: no member name fails a run."""
    return member_slugs(member.member for member in members)


def _write(path: Path, page: Page) -> Path:
    """Write via a temporary file and rename, so a reader never sees half a page.

    A page that is already on disk as it is (a rerun in the same week with
    nothing changed) is left alone: reading it back costs less than writing.
    """
    if _is_on_disk(path, page):
        return path
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as out:
        out.writelines(page)
    partial.replace(path)
    return path


def _is_on_disk(path: Path, page: Page) -> bool:
    try:
        if path.stat().st_size != sum(len(part) for part in page):
            return False
        with path.open("rb") as on_disk:
            # Part by part, stopping at the first difference: a page that changed
            # (another as_of in the same week) differs before its 0.9 MB of scripts.
            return all(on_disk.read(len(part)) == part for part in page)
    except OSError:
        return False


# Pages are written by a few threads (at most a run's ``threads``): writing releases
# the GIL, and with a 0.9 MB Vega bundle in every page, copying the bytes to the OS
# is a good part of the stage.
WRITE_THREADS = 4


# Member pages are made, then written, this many at a time: at most this many
# pages wait in memory. A part is written while nothing else runs: a writer
# thread needs the GIL back after every system call, and a main thread busy
# making pages would hold it for up to the switch interval (5 ms) each time.
MEMBERS_PER_PART = 1000


def _write_all(pages: Sequence[tuple[Path, Page]], threads: int) -> list[Path]:
    """Write ``pages`` (path, content) with up to ``threads`` threads; return the
    paths in the order given."""
    if len(pages) <= 1 or threads <= 1:
        return [_write(path, page) for path, page in pages]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(_write, path, page) for path, page in pages]
        return [future.result() for future in futures]


def render_reports(
    data: ReportData, reports_dir: Path, *, as_of: dt.date, threads: int | None = None
) -> list[Path]:
    """Write the week's group and member pages, then the index; return the paths written.

    Member pages of this week left from an earlier run for a member who is no
    longer in the data are removed, so the index lists only current pages.
    Pages are written on up to ``threads`` threads (None: ``WRITE_THREADS``).
    """
    write_threads = min(WRITE_THREADS, threads or WRITE_THREADS)
    slugs = member_page_names(data.members)
    week_dir = reports_dir / iso_week_label(as_of)
    members_dir = week_dir / "members"
    week_dir.mkdir(parents=True, exist_ok=True)
    if data.members:
        members_dir.mkdir(exist_ok=True)

    written = [_write(week_dir / "group.html", group_page(data, as_of=as_of))]
    for start in range(0, len(data.members), MEMBERS_PER_PART):
        members = data.members[start : start + MEMBERS_PER_PART]
        pages = [
            (
                members_dir / f"{slugs[member.member]}.html",
                member_page(data, member, parts, as_of=as_of),
            )
            for member, parts in zip(members, member_parts(data, members), strict=True)
        ]
        written += _write_all(pages, write_threads)
        del pages  # before the next part is made
    current = set(written)
    if members_dir.is_dir():
        for stale in members_dir.glob("*.html"):
            if stale not in current:
                stale.unlink()
    index = index_page(scan_report_weeks(reports_dir), as_of=as_of)
    written.append(_write(reports_dir / "index.html", (index.encode("utf-8"),)))
    return written
