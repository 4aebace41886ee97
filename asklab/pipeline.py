"""The weekly run as plain functions: ingest, then outcomes, then reports.

``flows/weekly_analysis.py`` wraps these same steps in Prefect tasks; this
module has no Prefect import, so tests and benchmarks can call it directly.

The warehouse is written in ONE transaction that spans ingest and outcomes:
a failure or a kill anywhere before the commit leaves the warehouse as it was
before the run (CONTRACT §4). Reports are written after the commit, from the
committed tables.

Nothing is computed twice: the outcome tables record what they were computed
from (the warehouse's data version, as_of, window and the outcomes code), and
a run whose ingest changed nothing and whose parameters are those of the last
run keeps them as they are, which is what a fresh run would build. Likewise
the week's pages, when they exist and were written from those same tables by
the same report code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from asklab import SQL_DIR
from asklab.ingest.load import (
    IngestPlan,
    IngestSummary,
    apply_staged,
    plan_ingest,
    read_and_stage,
)
from asklab.outcomes import (
    CALLS_INPUT_SCHEMA,
    EVENTS_INPUT_SCHEMA,
    OutcomeParts,
    outcome_parts,
    stack_parts,
    summary_tables,
)
from asklab.outcomes.marts import MART_SQL_DIR, build_report_marts
from asklab.progress import SILENT, Progress
from asklab.report import load_report_data, render_reports
from asklab.settings import Settings
from asklab.warehouse import (
    EVENT_ROWID,
    OUTCOMES_KEY,
    Warehouse,
    append_call_outcomes,
    begin_staging,
    clear_call_outcomes,
    data_version,
    delete_meta_value,
    end_staging,
    event_call_ids,
    meta_value,
    open_warehouse,
    read_calls,
    read_events,
    set_meta_value,
    update_event_call_ids,
    write_outcomes,
)

T = TypeVar("T")

PACKAGE_DIR = Path(__file__).resolve().parent
# warehouse_meta keys (OUTCOMES_KEY, in asklab.warehouse, is cleared by every
# write_outcomes): the row counts of the last computed outcome tables, and
# what the last pages were written from and where.
OUTCOME_ROWS_KEY = "outcome_rows"
REPORTS_KEY = "reports_written_from"
REPORT_PAGES_KEY = "report_pages"
# compute_outcomes works on parts of about this many calls (whole members
# each), so that its memory follows the part, not the whole group: about
# 0.4 GB of frames per million calls at their peak. Each part reads only its
# members' rows.
CALLS_PER_PART = 1_000_000


class StageError(RuntimeError):
    """A stage of the weekly run failed; the message names the stage and the cause."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        self.stage = stage
        self.cause = cause
        super().__init__(f"stage '{stage}' failed: {type(cause).__name__}: {cause}")


@contextmanager
def stage(name: str, seconds: dict[str, float] | None = None) -> Iterator[None]:
    """Re-raise any failure inside as a StageError naming ``name``; time the stage."""
    started = time.perf_counter()
    try:
        yield
    except StageError:
        raise
    except Exception as exc:
        raise StageError(name, exc) from exc
    finally:
        if seconds is not None:
            seconds[name] = time.perf_counter() - started


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


@dataclass
class RunSummary:
    run_id: str
    as_of: dt.date
    ingest: IngestSummary
    outcome_rows: dict[str, int] = field(default_factory=dict)
    reports: list[Path] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # The outcome tables / the week's pages were already up to date: kept as they are.
    outcomes_unchanged: bool = False
    reports_unchanged: bool = False

    def format(self) -> str:
        s = self.ingest
        lines = [
            f"asklab run {self.run_id} (as of {self.as_of.isoformat()})",
            f"files: {s.files_loaded} loaded, {s.files_unchanged} unchanged, "
            f"{s.files_removed} removed, {s.files_error} in error",
            f"rows rejected: {s.rows_rejected} (see the rejected_rows table)",
        ]
        lines += [f"  error: {message}" for message in s.errors]
        lines += [f"  notice: {message}" for message in s.notices]
        if self.outcomes_unchanged:
            lines.append("outcomes unchanged (same data and parameters as the last run)")
        if self.reports and self.reports_unchanged:
            lines.append("reports unchanged (nothing changed since they were written):")
            lines += [f"  {path}" for path in self.reports]
        elif self.reports:
            lines.append("reports written:")
            lines += [f"  {path}" for path in self.reports]
        return "\n".join(lines)


# -- stage functions (each also a Prefect task in flows/) ----------------------


def plan_files(wh: Warehouse, settings: Settings) -> IngestPlan:
    return plan_ingest(wh, settings.raw, as_of=settings.as_of, date_order=settings.date_order)


