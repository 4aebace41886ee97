"""The DuckDB warehouse: run lock, migrations, per-file rows and the contract tables.

One asklab run holds the warehouse at a time (an ``fcntl`` lock on
``<db>.lock`` beside the database file) and does all its writing inside one
transaction, so a run killed at any point leaves the file as before the run.

Tables (DDL in ``sql/schema/``):

- ``file_state``, ``call_rows``, ``event_rows``, ``rejected_rows``: what each
  source file contributed on its last good load, duplicates included;
- ``calls``, ``events``: one row per distinct call/event, rebuilt from the raw
  rows by the SQL models in ``sql/models/``;
- ``load_log``: one row per file per run;
- the outcome tables, replaced by :func:`write_outcomes`.

SQL text comes only from the files in ``sql/`` and from identifiers chosen by
the code; user data reaches DuckDB only as parameters or registered frames.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import duckdb
import polars as pl

from asklab import SQL_DIR

SCHEMA_DIR = SQL_DIR / "schema"
MODELS_DIR = SQL_DIR / "models"

# Tables the ingest stage owns; write_outcomes must not replace them.
INGEST_TABLES = frozenset(
    {
        "schema_version",
        "warehouse_meta",
        "file_state",
        "call_rows",
        "event_rows",
        "rejected_rows",
        "calls",
        "events",
        "load_log",
    }
)
# Outcome tables with fixed contract columns and types (DDL in sql/schema/).
CONTRACT_OUTCOME_TABLES = frozenset(
    {"call_outcomes", "outcomes_by_strategy", "strategy_comparison"}
)

CALLS_COLUMNS: tuple[str, ...] = (
    "call_id",
    "member",
    "call_date",
    "contact_key",
    "relationship",
    "ask_label",
    "strategy",
    "agreed_reference",
    "introductions",
    "leads",
    "source_file",
    "source_line",
)
EVENTS_COLUMNS: tuple[str, ...] = (
    "event_id",
    "member",
    "event_date",
    "contact_key",
    "event_type",
    "count",
    "call_id",
    "source_file",
    "source_line",
)

# The content-derived id each raw-row table gets from its SQL model.
ROW_ID_COLUMNS = {"call_rows": "call_id", "event_rows": "event_id"}

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_LOCK_POLL_SECONDS = 0.05


class WarehouseBusy(RuntimeError):
    """Another asklab run holds the warehouse lock."""


class MigrationError(RuntimeError):
    """The warehouse schema cannot be brought to this asklab's version."""


@dataclass
class Warehouse:
    """An open, locked, migrated warehouse. ``con`` is the DuckDB connection."""

    con: duckdb.DuckDBPyConnection
    path: Path
    _transaction_depth: int = field(default=0, repr=False)

    @property
    def in_transaction(self) -> bool:
        return self._transaction_depth > 0

    @contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """BEGIN ... COMMIT, or ROLLBACK on any exception.

        Nested use joins the outer transaction (DuckDB has no savepoints), so a
        step that opens its own transaction commits with the caller's run.
        """
        if self.in_transaction:
            self._transaction_depth += 1
            try:
                yield self
            finally:
                self._transaction_depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION").fetchall()
        self._transaction_depth = 1
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK").fetchall()
            raise
        else:
            self.con.execute("COMMIT").fetchall()
        finally:
            self._transaction_depth = 0

    def execute(self, sql: str, params: Sequence[object] | None = None) -> None:
        """Run a statement to its end (DuckDB 2 refuses new work on an unread result)."""
        self.con.execute(sql, params).fetchall()

    def query(self, sql: str, params: Sequence[object] | None = None) -> pl.DataFrame:
        return self.con.sql(sql, params=params).pl()

    def scalar(self, sql: str, params: Sequence[object] | None = None) -> object:
        rows = self.con.execute(sql, params).fetchall()
        return rows[0][0] if rows else None

    @contextmanager
    def registered(self, name: str, frame: pl.DataFrame) -> Iterator[str]:
        """Expose ``frame`` to SQL as view ``name`` for the duration of the block."""
        self.con.register(name, frame)
        try:
            yield name
        finally:
            self.con.unregister(name)

    def table_columns(self, table: str) -> list[str]:
        frame = self.query(
            "SELECT column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [table],
        )
        return frame["column_name"].to_list()


