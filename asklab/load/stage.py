"""Reading a run's files: validation on worker threads, rows staged as Parquet.

:func:`read_and_stage` validates the files that need it, several at a time
on worker threads, and writes each file's validated rows to the warehouse's
staging area (Parquet files beside it) as soon as it is done, so a large
group's rows are never all held in memory. :func:`read_planned` is the same
reading, serial and without a database, for tools and tests.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from asklab.ingest.read import FileError
from asklab.ingest.row_schemas import (
    CALL_ROW_SCHEMA,
    EVENT_ROW_SCHEMA,
    PLAN_ROW_SCHEMA,
    REJECTED_SCHEMA,
)
from asklab.ingest.validate import ValidatedFile, validate_file
from asklab.load.plan import IngestPlan, PlannedFile
from asklab.warehouse import StagingArea, Warehouse, begin_staging

Progress = Callable[[int, int], None]


class ValidatedRows(Protocol):
    """What staging needs of a validated file (a ``ValidatedFile`` or a stand-in)."""

    @property
    def calls(self) -> pl.DataFrame: ...
    @property
    def events(self) -> pl.DataFrame: ...
    @property
    def rejected(self) -> pl.DataFrame: ...
    @property
    def notices(self) -> Sequence[str]: ...
    @property
    def has_future_rejections(self) -> bool: ...
    @property
    def max_date(self) -> dt.date | None: ...


@dataclass(frozen=True)
class StagedFile:
    """What is left in memory of a validated file once its rows are staged."""

    notices: tuple[str, ...]
    has_future_rejections: bool
    max_date: dt.date | None
    key: str | None = None  # its rows' key in the staging area


def read_planned(
    plan: IngestPlan, *, as_of: dt.date, date_order: str, progress: Progress | None = None
) -> dict[str, ValidatedFile | FileError]:
    """Validate the files the plan says to read: source_file -> ValidatedFile or FileError.

    Pure I/O, no database, one file after another. A file that vanished or
    cannot be opened since it was planned becomes a file-level error too.
    """
    _check_plan(plan, as_of=as_of, date_order=date_order)
    to_read = plan.to_read
    results: dict[str, ValidatedFile | FileError] = {}
    for done, planned in enumerate(to_read, start=1):
        results[planned.source_file] = validate_planned(planned, plan)
        report_progress(progress, done, len(to_read))
    return results


def read_and_stage(
    wh: Warehouse,
    plan: IngestPlan,
    *,
    as_of: dt.date,
    date_order: str,
    progress: Progress | None = None,
    workers: int | None = None,
) -> dict[str, StagedFile | FileError]:
    """Validate the files the plan says to read and stage their rows for ``wh``.

    Files are validated, and their rows written to the warehouse's staging
    area (:class:`~asklab.warehouse.StagingArea`), on ``workers`` threads
    (default: one per CPU; Polars releases the interpreter while it works),
    a bounded number of files at a time: memory holds a few files' rows, not
    the group's. Returns source_file -> StagedFile or FileError. The staging
    area is emptied first, so calling it again (a retry) starts afresh.
    """
    _check_plan(plan, as_of=as_of, date_order=date_order)
    workers = max(1, workers or os.cpu_count() or 1)
    area = begin_staging(wh)
    to_read = plan.to_read
    results: dict[str, StagedFile | FileError] = {}
    with ThreadPoolExecutor(workers, "asklab-validate") as pool:
        pending: deque[tuple[str, Future[StagedFile | FileError]]] = deque()
        upcoming = iter(enumerate(to_read))
        for done in range(1, len(to_read) + 1):
            # Keep the workers busy, but only a bounded number of files ahead.
            while len(pending) <= workers and (item := next(upcoming, None)) is not None:
                index, planned = item
                future = pool.submit(_validate_and_stage, planned, plan, area, f"{index:06d}")
                pending.append((planned.source_file, future))
            source_file, future = pending.popleft()
            results[source_file] = future.result()
            report_progress(progress, done, len(to_read))
    return results


def _validate_and_stage(
    planned: PlannedFile, plan: IngestPlan, area: StagingArea, key: str
) -> StagedFile | FileError:
    result = validate_planned(planned, plan)
    return result if isinstance(result, FileError) else stage_validated(area, key, result)


def validate_planned(planned: PlannedFile, plan: IngestPlan) -> ValidatedFile | FileError:
    """One planned file validated, or the FileError that makes it a file-level error."""
    try:
        return validate_file(
            planned.path, plan.raw_root, as_of=plan.as_of, date_order=plan.date_order
        )
    except FileError as exc:
        return exc
    except OSError as exc:
        return FileError(f"cannot read the file: {exc.strerror or exc}")


def stage_validated(area: StagingArea, key: str, validated: ValidatedRows) -> StagedFile:
    """Stage a validated file's calls, events, plan rows and rejected cells under
    ``key``; what is left of it in memory is its StagedFile."""
    for table, rows, schema in (
        ("calls", validated.calls, CALL_ROW_SCHEMA),
        ("events", validated.events, EVENT_ROW_SCHEMA),
        # A stand-in written before plan tables (v2) may have no plans.
        (
            "plan_file_rows",
            getattr(validated, "plans", PLAN_ROW_SCHEMA.to_frame()),
            PLAN_ROW_SCHEMA,
        ),
        ("rejected_rows", validated.rejected, REJECTED_SCHEMA),
    ):
        missing = [name for name in schema if name not in rows.columns]
        if missing:
            raise ValueError(f"{table}: rows lack column(s) {', '.join(missing)}")
        # In the schema's dtypes: an all-null column (e.g. sheet) may have dtype Null.
        area.write(table, key, rows.select(pl.col(n).cast(t) for n, t in schema.items()))
    return StagedFile(
        notices=tuple(validated.notices),
        has_future_rejections=bool(validated.has_future_rejections),
        max_date=validated.max_date,
        key=key,
    )


def _check_plan(plan: IngestPlan, *, as_of: dt.date, date_order: str) -> None:
    if (as_of, date_order) != (plan.as_of, plan.date_order):
        raise ValueError(
            f"reading with as_of={as_of}, date_order={date_order} does not match the plan "
            f"(as_of={plan.as_of}, date_order={plan.date_order})"
        )


def report_progress(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
