"""Compare two asklab runs: two warehouses and two report trees.

    python tools/compare_runs.py BEFORE.duckdb AFTER.duckdb BEFORE_REPORTS AFTER_REPORTS

Tables are compared row for row (sorted) on the columns both have; tables or
columns only one side has are listed, not compared. Pages are compared byte
for byte once run ids and timestamps are masked. Prints one line per table
and per differing page, then a verdict; exits 1 when anything compared
differs. ``load_log`` is left out: it records each run (run id, time).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb

SKIPPED_TABLES = {"load_log", "schema_version", "warehouse_meta", "file_state"}
RUN_ID = re.compile(rb"\d{8}T\d{6}Z-[0-9a-f]{8}")
TIMESTAMP = re.compile(rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( ?UTC|Z)?")


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    # The file's own tables and views, not DuckDB's catalog views.
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal "
        "ORDER BY table_name, column_index"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


def compare_warehouses(before: Path, after: Path) -> int:
    differ = 0
    with (
        duckdb.connect(str(before), read_only=True) as old,
        duckdb.connect(str(after), read_only=True) as new,
    ):
        old_tables, new_tables = tables(old), tables(new)
        for name in sorted(set(old_tables) | set(new_tables)):
            if name in SKIPPED_TABLES:
                continue
            if name not in new_tables or name not in old_tables:
                side = "after" if name in new_tables else "before"
                print(f"table {name}: only {side} (not compared)")
                continue
            common = [c for c in old_tables[name] if c in new_tables[name]]
            extra = [c for c in new_tables[name] if c not in old_tables[name]]
            gone = [c for c in old_tables[name] if c not in new_tables[name]]
            columns = ", ".join(f'"{c}"' for c in common)
            query = f'SELECT {columns} FROM "{name}" ORDER BY ALL'
            same = old.execute(query).fetchall() == new.execute(query).fetchall()
            count = old.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            notes = (f"; new columns {extra}" if extra else "") + (
                f"; columns gone {gone}" if gone else ""
            )
            print(f"table {name}: {count} rows, {'identical' if same else 'DIFFERENT'}{notes}")
            differ += not same
    return differ


def masked(data: bytes) -> bytes:
    return TIMESTAMP.sub(b"<time>", RUN_ID.sub(b"<run>", data))


def compare_reports(before: Path, after: Path) -> int:
    old = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    new = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    differ = 0
    for name in sorted(old ^ new):
        print(f"page {name}: only {'after' if name in new else 'before'}")
        differ += 1
    same = 0
    for name in sorted(old & new):
        if masked((before / name).read_bytes()) == masked((after / name).read_bytes()):
            same += 1
        else:
            print(f"page {name}: DIFFERENT")
            differ += 1
    print(f"pages: {same} of {len(old | new)} identical once run ids and times are masked")
    return differ


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    old_db, new_db, old_reports, new_reports = map(Path, argv)
    differ = compare_warehouses(old_db, new_db) + compare_reports(old_reports, new_reports)
    print("verdict: identical" if not differ else f"verdict: {differ} difference(s)")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
