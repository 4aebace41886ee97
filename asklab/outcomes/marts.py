"""Report marts: the small tables the report pages read instead of calls and events.

Everything a page shows that has to be counted or picked from ``calls``,
``events`` or ``call_outcomes`` (member counts, the group's headline counts,
each member's follow-up lists cut to ``FOLLOW_UP_LIMIT`` rows) is built here
by the outcomes stage, in its transaction, from the named SQL in
``sql/marts/``. The report stage then reads tables whose size follows the
number of members, not the number of calls.

Each file in ``sql/marts/`` is one ``SELECT``; :func:`build_report_marts`
runs it as ``CREATE OR REPLACE TABLE <name> AS ...`` with the run's values
bound as parameters, never pasted into the SQL text. No Prefect here.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

from asklab.queries import read_sql, sql_root

MART_SQL_DIR: Path = sql_root() / "marts"

# A member is "active" with at least one call in this many days ending on as_of.
ACTIVE_DAYS = 28
# A contact who agreed to be a reference is due a call after this many days.
REFERENCE_FOLLOW_UP_DAYS = 30
# A member page lists at most this many rows of each follow-up list and of
# rejected cells (the most relevant ones), and says how many there are in all.
FOLLOW_UP_LIMIT = 50

# The marts in build order: a mart may read the ones before it.
REPORT_MARTS: tuple[str, ...] = (
    "member_activity",
    "group_activity",
    "follow_up_references",
    "follow_up_reached_out",
    "follow_up_introductions",
)
# The one-row mart that records the as_of the marts were built for.
AS_OF_MART = "group_activity"

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")


class ReportMartError(RuntimeError):
    """A report mart could not be built; the message names the SQL file."""


def iso_week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.isoweekday() - 1)


def mart_parameters(as_of: dt.date) -> dict[str, object]:
    """Every value a mart query may take, by parameter name."""
    return {
        "as_of": as_of,
        "week_start": iso_week_start(as_of),
        "active_days": ACTIVE_DAYS,
        "reference_days": REFERENCE_FOLLOW_UP_DAYS,
        "limit": FOLLOW_UP_LIMIT,
    }


def read_mart_sql(name: str) -> str:
    """The ``SELECT`` of ``sql/marts/<name>.sql``."""
    return read_sql(f"marts/{name}")


def parameters_used(sql: str) -> set[str]:
    """The ``$name`` parameters of ``sql`` outside ``--`` comments.

    DuckDB refuses a parameter the statement does not use, so each mart gets
    exactly the ones it names.
    """
    return set(_PARAMETER.findall(_LINE_COMMENT.sub("", sql)))


def build_report_marts(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> dict[str, int]:
    """Create or replace every report mart for ``as_of``; return their row counts.

    Runs in the caller's transaction (the outcomes stage's), after the outcome
    tables and ``events.call_id`` are written: the marts read them.
    """
    values = mart_parameters(as_of)
    rows: dict[str, int] = {}
    for name in REPORT_MARTS:
        select = read_mart_sql(name)
        used = parameters_used(select)
        unknown = sorted(used - values.keys())
        if unknown:
            raise ReportMartError(f"sql/marts/{name}.sql: unknown parameter(s) {unknown}")
        try:
            # The name comes from REPORT_MARTS, never from data.
            con.execute(
                f'CREATE OR REPLACE TABLE "{name}" AS\n{select}',
                {key: values[key] for key in used} or None,
            ).fetchall()
            rows[name] = int(con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])
        except duckdb.Error as exc:
            raise ReportMartError(f"sql/marts/{name}.sql: {exc}") from exc
    return rows


def report_marts_as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The as_of the report marts were built for; None when any of them is missing."""
    present = con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = current_schema() "
        "AND list_contains($names, table_name)",
        {"names": list(REPORT_MARTS)},
    ).fetchall()[0][0]
    if present < len(REPORT_MARTS):
        return None
    built_for = con.execute(f'SELECT max(as_of) FROM "{AS_OF_MART}"').fetchall()[0][0]
    return built_for
