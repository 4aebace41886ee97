"""The all-groups page's forest plot: reference minus job per group, then the
groups pooled and within-group (Mantel-Haenszel), as the group page's
member-by-member chart does for members. Rows show group keys only."""

from __future__ import annotations

import altair as alt
import polars as pl

from asklab.metrics import KEY_METRICS, METRIC_LABELS
from asklab.report.figures.figure import Figure
from asklab.report.figures.specs import ChartSpec, SpecTemplate, named_data, slot
from asklab.report.figures.style import rows_json, styled
from asklab.report.frames import formats as fmt
from asklab.report.frames.html_tables import Column, table_html

GROUP_FOREST_KINDS = ("group", "all groups, pooled", "within-group (Mantel-Haenszel)")
# Capitalised: a group key is lower-case, so no group can take these labels.
POOLED_ROW = "All groups, pooled"
WITHIN_ROW = "Within-group (MH)"
FOREST_COLUMNS = ["metric", "row", "row_order", "kind", "diff", "diff_lo", "diff_hi"]


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
    """Forest plot, one facet per key metric; the row names go in after validation."""
    data = frame.select(FOREST_COLUMNS).filter(pl.col("diff").is_not_null())
    rows = data.sort("row_order")["row"].unique(maintain_order=True).to_list()
    y = alt.Y("row:N", sort=slot("rows"), title=None)
    interval = (
        alt.Chart()
        .mark_rule(strokeWidth=2, color="#3b4252")
        .encode(
            y=y,
            x=alt.X(
                "diff_lo:Q",
                scale=alt.Scale(domain=[-1, 1]),
                axis=alt.Axis(format="+%", tickCount=5),
                title="Reference minus job (points of share)",
            ),
            x2="diff_hi:Q",
        )
    )
    estimate = (
        alt.Chart()
        .mark_point(filled=True, size=80, color="#1c2230")
        .encode(
            y=y,
            x=alt.X("diff:Q"),
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(
                    domain=list(GROUP_FOREST_KINDS), range=["circle", "diamond", "triangle-down"]
                ),
                legend=alt.Legend(title=None, orient="top", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("row:N", title="Group"),
                alt.Tooltip("diff:Q", format="+.0%", title="Difference"),
                alt.Tooltip("diff_lo:Q", format="+.0%", title="95% low"),
                alt.Tooltip("diff_hi:Q", format="+.0%", title="95% high"),
            ],
        )
    )
    no_difference = alt.Chart().mark_rule(color="#9aa1ad", strokeDash=[3, 3]).encode(x=alt.datum(0))
    layered = alt.layer(no_difference, interval, estimate, data=named_data()).properties(
        width=300, height=24 * max(len(rows), 1)
    )
    chart = styled(
        layered.facet(
            column=alt.Column("metric:N", sort=[METRIC_LABELS[m] for m in KEY_METRICS], title=None),
            spacing=28,
        ),
        title="Reference against job asks, group by group",
        subtitle="Right of the dashed line: reference asks did better. Bars: 95% intervals",
        description=(
            "Forest plot: for each group, the difference in rate between reference and job "
            "asks with its 95% interval, then every group's calls pooled and the "
            "within-group (Mantel-Haenszel) difference with their intervals."
        ),
    )
    return SpecTemplate.from_chart(chart, ["rows"]).fill(rows_json(data), {"rows": rows})


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
