"""Attribution, per-call outcomes and the outcome tables (CONTRACT sections 2 and 3).

Everything here is a pure Polars function of the warehouse's ``calls`` and
``events`` frames. Polars may run these queries on its streaming engine,
which does not keep row order through joins and group-bys, so every public
function sorts its result on its key columns: the same inputs in any row
order give identical tables.

Scopes: every summary table holds one block of rows for the whole group
(``scope = "group"``, ``member`` null) and one per member
(``scope = "member"``).

The names below are the ones the pipeline and the tests use; each module
says in its first line what it makes. Names with a leading underscore are
shared between the package's modules only.
"""

from asklab.outcomes.activity import funnel, weekly_activity
from asklab.outcomes.attribution import attribute_events
from asklab.outcomes.comparison import strategy_comparison
from asklab.outcomes.parts import (
    OutcomeParts,
    build_outcome_tables,
    outcome_parts,
    stack_parts,
    summary_tables,
)
from asklab.outcomes.per_call import call_outcomes
from asklab.outcomes.rates import ask_balance, outcomes_by_relationship, outcomes_by_strategy
from asklab.outcomes.schemas import CALLS_INPUT_SCHEMA, EVENTS_INPUT_SCHEMA
from asklab.outcomes.survival import lead_timing, time_to_first_lead

__all__ = [
    "CALLS_INPUT_SCHEMA",
    "EVENTS_INPUT_SCHEMA",
    "OutcomeParts",
    "ask_balance",
    "attribute_events",
    "build_outcome_tables",
    "call_outcomes",
    "funnel",
    "lead_timing",
    "outcome_parts",
    "outcomes_by_relationship",
    "outcomes_by_strategy",
    "stack_parts",
    "strategy_comparison",
    "summary_tables",
    "time_to_first_lead",
    "weekly_activity",
]
