"""The shapes of validated rows: calls, events, plan rows and rejected cells.

Shared by validation (which makes them), the loader (which stages and stores
them) and the tests, so one definition serves all.
"""

from __future__ import annotations

import polars as pl

CALL_ROW_SCHEMA = pl.Schema(
    {
        "member": pl.String,
        "call_date": pl.Date,
        "contact": pl.String,
        "contact_key": pl.String,
        "ask_label": pl.String,
        "strategy": pl.String,
        "relationship": pl.String,
        "agreed_reference": pl.Boolean,
        "introductions": pl.Int64,
        "leads": pl.Int64,
        "notes": pl.String,
        "source_file": pl.String,
        "sheet": pl.String,
        "source_line": pl.Int64,
    }
)

EVENT_ROW_SCHEMA = pl.Schema(
    {
        "member": pl.String,
        "event_date": pl.Date,
        "contact": pl.String,
        "contact_key": pl.String,
        "event_type": pl.String,
        "count": pl.Int64,
        "notes": pl.String,
        "source_file": pl.String,
        "sheet": pl.String,
        "source_line": pl.Int64,
    }
)

# The valid rows of a plan table, as the warehouse's plan_file_rows stores them.
PLAN_ROW_SCHEMA = pl.Schema(
    {
        "plan_id": pl.String,
        "member": pl.String,
        "created": pl.Date,
        "seed": pl.String,
        "arms": pl.String,
        "contact": pl.String,
        "contact_key": pl.String,
        "relationship": pl.String,
        "arm": pl.String,
        "source_file": pl.String,
        "sheet": pl.String,
        "source_line": pl.Int64,
    }
)

REJECTED_SCHEMA = pl.Schema(
    {
        "source_file": pl.String,
        "sheet": pl.String,
        "line": pl.Int64,
        "column": pl.String,
        "value": pl.String,
        "reason": pl.String,
        "member": pl.String,
    }
)

# Column name used in `rejected` for cells beyond the header of a CSV row and
# for file-level problems: neither belongs to a contract column.
NO_COLUMN = "-"
