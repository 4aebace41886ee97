"""The open warehouse: its DuckDB connection and the run's one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl


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
