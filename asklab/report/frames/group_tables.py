"""The group page's tables that are not behind a chart: each member's ask mix and
results, and the data-quality counts."""

from __future__ import annotations

import polars as pl

from asklab.metrics import (
    JOB,
    KEY_METRICS,
    METRIC_LABELS,
    REFERENCE,
    STRATEGY_ORDER,
    UNKNOWN_MEMBER,
)
from asklab.report.data import ReportData
from asklab.report.frames import formats as fmt
from asklab.report.frames.headline import metric_side
from asklab.report.frames.html_tables import Column, table_html
from asklab.report.frames.scopes import metric_row, rows_by_scope, rows_of, strategy_row
from asklab.report.markup import Markup, esc


def member_mix_rows(data: ReportData) -> list[list[object]]:
    """One row per member, then the pooled group: calls per strategy, job and reference
    rates side by side and the difference, for the key metrics."""
    strategy_rows = rows_by_scope(data.by_strategy)
    comparison_rows = rows_by_scope(data.comparison)
    members = sorted(key for key in strategy_rows if key is not None)
    rows: list[list[object]] = []
    for member in [*members, None]:
        scope = strategy_rows.get(member, [])
        comparison = comparison_rows.get(member, [])
        calls = {r["strategy"]: r["calls"] for r in scope}
        row: list[object] = [member if member is not None else "All members, pooled"]
        row += [fmt.count(calls.get(strategy, 0)) for strategy in STRATEGY_ORDER]
        for metric in KEY_METRICS:
            job = metric_side(strategy_row(scope, JOB), metric)
            ref = metric_side(strategy_row(scope, REFERENCE), metric)
            job_rate = fmt.MISSING if job is None else fmt.pct(job.rate)
            ref_rate = fmt.MISSING if ref is None else fmt.pct(ref.rate)
            row.append(f"{job_rate} / {ref_rate}")
            comp = metric_row(comparison, metric)
            row.append(
                fmt.points_interval(comp["diff"], comp["diff_lo"], comp["diff_hi"])
                if comp is not None
                else fmt.MISSING
            )
        rows.append(row)
    return rows


def member_mix_table(data: ReportData) -> Markup:
    columns = [Column("Member"), *(Column(s, numeric=True) for s in STRATEGY_ORDER)]
    for _metric in KEY_METRICS:
        columns += [
            Column("Job / reference", numeric=True),
            Column("Reference − job [95%]", numeric=True),
        ]
    groups = Markup(
        '<tr><td class="blank"></td>'
        f'<th scope="colgroup" colspan="{len(STRATEGY_ORDER)}">Calls by strategy</th>'
        + "".join(
            f'<th scope="colgroup" colspan="2">{esc(METRIC_LABELS[m])}</th>' for m in KEY_METRICS
        )
        + "</tr>"
    )
    return table_html(
        columns,
        member_mix_rows(data),
        caption="Each member's ask mix and results; the last row pools every call.",
        header_rows=[groups],
        css_class="data headline",
    )


def data_quality_table(summary: pl.DataFrame) -> Markup:
    rows = [
        [
            r["member"] if r["member"] is not None else UNKNOWN_MEMBER,
            fmt.count(r["rejected_rows"]),
            fmt.count(r["rejected_cells"]),
            fmt.count(r["events"]),
            fmt.count(r["unattributed_events"]),
        ]
        for r in rows_of(summary)
    ]
    return table_html(
        [
            Column("Member"),
            Column("Rejected rows", numeric=True),
            Column("Rejected cells", numeric=True),
            Column("Events", numeric=True),
            Column("Unattributed events", numeric=True),
        ],
        rows,
        caption="Counts only; each member's own page lists their rejected cells to fix.",
        empty="No members yet.",
    )
