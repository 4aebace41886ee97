"""Opening the warehouse: lock, connect, migrate.

A run does all its writing inside one transaction (``Warehouse.transaction``),
so a run killed at any point leaves the file as before the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from asklab.warehouse.connection import Warehouse
from asklab.warehouse.lock import LOCK_POLL_SECONDS, WarehouseBusy, lock_path_for, run_lock
from asklab.warehouse.migrations import migrate


@contextmanager
def open_warehouse(
    db_path: Path,
    *,
    lock_timeout: float = 60.0,
    memory_limit: str | None = None,
    threads: int | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Warehouse]:
    """Lock, open and migrate the warehouse at ``db_path`` (parent folders are created).

    Waits up to ``lock_timeout`` seconds for another run to release the lock,
    then raises :class:`WarehouseBusy`; when it has to wait, it first calls
    ``on_wait`` once with a line saying for whom and for how long at most.
    ``memory_limit`` caps DuckDB's memory (beyond it DuckDB spills to disk);
    ``threads`` caps its threads; None keeps DuckDB's default for each.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    lock = run_lock(lock_path_for(db_path), db_path, lock_timeout, deadline, on_wait)
    with lock:
        con = _connect(db_path, lock_timeout, deadline)
        try:
            if memory_limit is not None:
                _set_memory_limit(con, memory_limit)
            if threads is not None:
                con.execute("SET threads = ?", [threads]).fetchall()
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
            time.sleep(LOCK_POLL_SECONDS)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
