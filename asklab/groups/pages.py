"""The all-groups pages (CONTRACT section 8): ``<reports>/all-groups/<YYYY-Www>.html``
and ``<reports>/index.html``, in the report package's style and templates.

The all-groups page shows group keys and counts only: no member's or
contact's name, no notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import polars as pl

from asklab.groups.discover import ALL_GROUPS_SLUG, Group
from asklab.metrics import METRIC_LABELS, RATE_METRICS
from asklab.report.figures.groups_figures import POOLED_ROW, groups_forest_figure
from asklab.report.frames import formats as fmt
from asklab.report.frames.html_tables import Column, table_html
from asklab.report.markup import Markup
from asklab.report.pages.index import WEEK_FOLDER
from asklab.report.pages.shell import iso_week_label, page_html, page_utf8


def comparison_table(comparison: pl.DataFrame) -> Markup:
    """Every row of ``group_comparison``: metric by metric, each group then the pooled row."""
    rows = []
    order = {metric: i for i, metric in enumerate(RATE_METRICS)}
    ordered = comparison.sort(
        pl.col("metric").replace_strict(order, default=len(order), return_dtype=pl.Int64),
        pl.col("group_key").is_null(),
        "group_key",
    )
    for r in ordered.iter_rows(named=True):
        pooled = r["group_key"] is None
        rows.append(
            [
                POOLED_ROW if pooled else r["group_key"],
                METRIC_LABELS.get(r["metric"], r["metric"]),
                fmt.fraction(r["x_ref"], r["n_ref"]),
                fmt.fraction(r["x_job"], r["n_job"]),
                fmt.points_interval(r["diff"], r["diff_lo"], r["diff_hi"]),
                fmt.probability(r["prob_ref_better"]),
                fmt.points_interval(r["mh_diff"], r["mh_diff_lo"], r["mh_diff_hi"])
                if pooled
                else fmt.MISSING,
            ]
        )
    return table_html(
        [
            Column("Group"),
            Column("Metric"),
            Column("Reference x / n", numeric=True),
            Column("Job x / n", numeric=True),
            Column("Reference − job [95% interval]", numeric=True),
            Column("P(reference better)", numeric=True),
            Column("Within-group (MH) [95% interval]", numeric=True),
        ],
        rows,
        caption="x / n: calls with the outcome / calls counted. The pooled rows sum the "
        "groups listed above them.",
        empty="No group has results for both reference and job asks yet.",
    )


def groups_table(groups: pl.DataFrame) -> Markup:
    """One row per group of the run: how its run went, its size and its reports."""
    rows = []
    for r in groups.iter_rows(named=True):
        # A slug is [a-z0-9-] only; quoted all the same.
        link = Markup(f'<a href="../{quote(r["group_slug"])}/index.html">reports</a>')
        # The error stays in the summary and the groups table: it may name files.
        status = r["status"] if r["in_comparison"] else f"{r['status']}, not compared"
        rows.append([r["group_key"], status, fmt.count(r["members"]), fmt.count(r["calls"]), link])
    return table_html(
        [
            Column("Group"),
            Column("This run"),
            Column("Members", numeric=True),
            Column("Calls", numeric=True),
            Column("Pages"),
        ],
        rows,
        empty="No group in the groups folder.",
    )


def all_groups_page(comparison: pl.DataFrame, groups: pl.DataFrame, *, as_of: dt.date):
    week = iso_week_label(as_of)
    forest = groups_forest_figure(comparison, key="groups-comparison")
    completed = groups.filter(pl.col("status") == "completed").height
    tiles = [
        (fmt.count(groups.height), "Groups", "in the groups folder this run"),
        (fmt.count(completed), "Completed", f"{groups.height - completed} failed"),
        (fmt.count(groups["calls"].sum() or 0), "Calls", "in the groups compared"),
    ]
    return page_utf8(
        "all_groups.html",
        has_charts=forest is not None,
        title=f"asklab all groups {week}",
        heading=f"All groups, week {week}",
        lede=f"Which networking asks work, group by group, as of {as_of.isoformat()}.",
        footer=f"asklab all-groups report as of {as_of.isoformat()} (ISO week {week}).",
        kpi_tiles=tiles,
        forest=forest,
        comparison_table=comparison_table(comparison),
        groups_table=groups_table(groups),
    )


def index_links(reports: Path, groups: Sequence[Group]) -> list[tuple[str, str]]:
    """(label, slug) of every group with pages: this run's, then folders left from
    groups no longer in the groups folder (their pages stay)."""
    links = [(group.key, group.slug) for group in groups]
    known = {group.slug for group in groups} | {ALL_GROUPS_SLUG}
    if reports.is_dir():
        for folder in sorted(reports.iterdir()):
            if folder.name not in known and (folder / "index.html").is_file():
                links.append((f"{folder.name} (not in the last run)", folder.name))
    return links


def all_groups_weeks(reports: Path) -> list[str]:
    folder = reports / ALL_GROUPS_SLUG
    if not folder.is_dir():
        return []
    return sorted(
        (p.stem for p in folder.glob("*.html") if WEEK_FOLDER.match(p.stem)), reverse=True
    )


def write_all_groups_pages(
    reports: Path,
    comparison: pl.DataFrame,
    groups_table_rows: pl.DataFrame,
    groups: Sequence[Group],
    *,
    as_of: dt.date,
) -> list[Path]:
    """Write the week's all-groups page and the index of every group; return their paths."""
    folder = reports / ALL_GROUPS_SLUG
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{iso_week_label(as_of)}.html"
    _write(page, b"".join(all_groups_page(comparison, groups_table_rows, as_of=as_of)))
    index = page_html(
        "groups_index.html",
        has_charts=False,
        title="asklab groups",
        heading="asklab groups",
        lede="Every group's reports, and the groups side by side week by week.",
        footer=f"Index written {as_of.isoformat()}.",
        weeks=all_groups_weeks(reports),
        groups=index_links(reports, groups),
    )
    _write(reports / "index.html", index.encode("utf-8"))
    return [page, reports / "index.html"]


def _write(path: Path, content: bytes) -> None:
    """Atomically, and not at all when the file already holds ``content``."""
    try:
        if path.read_bytes() == content:
            return
    except OSError:
        pass
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)