# -- opening: lock, connect, migrate -------------------------------------------


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def open_warehouse(db_path: Path, *, lock_timeout: float = 60.0) -> Iterator[Warehouse]:
    """Lock, open and migrate the warehouse at ``db_path`` (parent folders are created).

    Waits up to ``lock_timeout`` seconds for another run to release the lock,
    then raises :class:`WarehouseBusy`.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    with _run_lock(lock_path_for(db_path), db_path, lock_timeout, deadline):
        con = _connect(db_path, lock_timeout, deadline)
        try:
            wh = Warehouse(con=con, path=db_path)
            migrate(wh)
            yield wh
        finally:
            con.close()


def _connect(db_path: Path, timeout: float, deadline: float) -> duckdb.DuckDBPyConnection:
    """Open DuckDB, waiting while some other program (not an asklab run) has the file open."""
    while True:
        try:
            return duckdb.connect(str(db_path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"another program has the warehouse {db_path} open; gave up after waiting "
                    f"{timeout:g} s. Close it and try again. ({_first_line(exc)})"
                ) from exc
            time.sleep(_LOCK_POLL_SECONDS)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@contextmanager
def _run_lock(lock_path: Path, db_path: Path, timeout: float, deadline: float) -> Iterator[None]:
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise WarehouseBusy(_busy_message(handle, db_path, timeout))
            time.sleep(_LOCK_POLL_SECONDS)
        # Record the holder so a waiting run can name it.
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def _try_lock(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _busy_message(handle: IO[str], db_path: Path, timeout: float) -> str:
    handle.seek(0)
    holder = handle.read().strip()
    who = f" (pid {holder})" if holder.isdigit() else ""
    return (
        f"another asklab run{who} holds the warehouse {db_path}; "
        f"gave up after waiting {timeout:g} s. Try again when it has finished."
    )


def migration_files(schema_dir: Path = SCHEMA_DIR) -> list[tuple[int, Path]]:
    """``NNN_name.sql`` files in version order; versions must be unique."""
    found: dict[int, Path] = {}
    for path in sorted(schema_dir.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration names must look like 001_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path}: version {version} already used by {found[version].name}")
        found[version] = path
    return sorted(found.items())


def migrate(wh: Warehouse, schema_dir: Path = SCHEMA_DIR) -> list[int]:
    """Apply the migrations not yet applied, each in its own transaction.

    Returns the versions applied now. Refuses a warehouse written by a newer
    asklab (a version this code does not know).
    """
    wh.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = set(wh.query("SELECT version FROM schema_version")["version"].to_list())
    files = migration_files(schema_dir)
    known = {version for version, _ in files}
    unknown = sorted(applied - known)
    if unknown:
        raise MigrationError(
            f"{wh.path}: schema version(s) {unknown} come from a newer asklab; "
            f"this one knows up to {max(known, default=0)}"
        )
    done: list[int] = []
    for version, path in files:
        if version in applied:
            continue
        with wh.transaction():
            wh.con.execute(path.read_text(encoding="utf-8")).fetchall()
            wh.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [version, path.name, _utc_now()],
            )
        done.append(version)
    return done


def schema_version(wh: Warehouse) -> int:
    return int(wh.scalar("SELECT coalesce(max(version), 0) FROM schema_version") or 0)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# -- SQL models ----------------------------------------------------------------


def model_sql(name: str) -> str:
    return (MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8")


def models_fingerprint() -> str:
    """sha256 over the model files, to rebuild calls/events when a model changes."""
    digest = hashlib.sha256()
    for path in sorted(MODELS_DIR.glob("*.sql")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def meta_value(wh: Warehouse, key: str) -> str | None:
    value = wh.scalar("SELECT value FROM warehouse_meta WHERE key = ?", [key])
    return None if value is None else str(value)


def set_meta_value(wh: Warehouse, key: str, value: str) -> None:
    wh.execute("DELETE FROM warehouse_meta WHERE key = ?", [key])
    wh.execute("INSERT INTO warehouse_meta VALUES (?, ?)", [key, value])


# -- per-file raw rows ---------------------------------------------------------


def read_file_states(wh: Warehouse) -> pl.DataFrame:
    """``file_state`` sorted by source_file."""
    return wh.query("SELECT * FROM file_state ORDER BY source_file")


def delete_file_rows(wh: Warehouse, source_files: Sequence[str]) -> None:
    """Remove everything the given files contributed (raw rows, rejections, state)."""
    if not source_files:
        return
    names = pl.DataFrame({"source_file": list(source_files)}, schema={"source_file": pl.String})
    with wh.registered("replaced_files", names):
        for table in ("call_rows", "event_rows", "rejected_rows", "file_state"):
            wh.execute(
                f"DELETE FROM {table} WHERE source_file IN (SELECT source_file FROM replaced_files)"
            )


@contextmanager
def unordered_inserts(wh: Warehouse) -> Iterator[None]:
    """Let DuckDB write rows in any order (faster bulk inserts on several threads).

    Table order carries no meaning here: every reader sorts explicitly.
    """
    previous = wh.scalar("SELECT current_setting('preserve_insertion_order')")
    wh.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        wh.execute("SET preserve_insertion_order = ?", [bool(previous)])


def insert_file_rows(
    wh: Warehouse, calls: pl.DataFrame, events: pl.DataFrame, rejected: pl.DataFrame
) -> None:
    """Append validated rows; ids are computed in SQL (sql/models/*_rows.sql)."""
    with unordered_inserts(wh):
        _insert_file_rows(wh, calls, events, rejected)


def _insert_file_rows(
    wh: Warehouse, calls: pl.DataFrame, events: pl.DataFrame, rejected: pl.DataFrame
) -> None:
    for table, staged, frame in (
        ("call_rows", "staged_call_rows", calls),
        ("event_rows", "staged_event_rows", events),
    ):
        if frame.height == 0:
            continue
        columns = [c for c in wh.table_columns(table) if c != ROW_ID_COLUMNS[table]]
        with wh.registered(staged, frame.select(columns)):
            wh.execute(f"INSERT INTO {table} BY NAME {model_sql(table)}")
    if rejected.height:
        columns = wh.table_columns("rejected_rows")
        with wh.registered("staged_rejected_rows", rejected.select(columns)):
            wh.execute("INSERT INTO rejected_rows BY NAME SELECT * FROM staged_rejected_rows")


def write_file_states(wh: Warehouse, states: pl.DataFrame) -> None:
    """Insert ``file_state`` rows (the caller has deleted the old ones)."""
    if states.height == 0:
        return
    columns = wh.table_columns("file_state")
    with wh.registered("staged_file_state", states.select(columns)):
        wh.execute("INSERT INTO file_state BY NAME SELECT * FROM staged_file_state")


def rebuild_calls_and_events(wh: Warehouse) -> None:
    """Rebuild ``calls`` and ``events`` from the raw rows with the SQL models."""
    with unordered_inserts(wh):
        for table in ("calls", "events"):
            wh.execute(f"DELETE FROM {table}")
            wh.execute(f"INSERT INTO {table} BY NAME {model_sql(table)}")
    set_meta_value(wh, "models_sha256", models_fingerprint())


def models_are_current(wh: Warehouse) -> bool:
    return meta_value(wh, "models_sha256") == models_fingerprint()


def file_load_counts(wh: Warehouse) -> pl.DataFrame:
    """Per file: rows_loaded, rows_rejected, duplicates (sql/models/file_load_counts.sql)."""
    return wh.query(model_sql("file_load_counts") + "\nORDER BY source_file")


def append_load_log(wh: Warehouse, rows: pl.DataFrame) -> None:
    if rows.height == 0:
        return
    columns = wh.table_columns("load_log")
    with wh.registered("staged_load_log", rows.select(columns)):
        wh.execute("INSERT INTO load_log BY NAME SELECT * FROM staged_load_log")


# -- reading the contract tables ---------------------------------------------


def read_calls(wh: Warehouse) -> pl.DataFrame:
    """Contract ``calls`` columns plus ``contact`` (display name), in a stable order."""
    columns = ", ".join([*CALLS_COLUMNS, "contact"])
    return wh.query(f"SELECT {columns} FROM calls ORDER BY member, call_date, contact_key, call_id")


def read_events(wh: Warehouse) -> pl.DataFrame:
    """Contract ``events`` columns minus ``call_id``, plus ``contact``, in a stable order."""
    columns = ", ".join([*(c for c in EVENTS_COLUMNS if c != "call_id"), "contact"])
    return wh.query(
        f"SELECT {columns} FROM events ORDER BY member, event_date, contact_key, event_id"
    )


# -- outcome tables ----------------------------------------------------------


def write_outcomes(wh: Warehouse, tables: Mapping[str, pl.DataFrame]) -> None:
    """Replace the outcome tables and ``events.call_id`` (in the caller's transaction).

    - ``call_outcomes``, ``outcomes_by_strategy``, ``strategy_comparison``:
      their rows are replaced; columns are matched by name and must include
      every contract column; extra columns are added to the table.
    - ``events``: only its ``call_id`` is used, matched on ``event_id``.
    - any other name: a mart table created or replaced from the frame.
    """
    for name in tables:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a valid table name: {name!r}")
        if name in INGEST_TABLES and name != "events":
            raise ValueError(f"{name} is written by the ingest stage, not by write_outcomes")
    with wh.transaction():
        for name, frame in tables.items():
            if name == "events":
                _write_event_call_ids(wh, frame)
            elif name in CONTRACT_OUTCOME_TABLES:
                _replace_contract_table(wh, name, frame)
            else:
                with wh.registered("staged_mart", frame):
                    wh.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM staged_mart')


def _replace_contract_table(wh: Warehouse, table: str, frame: pl.DataFrame) -> None:
    table_columns = wh.table_columns(table)
    missing = [c for c in table_columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table}: frame lacks contract column(s) {', '.join(missing)}")
    with wh.registered("staged_outcomes", frame):
        extra = [c for c in frame.columns if c not in table_columns]
        if extra:
            described = wh.con.sql("DESCRIBE SELECT * FROM staged_outcomes").fetchall()
            types = {row[0]: row[1] for row in described}
            for column in extra:
                if not _IDENTIFIER.match(column):
                    raise ValueError(f"{table}: not a valid column name: {column!r}")
                wh.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {types[column]}')
        wh.execute(f"DELETE FROM {table}")
        wh.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged_outcomes")


def _write_event_call_ids(wh: Warehouse, frame: pl.DataFrame) -> None:
    missing = [c for c in ("event_id", "call_id") if c not in frame.columns]
    if missing:
        raise ValueError(f"events: frame lacks column(s) {', '.join(missing)}")
    attributed = frame.select("event_id", pl.col("call_id").cast(pl.String))
    if attributed["event_id"].is_duplicated().any():
        raise ValueError("events: the frame repeats an event_id")
    with wh.registered("staged_event_calls", attributed):
        unknown = wh.scalar(
            "SELECT count(*) FROM staged_event_calls s "
            "ANTI JOIN events e ON e.event_id = s.event_id"
        )
        if unknown:
            raise ValueError(f"events: {unknown} event_id(s) given that are not in the warehouse")
        changed = wh.scalar(
            "SELECT count(*) FROM events e LEFT JOIN staged_event_calls s USING (event_id) "
            "WHERE e.call_id IS DISTINCT FROM s.call_id"
        )
        if not changed:
            return  # same attribution as stored: leave the table untouched
        # Rebuild the table rather than UPDATE row by row: one columnar pass.
        columns = wh.table_columns("events")
        select = ", ".join("s.call_id" if c == "call_id" else f"e.{c}" for c in columns)
        wh.execute(
            "CREATE OR REPLACE TEMP TABLE events_attributed AS "
            f"SELECT {select} FROM events e LEFT JOIN staged_event_calls s USING (event_id)"
        )
    wh.execute("DELETE FROM events")
    wh.execute("INSERT INTO events BY NAME SELECT * FROM events_attributed")
    wh.execute("DROP TABLE events_attributed")
