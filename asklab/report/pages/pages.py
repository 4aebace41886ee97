"""The report pages (CONTRACT section 5): group, member and index pages.

``render_reports`` writes ``index.html``, ``<YYYY-Www>/group.html`` and
``<YYYY-Www>/members/<slug>.html`` from a ``ReportData``. The group page is
built from aggregates only and never shows a contact's name or key, nor any
notes; a member page shows that member's own follow-ups and rejected rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import polars as pl

from asklab.ingest import member_slug
from asklab.report.data import MemberData, ReportData
from asklab.report.figures.figures import (
    forest_figure,
    km_figure,
    lead_timing_figure,
    rates_figure,
    relationship_figure,
    versus_figures,
    weekly_figure,
    weekly_figures,
)
from asklab.report.frames import formats as fmt
from asklab.report.frames.tables import (
    GROUP,
    MEMBER,
    data_quality_table,
    headline_table,
    member_mix_table,
    rows_by_scope,
    rows_of,
    scope_rows,
)
from asklab.report.marts import ACTIVE_DAYS, REFERENCE_FOLLOW_UP_DAYS, iso_week_start
from asklab.report.pages.html import (
    Column,
    Figure,
    Markup,
    esc,
    esc_expr,
    figure_html,
    page_html,
    page_utf8,
    tables_html,
    tiles_html,
)

WEEK_FOLDER = re.compile(r"^\d{4}-W\d{2}$")

# A page as UTF-8 pieces, written one after the other (see ``page_utf8``).
Page = tuple[bytes, ...]


def iso_week_label(day: dt.date) -> str:
    """'2026-W48' for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# -- Pages ---------------------------------------------------------------------------


METHODS_NOTE = Markup(
    "<section class='methods'><h2 id='methods'>How to read this report</h2>"
    "<ul>"
    "<li><strong>Strategy.</strong> A call is a <em>job</em> call when you asked for a job "
    "lead but not a reference, a <em>reference</em> call for the reverse, <em>mixed</em> "
    "when you asked for both and <em>other</em> when you asked for neither.</li>"
    "<li><strong>Yes rate.</strong> The share of calls where the contact said yes to what "
    "you asked (a lead, agreeing to be a reference, an introduction). Calls that only asked "
    "for advice have no yes or no and are left out.</li>"
    "<li><strong>Mature calls.</strong> Leads and introductions can arrive weeks after a "
    "call, so those rates count only calls whose follow-up window is over; younger calls "
    "are counted once they mature.</li>"
    "<li><strong>Intervals.</strong> Each rate comes with a 95% interval (Wilson for "
    "rates, exact Poisson for leads per call; Newcombe for a difference). A wide interval "
    "means few calls: the true rate could be anywhere in it.</li>"
    "<li><strong>P(reference better).</strong> The chance that reference asks truly beat "
    "job asks on that metric, given these calls and no prior preference.</li>"
    "<li><strong>Within-member difference.</strong> Compares each member's reference asks "
    "with their own job asks and then averages (Mantel-Haenszel), so differences between "
    "people do not masquerade as a difference between asks.</li>"
    "<li><strong>Flags.</strong> <em>Small sample</em>: fewer than 10 calls on a side, so "
    "read the numbers as a hint. <em>Immature calls excluded</em>: recent calls not yet "
    "counted.</li>"
    "<li><strong>Privacy.</strong> This page shows counts only: no contact names and no "
    "notes.</li>"
    "</ul></section>"
)


def _kpi_tiles(data: ReportData, as_of: dt.date) -> Markup:
    k = data.kpis
    rejected_note = "no run recorded" if data.run_id is None else "in this run's load log"
    return tiles_html(
        [
            (
                fmt.count(k.calls_this_week),
                "Calls this week",
                f"since {iso_week_start(as_of).isoformat()}",
            ),
            (fmt.count(k.calls_total), "Calls in total", "every call in the warehouse"),
            (
                fmt.count(k.active_members),
                "Active members",
                f"of {k.members_with_calls}; a call in the last {ACTIVE_DAYS} days",
            ),
            (fmt.count(k.mature_calls), "Mature calls", "follow-up window over"),
            (
                fmt.count(k.rows_rejected_run),
                "Rows rejected this run",
                f"{rejected_note}; {k.rejected_rows_stored} in the warehouse",
            ),
        ]
    )


def _section(anchor: str, heading: str, *parts: str) -> str:
    return f'<section id="{esc(anchor)}"><h2>{esc(heading)}</h2>{"".join(parts)}</section>'


def _optional_figure(figure: Figure | None, empty: str) -> str:
    return figure_html(figure) if figure is not None else f'<p class="empty">{esc(empty)}</p>'


