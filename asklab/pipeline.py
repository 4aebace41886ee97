"""The weekly run's steps as plain functions: ingest, then outcomes, then reports.

``flows/weekly_analysis.py`` lists these same steps as Prefect tasks; this
module has no Prefect import, so tests and benchmarks call the steps directly
(:func:`run_weekly` runs them in the flow's order).

A :class:`WeeklyRun` holds what the steps share: the settings, the open
warehouse, the run id and the timings. The warehouse is written in ONE
transaction that spans ingest and outcomes (:meth:`WeeklyRun.writing`): a
failure or a kill anywhere before the commit leaves the warehouse as it was
before the run (CONTRACT §4). Reports are written after the commit, from the
committed tables.

Nothing is computed twice: the outcome tables and the pages record what they
were computed from (``asklab.freshness``), and a run whose inputs and
parameters did not change keeps them as they are, which is what a fresh run
would build.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from asklab.freshness import (
    current_reports,
    outcomes_are_current,
    record_reports,
    stored_outcome_rows,
)
from asklab.load import (
    IngestPlan,
    IngestSummary,
    apply_staged,
    plan_ingest,
    read_and_stage,
)
from asklab.load.plan import check_raw_root
from asklab.progress import SILENT, Progress
from asklab.settings import Settings
from asklab.warehouse import (
    Warehouse,
    open_warehouse,
)


class StageError(RuntimeError):
    """A stage of the weekly run failed; the message names the stage and the cause."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        self.stage = stage
        self.cause = cause
        super().__init__(f"stage '{stage}' failed: {type(cause).__name__}: {cause}")


class EmptyRawRoot(RuntimeError):
    """No input file below the raw root while the warehouse holds data (CONTRACT §4)."""


_STAGE = "asklab_stage"


def interrupted_stage(exc: BaseException) -> str | None:
    """The stage an interruption (``exc``, or one it was raised during) stopped,
    or None when it came outside every stage. ``reports`` runs after the commit."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if (stage := getattr(current, _STAGE, None)) is not None:
            return stage
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


@dataclass
class OutcomesResult:
    rows: dict[str, int]
    unchanged: bool  # the stored tables were current and were kept


@dataclass
class ReportsResult:
    pages: list[Path]
    unchanged: bool  # the week's pages were current and were kept


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
        lines = [f"asklab run {self.run_id} (as of {self.as_of.isoformat()})"]
        lines += ingest_lines(self.ingest)
        if self.outcomes_unchanged:
            lines.append("outcomes unchanged (same data and parameters as the last run)")
        if self.reports and self.reports_unchanged:
            lines.append("reports unchanged (nothing changed since they were written):")
            lines += [f"  {path}" for path in self.reports]
        elif self.reports:
            lines.append("reports written:")
            lines += [f"  {path}" for path in self.reports]
        return "\n".join(lines)


def ingest_lines(s: IngestSummary) -> list[str]:
    """The ingest part of a run's summary: file counts, the folders and files in
    error, the removed files, duplicates, the first rejected cells and the notices."""
    lines = [
        f"files: {s.files_loaded} loaded, {s.files_unchanged} unchanged, "
        f"{s.files_removed} removed, {s.files_error} in error",
    ]
    lines += [f"  folder in error: {message}" for message in s.folder_errors]
    lines += [f"  error: {message}" for message in s.errors]
    lines += [f"  removed: {name}" for name in s.removed]
    lines.append(f"duplicates: {s.duplicates} (extra copies of a call or event, counted once)")
    lines.append(f"rows rejected: {s.rows_rejected}" + (":" if s.rejected_first else ""))
    lines += [f"  {cell}" for cell in s.rejected_first]
    if s.rejected_cells > len(s.rejected_first):
        more = s.rejected_cells - len(s.rejected_first)
        lines.append(f"  and {more} more; `asklab validate` lists them all")
    lines += [f"  notice: {message}" for message in s.notices]
    return lines


@dataclass
class WeeklyRun:
    """What the steps of one weekly run share."""

    settings: Settings
    wh: Warehouse
    run_id: str
    progress: Progress = SILENT
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Re-raise any failure inside as a StageError naming ``name``; time the stage."""
        started = time.perf_counter()
        if name not in self.seconds:
            self.progress.stage(name)
        try:
            yield
        except StageError:
            raise
        except Exception as exc:
            raise StageError(name, exc) from exc
        except BaseException as exc:  # an interruption: remember where it came
            setattr(exc, _STAGE, getattr(exc, _STAGE, name))
            raise
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The one transaction of ingest and outcomes; any failure rolls it all back."""
        try:
            with self.wh.transaction():
                yield
        except StageError:
            raise
        except Exception as exc:
            raise StageError("commit", exc) from exc

    def summary(
        self, ingest: IngestSummary, outcomes: OutcomesResult, reports: ReportsResult
    ) -> RunSummary:
        self.progress.done()
        return RunSummary(
            self.run_id,
            self.settings.as_of,
            ingest,
            outcomes.rows,
            reports.pages,
            self.seconds,
            outcomes_unchanged=outcomes.unchanged,
            reports_unchanged=reports.unchanged,
        )


@contextmanager
def open_run(settings: Settings, progress: Progress = SILENT) -> Iterator[WeeklyRun]:
    """Lock and open the warehouse for one weekly run.

    A missing or unreadable raw root fails the run before anything is created
    (CONTRACT §4). A wait for another run's lock is announced on ``progress``.
    """
    with ExitStack() as stack:
        try:
            check_raw_root(settings.raw)
            wh = stack.enter_context(
                open_warehouse(
                    settings.db,
                    lock_timeout=settings.lock_timeout,
                    memory_limit=settings.duckdb_memory_limit,
                    threads=settings.threads,
                    on_wait=progress.note,
                )
            )
        except Exception as exc:
            raise StageError("ingest", exc) from exc
        yield WeeklyRun(settings, wh, new_run_id(), progress)


# -- the steps (each also a Prefect task in flows/) ------------------------------


def plan_files(run: WeeklyRun) -> IngestPlan:
    """Which files to read: new, changed, revalidated, removed."""
    with run.stage("ingest"):
        settings = run.settings
        plan = plan_ingest(
            run.wh, settings.raw, as_of=settings.as_of, date_order=settings.date_order
        )
        if plan.finds_no_input and not settings.allow_empty:
            refuse_empty_run(run.wh, settings.raw)
        return plan


def refuse_empty_run(wh: Warehouse, raw: Path) -> None:
    """Raise :class:`EmptyRawRoot` when the warehouse holds calls or events: a raw
    folder with no input file at all is more likely unmounted than emptied."""
    calls, events = wh.con.execute(
        "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM events)"
    ).fetchall()[0]
    if calls or events:
        raise EmptyRawRoot(
            f"no input file below {raw}, but the warehouse holds {calls} calls and "
            f"{events} events: nothing was changed (is the folder unmounted?). "
            "Run with --allow-empty to remove them all."
        )


def read_files(run: WeeklyRun, plan: IngestPlan) -> dict:
    """Validate the files to read and stage their rows (see ``read_and_stage``)."""
    with run.stage("ingest"):
        settings = run.settings
        return read_and_stage(
            run.wh,
            plan,
            as_of=settings.as_of,
            date_order=settings.date_order,
            progress=run.progress.files,
            workers=settings.threads,
        )


def load_files(run: WeeklyRun, plan: IngestPlan, staged: dict) -> IngestSummary:
    """Replace the re-read and removed files' rows by the staged ones."""
    with run.stage("ingest"):
        return apply_staged(run.wh, plan, staged, run_id=run.run_id, progress=run.progress.writes)


