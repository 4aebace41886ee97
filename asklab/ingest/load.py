"""Ingest orchestration: which files to read, reading them, writing what changed.

Three steps:

1. :func:`plan_ingest` hashes every file below the raw root and compares it
   with ``file_state``: new / changed / unchanged / removed, or
   ``revalidate`` when the same bytes must be checked again because the date
   order, the validation rules or (for files it matters to) ``as_of`` changed.
2. :func:`read_and_stage` validates the files that need it, several at a time
   on worker threads, and writes each file's validated rows to the
   warehouse's staging area (Parquet files beside it) as soon as it is done,
   so a large group's rows are never all held in memory. (:func:`read_planned`
   is the same reading, serial and without a database, for tools and tests.)
3. :func:`apply_staged` writes the result inside the caller's transaction:
   replaces each re-read file's rows in ``calls``/``events`` (first copies)
   and their duplicates tables, keeps the old rows of a file in error, drops
   removed files, bumps the warehouse's data version when anything changed,
   and writes one ``load_log`` row per file. :func:`apply_ingest` does steps 2
   (staging only) and 3 for results already in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import polars as pl

from asklab.ingest.discover import discover_files, source_name
from asklab.ingest.readers import FileError
from asklab.ingest.validate import (
    CALL_ROW_SCHEMA,
    EVENT_ROW_SCHEMA,
    REJECTED_SCHEMA,
    ValidatedFile,
    validate_file,
)
from asklab.warehouse import (
    MODELS_DIR,
    StagingArea,
    Warehouse,
    append_load_log,
    begin_staging,
    end_staging,
    file_load_counts,
    new_data_version,
    read_file_states,
    replace_copies,
    replace_file_rows,
)

Change = Literal["new", "changed", "revalidate", "unchanged", "removed"]
Progress = Callable[[int, int], None]

_HASH_CHUNK_BYTES = 1 << 20
# Modules whose code decides what a file's rows become; a change to any of
# them re-reads every file once (see rules_fingerprint). The id models too:
# ids are computed when a file's rows are stored.
_RULES_MODULES = ("vocab.py", "ingest/discover.py", "ingest/readers.py", "ingest/validate.py")
_ID_MODELS = ("call_ids.sql", "event_ids.sql")


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


@dataclass(frozen=True)
class PlannedFile:
    source_file: str
    path: Path
    sha256: str  # of the bytes now on disk; for a removed file, of its last load
    change: Change
    why: str = ""  # for revalidate: what changed

    @property
    def needs_read(self) -> bool:
        return self.change in ("new", "changed", "revalidate")


@dataclass(frozen=True)
class IngestPlan:
    raw_root: Path
    as_of: dt.date
    date_order: str
    params_fingerprint: str
    files: tuple[PlannedFile, ...]  # sorted by source_file, removed files included

    @property
    def to_read(self) -> tuple[PlannedFile, ...]:
        return tuple(f for f in self.files if f.needs_read)

    @property
    def has_changes(self) -> bool:
        return any(f.change != "unchanged" for f in self.files)


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
    rebuilt: bool  # calls/events changed (the data version moved on)

    @property
    def rows_rejected(self) -> int:
        """Rejected rows now in the warehouse (what a run's summary reports)."""
        return self.rows_rejected_total


# -- planning ----------------------------------------------------------------


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def rules_fingerprint() -> str:
    """sha256 of the validation code and the id models, so a change to either
    re-reads every file once."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for relative, path in [
        *((relative, package / relative) for relative in _RULES_MODULES),
        *((f"sql/models/{name}", MODELS_DIR / name) for name in _ID_MODELS),
    ]:
        digest.update(relative.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def params_fingerprint(date_order: str, rules: str | None = None) -> str:
    """Fingerprint of what, besides as_of and the bytes, decides a file's rows."""
    rules = rules_fingerprint() if rules is None else rules
    return hashlib.sha256(f"date_order={date_order}\nrules={rules}".encode()).hexdigest()


def plan_ingest(wh: Warehouse, raw_root: Path, *, as_of: dt.date, date_order: str) -> IngestPlan:
    """Discover and hash the files below ``raw_root`` and compare them with the warehouse."""
    raw_root = Path(raw_root)
    on_disk = {
        source_name(path, raw_root): (path, sha256_file(path)) for path in discover_files(raw_root)
    }
    return build_plan(
        read_file_states(wh),
        on_disk,
        raw_root=raw_root,
        as_of=as_of,
        date_order=date_order,
        fingerprint=params_fingerprint(date_order),
    )


def build_plan(
    file_states: pl.DataFrame,
    on_disk: Mapping[str, tuple[Path, str]],
    *,
    raw_root: Path,
    as_of: dt.date,
    date_order: str,
    fingerprint: str,
) -> IngestPlan:
    """Compare files on disk (source_file -> (path, sha256)) with ``file_state`` rows."""
    states = {row["source_file"]: row for row in file_states.iter_rows(named=True)}
    planned: list[PlannedFile] = []
    for source_file in sorted(set(on_disk) | set(states)):
        state = states.get(source_file)
        if source_file not in on_disk:
            assert state is not None
            planned.append(
                PlannedFile(source_file, raw_root / source_file, state["sha256"], "removed")
            )
            continue
        path, sha256 = on_disk[source_file]
        if state is None:
            planned.append(PlannedFile(source_file, path, sha256, "new"))
        elif state["sha256"] != sha256:
            planned.append(PlannedFile(source_file, path, sha256, "changed"))
        elif why := revalidation_reason(state, as_of=as_of, fingerprint=fingerprint):
            planned.append(PlannedFile(source_file, path, sha256, "revalidate", why))
        else:
            planned.append(PlannedFile(source_file, path, sha256, "unchanged"))
    return IngestPlan(Path(raw_root), as_of, date_order, fingerprint, tuple(planned))


def revalidation_reason(
    state: Mapping[str, object], *, as_of: dt.date, fingerprint: str
) -> str | None:
    """Why unchanged bytes must be validated again, or None.

    ``as_of`` matters to a file only when it rejected a date as future (a
    later as_of may accept it, and the reason names the as_of) or accepted a
    date after the new as_of (which must now be rejected).
    """
    if state["params_fingerprint"] != fingerprint:
        return "date order or validation rules changed"
    if state["as_of"] != as_of:
        if state["has_future_rejections"]:
            return f"as_of moved from {state['as_of']} to {as_of}; future dates rechecked"
        max_date = state["max_date"]
        if isinstance(max_date, dt.date) and max_date > as_of:
            return f"as_of {as_of} is before the file's latest date {max_date}"
    return None


# -- reading -----------------------------------------------------------------


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
        _report(progress, done, len(to_read))
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
            _report(progress, done, len(to_read))
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
    """Stage a validated file's calls, events and rejected cells under ``key``;
    what is left of it in memory is its StagedFile."""
    for table, rows, schema in (
        ("calls", validated.calls, CALL_ROW_SCHEMA),
        ("events", validated.events, EVENT_ROW_SCHEMA),
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
    )


def _check_plan(plan: IngestPlan, *, as_of: dt.date, date_order: str) -> None:
    if (as_of, date_order) != (plan.as_of, plan.date_order):
        raise ValueError(
            f"reading with as_of={as_of}, date_order={date_order} does not match the plan "
            f"(as_of={plan.as_of}, date_order={plan.date_order})"
        )


# -- writing -----------------------------------------------------------------


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
    removed = [f.source_file for f in plan.files if f.change == "removed"]
    steps = 4

    with wh.transaction():
        # Every file whose contribution is replaced: re-read ones and removed ones.
        replaced = sorted([*loaded, *removed])
        replace_file_rows(wh, "rejected_rows", replaced)
        replace_file_rows(
            wh,
            "file_state",
            replaced,
            _file_states(plan, loaded, run_id=run_id, loaded_at=loaded_at),
        )
        _report(progress, 1, steps)
        rebuilt = bool(replaced)
        if rebuilt:
            replace_copies(wh, "calls", replaced)
        _report(progress, 2, steps)
        if rebuilt:
            replace_copies(wh, "events", replaced)
            new_data_version(wh)
        end_staging(wh)
        _report(progress, 3, steps)
        counts = file_load_counts(wh)
        log = _load_log_rows(plan, loaded, failed, counts, run_id=run_id, loaded_at=loaded_at)
        append_load_log(wh, log)
        totals = wh.con.execute(
            "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM events)"
        ).fetchall()[0]
        _report(progress, 4, steps)

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
        notices=tuple(
            f"{name}: {notice}" for name in sorted(loaded) for notice in loaded[name].notices
        ),
        rebuilt=rebuilt,
    )


def ingest(
    wh: Warehouse, raw_root: Path, *, as_of: dt.date, date_order: str, run_id: str
) -> IngestSummary:
    """Plan, read and apply in one call (in the caller's transaction, or its own)."""
    with wh.transaction():
        plan = plan_ingest(wh, raw_root, as_of=as_of, date_order=date_order)
        staged = read_and_stage(wh, plan, as_of=as_of, date_order=date_order)
        return apply_staged(wh, plan, staged, run_id=run_id)


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


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