def _footer(data: ReportData, as_of: dt.date) -> str:
    run = data.run_id if data.run_id is not None else "none recorded"
    return f"asklab report as of {as_of.isoformat()} (ISO week {iso_week_label(as_of)}); run {run}."


def group_page(data: ReportData, *, as_of: dt.date) -> Page:
    """The group page (UTF-8): aggregates only, no contact names or keys, no notes."""
    week = iso_week_label(as_of)
    group_strategy = scope_rows(data.by_strategy, None)
    group_comparison = scope_rows(data.comparison, None)
    figures = [
        rates_figure(group_strategy, key="rates", subtitle="Whole group, 95% intervals"),
        km_figure(data.time_to_first_lead, key="time-to-lead"),
        lead_timing_figure(scope_rows(data.lead_timing, None), key="lead-timing"),
        relationship_figure(data.by_relationship, key="relationship"),
        weekly_figure(
            scope_rows(data.weekly_activity, None),
            key="weekly",
            title="Weekly activity",
            subtitle="Calls per week by ask strategy, whole group",
        ),
        forest_figure(data, key="members-comparison"),
    ]
    rates, km, timing, relationship, weekly, forest = figures
    body = "".join(
        [
            _kpi_tiles(data, as_of),
            _section(
                "results",
                "Reference asks against job asks",
                "<p>Every metric for the whole group, reference asks (without a job ask) "
                "against job asks (without a reference ask). Mixed and other calls are in "
                "the charts below.</p>",
                headline_table(
                    rows_of(group_strategy),
                    rows_of(group_comparison),
                    with_mh=True,
                    caption="Whole group. x / n: calls with the outcome / calls counted.",
                ),
            ),
            _section("rates", "Rates by strategy", _optional_figure(rates, "No calls yet.")),
            _section(
                "time-to-lead",
                "How soon leads come",
                _optional_figure(km, "No calls yet."),
                _optional_figure(timing, "No mature calls yet."),
            ),
            _section(
                "relationship",
                "Whom you asked",
                _optional_figure(relationship, "No calls yet."),
            ),
            _section("activity", "Activity", _optional_figure(weekly, "No calls yet.")),
            _section(
                "members",
                "Comparing strategies across the group",
                member_mix_table(data),
                _optional_figure(
                    forest, "No member has asked both ways on a metric with results yet."
                ),
            ),
            _section(
                "data-quality",
                "Data quality",
                "<p>Rows that broke a rule were left out of every number above. Events "
                "that match no call of the same contact within the window are kept but "
                "unattributed.</p>",
                data_quality_table(data.member_summary),
            ),
            METHODS_NOTE,
        ]
    )
    return page_utf8(
        title=f"asklab group report {week}",
        nav=Markup('<a href="../index.html">All reports</a>'),
        heading=f"Group report, week {week}",
        lede=f"Which networking asks work, as of {as_of.isoformat()}.",
        body=Markup(body),
        has_charts=any(f is not None for f in figures),
        footer=_footer(data, as_of),
    )


# -- Member page -----------------------------------------------------------------------


def _member_tiles(member: MemberData) -> Markup:
    return tiles_html(
        [
            (fmt.count(member.calls_this_week), "Your calls this week", ""),
            (fmt.count(member.calls_total), "Your calls in total", ""),
            (fmt.count(member.mature_calls), "Mature calls", "follow-up window over"),
            (
                fmt.count(member.unattributed_events),
                "Unattributed events",
                f"of {member.events} events",
            ),
            (fmt.count(member.rejected_rows), "Rows rejected", "see the list below"),
        ]
    )


REFERENCE_COLUMNS = [
    Column("Contact"),
    Column("Agreed on"),
    Column("Last call"),
    Column("Days since", numeric=True),
]
REACHED_OUT_COLUMNS = [
    Column("Contact"),
    Column("Date"),
    Column("Times", numeric=True),
    Column("Matched to a call"),
]
INTRODUCTION_COLUMNS = [
    Column("Contact"),
    Column("Date"),
    Column("Introductions", numeric=True),
    Column("When"),
]
REJECTED_COLUMNS = [
    Column("File"),
    Column("Sheet"),
    Column("Line", numeric=True),
    Column("Column"),
    Column("Value as written"),
    Column("Reason"),
]


def _text_or_missing(column: str) -> pl.Expr:
    """A text cell that shows ``MISSING`` when null or empty."""
    value = pl.col(column)
    return (
        pl.when(value.is_null() | (value == ""))
        .then(pl.lit(fmt.MISSING))
        .otherwise(esc_expr(value))
    )


