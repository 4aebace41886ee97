"""The group page (CONTRACT section 5): aggregates only, no contact names or keys, no notes."""

from __future__ import annotations

import datetime as dt

from asklab.report.data import ReportData
from asklab.report.figures.group_figures import (
    forest_figure,
    km_figure,
    lead_timing_figure,
    rates_figure,
    relationship_figure,
)
from asklab.report.figures.member_figures import weekly_figure
from asklab.report.frames import formats as fmt
from asklab.report.frames.group_tables import data_quality_table, member_mix_table
from asklab.report.frames.headline import headline_table
from asklab.report.frames.scopes import rows_of, scope_rows
from asklab.report.markup import Markup
from asklab.report.marts import ACTIVE_DAYS, iso_week_start
from asklab.report.pages.blocks import optional_figure, section, tiles_html
from asklab.report.pages.shell import Page, footer, iso_week_label, page_utf8

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
            section(
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
            section("rates", "Rates by strategy", optional_figure(rates, "No calls yet.")),
            section(
                "time-to-lead",
                "How soon leads come",
                optional_figure(km, "No calls yet."),
                optional_figure(timing, "No mature calls yet."),
            ),
            section(
                "relationship",
                "Whom you asked",
                optional_figure(relationship, "No calls yet."),
            ),
            section("activity", "Activity", optional_figure(weekly, "No calls yet.")),
            section(
                "members",
                "Comparing strategies across the group",
                member_mix_table(data),
                optional_figure(
                    forest, "No member has asked both ways on a metric with results yet."
                ),
            ),
            section(
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
        footer=footer(data, as_of),
    )
