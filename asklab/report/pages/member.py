"""A member's page: the answer in plain words, their plan's to-do and done lists, their
numbers against the group's, their own results, follow-ups, activity and rows to fix.
Only that member's contacts appear.

The parts that grow with the members (charts, tables, lists) are built for
many members at once (``member_parts``); a page is then the layout
``templates/member.html`` filled with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from asklab.metrics import GROUP, MEMBER
from asklab.report.data import MemberData, ReportData
from asklab.report.figures.figure import Figure
from asklab.report.figures.member_figures import versus_figures, weekly_figures
from asklab.report.frames import formats as fmt
from asklab.report.frames.answer import Answer, group_answer, member_answer
from asklab.report.frames.headline import headline_table
from asklab.report.frames.member_lists import follow_up_tables, rejected_tables
from asklab.report.frames.plans import assignment_tables
from asklab.report.frames.scopes import rows_by_scope, rows_of
from asklab.report.markup import Markup
from asklab.report.pages.shell import Page, footer, iso_week_label, page_utf8


def member_tiles(member: MemberData) -> list[tuple[str, str, str]]:
    """A member's KPI tiles as (value, label, note)."""
    return [
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


@dataclass(frozen=True)
class MemberParts:
    """The parts of a member page that are built for all members at once."""

    by_strategy: list[dict]  # the member's outcomes_by_strategy rows
    comparison: list[dict]  # the member's strategy_comparison rows
    versus: Figure | None
    versus_table: Markup
    weekly: Figure | None
    references: Markup  # the member's list tables, their rows written for all members at once
    reached_out: Markup
    introductions: Markup
    rejected: Markup
    answer: Answer  # the member's own result where they have one, else the group's
    has_plan: bool  # the member has plan assignments: the page lists them
    to_do: Markup  # open assignments
    done: Markup  # done assignments


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
    references, reached_out, introductions = follow_up_tables(members)
    rejected = rejected_tables(members)
    to_do, done = assignment_tables(members)
    group = group_answer(rows_of(data.plan_comparison), comparison_rows.get(None, []))
    return [
        MemberParts(
            by_strategy=strategy_rows.get(name, []),
            comparison=comparison_rows.get(name, []),
            versus=versus[name][0],
            versus_table=versus[name][1],
            weekly=weekly.get(name),
            references=references[index],
            reached_out=reached_out[index],
            introductions=introductions[index],
            rejected=rejected[index],
            answer=member_answer(comparison_rows.get(name, []), group),
            has_plan=bool(member.open_assignments.height or member.done_assignments.height),
            to_do=to_do[index],
            done=done[index],
        )
        for index, (name, member) in enumerate(zip(names, members, strict=True))
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
    return page_utf8(
        "member.html",
        has_charts=parts.versus is not None or parts.weekly is not None,
        title=f"asklab report {week}: {member.member}",
        heading=f"{member.member}: week {week}",
        lede=f"Your networking calls as of {as_of.isoformat()}. This page is for you only: "
        "it names your contacts.",
        footer=footer(data, as_of),
        member=member,
        member_tiles=member_tiles(member),
        parts=parts,
        headline_table=comparison,
    )
