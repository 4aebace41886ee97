"""Tables of the report pages that are not behind a chart: the headline results,
each member's ask mix and the data-quality counts, plus the helpers the
figures share (scopes, strategy order, metric sides).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from asklab.report.data import ReportData
from asklab.report.figures import charts
from asklab.report.frames import formats as fmt
from asklab.report.pages.html import Column, Markup, esc, flags_html, table_html

METRIC_LABELS: dict[str, str] = {
    "yes_rate": "Yes rate",
    "intro_rate": "Introduction rate",
    "lead_rate": "Lead rate",
    "reached_out_rate": "Reached-out rate",
    "leads_per_call": "Leads per call",
}
RATE_METRICS: tuple[str, ...] = ("yes_rate", "intro_rate", "lead_rate", "reached_out_rate")
# Metrics counted on mature calls only (the yes rate is known on the day of the call).
MATURE_METRICS = frozenset({"intro_rate", "lead_rate", "reached_out_rate", "leads_per_call"})
# Metrics in the per-member comparison and the relationship heat map.
KEY_METRICS: tuple[str, ...] = ("yes_rate", "lead_rate")
SMALL_SAMPLE_N = 10
GROUP = "group"
MEMBER = "member"
UNKNOWN_MEMBER = "(member not known)"


def rows_of(frame: pl.DataFrame) -> list[dict]:
    return frame.to_dicts()


def scope_rows(frame: pl.DataFrame, member: str | None) -> pl.DataFrame:
    if member is None:
        return frame.filter(pl.col("scope") == GROUP)
    return frame.filter((pl.col("scope") == MEMBER) & (pl.col("member") == member))


def rows_by_scope(frame: pl.DataFrame) -> dict[str | None, list[dict]]:
    """Row dicts per scope in one pass: ``None`` for the group, else the member (order kept).

    Pages look their rows up here instead of filtering the frame once per
    member, which would cost a Polars query per member and table.
    """
    scopes: dict[str | None, list[dict]] = {}
    for row in frame.to_dicts():
        key = None if row["scope"] == GROUP else row["member"]
        scopes.setdefault(key, []).append(row)
    return scopes


def key_slices(frame: pl.DataFrame, keys: Sequence[str]) -> dict[tuple, slice]:
    """Where each value of ``keys`` sits in ``frame``, which is sorted on ``keys``.

    One Polars pass instead of one filter per member: row ``i`` of a per-row
    list (JSON texts, HTML rows) belongs to the key whose slice holds ``i``.
    """
    spans = (
        frame.select(keys)
        .with_row_index("_row")
        .group_by(keys)
        .agg(
            pl.col("_row").min().alias("_start"),
            pl.col("_row").max().alias("_end"),
            pl.len().alias("_rows"),
        )
    )
    slices = {}
    for *key, start, end, rows in spans.iter_rows():
        if end - start + 1 != rows:
            raise ValueError(f"rows of {key} are not together: sort the frame on {keys}")
        slices[tuple(key)] = slice(start, end + 1)
    return slices


def strategy_row(by_strategy: Sequence[dict], strategy: str) -> dict | None:
    return next((row for row in by_strategy if row["strategy"] == strategy), None)


def metric_row(comparison: Sequence[dict], metric: str) -> dict | None:
    return next((row for row in comparison if row["metric"] == metric), None)


def strategy_rank(column: str = "strategy") -> pl.Expr:
    order = {s: i for i, s in enumerate(charts.STRATEGY_ORDER)}
    return pl.col(column).replace_strict(order, default=len(order), return_dtype=pl.Int64)


def sort_by_strategy(frame: pl.DataFrame, *first: str) -> pl.DataFrame:
    if frame.height == 0:
        return frame
    return (
        frame.with_columns(_rank=strategy_rank())
        .sort([*first, "_rank", "strategy"], maintain_order=True)
        .drop("_rank")
    )


# -- Headline results table ------------------------------------------------------


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
    job_row = strategy_row(by_strategy, "job")
    ref_row = strategy_row(by_strategy, "reference")
    rows: list[list[object]] = []
    for metric in (*RATE_METRICS, "leads_per_call"):
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
            mh = fmt.signed_points(comp.get("mh_diff"))
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
        columns.append(Column("Within-member (MH)", numeric=True))
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


# -- Comparing strategies across the group ---------------------------------------


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
        row += [fmt.count(calls.get(strategy, 0)) for strategy in charts.STRATEGY_ORDER]
        for metric in KEY_METRICS:
            job = metric_side(strategy_row(scope, "job"), metric)
            ref = metric_side(strategy_row(scope, "reference"), metric)
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
    columns = [Column("Member"), *(Column(s, numeric=True) for s in charts.STRATEGY_ORDER)]
    for _metric in KEY_METRICS:
        columns += [
            Column("Job / reference", numeric=True),
            Column("Reference − job [95%]", numeric=True),
        ]
    groups = Markup(
        '<tr><td class="blank"></td>'
        f'<th scope="colgroup" colspan="{len(charts.STRATEGY_ORDER)}">Calls by strategy</th>'
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


# -- Data quality ------------------------------------------------------------------


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
