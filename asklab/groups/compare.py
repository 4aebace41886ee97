"""``all_groups.duckdb`` (CONTRACT section 8): the groups side by side.

Built after the groups finish, from each group's warehouse as it stands
(a failed group's as before its run), attached read-only one at a time. The
file is built beside its place and renamed over it, so a reader sees the
last complete one; a lock keeps two groups runs of one ``db_dir`` apart.
Only the groups of this run are read: a group whose folder was removed
keeps its warehouse and pages, but drops out of the comparison.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from asklab import stats
from asklab.groups.discover import ALL_GROUPS_DB
from asklab.groups.outcome import GroupOutcome
from asklab.metrics import RATE_METRICS
from asklab.queries import read_sql, render

# The alias of the group warehouse being read (one at a time).
SOURCE = "group_source"


@dataclass
class AllGroups:
    """The all-groups tables as built, and what was left out and why."""

    path: Path
    comparison: pl.DataFrame
    groups: pl.DataFrame
    notices: list[str] = field(default_factory=list)


def build_all_groups(db_dir: Path, outcomes: Sequence[GroupOutcome]) -> AllGroups:
    """Rebuild ``<db_dir>/all_groups.duckdb`` from the warehouses of ``outcomes``' groups."""
    db_dir.mkdir(parents=True, exist_ok=True)
    path = db_dir / ALL_GROUPS_DB
    partial = db_dir / f".{ALL_GROUPS_DB}.partial"
    notices: list[str] = []
    with _locked(db_dir / f"{ALL_GROUPS_DB}.lock"):
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)
        con = duckdb.connect(str(partial))
        try:
            con.execute(read_sql("groups/schema"))
            for outcome in outcomes:
                notice = _add_group(con, db_dir, outcome)
                if notice:
                    notices.append(notice)
            _add_pooled_rows(con)
            comparison = con.sql(read_sql("groups/group_comparison")).pl()
            groups = con.sql(read_sql("groups/groups")).pl()
            con.execute("CHECKPOINT")
        finally:
            con.close()
        partial.replace(path)
    return AllGroups(path, comparison, groups, notices)


def _add_group(con: duckdb.DuckDBPyConnection, db_dir: Path, outcome: GroupOutcome) -> str | None:
    """Read one group's rows and size; an unreadable warehouse is left out, with a notice."""
    group = outcome.group
    warehouse = db_dir / f"{group.slug}.duckdb"
    row = {
        "group_key": group.key,
        "group_slug": group.slug,
        "folder": group.folder.name,
        "status": "failed" if outcome.failed else "completed",
        "error": outcome.error,
        "in_comparison": False,
        "members": None,
        "calls": None,
    }
    notice = None
    if warehouse.is_file():
        try:
            con.execute(render("groups/attach", source=SOURCE), {"path": str(warehouse)})
        except duckdb.Error as exc:
            notice = (
                f"group {group.key!r}: its warehouse {warehouse} cannot be read ({exc}): left out"
            )
        else:
            try:
                con.execute(render("groups/group_rows", source=SOURCE), _keys(group))
                row["members"], row["calls"] = con.execute(
                    render("groups/group_size", source=SOURCE)
                ).fetchone()
                row["in_comparison"] = True
            except duckdb.Error as exc:
                notice = f"group {group.key!r}: left out, its warehouse {warehouse}: {exc}"
            finally:
                con.execute(render("groups/detach", source=SOURCE))
    if notice and row["error"] is None:
        row["error"] = notice
    con.execute(read_sql("groups/insert_group"), row)
    return notice


def _keys(group) -> dict[str, str]:
    return {"group_key": group.key, "group_slug": group.slug}


def _add_pooled_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Per metric that some group has: sums, Newcombe, P(ref better), and MH over groups."""
    strata = con.sql(read_sql("groups/strata")).pl()
    pooled_rows = pooled_comparison(strata)
    con.register("pooled_rows", pooled_rows)
    try:
        con.execute(read_sql("groups/insert_pooled"))
    finally:
        con.unregister("pooled_rows")


def pooled_comparison(strata: pl.DataFrame) -> pl.DataFrame:
    """One row per metric of ``strata`` (per-group x_ref, n_ref, x_job, n_job):
    the groups summed, compared as one group, and Mantel-Haenszel with the
    groups as strata (CONTRACT section 3.1)."""
    rows = []
    for metric in [m for m in RATE_METRICS if m in set(strata["metric"])] + sorted(
        set(strata["metric"]) - set(RATE_METRICS)
    ):
        part = strata.filter(pl.col("metric") == metric)
        pooled = stats.stratified_comparison(
            part["x_ref"], part["n_ref"], part["x_job"], part["n_job"]
        )
        rows.append(
            {
                "group_key": None,
                "group_slug": None,
                "metric": metric,
                "n_ref": pooled["n1"],
                "x_ref": pooled["x1"],
                "n_job": pooled["n2"],
                "x_job": pooled["x2"],
                "diff": pooled["diff"],
                "diff_lo": pooled["diff_lo"],
                "diff_hi": pooled["diff_hi"],
                "prob_ref_better": pooled["prob_better"],
                "mh_diff": pooled["mh_diff"],
                "mh_diff_lo": pooled["mh_diff_lo"],
                "mh_diff_hi": pooled["mh_diff_hi"],
                "groups": part.height,
            }
        )
    return pl.DataFrame(rows, schema=POOLED_SCHEMA)


POOLED_SCHEMA: dict[str, pl.DataType] = {
    "group_key": pl.String(),
    "group_slug": pl.String(),
    "metric": pl.String(),
    "n_ref": pl.Int64(),
    "x_ref": pl.Int64(),
    "n_job": pl.Int64(),
    "x_job": pl.Int64(),
    **{
        name: pl.Float64()
        for name in (
            "diff",
            "diff_lo",
            "diff_hi",
            "prob_ref_better",
            "mh_diff",
            "mh_diff_lo",
            "mh_diff_hi",
        )
    },
    "groups": pl.Int64(),
}


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
