"""The outcomes stage over the warehouse: attribution and outcome tables part by
part, the summary tables, the report marts, and the record of what they were
computed from. Everything happens in the caller's transaction."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

from asklab.freshness import record_outcomes
from asklab.outcomes.marts import build_report_marts
from asklab.outcomes.parts import OutcomeParts, outcome_parts, stack_parts, summary_tables
from asklab.outcomes.plans import plan_tables
from asklab.outcomes.schemas import CALLS_INPUT_SCHEMA, EVENTS_INPUT_SCHEMA
from asklab.outcomes.store import (
    append_call_outcomes,
    clear_call_outcomes,
    event_call_ids,
    update_event_call_ids,
    write_outcomes,
)
from asklab.settings import Settings
from asklab.warehouse import (
    EVENT_ROWID,
    Warehouse,
    begin_staging,
    end_staging,
    read_calls,
    read_events,
)

# build_outcomes works on parts of about this many calls (whole members
# each), so that its memory follows the part, not the whole group: about
# 0.4 GB of frames per million calls at their peak. Each part reads only its
# members' rows.
CALLS_PER_PART = 1_000_000


def build_outcomes(wh: Warehouse, settings: Settings) -> dict[str, int]:
    """Attribute events, compute per-call outcomes, plan tables and marts, write them.

    A large group is done a part of its members at a time (attribution and
    per-call outcomes stay within a member; the summaries add up per-member
    counts), so memory follows the part, not the group. Records what the
    tables were computed from (``asklab.freshness``), so a later run with the
    same data and parameters can keep them.
    """
    calls_total = int(wh.scalar("SELECT count(*) FROM calls") or 0)
    count = max(1, math.ceil(calls_total / CALLS_PER_PART))
    rows = {"events": 0, "call_outcomes": 0}
    summaries: list[OutcomeParts] = []
    with wh.transaction():
        clear_call_outcomes(wh)
        # With several parts, each part's rows wait in the staging area and
        # are written in one statement per table: many small writes inside the
        # run's transaction would be held in memory until it commits.
        area = begin_staging(wh) if count > 1 else None
        for index in range(count):
            part = (index, count) if count > 1 else None
            parts = outcome_parts(
                # Only the columns the outcomes use, in no particular order.
                read_calls(wh, list(CALLS_INPUT_SCHEMA), ordered=False, part=part),
                read_events(wh, [*EVENTS_INPUT_SCHEMA, EVENT_ROWID], ordered=False, part=part),
                as_of=settings.as_of,
                window=settings.window,
            )
            if area is None:
                single = parts  # written below, while the summaries are computed
            else:
                area.write("event_call_ids", f"{index:06d}", event_call_ids(parts.events))
                area.write("call_outcomes", f"{index:06d}", parts.call_outcomes)
            rows["call_outcomes"] += parts.call_outcomes.height
            # Keep the (small) counts only.
            summaries.append(parts.counts_only())
            del parts
        # The summary tables are Polars work on the counts alone: computed on a
        # thread while DuckDB writes the part rows (both release the GIL), not
        # after them. Only this thread touches the warehouse.
        with ThreadPoolExecutor(max_workers=1) as summarising:
            summary = summarising.submit(lambda: summary_tables(stack_parts(summaries)))
            if area is None:
                rows["events"] += update_event_call_ids(wh, single.events)
                append_call_outcomes(wh, single.call_outcomes)
                del single
            else:
                rows["events"] = update_event_call_ids(wh, area)
                append_call_outcomes(wh, area)
                end_staging(wh)
            events_total = int(wh.scalar("SELECT count(*) FROM events") or 0)
            if rows["events"] != events_total:
                raise RuntimeError(f"the parts covered {rows['events']} of {events_total} events")
            tables = summary.result()
        # Plans are small: linked and compared once, from the stored call outcomes.
        tables |= plan_tables(wh)
        write_outcomes(wh, tables)
        rows |= {name: frame.height for name, frame in tables.items()}
        # The small tables the report stage reads instead of calls and events.
        build_report_marts(wh.con, as_of=settings.as_of)
        record_outcomes(wh, settings, rows)
    return rows
