"""A plausible synthetic job-search group, as a DuckDB warehouse, for the report tests.

The call-level tables are generated here (deterministic for a seed); the
outcome tables come from ``asklab.outcomes.build_outcome_tables``, so the
pages are drawn from the real marts. ``scale`` multiplies every member's
calls (same members, same weeks), for the page-size test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

import duckdb
import polars as pl
import pytest

from asklab.outcomes import build_outcome_tables
from asklab.outcomes.plans import ASSIGNMENT_EXTRAS, OUTCOME_COLUMNS, plan_outcome_tables
from asklab.plans.assign import assign_arms
from asklab.plans.comparison import PLAN_ASSIGNMENTS_SCHEMA as LINKED_SCHEMA
from asklab.plans.comparison import PLAN_COMPARISON_SCHEMA

AS_OF = dt.date(2026, 11, 26)  # Thursday of ISO week 2026-W48
WINDOW = 60
RUN_ID = "run-2026-11-26"


@pytest.fixture(scope="module", autouse=True)
def vega_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory):
    """Autouse in a module that imports it: the Vega bundle cache goes into a temp
    folder, never the user's ``~/.cache`` (the bundle is read once per process)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


HOSTILE_CONTACTS = ("</script><script>alert(1)</script>", "<img src=x onerror=alert(2)>")
HOSTILE_VALUE = "<img src=x onerror=alert(3)>"
HOSTILE_MEMBER = "mallory <b>&</b>"
# A contact only in the hostile member's plan (never called: an open assignment).
HOSTILE_PLAN_CONTACT = "<svg onload=alert(5)>Plan & Co"

# (member, share of job / reference / mixed / advice asks)
MEMBERS: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("alice", (0.45, 0.35, 0.1, 0.1)),
    ("bob", (0.6, 0.2, 0.1, 0.1)),
    ("chen wei", (0.3, 0.5, 0.1, 0.1)),
    ("dana", (0.4, 0.4, 0.05, 0.15)),
    (HOSTILE_MEMBER, (0.4, 0.4, 0.1, 0.1)),
)
FIRST_NAMES = (
    "Priya", "Tomasz", "Grace", "Olumide", "Hannah", "Mateo", "Yuki", "Farah",
    "Jonas", "Ines", "Kwame", "Lena", "Rafael", "Sofia", "Arjun", "Maeve",
)  # fmt: skip
LAST_NAMES = (
    "Natarajan", "Kowalczyk", "Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka",
    "Brennan", "Ferreira", "Novak", "Achebe", "Castillo",
)  # fmt: skip
RELATIONSHIPS = ("colleague", "friend", "classmate", "acquaintance", "recruiter", "family")
ASKS = ("job", "reference", "job+reference", "advice")
STRATEGY_OF_ASK = {
    "job": "job",
    "reference": "reference",
    "job+reference": "mixed",
    "advice": "other",
}


@dataclass(frozen=True)
class Fixture:
    con: duckdb.DuckDBPyConnection
    contacts: tuple[str, ...]  # every contact display name
    contact_keys: tuple[str, ...]
    notes: tuple[str, ...]
    members: tuple[str, ...]
    plan_contacts: tuple[str, ...] = ()  # every contact display name in a plan


def _id(*parts: object) -> str:
    text = "|".join(f"{len(str(p))}:{p}" for p in parts)
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _contacts_for(member: str, rng: random.Random, size: int) -> list[str]:
    names = {f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(size * 3)}
    chosen = sorted(names)[:size]
    if member == HOSTILE_MEMBER:
        chosen[:2] = HOSTILE_CONTACTS
    return chosen


