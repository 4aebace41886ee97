"""The DuckDB warehouse: run lock, migrations, per-file rows and the contract tables.

One asklab run holds the warehouse at a time (an ``fcntl`` lock on
``<db>.lock`` beside the database file) and does all its writing inside one
transaction, so a run killed at any point leaves the file as before the run.

Tables (DDL in ``sql/schema/``):

- ``file_state``, ``rejected_rows``: what each source file contributed on its
  last good load;
- ``calls``, ``events``: one row per distinct call/event, its first copy in
  (file, line) order; ``call_duplicates``, ``event_duplicates``: every further
  copy. Each valid row is stored once, so a first load writes each row once,
  and a changed file touches only its own rows and the ids they share
  (:func:`replace_copies`). The views ``call_rows``/``event_rows`` show every
  valid row, duplicates included. Ids are content-derived (the SQL models in
  ``sql/models/``);
- ``load_log``: one row per file per run;
- ``warehouse_meta``: small facts such as the data version, which changes
  whenever ``calls``/``events`` change;
- the outcome tables, replaced by :func:`write_outcomes`.

SQL text comes only from the files in ``sql/`` and from identifiers chosen by
the code; user data reaches DuckDB only as parameters or registered frames.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

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
        "call_duplicates",
        "events",
        "event_duplicates",
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


class CopyTables(NamedTuple):
    """Where a contract table keeps further copies, and how its rows get their id."""

    duplicates: str  # table of the copies after the first
    id_column: str
    id_model: str  # sql/models/<id_model>.sql
    # The duplicate key (CONTRACT 1.7, with the member): the columns the id
    # model hashes, so rows with equal keys have equal ids.
    key_columns: tuple[str, ...]


COPY_TABLES: dict[str, CopyTables] = {
    "calls": CopyTables(
        "call_duplicates",
        "call_id",
        "call_ids",
        (
            "member",
            "call_date",
            "contact_key",
            "ask_label",
            "agreed_reference",
            "introductions",
            "leads",
        ),
    ),
    "events": CopyTables(
        "event_duplicates",
        "event_id",
        "event_ids",
        ("member", "event_date", "contact_key", "event_type", "count"),
    ),
}

# The pseudo-column read_events can add and update_event_call_ids uses: the
# events row's DuckDB rowid, valid within the transaction that read it.
EVENT_ROWID = "event_rowid"

# warehouse_meta keys: the version of calls/events, and what the outcome
# tables were last computed from (see asklab.pipeline).
DATA_VERSION_KEY = "data_version"
OUTCOMES_KEY = "outcomes_computed_from"

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
        # As Arrow with string views, which DuckDB reads in place; registering
        # the frame itself exports its text as a copy (twice the frame's memory).
        self.con.register(name, frame.to_arrow(compat_level=pl.CompatLevel.newest()))
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
def open_warehouse(
    db_path: Path, *, lock_timeout: float = 60.0, memory_limit: str | None = None
) -> Iterator[Warehouse]:
    """Lock, open and migrate the warehouse at ``db_path`` (parent folders are created).

    Waits up to ``lock_timeout`` seconds for another run to release the lock,
    then raises :class:`WarehouseBusy`. ``memory_limit`` caps DuckDB's memory
    (beyond it DuckDB spills to disk); None keeps DuckDB's default.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    with _run_lock(lock_path_for(db_path), db_path, lock_timeout, deadline):
        con = _connect(db_path, lock_timeout, deadline)
        try:
            if memory_limit is not None:
                _set_memory_limit(con, memory_limit)
            wh = Warehouse(con=con, path=db_path)
            migrate(wh)
            yield wh
        finally:
            con.close()


def _set_memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> None:
    try:
        con.execute("SET memory_limit = ?", [limit]).fetchall()
    except duckdb.Error as exc:
        raise ValueError(
            f"duckdb_memory_limit {limit!r} is not a memory size DuckDB accepts "
            f"(e.g. 1GB, 512MB, 50%): {_first_line(exc)}"
        ) from exc


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


# -- SQL models and metadata -----------------------------------------------------


