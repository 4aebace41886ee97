"""What the stored tables were computed from: ``warehouse_meta`` and fingerprints.

Anything computed from ``calls``/``events`` (the outcome tables, the pages)
records the data version and the code it was computed from, so a run whose
inputs did not change can keep it. The keys, the one fingerprint helper and
the one way to forget the outcomes' record live here.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from pathlib import Path

from asklab.queries import sql_folder
from asklab.settings import Settings
from asklab.warehouse.connection import Warehouse

# warehouse_meta keys: the version of calls/events; what the outcome tables
# were last computed from and their row counts; what the last pages were
# written from, and which pages.
DATA_VERSION_KEY = "data_version"
OUTCOMES_KEY = "outcomes_computed_from"
OUTCOME_ROWS_KEY = "outcome_rows"
REPORTS_KEY = "reports_written_from"
REPORT_PAGES_KEY = "report_pages"


def meta_value(wh: Warehouse, key: str) -> str | None:
    value = wh.scalar("SELECT value FROM warehouse_meta WHERE key = ?", [key])
    return None if value is None else str(value)


def set_meta_value(wh: Warehouse, key: str, value: str) -> None:
    wh.execute("DELETE FROM warehouse_meta WHERE key = ?", [key])
    wh.execute("INSERT INTO warehouse_meta VALUES (?, ?)", [key, value])


def delete_meta_value(wh: Warehouse, key: str) -> None:
    wh.execute("DELETE FROM warehouse_meta WHERE key = ?", [key])


def data_version(wh: Warehouse) -> str | None:
    """A token that changes whenever ``calls`` or ``events`` change (None: never loaded).

    Anything computed from those tables (the outcome tables, the reports) can
    record the version it was computed from and be skipped while it holds.
    """
    return meta_value(wh, DATA_VERSION_KEY)


def new_data_version(wh: Warehouse) -> str:
    """Record that ``calls``/``events`` changed (in the caller's transaction)."""
    version = uuid.uuid4().hex
    set_meta_value(wh, DATA_VERSION_KEY, version)
    return version


def invalidate_outcomes(wh: Warehouse) -> None:
    """Forget what the outcome tables were computed from: any write to them
    calls this, and the outcomes stage records the key again once all are written."""
    delete_meta_value(wh, OUTCOMES_KEY)


def code_fingerprint(paths: Iterable[Path]) -> str:
    """sha256 over the files' names and bytes (a missing file counts as empty)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


# -- the outcome tables and the pages ------------------------------------------

_PACKAGE = Path(__file__).resolve().parent
# The code the outcome tables and the pages are computed by: a change to it
# makes them stale (a folder stands for every file below it).
OUTCOMES_CODE = (
    "outcomes",
    "plans",  # plan_assignments and plan_comparison are computed there
    "stats.py",
    "metrics.py",
    # What the outcomes stage reads and writes with: a change there may
    # change the tables too.
    "warehouse",
    "freshness.py",
    "queries.py",
    "settings.py",
)
REPORTS_CODE = ("report", "metrics.py")


def package_files(*relative: str) -> list[Path]:
    """The package's files at these relative paths; a folder gives every file
    below it (code, templates, assets), compiled caches left out."""
    found: list[Path] = []
    for name in relative:
        path = _PACKAGE / name
        if path.is_dir():
            found += sorted(
                f for f in path.rglob("*") if f.is_file() and "__pycache__" not in f.parts
            )
        else:
            found.append(path)
    return found


def outcomes_key(wh: Warehouse, settings: Settings) -> str:
    """What the outcome tables computed now would be computed from."""
    return _key(
        data=data_version(wh),
        as_of=settings.as_of.isoformat(),
        window=settings.window,
        code=code_fingerprint(
            [*package_files(*OUTCOMES_CODE), *sql_folder("outcomes"), *sql_folder("marts")]
        ),
    )


def outcomes_are_current(wh: Warehouse, settings: Settings) -> bool:
    """Whether the stored outcome tables are what the outcomes stage would write.

    True when they were computed from the warehouse's current data version
    with the same as_of, window and outcomes code, and nothing has written
    them since. A warehouse that never loaded data has no version: False.
    """
    if data_version(wh) is None:
        return False
    return meta_value(wh, OUTCOMES_KEY) == outcomes_key(wh, settings)


def record_outcomes(wh: Warehouse, settings: Settings, rows: dict[str, int]) -> None:
    """Record what the outcome tables were just computed from, and their row counts."""
    set_meta_value(wh, OUTCOMES_KEY, outcomes_key(wh, settings))
    set_meta_value(wh, OUTCOME_ROWS_KEY, json.dumps(rows, sort_keys=True))


def stored_outcome_rows(wh: Warehouse) -> dict[str, int]:
    """Row counts of the outcome tables, as recorded when they were computed."""
    recorded = meta_value(wh, OUTCOME_ROWS_KEY)
    return {str(name): int(count) for name, count in json.loads(recorded or "{}").items()}


def reports_key(wh: Warehouse, settings: Settings) -> str:
    """What the week's pages written now would be written from, and where."""
    return _key(
        outcomes=meta_value(wh, OUTCOMES_KEY),
        reports=str(settings.reports.resolve()),
        week=settings.as_of.isoformat(),
        code=code_fingerprint([*package_files(*REPORTS_CODE), *sql_folder("reports")]),
    )


def current_reports(wh: Warehouse, settings: Settings, *, files_touched: bool) -> list[Path] | None:
    """The week's pages when they need not be written again, else None.

    They need not when this run's ingest touched no file (``files_touched``:
    none loaded, removed or in error; a file in error is read again every run
    and its message may differ), they were written from the current outcome
    tables by the same report code into the same folder, and every one of them
    still exists.
    """
    if files_touched:
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


def _key(**parts: object) -> str:
    return json.dumps(parts, sort_keys=True)