def generate_rows(scale: int = 1, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Calls and events (contract columns + contact and notes) for the whole group."""
    rng = random.Random(seed)
    calls: list[dict] = []
    events: list[dict] = []
    for member, mix in MEMBERS:
        contacts = _contacts_for(member, rng, 14)
        source = f"{member}/calls.csv"
        for line in range(2, 2 + 36 * scale):
            contact = contacts[rng.randrange(2, len(contacts))]
            ask = rng.choices(ASKS, weights=mix)[0]
            call_date = AS_OF - dt.timedelta(days=rng.randrange(0, 112))
            asked_reference = "reference" in ask
            asked_job = "job" in ask
            agreed = (rng.random() < 0.65) if asked_reference else None
            leads = rng.choice((0, 0, 0, 1, 1, 2)) if asked_job else 0
            intros = rng.choice((0, 0, 0, 1)) if rng.random() < 0.5 else 0
            if line <= 3:
                # The first two contacts get one call each, 45 days ago, agreeing to be a
                # reference and offering an introduction: they show on the member page
                # under "references to call back" and "introductions received".
                contact, ask, agreed, leads, intros = contacts[line - 2], "reference", True, 0, 1
                call_date = AS_OF - dt.timedelta(days=45)
                asked_reference, asked_job = True, False
            strategy = STRATEGY_OF_ASK[ask]
            call = {
                "member": member,
                "call_date": call_date,
                "contact": contact,
                "contact_key": " ".join(contact.lower().split()),
                "relationship": rng.choice(RELATIONSHIPS),
                "ask_label": ask,
                "strategy": strategy,
                "agreed_reference": agreed,
                "introductions": intros,
                "leads": leads,
                "notes": f"NOTE-{member}-{line}: private remark",
                "source_file": source,
                "sheet": None,
                "source_line": line,
            }
            call["call_id"] = _id(
                member, call_date, call["contact_key"], ask, agreed, intros, leads
            )
            calls.append(call)
            # Reference asks keep bringing leads later: "eyes open for you".
            later_lead_p = 0.35 if asked_reference else 0.15
            for event_type, p in (
                ("lead", later_lead_p),
                ("reached_out", 0.2),
                ("introduction", 0.1),
                ("interview", 0.05),
            ):
                if rng.random() < p:
                    event_date = call_date + dt.timedelta(days=rng.randrange(1, 75))
                    if event_date <= AS_OF:
                        events.append(
                            {
                                "member": member,
                                "event_date": event_date,
                                "contact": contact,
                                "contact_key": call["contact_key"],
                                "event_type": event_type,
                                "count": 1,
                                "notes": f"NOTE-event-{member}-{line}",
                                "source_file": f"{member}/events.csv",
                                "sheet": None,
                                "source_line": len(events) + 2,
                            }
                        )
            if member == HOSTILE_MEMBER and line == 2:
                # A hostile contact reaches out: the member page's "reached out"
                # table must show the name as text too.
                events.append(
                    {
                        "member": member,
                        "event_date": call_date + dt.timedelta(days=3),
                        "contact": contact,
                        "contact_key": call["contact_key"],
                        "event_type": "reached_out",
                        "count": 1,
                        "notes": f"NOTE-event-{member}-{line}",
                        "source_file": f"{member}/events.csv",
                        "sheet": None,
                        "source_line": len(events) + 2,
                    }
                )
    call_frame = pl.DataFrame(calls).unique("call_id", keep="first", maintain_order=True)
    event_frame = pl.DataFrame(events).with_columns(
        event_id=pl.concat_str(
            "member", "event_date", "contact_key", "event_type", "count", "source_line",
            separator="|",
        ).hash().cast(pl.String)
    )  # fmt: skip
    return call_frame, event_frame


def rejected_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_file": [
                "alice/calls.csv",
                "alice/calls.csv",
                f"{HOSTILE_MEMBER}/calls.csv",
                "orphan.csv",
            ],
            "sheet": [None, None, None, None],
            "line": [7, 7, 4, 2],
            "column": ["call_date", "leads", "ask_type", "member"],
            "value": ["31/31/2026", "two", HOSTILE_VALUE, ""],
            "reason": [
                "not a date",
                "not a whole number",
                "unknown ask; nearest valid ask: job",
                "blank member",
            ],
            "member": ["alice", "alice", HOSTILE_MEMBER, None],
        },
        schema_overrides={"sheet": pl.String, "line": pl.Int64},
    )


def load_log_frame() -> pl.DataFrame:
    loaded_at = dt.datetime(2026, 11, 26, 7, 0)
    return pl.DataFrame(
        {
            "run_id": ["run-2026-11-19", RUN_ID, RUN_ID],
            "source_file": ["alice/calls.csv", "alice/calls.csv", f"{HOSTILE_MEMBER}/calls.csv"],
            "sha256": ["a", "b", "c"],
            "status": ["loaded", "loaded", "loaded"],
            "rows_loaded": [30, 34, 35],
            "rows_rejected": [5, 1, 1],
            "duplicates": [0, 0, 0],
            "message": [None, None, None],
            "loaded_at": [loaded_at - dt.timedelta(days=7), loaded_at, loaded_at],
        },
        schema_overrides={"message": pl.String},
    )


def create_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register("_frame", frame)
    con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _frame')
    con.unregister("_frame")


# -- Plan tables (CONTRACT section 7, schema 002) -------------------------------------

PLAN_ROWS_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.String(),
    "member": pl.String(),
    "created": pl.Date(),
    "seed": pl.String(),
    "arms": pl.String(),
    "contact": pl.String(),
    "contact_key": pl.String(),
    "relationship": pl.String(),
    "arm": pl.String(),
    "source_file": pl.String(),
    "sheet": pl.String(),
    "source_line": pl.Int64(),
}
# plan_assignments as stored: the linker's frame without its extra arms column.
# As the outcomes stage writes it: section 7.3's columns, the contact as
# written and the linked call's date and asks.
PLAN_ASSIGNMENTS_SCHEMA: dict[str, pl.DataType] = {
    **{name: dtype for name, dtype in LINKED_SCHEMA.items() if name != "arms"},
    **ASSIGNMENT_EXTRAS,
}


def empty_plan_tables() -> dict[str, pl.DataFrame]:
    """The plan tables as migration 002 makes them, empty: a warehouse without plans."""
    return {
        "plan_rows": pl.DataFrame(schema=PLAN_ROWS_SCHEMA),
        "plan_assignments": pl.DataFrame(schema=PLAN_ASSIGNMENTS_SCHEMA),
        "plan_comparison": pl.DataFrame(schema=PLAN_COMPARISON_SCHEMA),
    }


PLAN_CREATED = AS_OF - dt.timedelta(days=100)
# Alice's plan has three arms, so introduction is compared with job on her plan only.
PLAN_ARMS = {"alice": "job+reference+introduction"}


def plan_rows_frame(calls: pl.DataFrame) -> pl.DataFrame:
    """One plan per member over every contact they called and three never called (the
    hostile member's first one named ``HOSTILE_PLAN_CONTACT``), arms by the contract's rule."""
    first = calls.sort("call_date", "call_id").unique(
        ["member", "contact_key"], keep="first", maintain_order=True
    )
    rows: list[dict] = []
    for member, _ in MEMBERS:
        mine = first.filter(pl.col("member") == member).sort("contact_key")
        contacts = list(zip(mine["contact"], mine["relationship"], strict=True))
        extra = [f"Open Contact {i} of {member}" for i in range(3)]
        if member == HOSTILE_MEMBER:
            extra[0] = HOSTILE_PLAN_CONTACT
        contacts += [(name, "friend") for name in extra]
        arms = PLAN_ARMS.get(member, "job+reference")
        seed = hashlib.sha256(member.encode()).hexdigest()[:32]
        keyed = [(" ".join(c.lower().split()), r) for c, r in contacts]
        assigned = assign_arms(seed, arms.split("+"), keyed)
        for line, ((contact, relationship), (key, _)) in enumerate(
            zip(contacts, keyed, strict=True), start=2
        ):
            rows.append(
                {
                    "plan_id": "plan-1",
                    "member": member,
                    "created": PLAN_CREATED,
                    "seed": seed,
                    "arms": arms,
                    "contact": contact,
                    "contact_key": key,
                    "relationship": relationship,
                    "arm": assigned[key],
                    "source_file": f"{member}/plans/plan-1.csv",
                    "sheet": None,
                    "source_line": line,
                }
            )
    return pl.DataFrame(rows, schema=PLAN_ROWS_SCHEMA)


def plan_tables(calls: pl.DataFrame, call_outcomes: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """plan_rows, plan_assignments and plan_comparison for ``plan_rows_frame``, linked
    and compared by ``asklab.plans.comparison``."""
    rows = plan_rows_frame(calls)
    planned_calls = calls.select("call_id", "member", "contact_key", "call_date", "ask_label").join(
        call_outcomes.select("call_id", *OUTCOME_COLUMNS), on="call_id"
    )
    tables = plan_outcome_tables(rows, planned_calls)
    return {"plan_rows": rows, **tables}


def build_warehouse(scale: int = 1, seed: int = 7, *, plans: bool = False) -> Fixture:
    """An in-memory DuckDB with every table the report queries read; with ``plans``,
    a plan per member (``plan_tables``), else empty plan tables."""
    calls, events = generate_rows(scale, seed)
    tables = build_outcome_tables(calls, events, as_of=AS_OF, window=WINDOW)
    con = duckdb.connect()
    create_table(con, "calls", calls)
    for name, frame in tables.items():
        create_table(con, name, frame)
    create_table(con, "rejected_rows", rejected_frame())
    create_table(con, "load_log", load_log_frame())
    planned = plan_tables(calls, tables["call_outcomes"]) if plans else empty_plan_tables()
    for name, frame in planned.items():
        create_table(con, name, frame)
    return Fixture(
        con=con,
        contacts=tuple(sorted(set(calls["contact"]))),
        contact_keys=tuple(sorted(set(calls["contact_key"]))),
        notes=tuple(sorted(set(calls["notes"]) | set(events["notes"]))),
        members=tuple(m for m, _ in MEMBERS),
        plan_contacts=tuple(sorted(set(planned["plan_rows"]["contact"]))),
    )


# -- A tiny hand-made warehouse and the ReportData it must give --------------------------
#
# Worked out by hand for as_of 2026-11-26 (Thursday; ISO week 2026-W48 starts
# Monday 2026-11-23). Reference follow-up rule: agreed, and as_of - last call >= 30.

SMALL_AS_OF = dt.date(2026, 11, 26)
SCRIPT_CONTACT = "</script><script>alert(1)</script>"
IMG_CONTACT = "<img src=x onerror=alert(2)>"
SCRIPT_VALUE = "<script>alert(3)</script>"
SMALL_NOTES = ("NOTE-A1 met at the cafe", "NOTE-A2 wants a CV", "NOTE-B1 secret", "NOTE-E1")


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def small_calls() -> pl.DataFrame:
    # member, call_id, date, contact, ask/strategy, agreed, intros, leads, notes, line
    rows = [
        ("alice", "a1", "2026-09-01", "Grace Okafor", "reference", True, 0, 0, SMALL_NOTES[0], 2),
        ("alice", "a2", "2026-11-24", "Tomasz Novak", "job", None, 1, 2, SMALL_NOTES[1], 3),
        ("alice", "a3", "2026-10-27", "Ines Haddad", "reference", True, 0, 0, None, 4),
        ("alice", "a4", "2026-10-28", "Kwame Achebe", "reference", True, 0, 0, None, 5),
        ("alice", "a5", "2026-09-15", "Lena Moreau", "reference", True, 0, 0, None, 6),
        ("alice", "a6", "2026-11-20", "Lena  Moreau", "job", None, 0, 0, None, 7),
        ("alice", "a7", "2026-10-01", "Priya Natarajan", "reference", False, 0, 0, None, 8),
        ("bob", "b1", "2026-11-26", SCRIPT_CONTACT, "job", None, 0, 1, SMALL_NOTES[2], 2),
        ("bob", "b2", "2026-08-01", IMG_CONTACT, "reference", True, 2, 0, None, 3),
        ("carol", "c1", "2026-10-29", "Maeve Brennan", "job", None, 0, 0, None, 2),
    ]
    return pl.DataFrame(
        [
            {
                "call_id": call_id,
                "member": member,
                "call_date": _d(day),
                "contact": contact,
                "contact_key": " ".join(contact.lower().split()),
                "relationship": "colleague",
                "ask_label": ask,
                "strategy": ask,
                "agreed_reference": agreed,
                "introductions": intros,
                "leads": leads,
                "notes": notes,
                "source_file": f"{member}/calls.csv",
                "source_line": line,
            }
            for member, call_id, day, contact, ask, agreed, intros, leads, notes, line in rows
        ],
        schema_overrides={"agreed_reference": pl.Boolean, "notes": pl.String},
    )


def small_events() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "member": ["alice", "alice", "bob"],
            "event_date": [_d("2026-11-25"), _d("2026-11-02"), _d("2026-11-26")],
            "contact": ["Tomasz Novak", "Grace Okafor", SCRIPT_CONTACT],
            "contact_key": ["tomasz novak", "grace okafor", SCRIPT_CONTACT],
            "event_type": ["reached_out", "introduction", "reached_out"],
            "count": [1, 2, 1],
            # e2 is 62 days after Grace's only call: outside a 60-day window.
            "call_id": ["a2", None, "b1"],
            "notes": [SMALL_NOTES[3], None, None],
            "source_file": ["alice/events.csv", "alice/events.csv", "bob/events.csv"],
            "source_line": [2, 3, 2],
        },
        schema_overrides={"call_id": pl.String, "notes": pl.String},
    )


def small_call_outcomes() -> pl.DataFrame:
    # mature = as_of - call_date >= 60: a1 (86 days), a5 (72), b2 (117).
    calls = small_calls()
    return calls.select(
        "call_id",
        "member",
        "call_date",
        "strategy",
        "contact_key",
        mature=(pl.lit(SMALL_AS_OF) - pl.col("call_date")).dt.total_days() >= 60,
    )


def small_rejected() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_file": ["alice/calls.csv", "alice/calls.csv", "bob/calls.xlsx", "orphan.csv"],
            "sheet": [None, None, "Calls", None],
            "line": [9, 9, 4, 2],
            "column": ["call_date", "leads", "ask_type", "member"],
            "value": ["31/31/2026", "two", SCRIPT_VALUE, ""],
            "reason": [
                "not a date",
                "not a whole number",
                "unknown ask; nearest valid ask: job",
                "blank member",
            ],
            "member": ["alice", "alice", "bob", None],
        },
        schema_overrides={"sheet": pl.String, "member": pl.String},
    )


def small_load_log() -> pl.DataFrame:
    at = dt.datetime(2026, 11, 26, 7, 0)
    return pl.DataFrame(
        {
            "run_id": ["r1", "r2", "r2"],
            "source_file": ["alice/calls.csv", "alice/calls.csv", "bob/calls.xlsx"],
            "sha256": ["x", "y", "z"],
            "status": ["loaded", "loaded", "loaded"],
            "rows_loaded": [6, 7, 2],
            "rows_rejected": [5, 1, 1],
            "duplicates": [0, 0, 0],
            "message": [None, None, None],
            "loaded_at": [at - dt.timedelta(days=7), at, at],
        },
        schema_overrides={"message": pl.String},
    )


def _rate_row(
    scope: str,
    member: str | None,
    strategy: str,
    calls: int,
    mature: int,
    rates: dict[str, tuple[int, int, float, float]],
    per_call: tuple[float, float, float] | None,
) -> dict:
    row: dict = {"scope": scope, "member": member, "strategy": strategy}
    row |= {"calls": calls, "mature_calls": mature}
    for metric in ("yes_rate", "intro_rate", "lead_rate", "reached_out_rate"):
        x, n, lo, hi = rates[metric]
        row |= {f"{metric}_n": n, f"{metric}_x": x, metric: x / n if n else None}
        row |= {f"{metric}_lo": lo if n else None, f"{metric}_hi": hi if n else None}
    lpc = per_call or (None, None, None)
    row |= {"leads_per_call": lpc[0], "leads_per_call_lo": lpc[1], "leads_per_call_hi": lpc[2]}
    return row


def small_by_strategy() -> pl.DataFrame:
    rows = [
        _rate_row(
            "group", None, "job", 12, 10,
            {"yes_rate": (4, 10, 0.17, 0.69), "intro_rate": (1, 10, 0.02, 0.40),
             "lead_rate": (5, 10, 0.24, 0.76), "reached_out_rate": (2, 10, 0.06, 0.51)},
            (0.8, 0.4, 1.4),
        ),
        _rate_row(
            "group", None, "reference", 10, 8,
            {"yes_rate": (6, 10, 0.31, 0.83), "intro_rate": (2, 8, 0.07, 0.59),
             "lead_rate": (2, 8, 0.07, 0.59), "reached_out_rate": (4, 8, 0.22, 0.78)},
            (0.25, 0.03, 0.9),
        ),
        _rate_row(
            "member", "alice", "job", 2, 0,
            {"yes_rate": (1, 2, 0.09, 0.91), "intro_rate": (0, 0, 0, 0),
             "lead_rate": (0, 0, 0, 0), "reached_out_rate": (0, 0, 0, 0)},
            None,
        ),
    ]  # fmt: skip
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.with_columns(pl.col("member").cast(pl.String))


def small_comparison() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "scope": ["group"] * 4,
            "member": [None] * 4,
            "metric": ["intro_rate", "lead_rate", "reached_out_rate", "yes_rate"],
            "n_ref": [8, 8, 8, 10],
            "x_ref": [2, 2, 4, 6],
            "n_job": [10, 10, 10, 10],
            "x_job": [1, 5, 2, 4],
            "diff": [0.15, -0.25, 0.3, 0.2],
            "diff_lo": [-0.16, -0.58, -0.12, -0.19],
            "diff_hi": [0.47, 0.16, 0.62, 0.5],
            "prob_ref_better": [0.85, 0.12, 0.9, 0.8],
            "mh_diff": [0.1, -0.2, None, 0.15],
            "mh_diff_lo": [-0.05, -0.41, None, 0.02],
            "mh_diff_hi": [0.25, 0.01, None, 0.28],
            "small_sample": [True, True, True, False],
        },
        schema_overrides={"member": pl.String},
    )


def small_by_relationship() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "relationship": ["colleague", "colleague", "friend"],
            "strategy": ["job", "reference", "job"],
            "calls": [7, 10, 5],
            "mature_calls": [6, 8, 4],
            "yes_rate_n": [6, 10, 4],
            "yes_rate_x": [3, 6, 1],
            "yes_rate": [0.5, 0.6, 0.25],
            "lead_rate_n": [6, 8, 4],
            "lead_rate_x": [3, 2, 2],
            "lead_rate": [0.5, 0.25, 0.5],
        }
    )


def small_time_to_first_lead() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "strategy": ["job", "job", "job", "reference", "reference"],
            "day": [0, 0, 14, 0, 21],
            "at_risk": [12, 12, 6, 10, 9],
            "events": [0, 4, 1, 0, 2],
            "censored": [0, 2, 5, 0, 7],
            "survival": [1.0, 2 / 3, 5 / 9, 1.0, 7 / 9],
            "survival_lo": [None, 0.34, 0.25, None, 0.36],
            "survival_hi": [None, 0.86, 0.78, None, 0.94],
        },
        schema_overrides={"survival_lo": pl.Float64, "survival_hi": pl.Float64},
    )


def small_lead_timing() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "scope": ["group", "group", "member"],
            "member": [None, None, "alice"],
            "strategy": ["job", "reference", "job"],
            "mature_calls": [10, 8, 0],
            "immediate_leads": [6, 0, 0],
            "later_leads": [2, 2, 0],
        },
        schema_overrides={"member": pl.String},
    )


def small_weekly_activity() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "scope": ["group", "group", "member"],
            "member": [None, None, "alice"],
            "week_start": [_d("2026-11-09"), _d("2026-11-23"), _d("2026-11-23")],
            "strategy": ["job", "reference", "job"],
            "calls": [3, 2, 1],
        },
        schema_overrides={"member": pl.String},
    )


def small_warehouse_tables() -> dict[str, pl.DataFrame]:
    """Every table ``load_report_data`` reads, small enough to check by hand."""
    return {
        "calls": small_calls(),
        "events": small_events(),
        "call_outcomes": small_call_outcomes(),
        "rejected_rows": small_rejected(),
        "load_log": small_load_log(),
        "outcomes_by_strategy": small_by_strategy(),
        "strategy_comparison": small_comparison(),
        "outcomes_by_relationship": small_by_relationship().with_columns(
            scope=pl.lit("group"), member=pl.lit(None, dtype=pl.String)
        ),
        "time_to_first_lead": small_time_to_first_lead().with_columns(
            scope=pl.lit("group"), member=pl.lit(None, dtype=pl.String)
        ),
        "lead_timing": small_lead_timing(),
        "weekly_activity": small_weekly_activity(),
        **empty_plan_tables(),
    }


def small_member_summary() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "member": ["alice", "bob", "carol", None],
            "calls_total": [7, 2, 1, 0],
            "calls_this_week": [1, 1, 0, 0],
            "mature_calls": [2, 1, 0, 0],
            "events": [2, 1, 0, 0],
            "unattributed_events": [1, 0, 0, 0],
            "rejected_rows": [1, 1, 0, 1],
            "rejected_cells": [2, 1, 0, 1],
        },
        schema_overrides={"member": pl.String},
    )


def small_members():
    from asklab.report import MemberData

    def frame(data: dict, **overrides) -> pl.DataFrame:
        return pl.DataFrame(data, schema_overrides=overrides)

    no_refs = frame(
        {"contact": [], "agreed_on": [], "last_call": [], "days_since_last_call": []},
        contact=pl.String,
        agreed_on=pl.Date,
        last_call=pl.Date,
        days_since_last_call=pl.Int64,
    )
    no_reached = frame(
        {"event_date": [], "contact": [], "count": [], "attributed": []},
        event_date=pl.Date,
        contact=pl.String,
        count=pl.Int64,
        attributed=pl.Boolean,
    )
    no_intros = frame(
        {"received_on": [], "contact": [], "introductions": [], "source": []},
        received_on=pl.Date,
        contact=pl.String,
        introductions=pl.Int64,
        source=pl.String,
    )
    no_rejected = frame(
        {"source_file": [], "sheet": [], "line": [], "column": [], "value": [], "reason": []},
        source_file=pl.String,
        sheet=pl.String,
        line=pl.Int64,
        column=pl.String,
        value=pl.String,
        reason=pl.String,
    )
    alice = MemberData(
        member="alice", calls_total=7, calls_this_week=1, mature_calls=2, events=2,
        unattributed_events=1, rejected_rows=1,
        # Grace: 86 days; Ines: exactly 30. Kwame (29 days), Lena (called again
        # 6 days ago) and Priya (said no) are not due.
        references_to_call=no_refs.vstack(frame(
            {"contact": ["Grace Okafor", "Ines Haddad"],
             "agreed_on": [_d("2026-09-01"), _d("2026-10-27")],
             "last_call": [_d("2026-09-01"), _d("2026-10-27")],
             "days_since_last_call": [86, 30]},
        )),
        reached_out=no_reached.vstack(frame(
            {"event_date": [_d("2026-11-25")], "contact": ["Tomasz Novak"], "count": [1],
             "attributed": [True]},
        )),
        introductions=no_intros.vstack(frame(
            {"received_on": [_d("2026-11-24"), _d("2026-11-02")],
             "contact": ["Tomasz Novak", "Grace Okafor"], "introductions": [1, 2],
             "source": ["during the call", "reported later"]},
        )),
        rejected=no_rejected.vstack(frame(
            {"source_file": ["alice/calls.csv"] * 2, "sheet": [None, None], "line": [9, 9],
             "column": ["call_date", "leads"], "value": ["31/31/2026", "two"],
             "reason": ["not a date", "not a whole number"]},
            sheet=pl.String,
        )),
    )  # fmt: skip
    bob = MemberData(
        member="bob", calls_total=2, calls_this_week=1, mature_calls=1, events=1,
        unattributed_events=0, rejected_rows=1,
        references_to_call=no_refs.vstack(frame(
            {"contact": [IMG_CONTACT], "agreed_on": [_d("2026-08-01")],
             "last_call": [_d("2026-08-01")], "days_since_last_call": [117]},
        )),
        reached_out=no_reached.vstack(frame(
            {"event_date": [_d("2026-11-26")], "contact": [SCRIPT_CONTACT], "count": [1],
             "attributed": [True]},
        )),
        introductions=no_intros.vstack(frame(
            {"received_on": [_d("2026-08-01")], "contact": [IMG_CONTACT],
             "introductions": [2], "source": ["during the call"]},
        )),
        rejected=no_rejected.vstack(frame(
            {"source_file": ["bob/calls.xlsx"], "sheet": ["Calls"], "line": [4],
             "column": ["ask_type"], "value": [SCRIPT_VALUE],
             "reason": ["unknown ask; nearest valid ask: job"]},
        )),
    )  # fmt: skip
    carol = MemberData(
        member="carol", calls_total=1, calls_this_week=0, mature_calls=0, events=0,
        unattributed_events=0, rejected_rows=0, references_to_call=no_refs,
        reached_out=no_reached, introductions=no_intros, rejected=no_rejected,
    )  # fmt: skip
    return (alice, bob, carol)


def small_report_data():
    """The ReportData the small warehouse gives for as_of 2026-11-26 and run r2."""
    from asklab.report import GroupKpis, ReportData

    return ReportData(
        run_id="r2",
        kpis=GroupKpis(
            calls_this_week=2,
            calls_total=10,
            active_members=2,
            members_with_calls=3,
            mature_calls=3,
            rows_rejected_run=2,
            rejected_rows_stored=3,
        ),
        by_strategy=small_by_strategy(),
        comparison=small_comparison(),
        by_relationship=small_by_relationship(),
        time_to_first_lead=small_time_to_first_lead(),
        lead_timing=small_lead_timing(),
        weekly_activity=small_weekly_activity(),
        member_summary=small_member_summary(),
        members=small_members(),
    )


# -- Small hand-made plans on top of the small warehouse ----------------------------------
# alice's plan p1 (2026-09-01, job+reference): Grace (reference; done by a1, a
# reference ask: as planned), Tomasz (job; done by a2, job), Lena (reference;
# done by a5, her first call on or after the plan), Zoe Open (job; open), Priya
# (job; done by a7, a reference ask: not as planned). bob's plan b1
# (2026-11-01): his script-named contact (job; done by b1, job) and
# PLAN_SCRIPT_CONTACT (reference; open), whose name is only in his plan.
# plan_comparison is hand-made for the pages (its counts are not these rows').

PLAN_SCRIPT_CONTACT = "<script>alert(6)</script> Planned"


LINKED_CALL = ("call_date", "ask_label")


def small_plan_tables() -> dict[str, pl.DataFrame]:
    """plan_rows, plan_assignments and plan_comparison, worked out by hand."""
    # member, plan, created, contact, relationship, arm, call_id, complied, line
    rows = [
        ("alice", "p1", "2026-09-01", "Grace Okafor", "colleague", "reference", "a1", True, 2),
        ("alice", "p1", "2026-09-01", "Tomasz Novak", "friend", "job", "a2", True, 3),
        ("alice", "p1", "2026-09-01", "Lena Moreau", "colleague", "reference", "a5", True, 4),
        ("alice", "p1", "2026-09-01", "Zoe Open", "acquaintance", "job", None, None, 5),
        ("alice", "p1", "2026-09-01", "Priya Natarajan", "colleague", "job", "a7", False, 6),
        ("bob", "b1", "2026-11-01", SCRIPT_CONTACT, "colleague", "job", "b1", True, 2),
        ("bob", "b1", "2026-11-01", PLAN_SCRIPT_CONTACT, "friend", "reference", None, None, 3),
    ]
    plan_rows = pl.DataFrame(
        [
            {
                "plan_id": plan, "member": member, "created": _d(created), "seed": "0" * 32,
                "arms": "job+reference", "contact": contact,
                "contact_key": " ".join(contact.lower().split()), "relationship": relationship,
                "arm": arm, "source_file": f"{member}/plans/{plan}.csv", "sheet": None,
                "source_line": line,
            }
            for member, plan, created, contact, relationship, arm, _, _, line in rows
        ],
        schema=PLAN_ROWS_SCHEMA,
    )  # fmt: skip
    assignments = pl.DataFrame(
        [
            {
                "plan_id": plan, "member": member,
                "contact_key": " ".join(contact.lower().split()), "relationship": relationship,
                "arm": arm, "created": _d(created), "call_id": call_id, "complied": complied,
                "source_file": f"{member}/plans/{plan}.csv", "source_line": line,
                "contact": contact,
            }
            for member, plan, created, contact, relationship, arm, call_id, complied, line in rows
        ],
        schema={k: v for k, v in PLAN_ASSIGNMENTS_SCHEMA.items() if k not in LINKED_CALL},
    )  # fmt: skip
    # The linked call's date and asks, as the outcomes stage adds them.
    linked_calls = small_warehouse_tables()["calls"].select("call_id", "call_date", "ask_label")
    assignments = assignments.join(linked_calls, on="call_id", how="left", maintain_order="left")
    assignments = assignments.select(list(PLAN_ASSIGNMENTS_SCHEMA))
    comparison = pl.DataFrame(
        {
            "arm": ["reference", "reference"],
            "metric": ["yes_rate", "lead_rate"],
            "n_arm": [20, 8], "x_arm": [16, 2], "n_job": [25, 9], "x_job": [5, 2],
            "diff": [0.6, 0.0278], "diff_lo": [0.3412, -0.3517], "diff_hi": [0.7727, 0.4012],
            "prob_arm_better": [0.9999, 0.52],
            "mh_diff": [0.55, 0.01], "mh_diff_lo": [0.31, -0.36], "mh_diff_hi": [0.79, 0.38],
            "plans": [2, 2],
            "assigned_arm": [3, 3], "done_arm": [2, 2], "assigned_job": [4, 4],
            "done_job": [3, 3],
            "attrition_p": [0.031, 0.031], "n_needed_per_arm": [134, 140],
        },
        schema=PLAN_COMPARISON_SCHEMA,
    )  # fmt: skip
    return {"plan_rows": plan_rows, "plan_assignments": assignments, "plan_comparison": comparison}
