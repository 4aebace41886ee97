"""What the stored tables were computed from: ``warehouse_meta`` and fingerprints.

Anything computed from ``calls``/``events`` (the outcome tables, the pages)
records the data version and the code it was computed from, so a run whose
inputs did not change can keep it. The keys, the one fingerprint helper and
the one way to forget the outcomes' record live here.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path

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
