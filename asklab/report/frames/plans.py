"""The randomised result's tables and notes (CONTRACT sections 5 and 7.4), and each
member's plan lists (to do, done).

The group's parts are aggregates only: arms, counts and rates, never a
contact. A member's lists name their own contacts; their rows are written for
all members at once (``tables_html``), as the other member lists are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from asklab import stats
from asklab.metrics import JOB, KEY_METRICS, METRIC_LABELS, RATE_METRICS
from asklab.report.data import MemberData
from asklab.report.frames import formats as fmt
from asklab.report.frames.answer import METRIC_NOUNS
from asklab.report.frames.chart_frames import rate_grid_table
from asklab.report.frames.html_tables import Column, table_html, tables_html
from asklab.report.frames.scopes import rows_of
from asklab.report.markup import Markup, esc, esc_expr

# The smallest difference the plans are sized to detect (section 7.4), in points.
EFFECT_POINTS = 15
ATTRITION_ALPHA = 0.05


def arm_counts_table(plan_arms: pl.DataFrame) -> Markup:
    """Per arm: plans, assigned, done, open, and done as planned (share of done)."""
    rows = [
        [
            r["arm"],
            fmt.count(r["plans"]),
            fmt.count(r["assigned"]),
            fmt.count(r["done"]),
            fmt.count(r["open"]),
            f"{fmt.count(r['complied'])} ({fmt.pct(r['complied'] / r['done'])})"
            if r["done"]
            else fmt.count(r["complied"]),
        ]
        for r in rows_of(plan_arms)
    ]
    return table_html(
        [
            Column("Arm (the ask to make)"),
            Column("Plans", numeric=True),
            Column("Assigned", numeric=True),
            Column("Done", numeric=True),
            Column("Open", numeric=True),
            Column("Asked as planned", numeric=True),
        ],
        rows,
        caption="Contacts per arm in every plan. Done: the member has called the contact "
        "since the plan was made. Asked as planned: the call made that ask and no other arm.",
        empty="No plan rows.",
    )


def still_needed(row: dict) -> int | None:
    """Done calls each arm still needs for a 15-point difference (0 when enough)."""
    needed = row["n_needed_per_arm"]
    if needed is None:
        return None
    return max(0, needed - min(row["n_arm"], row["n_job"]))


def _rate_cells(x: int, n: int) -> list[str]:
    lo, hi = stats.wilson_interval(x, n)
    return [fmt.fraction(x, n), fmt.pct_interval(x / n, lo, hi)]


COMPARISON_EMPTY = "No comparison yet: no plan with a job arm has done calls on both sides."


def plan_comparison_tables(plan_comparison: pl.DataFrame) -> list[Markup]:
    """One table per arm compared with job: each metric's two sides, the difference
    [95%], P(arm better), the within-plan (Mantel-Haenszel) difference [95%], the
    plans it uses and the done calls still needed per arm."""
    tables = []
    for arm in plan_comparison["arm"].unique(maintain_order=True).to_list():
        rows = []
        for r in rows_of(plan_comparison.filter(pl.col("arm") == arm)):
            rows.append(
                [
                    METRIC_LABELS.get(r["metric"], r["metric"]),
                    *_rate_cells(r["x_arm"], r["n_arm"]),
                    *_rate_cells(r["x_job"], r["n_job"]),
                    fmt.points_interval(r["diff"], r["diff_lo"], r["diff_hi"]),
                    fmt.probability(r["prob_arm_better"]),
                    fmt.points_interval(r["mh_diff"], r["mh_diff_lo"], r["mh_diff_hi"]),
                    fmt.count(r["plans"]),
                    fmt.count(still_needed(r)),
                ]
            )
        groups = Markup(
            '<tr><td class="blank"></td>'
            f'<th scope="colgroup" colspan="2">{esc(arm.capitalize())} arm</th>'
            '<th scope="colgroup" colspan="2">Job arm</th>'
            '<th scope="colgroup" colspan="5">Comparison</th></tr>'
        )
        tables.append(
            table_html(
                [
                    Column("Metric"),
                    Column("x / n", numeric=True),
                    Column("Rate [95% interval]", numeric=True),
                    Column("x / n", numeric=True),
                    Column("Rate [95% interval]", numeric=True),
                    Column(f"{arm.capitalize()} − job [95% interval]", numeric=True),
                    Column(f"P({arm} better)", numeric=True),
                    Column("Within-plan (MH) [95% interval]", numeric=True),
                    Column("Plans", numeric=True),
                    Column("Calls still needed per arm", numeric=True),
                ],
                rows,
                caption=f"{arm.capitalize()} against job, by assigned arm (intention to "
                "treat), whether or not the member asked as planned. x / n: done calls with "
                "the outcome / done calls counted (mature calls for the introduction, lead and "
                "reached-out rates). Calls still needed: more done calls per arm for a "
                f"{EFFECT_POINTS}-point difference (5% level, 80% power).",
                header_rows=[groups],
                css_class="data headline",
            )
        )
    return tables


def attrition_notes(plan_comparison: pl.DataFrame) -> list[tuple[str, bool]]:
    """Per compared arm, the attrition check in words; True marks a warning (p < 0.05)."""
    notes = []
    arms = plan_comparison.unique("arm", keep="first", maintain_order=True)
    for r in rows_of(arms):
        arm, p = r["arm"], r["attrition_p"]
        shares = (
            f"{r['done_arm']} of {r['assigned_arm']} {arm} contacts called against "
            f"{r['done_job']} of {r['assigned_job']} job contacts"
        )
        if p is None:
            notes.append((f"Attrition, {arm} against job: {shares}; not testable yet.", False))
        elif p < ATTRITION_ALPHA:
            notes.append(
                (
                    f"Attrition warning, {arm} against job: members completed one arm's calls "
                    f"more often ({shares}; chi-square p = {p:.3f}). The comparison may be "
                    "biased: the contacts who were called may differ between the arms.",
                    True,
                )
            )
        else:
            notes.append(
                (
                    f"Attrition, {arm} against job: {shares}; no sign that one arm's calls "
                    f"were completed more often (chi-square p = {p:.2f}).",
                    False,
                )
            )
    return notes


def needed_notes(plan_comparison: pl.DataFrame) -> list[str]:
    """Per compared arm: about how many more done calls per arm a 15-point difference
    needs, for the key metrics."""
    notes = []
    for arm in plan_comparison["arm"].unique(maintain_order=True).to_list():
        rows = {r["metric"]: r for r in rows_of(plan_comparison.filter(pl.col("arm") == arm))}
        parts = []
        for metric in KEY_METRICS:
            row = rows.get(metric)
            needed = None if row is None else still_needed(row)
            if needed is None:
                continue
            noun = METRIC_NOUNS[metric]
            parts.append(
                f"enough done calls on {noun}"
                if needed == 0
                else f"about {fmt.count(needed)} more done calls per arm on {noun}"
            )
        if parts:
            notes.append(
                f"{arm.capitalize()} against job: {' and '.join(parts)} "
                f"to detect a {EFFECT_POINTS}-point difference (5% level, 80% power)."
            )
    return notes


# -- The chart's frame: each arm's rate with its Wilson interval ------------------------


def arm_rates_frame(plan_comparison: pl.DataFrame) -> pl.DataFrame:
    """Chart rows (metric label, arm, side label, rate, interval, x, n), metric by metric.

    The job side of each comparison is a row too; when every comparison has the
    same job side (one treated arm, or plans that hold every arm) it is shown
    once as "job", else once per comparison as "job (vs <arm>)".
    """
    columns = {"metric": pl.String, "arm": pl.String, "side": pl.String}
    columns |= {"x": pl.Int64, "n": pl.Int64, "_metric": pl.Int64}
    rows: list[dict] = []
    order = {metric: index for index, metric in enumerate(RATE_METRICS)}
    job_sides = plan_comparison.select("metric", "x_job", "n_job").unique()
    shared_job = job_sides.height == job_sides["metric"].n_unique()
    for r in rows_of(plan_comparison):
        if r["metric"] not in order:
            continue
        label = METRIC_LABELS[r["metric"]]
        base = {"metric": label, "_metric": order[r["metric"]]}
        job_side = JOB if shared_job else f"{JOB} (vs {r['arm']})"
        rows.append(base | {"arm": r["arm"], "side": r["arm"], "x": r["x_arm"], "n": r["n_arm"]})
        rows.append(base | {"arm": JOB, "side": job_side, "x": r["x_job"], "n": r["n_job"]})
    frame = pl.DataFrame(rows, schema=columns).unique(
        ["metric", "side"], keep="first", maintain_order=True
    )
    x, n = frame["x"].to_numpy(), frame["n"].to_numpy()
    lo, hi = stats.wilson_interval(x, n) if frame.height else (np.array([]), np.array([]))
    return (
        frame.with_columns(
            rate=pl.Series(x / np.maximum(n, 1), dtype=pl.Float64),
            rate_lo=pl.Series(np.asarray(lo, dtype=float), dtype=pl.Float64),
            rate_hi=pl.Series(np.asarray(hi, dtype=float), dtype=pl.Float64),
        )
        .sort("_metric", maintain_order=True)
        .select("metric", "arm", "side", "rate", "rate_lo", "rate_hi", "x", "n")
    )


def arm_rates_table(frame: pl.DataFrame) -> Markup:
    """Metric rows, arm columns: 'rate [interval], x / n' in each cell."""
    return rate_grid_table(
        frame,
        metrics=frame["metric"].unique(maintain_order=True).to_list(),
        column="side",
        columns=frame["side"].unique(maintain_order=True).to_list(),
        caption="Rate [95% interval], then done calls with the outcome / done calls counted, "
        "by assigned arm.",
    )


# -- A member's lists ----------------------------------------------------------------------

OPEN_COLUMNS = [
    Column("Contact"),
    Column("Relationship"),
    Column("The ask to make"),
    Column("Plan"),
    Column("Planned on"),
]
DONE_COLUMNS = [
    Column("Contact"),
    Column("Relationship"),
    Column("Planned ask"),
    Column("Called on"),
    Column("Asked"),
    Column("As planned"),
]


def assignment_tables(members: Sequence[MemberData]) -> tuple[list[Markup], list[Markup]]:
    """Each member's open assignments (their to-do list) and done ones, all members'
    rows written at once."""
    to_do = tables_html(
        [m.open_assignments for m in members],
        OPEN_COLUMNS,
        [
            esc_expr(pl.col("contact")),
            esc_expr(pl.col("relationship")),
            esc_expr(pl.col("arm")),
            esc_expr(pl.col("plan_id")),
            fmt.date_expr(pl.col("created")),
        ],
        caption="Call each contact and make exactly this ask (you may add advice): "
        "a coin chose it, so the group can learn which ask works.",
        empty="Nothing left to do: every contact in your plans has been called.",
    )
    done = tables_html(
        [m.done_assignments for m in members],
        DONE_COLUMNS,
        [
            esc_expr(pl.col("contact")),
            esc_expr(pl.col("relationship")),
            esc_expr(pl.col("arm")),
            fmt.date_expr(pl.col("call_date")),
            esc_expr(pl.col("ask_label")).replace("", fmt.MISSING),
            pl.when(pl.col("complied"))
            .then(pl.lit("yes"))
            .when(pl.col("complied").not_())
            .then(pl.lit("no: another ask"))
            .otherwise(pl.lit(fmt.MISSING)),
        ],
        caption="Planned contacts you have called, newest call first. As planned: the call "
        "made the planned ask and no other arm of the plan.",
        empty="No planned contact called yet.",
    )
    return to_do, done
