"""The DuckDB warehouse: opening it under the run lock, migrations, staging,
reading and inserting table rows, and what the stored tables were computed
from. Loading (``asklab.load``) and the outcomes stage build on it."""

from asklab.warehouse.connection import Warehouse, WarehouseBusy, lock_path_for, open_warehouse
from asklab.warehouse.freshness import (
    DATA_VERSION_KEY,
    OUTCOME_ROWS_KEY,
    OUTCOMES_KEY,
    REPORT_PAGES_KEY,
    REPORTS_KEY,
    code_fingerprint,
    data_version,
    delete_meta_value,
    invalidate_outcomes,
    meta_value,
    new_data_version,
    set_meta_value,
)
from asklab.warehouse.migrations import MigrationError, migrate, migration_files, schema_version
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
    "DATA_VERSION_KEY",
    "EVENTS_COLUMNS",
    "EVENT_ROWID",
    "OUTCOMES_KEY",
    "OUTCOME_ROWS_KEY",
    "REPORTS_KEY",
    "REPORT_PAGES_KEY",
    "MigrationError",
    "StagingArea",
    "Warehouse",
    "WarehouseBusy",
    "begin_staging",
    "code_fingerprint",
    "data_version",
    "delete_meta_value",
    "end_staging",
    "insert_frame",
    "invalidate_outcomes",
    "lock_path_for",
    "meta_value",
    "migrate",
    "migration_files",
    "new_data_version",
    "open_warehouse",
    "read_calls",
    "read_events",
    "read_file_states",
    "schema_version",
    "set_meta_value",
    "staging_area",
    "unordered_inserts",
]