def compute_outcomes(run: WeeklyRun) -> OutcomesResult:
    """The outcome tables and marts, unless the stored ones are current."""
    with run.stage("outcomes"):
        if outcomes_are_current(run.wh, run.settings):
            return OutcomesResult(stored_outcome_rows(run.wh), unchanged=True)
        # Imported when needed: the outcome and report modules bring scipy and
        # Altair, a second or two of imports that an unchanged run skips.
        from asklab.outcomes.build import build_outcomes

        return OutcomesResult(build_outcomes(run.wh, run.settings), unchanged=False)


def write_reports(run: WeeklyRun, ingest: IngestSummary, outcomes: OutcomesResult) -> ReportsResult:
    """The week's pages and the index, unless the written ones are current."""
    with run.stage("reports"):
        wh, settings = run.wh, run.settings
        touched = bool(ingest.files_loaded or ingest.files_removed or ingest.files_error)
        pages = current_reports(wh, settings, files_touched=touched) if outcomes.unchanged else None
        if pages is not None:
            return ReportsResult(pages, unchanged=True)
        # Forget the old pages first: a failure while writing leaves no
        # record claiming they are current.
        record_reports(wh, settings, None)
        pages = render_pages(wh, settings, run.run_id)
        record_reports(wh, settings, pages)
        return ReportsResult(pages, unchanged=False)


def render_pages(wh: Warehouse, settings: Settings, run_id: str) -> list[Path]:
    """Read the report tables and write the week's pages and the index."""
    from asklab.report import load_report_data, render_reports

    data = load_report_data(wh.con, as_of=settings.as_of, run_id=run_id)
    return render_reports(data, settings.reports, as_of=settings.as_of, threads=settings.threads)


def run_weekly(settings: Settings, progress: Progress = SILENT) -> RunSummary:
    """The weekly run without Prefect: the flow's steps, in the flow's order."""
    with open_run(settings, progress) as run:
        with run.writing():
            plan = plan_files(run)
            staged = read_files(run, plan)
            ingest = load_files(run, plan, staged)
            outcomes = compute_outcomes(run)
        reports = write_reports(run, ingest, outcomes)
    return run.summary(ingest, outcomes, reports)