def more_rows_note(shown: int, total: int, text: str) -> str:
    """Under a cut list: ``text`` (with ``{shown}`` and ``{total}``) when rows were left out."""
    if total <= shown:
        return ""
    return f'<p class="more">{esc(text.format(shown=fmt.count(shown), total=fmt.count(total)))}</p>'


def follow_up_sections_of(members: Sequence[MemberData]) -> list[str]:
    """Each member's follow-up lists (references, reached out, introductions), all
    members' rows written at once: these lists grow with the member's calls."""
    references = tables_html(
        [m.references_to_call for m in members],
        REFERENCE_COLUMNS,
        [
            esc_expr(pl.col("contact")),
            fmt.date_expr(pl.col("agreed_on")),
            fmt.date_expr(pl.col("last_call")),
            fmt.count_expr(pl.col("days_since_last_call")),
        ],
        caption=(
            f"Agreed to be a reference and not called for {REFERENCE_FOLLOW_UP_DAYS} days "
            "or more: keep them warm."
        ),
        empty="Nobody to call back: every contact who agreed to be a reference was called "
        f"in the last {REFERENCE_FOLLOW_UP_DAYS} days.",
    )
    reached = tables_html(
        [m.reached_out for m in members],
        REACHED_OUT_COLUMNS,
        [
            esc_expr(pl.col("contact")),
            fmt.date_expr(pl.col("event_date")),
            fmt.count_expr(pl.col("count")),
            pl.when(pl.col("attributed")).then(pl.lit("yes")).otherwise(pl.lit("no")),
        ],
        caption="Contacts who reached out to you, newest first.",
        empty="No contact has reached out yet.",
    )
    intros = tables_html(
        [m.introductions for m in members],
        INTRODUCTION_COLUMNS,
        [
            esc_expr(pl.col("contact")),
            fmt.date_expr(pl.col("received_on")),
            fmt.count_expr(pl.col("introductions")),
            esc_expr(pl.col("source")),
        ],
        caption="Introductions you received, newest first.",
        empty="No introductions yet.",
    )
    return [
        "".join(
            [
                "<h3>References to call back</h3>",
                reference_table,
                more_rows_note(
                    m.references_to_call.height,
                    m.references_to_call_total,
                    "Showing the {shown} longest since their last call, of {total}.",
                ),
                "<h3>Contacts who reached out</h3>",
                reached_table,
                more_rows_note(
                    m.reached_out.height,
                    m.reached_out_total,
                    "Showing the newest {shown} of {total}.",
                ),
                "<h3>Introductions received</h3>",
                intro_table,
                more_rows_note(
                    m.introductions.height,
                    m.introductions_total,
                    "Showing the newest {shown} of {total}.",
                ),
            ]
        )
        for m, reference_table, reached_table, intro_table in zip(
            members, references, reached, intros, strict=True
        )
    ]


def rejected_tables(members: Sequence[MemberData]) -> list[Markup]:
    """Each member's rejected cells, all members' rows written at once."""
    tables = tables_html(
        [m.rejected for m in members],
        REJECTED_COLUMNS,
        [
            esc_expr(pl.col("source_file")),
            _text_or_missing("sheet"),
            fmt.count_expr(pl.col("line")),
            _text_or_missing("column"),
            esc_expr(pl.col("value")),
            esc_expr(pl.col("reason")),
        ],
        caption="Fix these cells in your spreadsheet; the rows load on the next run.",
        empty="No rejected rows: every row of your files loaded.",
    )
    return [
        Markup(
            table
            + more_rows_note(
                m.rejected.height,
                m.rejected_total,
                "Showing the first {shown} of {total} rejected cells; "
                "run `asklab validate` on your files for the full list.",
            )
        )
        for m, table in zip(members, tables, strict=True)
    ]


@dataclass(frozen=True)
class MemberParts:
    """The parts of a member page that are built for all members at once."""

    by_strategy: list[dict]  # the member's outcomes_by_strategy rows
    comparison: list[dict]  # the member's strategy_comparison rows
    versus: Figure | None
    versus_table: Markup
    weekly: Figure | None
    follow_ups: str
    rejected: Markup


