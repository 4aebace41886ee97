"""Plan rows across files (CONTRACT.md section 7.1), the one implementation the
loader and ``asklab validate`` share.

- A member's plan_id in two files: the second file in path order is a
  file-level error (``sql/load/plan_clashes.sql``).
- A contact key already in an earlier plan of the member (plans ordered by
  created, then plan_id; plans in error do not count) rejects the row with
  ``contact already in plan <id>`` (``sql/load/ranked_plan_rows.sql``).

Both are SQL over a relation shaped like ``plan_file_rows`` (the plan rows
that passed their own file's rules), run on any DuckDB connection: the
warehouse's, or an in-memory one for ``asklab validate``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from asklab.ingest.cells import show
from asklab.queries import read_sql, render


def clash_reason(member: str, plan_id: str, first_file: str) -> str:
    return (
        f"plan_id {show(plan_id)} of member {show(member)} is already used by {first_file}: "
        "a member's plan_ids must be unique, so this later file (in path order) is not loaded"
    )


def plan_clashes(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Files in error for a plan_id clash among the rows of ``relation``: file -> reason."""
    found = con.sql(render("load/plan_clashes", plan_file_rows=relation)).pl()
    return {
        row["source_file"]: clash_reason(row["member"], row["plan_id"], row["first_file"])
        for row in found.iter_rows(named=True)
    }


def rank_plan_rows(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """From ``relation`` (rows shaped like plan_file_rows, of the plan files not
    in error): the temp table ``ranked_plan_rows`` (the rows that count, each
    with the earlier plan holding its contact or null) and the views
    ``accepted_plan_rows`` (what plan_rows holds) and ``plan_rejections``
    (rejected cells, rejected_rows' columns)."""
    clashes = con.sql(render("load/plan_clashes", plan_file_rows=relation))
    clashes.create_view("clashing_plan_files", replace=True)
    con.execute(render("load/ranked_plan_rows", plan_file_rows=relation)).fetchall()
    con.sql(read_sql("load/plan_rows")).create_view("accepted_plan_rows", replace=True)
    con.sql(read_sql("load/plan_rejections")).create_view("plan_rejections", replace=True)


def drop_ranked_plan_rows(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("plan_rejections", "accepted_plan_rows", "clashing_plan_files"):
        con.execute(f"DROP VIEW IF EXISTS {view}").fetchall()
    con.execute("DROP TABLE IF EXISTS ranked_plan_rows").fetchall()


@dataclass(frozen=True)
class AcrossFiles:
    """What the checks across plan files decide for a set of files."""

    errors: dict[str, str]  # source_file -> reason (plan_id clash)
    rejected: pl.DataFrame  # rejected cells (rejected_rows' columns), by file and line
    accepted: dict[str, int]  # source_file -> accepted plan rows


def check_plans_across_files(rows: pl.DataFrame) -> AcrossFiles:
    """The checks across files of plan rows valid in their own files (plan_file_rows'
    columns), in a DuckDB of their own."""
    con = duckdb.connect()
    try:
        con.register("plan_file_rows", rows.to_arrow())
        errors = plan_clashes(con, "plan_file_rows")
        rank_plan_rows(con, "plan_file_rows")
        rejected = con.sql("SELECT * FROM plan_rejections").pl()
        accepted = con.sql("SELECT source_file FROM accepted_plan_rows").pl()
    finally:
        con.close()
    return AcrossFiles(
        errors=errors,
        rejected=rejected.sort("source_file", "sheet", "line", nulls_last=False),
        accepted=dict(accepted.group_by("source_file").len().iter_rows()),
    )
