"""Writing a run's ingest into the warehouse, in the caller's transaction.

:func:`apply_staged` replaces each re-read file's rows in ``calls``/``events``
(first copies) and their duplicates tables and in ``plan_file_rows``, rebuilds
``plan_rows`` (the checks across plan files), keeps the old rows of a file in
error, drops removed files, bumps the warehouse's data version when anything
changed, and writes one ``load_log`` row per file. :func:`apply_ingest` stages
results already in memory, then applies them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from asklab.freshness import new_data_version
from asklab.ingest.check import Problem
from asklab.load.copies import replace_copies
from asklab.load.file_rows import append_load_log, file_load_counts, replace_file_rows
from asklab.load.plan import IngestPlan, plan_ingest
from asklab.load.plans import clashing_reread_files, rebuild_plan_rows
from asklab.load.stage import (
    Progress,
    StagedFile,
    ValidatedRows,
    read_and_stage,
    report_progress,
    stage_validated,
)
from asklab.warehouse import Warehouse, begin_staging, end_staging, staging_area


@dataclass(frozen=True)
class IngestSummary:
    run_id: str
    files_loaded: int
    files_unchanged: int
    files_removed: int
    files_error: int
    rows_rejected_total: int  # distinct rejected rows now in the warehouse
    rows_rejected_run: int  # of those, in the files loaded by this run
    calls: int
    events: int
    errors: tuple[str, ...]  # "source_file: reason"
    notices: tuple[str, ...]  # "source_file: notice"
    rebuilt: bool  # calls/events/plan rows changed (the data version moved on)
    removed: tuple[str, ...] = ()  # source files removed by this run
    folder_errors: tuple[str, ...] = ()  # "folder/: reason" for folders that cannot be listed
    duplicates: int = 0  # extra copies of calls/events now in the warehouse (not rejected)
    rejected_cells: int = 0  # rejected cells now in the warehouse (a row may have several)
    # The first rejected cells, as ``FILE:LINE: COLUMN: REASON`` (see first_rejections).
    rejected_first: tuple[str, ...] = ()

    @property
    def rows_rejected(self) -> int:
        """Rejected rows now in the warehouse (what a run's summary reports)."""
        return self.rows_rejected_total


def apply_ingest(
    wh: Warehouse,
    plan: IngestPlan,
    results: Mapping[str, ValidatedRows | Exception],
    *,
    run_id: str,
    progress: Progress | None = None,
    loaded_at: dt.datetime | None = None,
) -> IngestSummary:
    """Stage ``results`` (validated rows in memory, or the exception that made a
    file a file-level error), then :func:`apply_staged` them."""
    area = begin_staging(wh)
    staged = {
        name: result if isinstance(result, Exception) else stage_validated(area, f"{i:06d}", result)
        for i, (name, result) in enumerate(results.items())
    }
    return apply_staged(wh, plan, staged, run_id=run_id, progress=progress, loaded_at=loaded_at)


def apply_staged(
    wh: Warehouse,
    plan: IngestPlan,
    results: Mapping[str, StagedFile | Exception],
    *,
    run_id: str,
    progress: Progress | None = None,
    loaded_at: dt.datetime | None = None,
) -> IngestSummary:
    """Write the plan's outcome into the warehouse (joins the caller's transaction).

    ``results`` maps every file the plan reads to its StagedFile (its rows are
    in the staging area, see :func:`read_and_stage`) or to the exception
    (``FileError``) that made it a file-level error. ``progress(done, total)``
    is called after each of the 4 write steps (rejections and file states,
    calls, events, load log).
    """
    expected = {f.source_file for f in plan.to_read}
    if set(results) != expected:
        missing = sorted(expected - set(results))
        extra = sorted(set(results) - expected)
        raise ValueError(f"results do not match the plan: missing {missing}, unexpected {extra}")
    loaded_at = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    loaded = {name: r for name, r in results.items() if not isinstance(r, Exception)}
    failed = {name: _error_reason(r) for name, r in results.items() if isinstance(r, Exception)}
    # Files the plan already knows it cannot read: errors that keep their rows.
    failed.update({f.source_file: f.why for f in plan.files if f.change == "error"})
    removed = [f.source_file for f in plan.files if f.change == "removed"]
    steps = 4

    with wh.transaction():
        # A re-read plan file whose plan_id an earlier file holds is a file in
        # error: its staged rows are dropped before anything is written.
        clashes = clashing_reread_files(wh, sorted(loaded), removed, sorted(failed))
        for name, reason in clashes.items():
            if loaded[name].key is not None:
                staging_area(wh).discard(loaded[name].key)
            del loaded[name]
            failed[name] = reason
        # Every file whose contribution is replaced: re-read ones and removed ones.
        replaced = sorted([*loaded, *removed])
        replace_file_rows(wh, "rejected_rows", replaced)
        replace_file_rows(wh, "plan_file_rows", replaced)
        replace_file_rows(
            wh,
            "file_state",
            replaced,
            _file_states(plan, loaded, run_id=run_id, loaded_at=loaded_at),
        )
        report_progress(progress, 1, steps)
        rebuilt = bool(replaced)
        if rebuilt:
            replace_copies(wh, "calls", replaced)
        report_progress(progress, 2, steps)
        if rebuilt:
            replace_copies(wh, "events", replaced)
        # Every run: which plan files are in error decides which plans count.
        plans = rebuild_plan_rows(wh, sorted(failed))
        # A file kept as it was whose plan_id an earlier file now holds (one
        # added since) is in error too: a fresh run would say so.
        for name, reason in plans.clashes.items():
            if name not in loaded and name not in removed:
                failed.setdefault(name, reason)
        rebuilt = rebuilt or plans.changed
        if rebuilt:
            new_data_version(wh)
        end_staging(wh)
        report_progress(progress, 3, steps)
        counts = file_load_counts(wh)
        log = _load_log_rows(plan, loaded, failed, counts, run_id=run_id, loaded_at=loaded_at)
        append_load_log(wh, log)
        totals = wh.con.execute(
            "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM events), "
            "(SELECT count(*) FROM rejected_rows)"
        ).fetchall()[0]
        rejected_first = first_rejections(wh, FIRST_REJECTIONS_SHOWN)
        report_progress(progress, 4, steps)

    statuses = log["status"].to_list()
    return IngestSummary(
        run_id=run_id,
        files_loaded=statuses.count("loaded"),
        files_unchanged=statuses.count("unchanged"),
        files_removed=statuses.count("removed"),
        files_error=statuses.count("error"),
        rows_rejected_total=int(counts["rows_rejected"].sum()),
        rows_rejected_run=int(
            counts.filter(pl.col("source_file").is_in(list(loaded)))["rows_rejected"].sum()
        ),
        calls=int(totals[0]),
        events=int(totals[1]),
        errors=tuple(f"{name}: {reason}" for name, reason in sorted(failed.items())),
        notices=(
            *plan.notices,
            *(f"{name}: {notice}" for name in sorted(loaded) for notice in loaded[name].notices),
        ),
        rebuilt=rebuilt,
        removed=tuple(removed),
        folder_errors=plan.folder_errors,
        duplicates=int(counts["duplicates"].sum()),
        rejected_cells=int(totals[2]),
        rejected_first=rejected_first,
    )


# How many rejected cells a run's summary lists (`asklab validate` lists them all).
FIRST_REJECTIONS_SHOWN = 10


def first_rejections(wh: Warehouse, limit: int) -> tuple[str, ...]:
    """The first ``limit`` rejected cells in the warehouse, in file and line order, as
    ``FILE:LINE: COLUMN: REASON`` (``FILE[SHEET]`` for a spreadsheet), as `asklab validate`
    prints them."""
    rows = wh.con.execute(
        'SELECT source_file, sheet, line, "column", reason FROM rejected_rows '
        'ORDER BY source_file, sheet NULLS FIRST, line, "column" LIMIT ?',
        [limit],
    ).fetchall()
    return tuple(
        Problem(file, line, column or "", reason, sheet).format()
        for file, sheet, line, column, reason in rows
    )


def ingest(
    wh: Warehouse, raw_root: Path, *, as_of: dt.date, date_order: str, run_id: str
) -> IngestSummary:
    """Plan, read and apply in one call (in the caller's transaction, or its own)."""
    with wh.transaction():
        plan = plan_ingest(wh, raw_root, as_of=as_of, date_order=date_order)
        staged = read_and_stage(wh, plan, as_of=as_of, date_order=date_order)
        return apply_staged(wh, plan, staged, run_id=run_id)


def _error_reason(error: Exception) -> str:
    reason = getattr(error, "reason", None)
    return str(reason) if reason else str(error)


def _file_states(
    plan: IngestPlan,
    loaded: Mapping[str, StagedFile],
    *,
    run_id: str,
    loaded_at: dt.datetime,
) -> pl.DataFrame:
    sha256 = {f.source_file: f.sha256 for f in plan.files}
    names = sorted(loaded)
    return pl.DataFrame(
        {
            "source_file": names,
            "sha256": [sha256[n] for n in names],
            "params_fingerprint": [plan.params_fingerprint] * len(names),
            "as_of": [plan.as_of] * len(names),
            "max_date": [loaded[n].max_date for n in names],
            "has_future_rejections": [bool(loaded[n].has_future_rejections) for n in names],
            "last_loaded_run": [run_id] * len(names),
            "loaded_at": [loaded_at] * len(names),
        },
        schema={
            "source_file": pl.String,
            "sha256": pl.String,
            "params_fingerprint": pl.String,
            "as_of": pl.Date,
            "max_date": pl.Date,
            "has_future_rejections": pl.Boolean,
            "last_loaded_run": pl.String,
            "loaded_at": pl.Datetime("us"),
        },
    )


def _load_log_rows(
    plan: IngestPlan,
    loaded: Mapping[str, StagedFile],
    failed: Mapping[str, str],
    counts: pl.DataFrame,
    *,
    run_id: str,
    loaded_at: dt.datetime,
) -> pl.DataFrame:
    """One row per planned file. Counts describe what the file contributes now
    (loaded/unchanged); an error or removed file contributes nothing this run."""
    by_file = {row["source_file"]: row for row in counts.iter_rows(named=True)}
    rows = []
    for planned in plan.files:
        name = planned.source_file
        if name in failed:
            status, message = "error", failed[name]
        elif name in loaded:
            status, message = "loaded", "; ".join(loaded[name].notices) or None
        elif planned.change == "removed":
            status, message = "removed", None
        else:
            status, message = "unchanged", None
        current = by_file.get(name) if status in ("loaded", "unchanged") else None
        rows.append(
            {
                "run_id": run_id,
                "source_file": name,
                "sha256": planned.sha256,
                "status": status,
                "rows_loaded": current["rows_loaded"] if current else 0,
                "rows_rejected": current["rows_rejected"] if current else 0,
                "duplicates": current["duplicates"] if current else 0,
                "message": message,
                "loaded_at": loaded_at,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "run_id": pl.String,
            "source_file": pl.String,
            "sha256": pl.String,
            "status": pl.String,
            "rows_loaded": pl.Int64,
            "rows_rejected": pl.Int64,
            "duplicates": pl.Int64,
            "message": pl.String,
            "loaded_at": pl.Datetime("us"),
        },
    )
