"""Plan rows in the warehouse: the checks across plan files (CONTRACT.md section
7.1, see :mod:`asklab.ingest.plan_files`) at load time.

Before anything is written, a re-read file whose plan_id clashes with an
earlier file's becomes a file-level error (:func:`clashing_reread_files`).
After the per-file rows are written, ``plan_rows`` and the rejections across
files are rebuilt from ``plan_file_rows`` (:func:`rebuild_plan_rows`), every
run: they depend on which plan files are in error this run, since a plan in
error does not count (its last good rows stay in ``plan_file_rows``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from asklab.ingest.plan_files import drop_ranked_plan_rows, plan_clashes, rank_plan_rows
from asklab.load.file_rows import replaced_files
from asklab.queries import read_sql, render
from asklab.warehouse import Warehouse, staging_area


def clashing_reread_files(
    wh: Warehouse, reread: Sequence[str], removed: Sequence[str], in_error: Sequence[str]
) -> dict[str, str]:
    """Re-read files whose staged plan_id is a member's plan_id of an earlier
    file (path order) after the run: source_file -> reason.

    Compared with the plan rows that count after the run: the staged rows of
    the re-read files, the stored rows of the others (removed files and
    files in error left out).
    """
    staged = staging_area(wh).view(
        wh, "plan_file_rows", empty="SELECT * FROM plan_file_rows LIMIT 0"
    )
    try:
        with replaced_files(wh, [*reread, *removed, *in_error]):
            wh.execute(render("load/candidate_plan_rows", staged=staged))
            clashes = plan_clashes(wh.con, "candidate_plan_rows")
    finally:
        wh.execute("DROP VIEW IF EXISTS candidate_plan_rows")
    return {name: reason for name, reason in clashes.items() if name in set(reread)}


@dataclass(frozen=True)
class PlanRowsRebuilt:
    clashes: dict[str, str]  # stored plan files in error for a plan_id clash -> reason
    changed: bool  # plan_rows differs from before


def rebuild_plan_rows(wh: Warehouse, in_error: Sequence[str]) -> PlanRowsRebuilt:
    """``plan_rows`` and the rejections across plan files, from ``plan_file_rows``
    without the files in error (``in_error``)."""
    frame = pl.DataFrame({"source_file": list(in_error)}, schema={"source_file": pl.String})
    try:
        with wh.registered("files_in_error", frame):
            wh.execute(read_sql("load/counted_plan_file_rows"))
            clashes = plan_clashes(wh.con, "counted_plan_file_rows")
            wh.execute("CREATE OR REPLACE TEMP TABLE previous_plan_rows AS FROM plan_rows")
            wh.execute(read_sql("load/delete_plan_rejections"))
            wh.execute("DELETE FROM plan_rows")
            rank_plan_rows(wh.con, "counted_plan_file_rows")
            wh.execute("INSERT INTO plan_rows BY NAME SELECT * FROM accepted_plan_rows")
            wh.execute("INSERT INTO rejected_rows BY NAME SELECT * FROM plan_rejections")
            changed = bool(wh.scalar(read_sql("load/plan_rows_changed")))
    finally:
        drop_ranked_plan_rows(wh.con)
        wh.execute("DROP VIEW IF EXISTS counted_plan_file_rows")
        wh.execute("DROP TABLE IF EXISTS previous_plan_rows")
    return PlanRowsRebuilt(clashes, changed)