def read_files(
    wh: Warehouse, plan: IngestPlan, settings: Settings, progress: Progress = SILENT
) -> dict:
    """Validate the files to read and stage their rows (see ``read_and_stage``)."""
    return read_and_stage(
        wh, plan, as_of=settings.as_of, date_order=settings.date_order, progress=progress.files
    )


def load_files(
    wh: Warehouse, plan: IngestPlan, staged: dict, run_id: str, progress: Progress = SILENT
) -> IngestSummary:
    """Replace the re-read and removed files' rows by the staged ones."""
    return apply_staged(wh, plan, staged, run_id=run_id, progress=progress.writes)


def compute_outcomes(wh: Warehouse, settings: Settings) -> dict[str, int]:
    """Attribute events, compute per-call outcomes and marts, write them.

    A large group is done a part of its members at a time (attribution and
    per-call outcomes stay within a member; the summaries add up per-member
    counts), so memory follows the part, not the group. Records what the
    tables were computed from (:func:`outcomes_key`), so a later run with the
    same data and parameters can keep them.
    """
    calls_total = int(wh.scalar("SELECT count(*) FROM calls") or 0)
    count = max(1, math.ceil(calls_total / CALLS_PER_PART))
    rows = {"events": 0, "call_outcomes": 0}
    summaries: list[OutcomeParts] = []
    with wh.transaction():
        clear_call_outcomes(wh)
        # With several parts, each part's rows wait in the staging area and
        # are written in one statement per table: many small writes inside the
        # run's transaction would be held in memory until it commits.
        area = begin_staging(wh) if count > 1 else None
        for index in range(count):
            part = (index, count) if count > 1 else None
            parts = outcome_parts(
                # Only the columns the outcomes use, in no particular order.
                read_calls(wh, list(CALLS_INPUT_SCHEMA), ordered=False, part=part),
                read_events(wh, [*EVENTS_INPUT_SCHEMA, EVENT_ROWID], ordered=False, part=part),
                as_of=settings.as_of,
                window=settings.window,
            )
            if area is None:
                rows["events"] += update_event_call_ids(wh, parts.events)
                append_call_outcomes(wh, parts.call_outcomes)
            else:
                area.write("event_call_ids", f"{index:06d}", event_call_ids(parts.events))
                area.write("call_outcomes", f"{index:06d}", parts.call_outcomes)
            rows["call_outcomes"] += parts.call_outcomes.height
            # Keep the (small) counts only.
            summaries.append(parts.counts_only())
            del parts
        if area is not None:
            rows["events"] = update_event_call_ids(wh, area)
            append_call_outcomes(wh, area)
            end_staging(wh)
        events_total = int(wh.scalar("SELECT count(*) FROM events") or 0)
        if rows["events"] != events_total:
            raise RuntimeError(f"the parts covered {rows['events']} of {events_total} events")
        tables = summary_tables(stack_parts(summaries))
        write_outcomes(wh, tables)
        rows |= {name: frame.height for name, frame in tables.items()}
        # The small tables the report stage reads instead of calls and events.
        build_report_marts(wh.con, as_of=settings.as_of)
        set_meta_value(wh, OUTCOMES_KEY, outcomes_key(wh, settings))
        set_meta_value(wh, OUTCOME_ROWS_KEY, json.dumps(rows, sort_keys=True))
    return rows


def outcomes_key(wh: Warehouse, settings: Settings) -> str:
    """What the outcome tables computed now would be computed from."""
    return _key(
        data=data_version(wh),
        as_of=settings.as_of.isoformat(),
        window=settings.window,
        code=code_fingerprint(
            [
                *sorted((PACKAGE_DIR / "outcomes").glob("*.py")),
                PACKAGE_DIR / "metrics.py",
                PACKAGE_DIR / "stats.py",
                *sorted(MART_SQL_DIR.glob("*.sql")),
            ]
        ),
    )


def outcomes_are_current(wh: Warehouse, settings: Settings) -> bool:
    """Whether the stored outcome tables are what :func:`compute_outcomes` would write.

    True when they were computed from the warehouse's current data version
    with the same as_of, window and outcomes code, and nothing has written
    them since. A warehouse that never loaded data has no version: False.
    """
    if data_version(wh) is None:
        return False
    return meta_value(wh, OUTCOMES_KEY) == outcomes_key(wh, settings)


def stored_outcome_rows(wh: Warehouse) -> dict[str, int]:
    """Row counts of the outcome tables, as recorded when they were computed."""
    recorded = meta_value(wh, OUTCOME_ROWS_KEY)
    return {str(name): int(count) for name, count in json.loads(recorded or "{}").items()}


