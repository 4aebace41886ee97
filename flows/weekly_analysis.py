"""The weekly Prefect flow: ingest, then outcomes, then reports.

The flow only orchestrates: each step is a plain function of
``asklab.pipeline`` run as a Prefect task. Retries only where I/O can fail
without side effects on the warehouse: reading raw files (it writes only the
run's temporary staging tables, emptied again on a retry) and writing pages;
the other warehouse steps run inside one transaction and are not retried.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from asklab import pipeline
from asklab.progress import Progress
from asklab.settings import load_settings, parse_iso_date

# Task inputs include the open warehouse connection, which cannot be hashed
# for caching: every task opts out of the cache.
_TASK_OPTIONS: dict[str, dict[str, Any]] = {
    "plan_files": {"name": "plan ingest"},
    "read_files": {"name": "read raw files", "retries": 2, "retry_delay_seconds": 2},
    "load_files": {"name": "load warehouse"},
    "compute_outcomes": {"name": "compute outcomes"},
    "write_reports": {"name": "write reports", "retries": 2, "retry_delay_seconds": 2},
}

TASKS: dict[Callable[..., Any], Any] = {
    getattr(pipeline, step): task(getattr(pipeline, step), cache_policy=NO_CACHE, **options)
    for step, options in _TASK_OPTIONS.items()
}


def call_as_task(step: Callable[..., Any], *args: Any) -> Any:
    return TASKS[step](*args)


@flow(name="weekly_analysis", log_prints=True)
def weekly_analysis(
    raw: str | None = None,
    db: str | None = None,
    reports: str | None = None,
    as_of: str | None = None,
    window: int | None = None,
    date_order: str | None = None,
    config: str | None = None,
    show_progress: bool = False,
) -> pipeline.RunSummary:
    """Ingest the raw files, compute outcomes, write the reports.

    Every parameter is optional: unset ones come from the config file, and
    ``as_of`` defaults to the day the run starts (so scheduled runs move on).
    """
    settings = load_settings(
        Path(config) if config else None,
        raw=Path(raw) if raw else None,
        db=Path(db) if db else None,
        reports=Path(reports) if reports else None,
        as_of=parse_iso_date(as_of) if as_of else None,
        window=window,
        date_order=date_order,
    )
    summary = pipeline.run_weekly(settings, Progress(enabled=show_progress), call_as_task)
    get_run_logger().info(summary.format())
    return summary
