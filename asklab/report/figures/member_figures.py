"""The figures of every member page (weekly activity, member against group), built
for all members at once.

One Polars pass makes every member's chart rows and table rows, and each
member's figure is then a template filled with its slice, so the cost per
member is string work only. The group page's weekly figure is the group
scope of the same pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from asklab.metrics import GROUP, METRIC_LABELS, RATE_METRICS
from asklab.report.data import ReportData
from asklab.report.figures import member_charts as charts
from asklab.report.figures.figure import Figure
from asklab.report.figures.specs import json_array, json_rows
from asklab.report.frames.html_tables import Column, empty_note, table_shell
from asklab.report.frames.scopes import key_slices, ordered_strategies
from asklab.report.frames.versus import (
    VERSUS_COLUMNS,
    VERSUS_TABLE_COLUMNS,
    VERSUS_TABLE_EMPTY,
    versus_frames,
    versus_table_rows,
)
from asklab.report.frames.weekly import (
    SCOPE_KEYS,
    WEEKLY_COLUMNS,
    weekly_frames,
    weekly_scopes,
    weekly_table_rows,
)
from asklab.report.markup import Markup

WEEKLY_CAPTION = "Calls logged per ISO week (Monday to Sunday), by ask strategy."


def weekly_figures(
    weekly: pl.DataFrame, *, key: str, title: str, subtitle: str
) -> dict[str | None, Figure]:
    """The weekly figure of every scope in ``weekly``, keyed by member (None: the group).

    A scope without calls has no figure.
    """
    if weekly.height == 0:
        return {}
    scopes = weekly_scopes(weekly)
    filled = weekly_frames(weekly, scopes)
    chart_rows = json_rows(filled.select(WEEKLY_COLUMNS))
    table = weekly_table_rows(filled)
    table_html_rows = table["html"].to_list()
    weeks = table["week_start"].to_list()
    week_slices = key_slices(table, SCOPE_KEYS)
    strategies = {
        (scope, member): used
        for scope, member, used in scopes.select(*SCOPE_KEYS, "strategies").iter_rows()
    }
    figures: dict[str | None, Figure] = {}
    for scope_key, rows in key_slices(filled, SCOPE_KEYS).items():
        scope, member = scope_key
        used = strategies[scope_key]
        scope_weeks = week_slices[scope_key]
        spec = charts.weekly_chart_from_rows(
            json_array(chart_rows[rows]),
            strategies=used,
            weeks=weeks[scope_weeks],
            title=title,
            subtitle=subtitle,
        )
        columns = [
            Column("Week starting"),
            *(Column(s, numeric=True) for s in used),
            Column("All calls", numeric=True),
        ]
        figures[None if scope == GROUP else member] = Figure(
            key=key,
            spec=spec,
            caption=WEEKLY_CAPTION,
            table=table_shell(columns, "".join(table_html_rows[scope_weeks])),
            fold_table=scope_weeks.stop - scope_weeks.start > 12,
        )
    return figures


def weekly_figure(weekly: pl.DataFrame, *, key: str, title: str, subtitle: str) -> Figure | None:
    """The weekly figure of one scope's rows (None without calls)."""
    figures = weekly_figures(weekly, key=key, title=title, subtitle=subtitle)
    return next(iter(figures.values()), None)


VERSUS_CAPTION = (
    "Your rate for each ask strategy next to the whole group's (you included). "
    "Introduction, lead and reached-out rates count mature calls only."
)


def versus_figures(
    data: ReportData, members: Sequence[str], *, key: str
) -> dict[str, tuple[Figure | None, Markup]]:
    """Per member: the chart of their rates against the group's (None when they have no
    rate yet) and its table, which the page shows alone when there is no chart."""
    table_rows = versus_table_rows(data.by_strategy)
    table_html_rows = table_rows["html"].to_list()
    table_slices = key_slices(table_rows, ["member"])
    frame = versus_frames(data.by_strategy)
    chart_rows = json_rows(frame.select(VERSUS_COLUMNS))
    slices = key_slices(frame, ["member"])
    strategies = {
        row["member"]: ordered_strategies(row["strategy"])
        for row in frame.group_by("member").agg(pl.col("strategy").unique()).to_dicts()
    }
    metrics = [METRIC_LABELS[m] for m in RATE_METRICS]
    figures: dict[str, tuple[Figure | None, Markup]] = {}
    for member in members:
        table_slice = table_slices.get((member,))
        table = (
            empty_note(VERSUS_TABLE_EMPTY)
            if table_slice is None
            else table_shell(VERSUS_TABLE_COLUMNS, "".join(table_html_rows[table_slice]))
        )
        rows = slices.get((member,))
        if rows is None:
            figures[member] = (None, table)
            continue
        spec = charts.versus_chart_from_rows(
            json_array(chart_rows[rows]), strategies=strategies[member], metrics=metrics
        )
        figure = Figure(key=key, spec=spec, caption=VERSUS_CAPTION, table=table, fold_table=True)
        figures[member] = (figure, table)
    return figures
