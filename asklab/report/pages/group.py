"""The group page (CONTRACT section 5): aggregates only, no contact names or keys, no notes.

``group_page`` builds what the page shows (the answer in plain words, the
randomised result when a plan exists, tiles, tables, figures); the layout is
``templates/group.html`` with the methods prose in ``methods.html``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from asklab.metrics import SMALL_SAMPLE_N
from asklab.outcomes.marts import ACTIVE_DAYS, iso_week_start
from asklab.report.data import ReportData
from asklab.report.figures.figure import Figure
from asklab.report.figures.group_figures import (
    forest_figure,
    km_figure,
    lead_timing_figure,
    rates_figure,
    relationship_figure,
)
from asklab.report.figures.member_figures import weekly_figure
from asklab.report.figures.plan_figures import arm_rates_figure
from asklab.report.frames import formats as fmt
from asklab.report.frames.answer import Answer, group_answer
from asklab.report.frames.group_tables import data_quality_table, member_mix_table
from asklab.report.frames.headline import headline_table
from asklab.report.frames.plans import (
    arm_counts_table,
    attrition_notes,
    needed_notes,
    plan_comparison_tables,
)
from asklab.report.frames.scopes import rows_of, scope_rows
from asklab.report.markup import Markup
from asklab.report.pages.shell import Page, footer, iso_week_label, page_utf8


class GroupFigures(NamedTuple):
    """The group page's figures; None where there is nothing to draw yet."""

    rates: Figure | None
    km: Figure | None
    timing: Figure | None
    relationship: Figure | None
    weekly: Figure | None
    forest: Figure | None


@dataclass(frozen=True)
class PlanSection:
    """The randomised result (CONTRACT sections 5 and 7.4), aggregates only."""

    plans: int
    members: int
    arm_counts: Markup
    figure: Figure | None
    comparisons: list[Markup]  # one table per arm compared with job
    attrition: list[tuple[str, bool]]  # (text, is a warning)
    needed: list[str]


def plan_section(data: ReportData) -> PlanSection | None:
    """The randomised section, or None when no plan exists (the page is then as before)."""
    if not data.has_plans:
        return None
    return PlanSection(
        plans=data.plans,
        members=data.plan_members,
        arm_counts=arm_counts_table(data.plan_arms),
        figure=arm_rates_figure(data.plan_comparison, key="plan-arms"),
        comparisons=plan_comparison_tables(data.plan_comparison),
        attrition=attrition_notes(data.plan_comparison),
        needed=needed_notes(data.plan_comparison),
    )


def page_answer(data: ReportData) -> Answer:
    """The group's answer in plain words: randomised when the plans have one."""
    return group_answer(rows_of(data.plan_comparison), rows_of(scope_rows(data.comparison, None)))


def kpi_tiles(data: ReportData, as_of: dt.date) -> list[tuple[str, str, str]]:
    """The group's KPI tiles as (value, label, note)."""
    k = data.kpis
    rejected_note = "no run recorded" if data.run_id is None else "in this run's load log"
    return [
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
    plans = plan_section(data)
    plan_figure = None if plans is None else plans.figure
    return page_utf8(
        "group.html",
        has_charts=any(f is not None for f in [*figures, plan_figure]),
        title=f"asklab group report {week}",
        heading=f"Group report, week {week}",
        lede=f"Which networking asks work, as of {as_of.isoformat()}.",
        footer=footer(data, as_of),
        answer=page_answer(data),
        plans=plans,
        has_plans=plans is not None,
        kpi_tiles=kpi_tiles(data, as_of),
        headline_table=headline_table(
            rows_of(group_strategy),
            rows_of(group_comparison),
            with_mh=True,
            caption="Whole group. x / n: calls with the outcome / calls counted.",
        ),
        figures=GroupFigures(rates, km, timing, relationship, weekly, forest),
        member_mix_table=member_mix_table(data),
        data_quality_table=data_quality_table(data.member_summary),
        small_sample_n=SMALL_SAMPLE_N,
    )
