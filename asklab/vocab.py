"""Canonical vocabularies of the data contract (CONTRACT.md section 1).

One place for every word list: header synonyms, asks, relationships, event
types and yes/no. Keys are already trimmed and lower-cased; callers must
normalise a cell the same way before a lookup.
"""

from __future__ import annotations

# -- Headers (section 1) ------------------------------------------------------

CALL_HEADER_SYNONYMS: dict[str, str] = {
    "date": "call_date",
    "name": "contact",
    "contact_name": "contact",
    "who": "contact",
    "ask": "ask_type",
    "asked_for": "ask_type",
    "agreed": "agreed_reference",
    "agreed_to_be_reference": "agreed_reference",
    "intros": "introductions",
    "job_leads": "leads",
}

EVENT_HEADER_SYNONYMS: dict[str, str] = {
    "date": "event_date",
    "name": "contact",
    "contact_name": "contact",
    "who": "contact",
    "type": "event_type",
    "n": "count",
    "number": "count",
}

CALL_COLUMNS: tuple[str, ...] = (
    "call_date",
    "contact",
    "ask_type",
    "relationship",
    "agreed_reference",
    "introductions",
    "leads",
    "notes",
    "member",
)
CALL_REQUIRED: tuple[str, ...] = ("call_date", "contact", "ask_type")

EVENT_COLUMNS: tuple[str, ...] = (
    "event_date",
    "contact",
    "event_type",
    "count",
    "notes",
    "member",
)
EVENT_REQUIRED: tuple[str, ...] = ("event_date", "contact", "event_type")

# -- Asks (section 1.4) -------------------------------------------------------

ASK_ORDER: tuple[str, ...] = ("job", "reference", "introduction", "advice")

ASK_SYNONYMS: dict[str, str] = {
    "job": "job",
    "job lead": "job",
    "jobs": "job",
    "lead": "job",
    "leads": "job",
    "opening": "job",
    "reference": "reference",
    "ref": "reference",
    "be a reference": "reference",
    "introduction": "introduction",
    "intro": "introduction",
    "introductions": "introduction",
    "advice": "advice",
    "informational": "advice",
    "informational interview": "advice",
    "info interview": "advice",
}

# Separators between several asks in one cell: + & , / and the word "and".
ASK_SEPARATOR_REGEX = r"\s*(?:\+|&|,|/|\band\b)\s*"

# The strategy a call's asks make (job, reference, mixed, other): asklab.metrics.

# -- Relationships (section 1.5) ----------------------------------------------

RELATIONSHIPS: tuple[str, ...] = (
    "colleague",
    "friend",
    "classmate",
    "family",
    "recruiter",
    "acquaintance",
    "unknown",
    "other",
)

RELATIONSHIP_SYNONYMS: dict[str, str] = {
    "colleague": "colleague",
    "former colleague": "colleague",
    "coworker": "colleague",
    "co-worker": "colleague",
    "ex-colleague": "colleague",
    "work": "colleague",
    "friend": "friend",
    "classmate": "classmate",
    "college": "classmate",
    "college buddy": "classmate",
    "alumni": "classmate",
    "school": "classmate",
    "family": "family",
    "recruiter": "recruiter",
    "acquaintance": "acquaintance",
}

# -- Event types (section 1.2) ------------------------------------------------

EVENT_TYPES: tuple[str, ...] = (
    "lead",
    "introduction",
    "reference_given",
    "interview",
    "offer",
    "reached_out",
)

EVENT_TYPE_SYNONYMS: dict[str, str] = {
    **{t: t for t in EVENT_TYPES},
    "job lead": "lead",
    "intro": "introduction",
    "reference": "reference_given",
    "gave reference": "reference_given",
    "contacted me": "reached_out",
    "called back": "reached_out",
}

# -- Yes/no (section 1.6) -----------------------------------------------------

YES_NO: dict[str, bool] = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "x": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}

# -- Month names (section 1.3) ------------------------------------------------

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

# Full English names and their three-letter abbreviations, plus "sept".
MONTHS: dict[str, int] = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}

# -- Plan tables (section 7.1, v2) ---------------------------------------------

PLAN_HEADER_SYNONYMS: dict[str, str] = {
    "name": "contact",
    "contact_name": "contact",
    "who": "contact",
}

PLAN_COLUMNS: tuple[str, ...] = (
    "plan_id",
    "created",
    "seed",
    "arms",
    "contact",
    "relationship",
    "arm",
    "member",
)
PLAN_REQUIRED: tuple[str, ...] = ("plan_id", "created", "seed", "arms", "contact", "arm")
# The columns that hold the plan itself, equal on every row of a plan table.
PLAN_LEVEL_COLUMNS: tuple[str, ...] = ("plan_id", "created", "seed", "arms")
