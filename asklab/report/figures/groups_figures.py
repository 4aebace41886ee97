"""The all-groups page's forest plot: reference minus job per group, then the
groups pooled and within-group (Mantel-Haenszel), as the group page's
member-by-member chart does for members. Rows show group keys only."""

from __future__ import annotations

import polars as pl

from asklab.metrics import KEY_METRICS, METRIC_LABELS
from asklab.report.figures.figure import Figure
from asklab.report.figures.group_charts import forest_chart
from asklab.report.figures.specs import ChartSpec
from asklab.report.frames import formats as fmt
from asklab.report.frames.html_tables import Column, table_html

GROUP_FOREST_KINDS = ("group", "all groups, pooled", "within-group (Mantel-Haenszel)")
# Capitalised: a group key is lower-case, so no group can take these labels.
POOLED_ROW = "All groups, pooled"
WITHIN_ROW = "Within-group (MH)"


def groups_forest_frame(comparison: pl.DataFrame) -> pl.DataFrame:
    """Forest rows from ``group_comparison``: each group, then the pooled and MH rows."""
    key_rows = comparison.filter(pl.col("metric").is_in(KEY_METRICS))
    per_group = key_rows.filter(pl.col("group_key").is_not_null())
    pooled = key_rows.filter(pl.col("group_key").is_null())
    keys = sorted(per_group["group_key"].unique().to_list())
    parts = [
        per_group.select(
            "metric",
            pl.col("group_key").alias("row"),
            pl.col("group_key")
            .replace_strict({k: i for i, k in enumerate(keys)}, return_dtype=pl.Int64)
            .alias("row_order"),
            pl.lit(GROUP_FOREST_KINDS[0]).alias("kind"),
            "diff",
            "diff_lo",
            "diff_hi",
        ),
        pooled.select(
            "metric",
            pl.lit(POOLED_ROW).alias("row"),
            pl.lit(len(keys), dtype=pl.Int64).alias("row_order"),
            pl.lit(GROUP_FOREST_KINDS[1]).alias("kind"),
            "diff",
            "diff_lo",
            "diff_hi",
        ),
        pooled.select(
            "metric",
            pl.lit(WITHIN_ROW).alias("row"),
            pl.lit(len(keys) + 1, dtype=pl.Int64).alias("row_order"),
            pl.lit(GROUP_FOREST_KINDS[2]).alias("kind"),
            pl.col("mh_diff").alias("diff"),
            pl.col("mh_diff_lo").alias("diff_lo"),
            pl.col("mh_diff_hi").alias("diff_hi"),
        ),
    ]
    frame = pl.concat(parts, how="vertical_relaxed")
    return frame.with_columns(
        pl.col("metric").replace_strict(METRIC_LABELS, return_dtype=pl.String)
    ).sort("metric", "row_order")


def groups_forest_chart(frame: pl.DataFrame) -> ChartSpec:
    """Forest plot, one facet per key metric: a row per group, then pooled and MH."""
    return forest_chart(
        frame,
        metrics=[METRIC_LABELS[m] for m in KEY_METRICS],
        kinds=GROUP_FOREST_KINDS,
        who="Group",
        title="Reference against job asks, group by group",
        description=(
            "Forest plot: for each group, the difference in rate between reference and job "
            "asks with its 95% interval, then every group's calls pooled and the "
            "within-group (Mantel-Haenszel) difference with their intervals."
        ),
    )


def groups_forest_figure(comparison: pl.DataFrame, *, key: str) -> Figure | None:
    """The forest plot and, under it, its numbers; None when no group compares yet."""
    frame = groups_forest_frame(comparison)
    if frame.filter(pl.col("diff").is_not_null()).height == 0:
        return None
    rows = [
        [r["row"], r["metric"], fmt.points_interval(r["diff"], r["diff_lo"], r["diff_hi"])]
        for r in frame.iter_rows(named=True)
    ]
    table = table_html(
        [Column("Group"), Column("Metric"), Column("Reference − job [95% interval]", numeric=True)],
        rows,
    )
    caption = (
        "Groups whose reference and job asks both have results, one row each. The pooled "
        "row lumps every group's calls together; the within-group row compares each group "
        "with itself and then averages (Mantel-Haenszel), so a large or a simply more "
        "successful group does not tip the balance."
    )
    return Figure(
        key=key,
        spec=groups_forest_chart(frame),
        caption=caption,
        table=table,
        fold_table=len(rows) > 12,
    )