def write_reports(wh: Warehouse, settings: Settings, run_id: str) -> list[Path]:
    data = load_report_data(wh.con, as_of=settings.as_of, run_id=run_id)
    return render_reports(data, settings.reports, as_of=settings.as_of)


def reports_key(wh: Warehouse, settings: Settings) -> str:
    """What the week's pages written now would be written from, and where."""
    report_code = [
        *sorted((PACKAGE_DIR / "report").glob("*.py")),
        *sorted((SQL_DIR / "reports").glob("*.sql")),
    ]
    return _key(
        outcomes=meta_value(wh, OUTCOMES_KEY),
        reports=str(settings.reports.resolve()),
        week=settings.as_of.isoformat(),
        code=code_fingerprint(report_code),
    )


def current_reports(wh: Warehouse, settings: Settings, ingest: IngestSummary) -> list[Path] | None:
    """The week's pages when they need not be written again, else None.

    They need not when this run's ingest changed nothing and met no file
    error (a file in error is read again every run and its message may
    differ), they were written from the current outcome tables by the same
    report code into the same folder, and every one of them still exists.
    """
    if ingest.files_loaded or ingest.files_removed or ingest.files_error:
        return None
    if meta_value(wh, REPORTS_KEY) != reports_key(wh, settings):
        return None
    pages = [Path(page) for page in json.loads(meta_value(wh, REPORT_PAGES_KEY) or "[]")]
    if not pages or not all(page.is_file() for page in pages):
        return None
    return pages


def record_reports(wh: Warehouse, settings: Settings, pages: list[Path] | None) -> None:
    """Record the pages just written (None: forget them, before writing new ones)."""
    with wh.transaction():
        if pages is None:
            delete_meta_value(wh, REPORTS_KEY)
            delete_meta_value(wh, REPORT_PAGES_KEY)
            return
        set_meta_value(wh, REPORTS_KEY, reports_key(wh, settings))
        set_meta_value(wh, REPORT_PAGES_KEY, json.dumps([str(page) for page in pages]))


def code_fingerprint(paths: Iterable[Path]) -> str:
    """sha256 over the files' names and bytes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def _key(**parts: object) -> str:
    return json.dumps(parts, sort_keys=True)


def call_directly(step: Callable[..., T], *args: Any) -> T:
    return step(*args)


def run_weekly(
    settings: Settings,
    progress: Progress = SILENT,
    call_step: Callable[..., Any] = call_directly,
) -> RunSummary:
    """The whole weekly run, each step called through ``call_step``.

    ``call_step(step, *args)`` runs one step function; the Prefect flow passes
    one that runs the step as its task, so the order lives only here.

    ``compute_outcomes`` is skipped when the outcome tables are current
    (:func:`outcomes_are_current`), and ``write_reports`` when, in addition,
    the week's pages are (:func:`current_reports`); the summary says so.
    """
    run_id = new_run_id()
    seconds: dict[str, float] = {}
    outcomes_unchanged = reports_unchanged = False
    with ExitStack() as cleanup:
        with stage("ingest"):
            wh = cleanup.enter_context(
                open_warehouse(
                    settings.db,
                    lock_timeout=settings.lock_timeout,
                    memory_limit=settings.duckdb_memory_limit,
                )
            )
        # One transaction for ingest and outcomes; a stage that fails rolls
        # it all back, and reports then read only committed tables.
        with stage("commit"), wh.transaction():
            with stage("ingest", seconds):
                progress.stage("ingest")
                plan = call_step(plan_files, wh, settings)
                staged = call_step(read_files, wh, plan, settings, progress)
                summary = call_step(load_files, wh, plan, staged, run_id, progress)
            with stage("outcomes", seconds):
                progress.stage("outcomes")
                if outcomes_are_current(wh, settings):
                    outcomes_unchanged = True
                    outcome_rows = stored_outcome_rows(wh)
                else:
                    outcome_rows = call_step(compute_outcomes, wh, settings)
        with stage("reports", seconds):
            progress.stage("reports")
            pages = current_reports(wh, settings, summary) if outcomes_unchanged else None
            if pages is not None:
                reports_unchanged = True
            else:
                # Forget the old pages first: a failure while writing leaves
                # no record claiming they are current.
                record_reports(wh, settings, None)
                pages = call_step(write_reports, wh, settings, run_id)
                record_reports(wh, settings, pages)
    progress.done()
    return RunSummary(
        run_id,
        settings.as_of,
        summary,
        outcome_rows,
        pages,
        seconds,
        outcomes_unchanged=outcomes_unchanged,
        reports_unchanged=reports_unchanged,
    )