def model_sql(name: str) -> str:
    return (MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8")


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


# -- per-file rows -----------------------------------------------------------------


def read_file_states(wh: Warehouse) -> pl.DataFrame:
    """``file_state`` sorted by source_file."""
    return wh.query("SELECT * FROM file_state ORDER BY source_file")


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


def insert_frame(wh: Warehouse, table: str, frame: pl.DataFrame) -> None:
    """INSERT ``frame`` into ``table``, columns matched by name, in any row order."""
    if frame.height == 0:
        return
    with wh.registered("staged_frame", frame), unordered_inserts(wh):
        wh.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged_frame")


def _source_files_frame(source_files: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame({"source_file": list(source_files)}, schema={"source_file": pl.String})


# Tables whose rows belong to one source file each and are replaced per file.
PER_FILE_TABLES = ("file_state", "rejected_rows")

# A run's new rows wait in Parquet files in a folder beside the warehouse
# (``<db>.staging``) between validation and the final writes: any thread can
# write them, they take no memory while they wait (rows written inside the
# run's transaction would be held in memory until it commits), and DuckDB
# reads them all in one statement. The run lock makes the folder the run's
# own; each run empties it first, so a killed run's leftovers do no harm.
_STAGED_TABLES = ("calls", "events", "rejected_rows", "call_outcomes", "event_call_ids")


@dataclass(frozen=True)
class StagingArea:
    """Where a run stages rows: one Parquet file per (table, key)."""

    folder: Path

    def write(self, table: str, key: str, rows: pl.DataFrame) -> None:
        """Stage ``rows`` for ``table`` under ``key`` (unique per table; safe in any thread)."""
        if table not in _STAGED_TABLES:
            raise ValueError(f"{table!r} is not staged ({', '.join(_STAGED_TABLES)})")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", key):
            raise ValueError(f"not a staging key: {key!r}")
        if rows.height:
            rows.write_parquet(self.folder / f"{table}-{key}.parquet", compression="lz4")

    def files(self, table: str) -> list[Path]:
        return sorted(self.folder.glob(f"{table}-*.parquet"))

    def relation(self, table: str, empty: str) -> str:
        """SQL for the rows staged for ``table``; ``empty`` (a SELECT) when there are none."""
        files = self.files(table)
        if not files:
            return f"({empty})"
        listed = ", ".join("'" + str(path).replace("'", "''") + "'" for path in files)
        return f"read_parquet([{listed}], union_by_name = true)"


def staging_area(wh: Warehouse) -> StagingArea:
    return StagingArea(wh.path.with_name(wh.path.name + ".staging"))


def begin_staging(wh: Warehouse) -> StagingArea:
    """The run's staging folder, emptied (of what an earlier attempt left)."""
    area = staging_area(wh)
    shutil.rmtree(area.folder, ignore_errors=True)
    area.folder.mkdir(parents=True)
    return area


def end_staging(wh: Warehouse) -> None:
    """Remove the staging folder (its rows have been written)."""
    shutil.rmtree(staging_area(wh).folder, ignore_errors=True)


def _staged_rows(wh: Warehouse, table: str) -> str:
    """SQL for the staged validated rows of calls/events (without ids) or rejected_rows."""
    if table in COPY_TABLES:
        copies = COPY_TABLES[table]
        empty = f"SELECT * EXCLUDE ({copies.id_column}) FROM {copies.duplicates} LIMIT 0"
    else:
        empty = f"SELECT * FROM {table} LIMIT 0"
    return staging_area(wh).relation(table, empty)


def replace_file_rows(
    wh: Warehouse, table: str, source_files: Sequence[str], rows: pl.DataFrame | None = None
) -> None:
    """Delete the rows of ``source_files`` from ``table``, then insert ``rows``.

    Without ``rows``, the table's staged rows are inserted (see :class:`StagingArea`).
    """
    if table not in PER_FILE_TABLES:
        raise ValueError(f"{table!r} is not a per-file table ({', '.join(PER_FILE_TABLES)})")
    if source_files:
        with wh.registered("replaced_files", _source_files_frame(source_files)):
            wh.execute(
                f"DELETE FROM {table} WHERE source_file IN (SELECT source_file FROM replaced_files)"
            )
    if rows is not None:
        insert_frame(wh, table, rows.select(wh.table_columns(table)))
        return
    with unordered_inserts(wh):
        wh.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {_staged_rows(wh, table)}")


def replace_copies(wh: Warehouse, table: str, source_files: Sequence[str]) -> None:
    """Replace what ``source_files`` contributed to ``calls`` or ``events`` (``table``)
    by their staged rows (none, e.g. for removed files).

    Every valid row is stored once: the first copy of each id, in (source_file,
    source_line, sheet) order, in the contract table, further copies in its
    duplicates table. Only the ids whose first copy may change are decided
    again: those whose first copy was in a replaced file, and those of the
    staged rows. Their remaining stored rows are taken out and decided again
    with the staged ones, all in SQL. Events put back lose their attribution
    (``call_id``) until the outcomes stage sets it again.
    """
    copies = COPY_TABLES[table]
    ident = copies.id_column
    stored = wh.scalar(
        f"SELECT (SELECT count(*) FROM {table}) + (SELECT count(*) FROM {copies.duplicates})"
    )
    rows = _staged_rows(wh, table)  # without ids
    if stored:
        kept = _take_out_redecided(wh, table, source_files, _with_ids(copies, rows))
        rows = f"(FROM {rows} UNION ALL BY NAME SELECT * EXCLUDE ({ident}) FROM {kept})"
    # Most rows are the only copy of their id, and need no ordering. Rows are
    # grouped by a 64-bit hash of their duplicate key (cheaper than the id):
    # the rows of a repeated hash (true copies, and rare hash collisions) are
    # ranked by id in (file, line, sheet) order; every other row is a first
    # copy. Ids are computed last, for the rows being written.
    key_hash = f"hash({', '.join(copies.key_columns)})"
    hashed = f"(SELECT *, {key_hash} AS key_hash FROM {rows})"
    wh.execute(
        f"CREATE OR REPLACE TEMP TABLE repeated_keys AS "
        f"SELECT key_hash FROM {hashed} GROUP BY ALL HAVING count(*) > 1"
    )
    single, repeated = (
        f"(SELECT * EXCLUDE (key_hash) FROM {hashed} {join} JOIN repeated_keys USING (key_hash))"
        for join in ("ANTI", "SEMI")
    )
    try:
        with unordered_inserts(wh):
            wh.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {_with_ids(copies, single)}")
            if not wh.scalar("SELECT count(*) FROM repeated_keys"):
                return
            ranked = (
                f"SELECT *, row_number() OVER ("
                f"PARTITION BY {ident} ORDER BY source_file, source_line, sheet NULLS FIRST"
                f") AS copy_number FROM {_with_ids(copies, repeated)}"
            )
            for name, condition in ((table, "= 1"), (copies.duplicates, "> 1")):
                wh.execute(
                    f"INSERT INTO {name} BY NAME SELECT * EXCLUDE (copy_number) "
                    f"FROM ({ranked}) WHERE copy_number {condition}"
                )
    finally:
        wh.execute("DROP TABLE IF EXISTS repeated_keys")
        wh.execute("DROP TABLE IF EXISTS kept_copies")


def _with_ids(copies: CopyTables, rows: str) -> str:
    """SQL for ``rows`` (validated rows, a relation) with their content ids,
    by the table's id model (``sql/models/``)."""
    return f"(WITH staged_rows AS (SELECT * FROM {rows})\n{model_sql(copies.id_model)})"


def _take_out_redecided(
    wh: Warehouse, table: str, source_files: Sequence[str], staged_with_ids: str
) -> str:
    """Delete the replaced files' stored copies, and every stored copy of the ids
    whose first copy must be decided again; keep the latter that stay in the
    TEMP table whose name is returned.

    Decided again: the ids whose first copy was in a replaced file, and the
    ids of the staged rows (a new row may come before the stored first copy).
    """
    copies = COPY_TABLES[table]
    ident = copies.id_column
    columns = ", ".join(wh.table_columns(copies.duplicates))
    with wh.registered("replaced_files", _source_files_frame(source_files)):
        wh.execute(
            f"CREATE OR REPLACE TEMP TABLE redecided_ids AS "
            f"SELECT {ident} FROM {table} "
            f"WHERE source_file IN (SELECT source_file FROM replaced_files) "
            f"UNION SELECT {ident} FROM {staged_with_ids}"
        )
        try:
            wh.execute(
                "CREATE OR REPLACE TEMP TABLE kept_copies AS "
                + " UNION ALL ".join(
                    f"SELECT {columns} FROM {name} "
                    f"WHERE {ident} IN (SELECT {ident} FROM redecided_ids) "
                    f"AND source_file NOT IN (SELECT source_file FROM replaced_files)"
                    for name in (table, copies.duplicates)
                )
            )
            for name in (table, copies.duplicates):
                wh.execute(
                    f"DELETE FROM {name} "
                    f"WHERE source_file IN (SELECT source_file FROM replaced_files) "
                    f"OR {ident} IN (SELECT {ident} FROM redecided_ids)"
                )
        finally:
            wh.execute("DROP TABLE IF EXISTS redecided_ids")
    return "kept_copies"


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


def read_calls(
    wh: Warehouse,
    columns: Sequence[str] | None = None,
    *,
    ordered: bool = True,
    part: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """Contract ``calls`` columns plus ``contact`` (display name), in a stable order.

    ``columns`` picks fewer (or other stored) columns; ``ordered=False`` skips
    the sort for a caller that does not need one. ``part=(i, n)`` reads only
    the members in part i of n (by a hash of the member key): every call of
    those members, none of the others'.
    """
    return _read_table(
        wh, "calls", columns or [*CALLS_COLUMNS, "contact"], ordered=ordered, part=part
    )


def read_events(
    wh: Warehouse,
    columns: Sequence[str] | None = None,
    *,
    ordered: bool = True,
    part: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """Contract ``events`` columns minus ``call_id``, plus ``contact``, in a stable order.

    ``columns`` may include ``EVENT_ROWID``: the row's DuckDB ``rowid``, for
    :func:`update_event_call_ids` in the same transaction. ``part`` as for
    :func:`read_calls` (the same members).
    """
    default = [*(c for c in EVENTS_COLUMNS if c != "call_id"), "contact"]
    return _read_table(wh, "events", columns or default, ordered=ordered, part=part)


_TABLE_ORDER = {
    "calls": ("member", "call_date", "contact_key", "call_id"),
    "events": ("member", "event_date", "contact_key", "event_id"),
}


def _read_table(
    wh: Warehouse,
    table: str,
    columns: Sequence[str],
    *,
    ordered: bool,
    part: tuple[int, int] | None,
) -> pl.DataFrame:
    known = {*wh.table_columns(table), EVENT_ROWID}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"{table} has no column(s) {', '.join(unknown)}")
    selected = ", ".join(f"rowid AS {c}" if c == EVENT_ROWID else c for c in columns)
    where = ""
    if part is not None:
        index, count = part
        if not 0 <= index < count:
            raise ValueError(f"part {index} of {count} does not exist")
        # Written into the SQL (checked integers): as bound parameters the
        # filter is not pushed into the scan, and a part read is ~3x slower.
        where = f" WHERE hash(member) % {int(count)} = {int(index)}"
    order = f" ORDER BY {', '.join(_TABLE_ORDER[table])}" if ordered else ""
    return wh.query(f"SELECT {selected} FROM {table}{where}{order}")


# -- outcome tables ----------------------------------------------------------


def write_outcomes(wh: Warehouse, tables: Mapping[str, pl.DataFrame]) -> None:
    """Replace the outcome tables and ``events.call_id`` (in the caller's transaction).

    - ``call_outcomes``, ``outcomes_by_strategy``, ``strategy_comparison``:
      their rows are replaced; columns are matched by name and must include
      every contract column; extra columns are added to the table.
    - ``events``: only its ``call_id`` is used, matched on ``event_id``; an
      event the frame leaves out is unattributed.
    - any other name: a mart table created or replaced from the frame.

    Any write forgets the recorded outcomes version (see ``OUTCOMES_KEY``):
    the caller records it again once every table is written.
    """
    for name in tables:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a valid table name: {name!r}")
        if name in INGEST_TABLES and name != "events":
            raise ValueError(f"{name} is written by the ingest stage, not by write_outcomes")
    with wh.transaction():
        delete_meta_value(wh, OUTCOMES_KEY)
        for name, frame in tables.items():
            if name == "events":
                _write_event_call_ids(wh, frame)
            elif name in CONTRACT_OUTCOME_TABLES:
                _replace_contract_table(wh, name, frame)
            else:
                with wh.registered("staged_mart", frame):
                    wh.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM staged_mart')


def _replace_contract_table(wh: Warehouse, table: str, frame: pl.DataFrame) -> None:
    _add_extra_columns(wh, table, _frame_types(wh, frame))
    wh.execute(f"DELETE FROM {table}")
    insert_frame(wh, table, frame)


def _add_extra_columns(wh: Warehouse, table: str, types: Mapping[str, str]) -> None:
    """Check ``types`` (the given rows' column -> DuckDB type) has the contract
    columns of ``table``; add its extra ones."""
    table_columns = wh.table_columns(table)
    missing = [c for c in table_columns if c not in types]
    if missing:
        raise ValueError(f"{table}: rows lack contract column(s) {', '.join(missing)}")
    for column in (c for c in types if c not in table_columns):
        if not _IDENTIFIER.match(column):
            raise ValueError(f"{table}: not a valid column name: {column!r}")
        wh.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {types[column]}')


def _column_types(wh: Warehouse, relation: str) -> dict[str, str]:
    """Column -> DuckDB type of a relation (a table, view or table function)."""
    return {row[0]: row[1] for row in wh.con.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def _frame_types(wh: Warehouse, frame: pl.DataFrame) -> dict[str, str]:
    with wh.registered("described_frame", frame.head(0)):
        return _column_types(wh, "described_frame")


def _write_event_call_ids(wh: Warehouse, frame: pl.DataFrame) -> None:
    missing = [c for c in ("event_id", "call_id") if c not in frame.columns]
    if missing:
        raise ValueError(f"events: frame lacks column(s) {', '.join(missing)}")
    attributed = frame.select("event_id", pl.col("call_id").cast(pl.String))
    if not _all_distinct(attributed["event_id"]):
        raise ValueError("events: the frame repeats an event_id")
    with wh.registered("staged_event_calls", attributed):
        # One join counts the frame's unknown ids, the events it leaves out
        # (they become unattributed) and the attributions that change.
        unknown, left_out, changed = wh.con.execute(
            "SELECT count(*) FILTER (WHERE e.event_id IS NULL), "
            "count(*) FILTER (WHERE s.event_id IS NULL AND e.call_id IS NOT NULL), "
            "count(*) FILTER (WHERE e.call_id IS DISTINCT FROM s.call_id) "
            "FROM events e FULL JOIN staged_event_calls s USING (event_id)"
        ).fetchall()[0]
        if unknown:
            raise ValueError(f"events: {unknown} event_id(s) given that are not in the warehouse")
        # UPDATE only the rows whose attribution changes (none on an unchanged
        # rerun): cheaper than rewriting the table.
        if changed > left_out:
            wh.execute(
                "UPDATE events SET call_id = s.call_id FROM staged_event_calls s "
                "WHERE events.event_id = s.event_id AND events.call_id IS DISTINCT FROM s.call_id"
            )
        if left_out:
            wh.execute(
                "UPDATE events SET call_id = NULL WHERE call_id IS NOT NULL "
                "AND event_id NOT IN (SELECT event_id FROM staged_event_calls)"
            )


# -- outcome rows in parts (a large group, a few members at a time) --------------


def clear_call_outcomes(wh: Warehouse) -> None:
    """Empty ``call_outcomes`` before :func:`append_call_outcomes` fills it part by part."""
    with wh.transaction():
        delete_meta_value(wh, OUTCOMES_KEY)
        wh.execute("DELETE FROM call_outcomes")


def append_call_outcomes(wh: Warehouse, rows: pl.DataFrame | StagingArea) -> None:
    """Add rows to ``call_outcomes`` (contract columns required, extra ones added):
    a frame, or every part staged as ``call_outcomes`` in one statement."""
    with wh.transaction():
        delete_meta_value(wh, OUTCOMES_KEY)
        if isinstance(rows, pl.DataFrame):
            _add_extra_columns(wh, "call_outcomes", _frame_types(wh, rows))
            insert_frame(wh, "call_outcomes", rows)
            return
        relation = rows.relation("call_outcomes", "SELECT * FROM call_outcomes LIMIT 0")
        _add_extra_columns(wh, "call_outcomes", _column_types(wh, relation))
        with unordered_inserts(wh):
            wh.execute(f"INSERT INTO call_outcomes BY NAME SELECT * FROM {relation}")


def update_event_call_ids(wh: Warehouse, rows: pl.DataFrame | StagingArea) -> int:
    """Set ``events.call_id`` for the events given; others keep theirs.

    ``rows`` (a frame, or every part staged as ``event_call_ids``) hold
    ``EVENT_ROWID`` (read by :func:`read_events` in this same transaction),
    ``event_id`` and ``call_id``. Rows are matched by rowid, about twice as
    fast as matching 32-character ids, and each rowid is checked to name the
    row with that ``event_id``, once. Returns the rows given.
    """
    if isinstance(rows, pl.DataFrame):
        with wh.registered("staged_event_calls", event_call_ids(rows)):
            return _update_event_call_ids(wh, "staged_event_calls")
    empty = f"SELECT 0::BIGINT AS {EVENT_ROWID}, ''::VARCHAR AS event_id, ''::VARCHAR AS call_id"
    return _update_event_call_ids(wh, rows.relation("event_call_ids", empty + " LIMIT 0"))


def event_call_ids(events: pl.DataFrame) -> pl.DataFrame:
    """Events' attribution columns as :func:`update_event_call_ids` takes them:
    ``EVENT_ROWID``, ``event_id`` and ``call_id`` (null: unattributed)."""
    missing = [c for c in (EVENT_ROWID, "event_id", "call_id") if c not in events.columns]
    if missing:
        raise ValueError(f"events: frame lacks column(s) {', '.join(missing)}")
    return events.select(
        pl.col(EVENT_ROWID).cast(pl.Int64), "event_id", pl.col("call_id").cast(pl.String)
    )


def _update_event_call_ids(wh: Warehouse, relation: str) -> int:
    with wh.transaction():
        delete_meta_value(wh, OUTCOMES_KEY)
        given, distinct_rows, matching = wh.con.execute(
            f"SELECT count(*), count(DISTINCT s.{EVENT_ROWID}), count(e.event_id) "
            f"FROM {relation} AS s LEFT JOIN events AS e "
            f"ON e.rowid = s.{EVENT_ROWID} AND e.event_id = s.event_id"
        ).fetchall()[0]
        if distinct_rows != given:
            raise ValueError("events: the rows given name an event more than once")
        if matching != given:
            raise ValueError(
                f"events: {given - matching} row(s) whose {EVENT_ROWID} "
                "does not name the event with that event_id; read them with read_events "
                "in this transaction"
            )
        wh.execute(
            f"UPDATE events SET call_id = s.call_id FROM {relation} AS s "
            f"WHERE events.rowid = s.{EVENT_ROWID} "
            "AND events.call_id IS DISTINCT FROM s.call_id"
        )
    return int(given)


def _all_distinct(values: pl.Series) -> bool:
    """Whether ``values`` has no repeats; distinct 64-bit hashes settle it without
    hashing strings into a set (only equal hashes need the exact check)."""
    if values.hash().n_unique() == values.len():
        return True
    return values.n_unique() == values.len()
