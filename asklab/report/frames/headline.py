"""The headline table: every metric for one scope, job asks against reference asks,
with the difference, P(reference better), the within-member difference and flags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from asklab.metrics import (
    HEADLINE_METRICS,
    JOB,
    MATURE_METRICS,
    METRIC_LABELS,
    REFERENCE,
    SMALL_SAMPLE_N,
)
from asklab.report.frames import formats as fmt
from asklab.report.frames.html_tables import Column, flags_html, table_html
from asklab.report.frames.scopes import metric_row, rows_of, strategy_row
from asklab.report.markup import Markup


@dataclass(frozen=True)
class Side:
    """One side (job or reference) of a metric: x of n, the rate and its interval."""

    x: int | None
    n: int
    rate: float | None
    lo: float | None
    hi: float | None
    calls: int
    excluded: int  # calls left out of n (immature, or advice only for the yes rate)


def metric_side(row: dict | None, metric: str) -> Side | None:
    if row is None:
        return None
    if metric == "leads_per_call":
        n = row["mature_calls"]
        return Side(
            x=None,
            n=n,
            rate=row["leads_per_call"],
            lo=row["leads_per_call_lo"],
            hi=row["leads_per_call_hi"],
            calls=row["calls"],
            excluded=row["calls"] - n,
        )
    n = row[f"{metric}_n"]
    return Side(
        x=row[f"{metric}_x"],
        n=n,
        rate=row[metric],
        lo=row[f"{metric}_lo"],
        hi=row[f"{metric}_hi"],
        calls=row["calls"],
        excluded=row["calls"] - n,
    )


def side_cells(side: Side | None, metric: str) -> list[str]:
    if side is None:
        return [fmt.MISSING, "no calls"]
    if metric == "leads_per_call":
        return [f"{side.n} calls", fmt.per_call(side.rate, side.lo, side.hi)]
    return [fmt.fraction(side.x, side.n), fmt.pct_interval(side.rate, side.lo, side.hi)]


def metric_flags(
    metric: str, job: Side | None, ref: Side | None, comparison: dict | None
) -> list[str]:
    """Plain-word warnings for a headline row."""
    flags = []
    for name, side in (("job", job), ("reference", ref)):
        if side is None:
            flags.append(f"no {name} calls")
        elif side.n == 0:
            counted = "mature " if metric in MATURE_METRICS else "yes/no "
            flags.append(f"no {counted}{name} calls yet")
    both_counted = job is not None and ref is not None and job.n > 0 and ref.n > 0
    if comparison is not None and comparison.get("small_sample") is not None:
        small = bool(comparison["small_sample"])
    else:
        small = both_counted and min(job.n, ref.n) < SMALL_SAMPLE_N
    if small:
        flags.append(f"small sample (n < {SMALL_SAMPLE_N} on a side)")
    excluded = sum(side.excluded for side in (job, ref) if side is not None)
    if excluded:
        kind = "immature" if metric in MATURE_METRICS else "advice-only"
        flags.append(f"{excluded} {kind} call{'' if excluded == 1 else 's'} excluded")
    return flags


def headline_rows(
    by_strategy: pl.DataFrame, comparison: pl.DataFrame, *, with_mh: bool
) -> list[list[object]]:
    """One row per metric: job side, reference side, difference, P(ref better), MH, flags.

    ``by_strategy`` and ``comparison`` hold the rows of one scope (the group,
    or one member).
    """
    return headline_rows_of(rows_of(by_strategy), rows_of(comparison), with_mh=with_mh)


def headline_rows_of(
    by_strategy: Sequence[dict], comparison: Sequence[dict], *, with_mh: bool
) -> list[list[object]]:
    """``headline_rows`` from one scope's row dicts."""
    job_row = strategy_row(by_strategy, JOB)
    ref_row = strategy_row(by_strategy, REFERENCE)
    rows: list[list[object]] = []
    for metric in HEADLINE_METRICS:
        job = metric_side(job_row, metric)
        ref = metric_side(ref_row, metric)
        comp = metric_row(comparison, metric)
        if metric == "leads_per_call":
            # The contract gives no interval for a difference of leads per call:
            # the point difference only, and no P(better) or within-member value.
            job_rate = job.rate if job is not None else None
            ref_rate = ref.rate if ref is not None else None
            both = job_rate is not None and ref_rate is not None
            diff = fmt.signed_per_call(ref_rate - job_rate) if both else fmt.MISSING
            prob = mh = fmt.MISSING
        elif comp is not None:
            diff = fmt.points_interval(comp["diff"], comp["diff_lo"], comp["diff_hi"])
            prob = fmt.probability(comp["prob_ref_better"])
            mh = fmt.points_interval(
                comp.get("mh_diff"), comp.get("mh_diff_lo"), comp.get("mh_diff_hi")
            )
        else:
            diff = prob = mh = fmt.MISSING
        flags = flags_html(metric_flags(metric, job, ref, comp))
        row: list[object] = [
            METRIC_LABELS[metric],
            *side_cells(job, metric),
            *side_cells(ref, metric),
            diff,
            prob,
        ]
        if with_mh:
            row.append(mh)
        row.append(flags)
        rows.append(row)
    return rows


def headline_table(
    by_strategy: Sequence[dict], comparison: Sequence[dict], *, with_mh: bool, caption: str
) -> Markup:
    """The headline table of one scope, from its row dicts."""
    columns = [
        Column("Metric"),
        Column("x / n", numeric=True),
        Column("Rate [95% interval]", numeric=True),
        Column("x / n", numeric=True),
        Column("Rate [95% interval]", numeric=True),
        Column("Reference − job [95% interval]", numeric=True),
        Column("P(reference better)", numeric=True),
    ]
    if with_mh:
        columns.append(Column("Within-member (MH) [95% interval]", numeric=True))
    columns.append(Column("Flags"))
    trailing = len(columns) - 5
    groups = Markup(
        '<tr><td class="blank"></td>'
        '<th scope="colgroup" colspan="2">Job asks</th>'
        '<th scope="colgroup" colspan="2">Reference asks</th>'
        f'<th scope="colgroup" colspan="{trailing}">Comparison</th></tr>'
    )
    return table_html(
        columns,
        headline_rows_of(by_strategy, comparison, with_mh=with_mh),
        caption=caption,
        header_rows=[groups],
        css_class="data headline",
    )