def member_parts(data: ReportData, members: Sequence[MemberData]) -> list[MemberParts]:
    """The charts, tables and lists of every page in ``members``, in that order.

    Each is computed in one pass over those members (no query or chart
    validation per member), from their rows of the aggregates only, so the
    cost of a page does not grow with the number of members, and grows with
    a member's calls only through their own lists.
    """
    names = [m.member for m in members]
    # The group's rows and these members': a part of the members costs its share.
    theirs = (pl.col("scope") == GROUP) | pl.col("member").is_in(names)
    by_strategy = data.by_strategy.filter(theirs)
    strategy_rows = rows_by_scope(by_strategy)
    comparison_rows = rows_by_scope(data.comparison.filter(theirs))
    versus = versus_figures(replace(data, by_strategy=by_strategy), names, key="versus")
    weekly = weekly_figures(
        data.weekly_activity.filter((pl.col("scope") == MEMBER) & pl.col("member").is_in(names)),
        key="weekly",
        title="Your weekly activity",
        subtitle="Your calls per week by ask strategy",
    )
    follow_ups = follow_up_sections_of(members)
    rejected = rejected_tables(members)
    return [
        MemberParts(
            by_strategy=strategy_rows.get(name, []),
            comparison=comparison_rows.get(name, []),
            versus=versus[name][0],
            versus_table=versus[name][1],
            weekly=weekly.get(name),
            follow_ups=follow_up,
            rejected=rejected_rows,
        )
        for name, follow_up, rejected_rows in zip(names, follow_ups, rejected, strict=True)
    ]


def member_page(
    data: ReportData, member: MemberData, parts: MemberParts, *, as_of: dt.date
) -> Page:
    """A member's page (UTF-8), from its ``member_parts``."""
    week = iso_week_label(as_of)
    comparison = headline_table(
        parts.by_strategy,
        parts.comparison,
        with_mh=False,
        caption="Your calls only. x / n: calls with the outcome / calls counted.",
    )
    versus, weekly = parts.versus, parts.weekly
    body = "".join(
        [
            _member_tiles(member),
            _section(
                "versus",
                "Your numbers against the group's",
                figure_html(versus) if versus is not None else parts.versus_table,
            ),
            _section("your-results", "Your reference asks against your job asks", comparison),
            _section("follow-ups", "Follow-ups", parts.follow_ups),
            _section("activity", "Activity", _optional_figure(weekly, "You have no calls yet.")),
            _section("rejected", "Rows to fix", parts.rejected),
        ]
    )
    return page_utf8(
        title=f"asklab report {week}: {member.member}",
        nav=Markup(
            '<a href="../../index.html">All reports</a> · <a href="../group.html">Group report</a>'
        ),
        heading=f"{member.member}: week {week}",
        lede=f"Your networking calls as of {as_of.isoformat()}. This page is for you only: "
        "it names your contacts.",
        body=Markup(body),
        has_charts=versus is not None or weekly is not None,
        footer=_footer(data, as_of),
    )


# -- Index -----------------------------------------------------------------------------


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


# -- Writing -----------------------------------------------------------------------------


def member_page_names(members: Sequence[MemberData]) -> dict[str, str]:
    """Member key -> slug; two members with one slug, or an empty slug, is an error."""
    slugs: dict[str, str] = {}
    member_of: dict[str, str] = {}  # slug -> member
    for member in members:
        slug = member_slug(member.member)
        if not slug:
            raise ValueError(
                f"member {member.member!r} has no letters or digits for a page name "
                "(CONTRACT section 1 slug); rename the member folder or column value"
            )
        clash = member_of.get(slug)
        if clash is not None:
            raise ValueError(
                f"members {clash!r} and {member.member!r} share the page name {slug!r}; "
                "rename one of them"
            )
        slugs[member.member] = slug
        member_of[slug] = member.member
    return slugs


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


# Pages are written by a few threads: writing releases the GIL, and with a 0.9 MB
# Vega bundle in every page, copying the bytes to the OS is a good part of the stage.
WRITE_THREADS = 4
# Member pages are made, then written, this many at a time: at most this many
# pages wait in memory. A part is written while nothing else runs: a writer
# thread needs the GIL back after every system call, and a main thread busy
# making pages would hold it for up to the switch interval (5 ms) each time.
MEMBERS_PER_PART = 1000


def _write_all(pages: Sequence[tuple[Path, Page]]) -> list[Path]:
    """Write ``pages`` (path, content) with ``WRITE_THREADS`` threads; return the paths
    in the order given."""
    if len(pages) <= 1:
        return [_write(path, page) for path, page in pages]
    with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:
        futures = [pool.submit(_write, path, page) for path, page in pages]
        return [future.result() for future in futures]


def render_reports(data: ReportData, reports_dir: Path, *, as_of: dt.date) -> list[Path]:
    """Write the week's group and member pages, then the index; return the paths written.

    Member pages of this week left from an earlier run for a member who is no
    longer in the data are removed, so the index lists only current pages.
    """
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
        written += _write_all(pages)
        del pages  # before the next part is made
    current = set(written)
    if members_dir.is_dir():
        for stale in members_dir.glob("*.html"):
            if stale not in current:
                stale.unlink()
    index = index_page(scan_report_weeks(reports_dir), as_of=as_of)
    written.append(_write(reports_dir / "index.html", (index.encode("utf-8"),)))
    return written
