"""The DuckDB warehouse: opening it under the run lock, migrations, staging,
reading and inserting table rows. Loading (``asklab.load``), the outcomes
stage and ``asklab.freshness`` (what the stored tables were computed from)
build on it."""

from asklab.warehouse.connection import Warehouse
from asklab.warehouse.lock import WarehouseBusy, lock_path_for
from asklab.warehouse.migrations import MigrationError, migrate, migration_files, schema_version
from asklab.warehouse.opening import open_warehouse
from asklab.warehouse.staging import StagingArea, begin_staging, end_staging, staging_area
from asklab.warehouse.tables import (
    CALLS_COLUMNS,
    EVENT_ROWID,
    EVENTS_COLUMNS,
    insert_frame,
    read_calls,
    read_events,
    read_file_states,
    unordered_inserts,
)

__all__ = [
    "CALLS_COLUMNS",
    "EVENTS_COLUMNS",
    "EVENT_ROWID",
    "MigrationError",
    "StagingArea",
    "Warehouse",
    "WarehouseBusy",
    "begin_staging",
    "end_staging",
    "insert_frame",
    "lock_path_for",
    "migrate",
    "migration_files",
    "open_warehouse",
    "read_calls",
    "read_events",
    "read_file_states",
    "schema_version",
    "staging_area",
    "unordered_inserts",
]
