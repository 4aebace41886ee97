"""Plan rows in the warehouse: the checks across plan files (CONTRACT.md section
7.1, see :mod:`asklab.ingest.plan_files`) at load time.

Before anything is written, a re-read file whose plan_id clashes with an
earlier file's becomes a file-level error (:func:`clashing_reread_files`).
After the per-file rows are written, ``plan_rows`` and the rejections across
files are rebuilt from ``plan_file_rows`` (:func:`rebuild_plan_rows`), so
they always equal what a fresh run over the same files would decide.
"""

from __future__ import annotations

from collections.abc import Sequence

from asklab.ingest.plan_files import drop_ranked_plan_rows, plan_clashes, rank_plan_rows
from asklab.load.file_rows import replaced_files
from asklab.queries import read_sql, render
from asklab.warehouse import Warehouse, staging_area


def clashing_reread_files(
    wh: Warehouse, reread: Sequence[str], removed: Sequence[str]
) -> dict[str, str]:
    """Re-read files whose staged plan_id is a member's plan_id of an earlier
    file (path order) after the run: source_file -> reason.

    Compared with what every file holds after the run: the staged rows of the
    re-read files, the stored rows of the others (removed files left out).
    """
    staged = staging_area(wh).view(
        wh, "plan_file_rows", empty="SELECT * FROM plan_file_rows LIMIT 0"
    )
    try:
        with replaced_files(wh, [*reread, *removed]):
            wh.execute(render("load/candidate_plan_rows", staged=staged))
            clashes = plan_clashes(wh.con, "candidate_plan_rows")
    finally:
        wh.execute("DROP VIEW IF EXISTS candidate_plan_rows")
    return {name: reason for name, reason in clashes.items() if name in set(reread)}


def stored_plan_errors(wh: Warehouse) -> dict[str, str]:
    """Files whose stored plan rows clash with an earlier file's plan_id: file -> reason."""
    return plan_clashes(wh.con, "plan_file_rows")


def rebuild_plan_rows(wh: Warehouse) -> None:
    """``plan_rows`` and the rejections across plan files, from ``plan_file_rows``."""
    wh.execute(read_sql("load/delete_plan_rejections"))
    wh.execute("DELETE FROM plan_rows")
    try:
        rank_plan_rows(wh.con)
        wh.execute("INSERT INTO plan_rows BY NAME SELECT * FROM accepted_plan_rows")
        wh.execute("INSERT INTO rejected_rows BY NAME SELECT * FROM plan_rejections")
    finally:
        drop_ranked_plan_rows(wh.con)
