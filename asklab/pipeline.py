"""The weekly run as plain functions: ingest, then outcomes, then reports.

``flows/weekly_analysis.py`` wraps these same steps in Prefect tasks; this
module has no Prefect import, so tests and benchmarks can call it directly.

The warehouse is written in ONE transaction that spans ingest and outcomes:
a failure or a kill anywhere before the commit leaves the warehouse as it was
before the run (CONTRACT §4). Reports are written after the commit, from the
committed tables.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from asklab.ingest.load import IngestPlan, IngestSummary, apply_ingest, plan_ingest, read_planned
from asklab.outcomes import build_outcome_tables
from asklab.progress import SILENT, Progress
from asklab.report import load_report_data, render_reports
from asklab.settings import Settings
from asklab.warehouse import Warehouse, open_warehouse, read_calls, read_events, write_outcomes

STAGES = ("ingest", "outcomes", "reports")
T = TypeVar("T")


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
        if self.reports:
            lines.append("reports written:")
            lines += [f"  {path}" for path in self.reports]
        return "\n".join(lines)


# -- stage functions (each also a Prefect task in flows/) ----------------------


def plan_files(wh: Warehouse, settings: Settings) -> IngestPlan:
    return plan_ingest(wh, settings.raw, as_of=settings.as_of, date_order=settings.date_order)


def read_files(plan: IngestPlan, settings: Settings, progress: Progress = SILENT) -> dict:
    return read_planned(
        plan, as_of=settings.as_of, date_order=settings.date_order, progress=progress.files
    )


def load_files(
    wh: Warehouse, plan: IngestPlan, results: dict, run_id: str, progress: Progress = SILENT
) -> IngestSummary:
    return apply_ingest(wh, plan, results, run_id=run_id, progress=progress.writes)


def compute_outcomes(wh: Warehouse, settings: Settings) -> dict[str, int]:
    """Attribute events, compute per-call outcomes and marts, write them."""
    tables: dict[str, pl.DataFrame] = build_outcome_tables(
        read_calls(wh), read_events(wh), as_of=settings.as_of, window=settings.window
    )
    write_outcomes(wh, tables)
    return {name: frame.height for name, frame in tables.items()}


def write_reports(wh: Warehouse, settings: Settings, run_id: str) -> list[Path]:
    data = load_report_data(wh.con, as_of=settings.as_of, run_id=run_id)
    return render_reports(data, settings.reports, as_of=settings.as_of)


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
    """
    run_id = new_run_id()
    seconds: dict[str, float] = {}
    with ExitStack() as cleanup:
        with stage("ingest"):
            wh = cleanup.enter_context(
                open_warehouse(settings.db, lock_timeout=settings.lock_timeout)
            )
        # One transaction for ingest and outcomes; a stage that fails rolls
        # it all back, and reports then read only committed tables.
        with stage("commit"), wh.transaction():
            with stage("ingest", seconds):
                progress.stage("ingest")
                plan = call_step(plan_files, wh, settings)
                results = call_step(read_files, plan, settings, progress)
                summary = call_step(load_files, wh, plan, results, run_id, progress)
            with stage("outcomes", seconds):
                progress.stage("outcomes")
                outcome_rows = call_step(compute_outcomes, wh, settings)
        with stage("reports", seconds):
            progress.stage("reports")
            pages = call_step(write_reports, wh, settings, run_id)
    progress.done()
    return RunSummary(run_id, settings.as_of, summary, outcome_rows, pages, seconds)
