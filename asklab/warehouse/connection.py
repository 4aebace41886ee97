"""Opening the warehouse: the run lock, the DuckDB connection and its transaction.

One asklab run holds the warehouse at a time (an ``fcntl`` lock on
``<db>.lock`` beside the database file) and does all its writing inside one
transaction, so a run killed at any point leaves the file as before the run.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import duckdb
import polars as pl

_LOCK_POLL_SECONDS = 0.05


class WarehouseBusy(RuntimeError):
    """Another asklab run holds the warehouse lock."""


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
    db_path: Path,
    *,
    lock_timeout: float = 60.0,
    memory_limit: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Warehouse]:
    """Lock, open and migrate the warehouse at ``db_path`` (parent folders are created).

    Waits up to ``lock_timeout`` seconds for another run to release the lock,
    then raises :class:`WarehouseBusy`; when it has to wait, it first calls
    ``on_wait`` once with a line saying for whom and for how long at most.
    ``memory_limit`` caps DuckDB's memory (beyond it DuckDB spills to disk);
    None keeps DuckDB's default.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    lock = _run_lock(lock_path_for(db_path), db_path, lock_timeout, deadline, on_wait)
    with lock:
        con = _connect(db_path, lock_timeout, deadline)
        try:
            if memory_limit is not None:
                _set_memory_limit(con, memory_limit)
            wh = Warehouse(con=con, path=db_path)
            # Imported here: migrations build on this module's Warehouse.
            from asklab.warehouse.migrations import migrate

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
def _run_lock(
    lock_path: Path,
    db_path: Path,
    timeout: float,
    deadline: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        said = False
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise WarehouseBusy(_busy_message(handle, db_path, timeout))
            if on_wait is not None and not said:
                said = True
                on_wait(_waiting_message(handle, db_path, timeout))
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


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    holder = handle.read().strip()
    return f" (pid {holder})" if holder.isdigit() else ""


def _waiting_message(handle: IO[str], db_path: Path, timeout: float) -> str:
    return (
        f"waiting for another asklab run{_holder(handle)} to release the warehouse "
        f"{db_path} (at most {timeout:g} s)"
    )


def _busy_message(handle: IO[str], db_path: Path, timeout: float) -> str:
    who = _holder(handle)
    return (
        f"another asklab run{who} holds the warehouse {db_path}; "
        f"gave up after waiting {timeout:g} s. Try again when it has finished."
    )
