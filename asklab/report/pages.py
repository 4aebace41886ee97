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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from asklab.ingest import member_slug
from asklab.report import fmt
from asklab.report.data import (
    ACTIVE_DAYS,
    REFERENCE_FOLLOW_UP_DAYS,
    MemberData,
    ReportData,
    iso_week_start,
)
from asklab.report.figures import (
    forest_figure,
    km_figure,
    lead_timing_figure,
    rates_figure,
    relationship_figure,
    versus_figure,
    weekly_figure,
)
from asklab.report.html import (
    Column,
    Figure,
    Markup,
    esc,
    figure_html,
    page_html,
    table_html,
    tiles_html,
)
from asklab.report.tables import (
    data_quality_table,
    headline_table,
    member_mix_table,
    rows_of,
    scope_rows,
)

WEEK_FOLDER = re.compile(r"^\d{4}-W\d{2}$")


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


def group_page(data: ReportData, *, as_of: dt.date) -> str:
    """The group page: aggregates only, no contact names or keys, no notes."""
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
                    group_strategy,
                    group_comparison,
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
    return page_html(
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


def follow_up_sections(member: MemberData) -> str:
    references = table_html(
        [
            Column("Contact"),
            Column("Agreed on"),
            Column("Last call"),
            Column("Days since", numeric=True),
        ],
        [
            [
                r["contact"],
                fmt.date(r["agreed_on"]),
                fmt.date(r["last_call"]),
                fmt.count(r["days_since_last_call"]),
            ]
            for r in rows_of(member.references_to_call)
        ],
        caption=(
            f"Agreed to be a reference and not called for {REFERENCE_FOLLOW_UP_DAYS} days "
            "or more: keep them warm."
        ),
        empty="Nobody to call back: every contact who agreed to be a reference was called "
        f"in the last {REFERENCE_FOLLOW_UP_DAYS} days.",
    )
    reached = table_html(
        [
            Column("Contact"),
            Column("Date"),
            Column("Times", numeric=True),
            Column("Matched to a call"),
        ],
        [
            [
                r["contact"],
                fmt.date(r["event_date"]),
                fmt.count(r["count"]),
                "yes" if r["attributed"] else "no",
            ]
            for r in rows_of(member.reached_out)
        ],
        caption="Contacts who reached out to you, newest first.",
        empty="No contact has reached out yet.",
    )
    intros = table_html(
        [Column("Contact"), Column("Date"), Column("Introductions", numeric=True), Column("When")],
        [
            [r["contact"], fmt.date(r["received_on"]), fmt.count(r["introductions"]), r["source"]]
            for r in rows_of(member.introductions)
        ],
        caption="Introductions you received, newest first.",
        empty="No introductions yet.",
    )
    return "".join(
        [
            "<h3>References to call back</h3>",
            references,
            "<h3>Contacts who reached out</h3>",
            reached,
            "<h3>Introductions received</h3>",
            intros,
        ]
    )


def rejected_table(member: MemberData) -> Markup:
    return table_html(
        [
            Column("File"),
            Column("Sheet"),
            Column("Line", numeric=True),
            Column("Column"),
            Column("Value as written"),
            Column("Reason"),
        ],
        [
            [
                r["source_file"],
                r["sheet"] or fmt.MISSING,
                fmt.count(r["line"]),
                r["column"] or fmt.MISSING,
                r["value"] if r["value"] is not None else "",
                r["reason"],
            ]
            for r in rows_of(member.rejected)
        ],
        caption="Fix these cells in your spreadsheet; the rows load on the next run.",
        empty="No rejected rows: every row of your files loaded.",
    )


def member_page(data: ReportData, member: MemberData, *, as_of: dt.date) -> str:
    week = iso_week_label(as_of)
    versus, versus_table = versus_figure(data, member.member, key="versus")
    weekly = weekly_figure(
        scope_rows(data.weekly_activity, member.member),
        key="weekly",
        title="Your weekly activity",
        subtitle="Your calls per week by ask strategy",
    )
    comparison = headline_table(
        scope_rows(data.by_strategy, member.member),
        scope_rows(data.comparison, member.member),
        with_mh=False,
        caption="Your calls only. x / n: calls with the outcome / calls counted.",
    )
    body = "".join(
        [
            _member_tiles(member),
            _section(
                "versus",
                "Your numbers against the group's",
                figure_html(versus) if versus is not None else versus_table,
            ),
            _section("your-results", "Your reference asks against your job asks", comparison),
            _section("follow-ups", "Follow-ups", follow_up_sections(member)),
            _section("activity", "Activity", _optional_figure(weekly, "You have no calls yet.")),
            _section("rejected", "Rows to fix", rejected_table(member)),
        ]
    )
    return page_html(
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
    for member in members:
        slug = member_slug(member.member)
        if not slug:
            raise ValueError(
                f"member {member.member!r} has no letters or digits for a page name "
                "(CONTRACT section 1 slug); rename the member folder or column value"
            )
        clash = next((m for m, s in slugs.items() if s == slug), None)
        if clash is not None:
            raise ValueError(
                f"members {clash!r} and {member.member!r} share the page name {slug!r}; "
                "rename one of them"
            )
        slugs[member.member] = slug
    return slugs


def _write(path: Path, text: str) -> Path:
    """Write via a temporary file and rename, so a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


def render_reports(data: ReportData, reports_dir: Path, *, as_of: dt.date) -> list[Path]:
    """Write the week's group and member pages, then the index; return the paths written.

    Member pages of this week left from an earlier run for a member who is no
    longer in the data are removed, so the index lists only current pages.
    """
    slugs = member_page_names(data.members)
    week_dir = reports_dir / iso_week_label(as_of)
    written = [_write(week_dir / "group.html", group_page(data, as_of=as_of))]
    members_dir = week_dir / "members"
    for member in data.members:
        page = member_page(data, member, as_of=as_of)
        written.append(_write(members_dir / f"{slugs[member.member]}.html", page))
    current = set(written)
    if members_dir.is_dir():
        for stale in members_dir.glob("*.html"):
            if stale not in current:
                stale.unlink()
    index = index_page(scan_report_weeks(reports_dir), as_of=as_of)
    written.append(_write(reports_dir / "index.html", index))
    return written
