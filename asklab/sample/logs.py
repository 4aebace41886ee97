"""The simulated group as records: each member's calls and the events after them.

Every draw comes from a numpy generator seeded by ``(seed, member index)``,
so a member's log does not change when members are added after it. The
draws go in a fixed order (calls, then follow-ups, then the wording of the
records), which is what keeps the bytes of the sample the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from asklab.sample.behaviour import ARCHETYPES, STYLES, Archetype
from asklab.sample.calls import Calls, Contacts, draw_calls
from asklab.sample.followups import Followup, draw_followups
from asklab.sample.plans import SamplePlan, draw_plan, plan_designs
from asklab.sample.texts import (
    ASK_SETS,
    ASK_TEXTS,
    CALL_NOTES,
    COMPANIES,
    EVENT_NOTES,
    FIRST_NAMES,
    member_name,
)


@dataclass(frozen=True)
class SampleCall:
    member: str
    call_date: dt.date
    contact: str
    relationship_text: str
    ask_text: str
    asks: tuple[str, ...]
    agreed_reference: bool | None
    introductions: int
    leads: int
    notes: str
    plan_id: str | None = None  # the plan whose contact this call was made to


@dataclass(frozen=True)
class SampleEvent:
    member: str
    event_date: dt.date
    contact: str
    event_type: str  # canonical
    count: int
    notes: str


@dataclass(frozen=True)
class MemberLog:
    index: int
    name: str
    style: str
    calls: tuple[SampleCall, ...]
    events: tuple[SampleEvent, ...]
    plans: tuple[SamplePlan, ...] = ()


def _pick(rng: np.random.Generator, options: tuple[str, ...], size: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), size)]


def _fill(template: str, rng: np.random.Generator) -> str:
    company = COMPANIES[int(rng.integers(len(COMPANIES)))]
    person = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
    return template.format(company=company, person=person)


def _call_records(
    rng: np.random.Generator, name: str, contacts: Contacts, calls: Calls, start: dt.date
) -> list[SampleCall]:
    """The calls as the member wrote them: ask wording and a note that fits the outcome."""
    n = len(calls.day)
    has_ref = calls.has("reference")
    records: list[SampleCall] = []
    ask_text_choice = rng.random(n)
    note_kind = rng.random(n)
    for i in range(n):
        asks = ASK_SETS[calls.ask[i]]
        texts = ASK_TEXTS[calls.ask[i]]
        note = ""
        if note_kind[i] < 0.45:
            topic = asks[int(rng.integers(len(asks)))]
            went_well = {
                "job": bool(calls.leads[i] > 0),
                "reference": None if calls.agreed_blank[i] else bool(calls.agreed[i]),
                "introduction": bool(calls.introductions[i] > 0),
                "advice": None,
            }[topic]
            options = CALL_NOTES[topic, went_well]
            note = _fill(options[int(rng.integers(len(options)))], rng)
        elif note_kind[i] < 0.6:
            options = CALL_NOTES["any", None]
            note = options[int(rng.integers(len(options)))]
        contact = calls.contact[i]
        records.append(
            SampleCall(
                member=name,
                call_date=start + dt.timedelta(days=int(calls.day[i])),
                contact=contacts.names[contact],
                relationship_text=contacts.relationship_text[contact],
                ask_text=texts[int(ask_text_choice[i] * len(texts))],
                asks=asks,
                agreed_reference=None
                if not has_ref[i] or calls.agreed_blank[i]
                else bool(calls.agreed[i]),
                introductions=int(calls.introductions[i]),
                leads=int(calls.leads[i]),
                notes=note,
            )
        )
    return records


def _event_records(
    rng: np.random.Generator,
    name: str,
    contacts: Contacts,
    calls: Calls,
    followups: list[Followup],
    *,
    span: int,
    start: dt.date,
) -> list[SampleEvent]:
    """The follow-ups within the span as the member wrote them, plus a few from
    people never called, in date order."""
    # Events from people the member never logged a call with: unattributed.
    n_uncalled = len(contacts.names) - contacts.pool_size
    uncalled = [
        (contacts.names[contacts.pool_size + k], int(rng.integers(span)), kind, 1)
        for k, kind in enumerate(_pick(rng, ("reached_out", "lead", "introduction"), n_uncalled))
    ]
    raw_events = [
        (contacts.names[calls.contact[i]], day, kind, count) for i, day, kind, count in followups
    ] + uncalled

    events: list[SampleEvent] = []
    seen: set[tuple[str, int, str]] = set()
    for contact, day, kind, count in raw_events:
        # Not happened yet, or a second identical row (only the planted duplicate may exist).
        if day >= span or (contact, day, kind) in seen:
            continue
        seen.add((contact, day, kind))
        # Names are retyped by hand now and then: case and spacing differ.
        styled = rng.random()
        if styled < 0.05:
            contact = contact.lower()
        elif styled < 0.08:
            contact = contact.replace(" ", "  ")
        note = ""
        if rng.random() < 0.5:
            options = EVENT_NOTES[kind]
            note = _fill(options[int(rng.integers(len(options)))], rng)
        event_date = start + dt.timedelta(days=day)
        events.append(SampleEvent(name, event_date, contact, kind, count, note))
    events.sort(key=lambda e: (e.event_date, e.contact.lower(), e.event_type))
    return events


def generate_member(
    index: int, *, weeks: int, seed: int, end: dt.date, archetype: Archetype | None = None
) -> MemberLog:
    """Calls and later events of one member over ``weeks`` weeks ending at ``end``."""
    rng = np.random.default_rng([seed, index])
    name = member_name(index)
    archetype = archetype or ARCHETYPES[index % len(ARCHETYPES)]
    span = weeks * 7
    start = end - dt.timedelta(days=span - 1)

    contacts, calls = draw_calls(rng, archetype, weeks=weeks, start=start)
    followups = draw_followups(rng, calls)
    call_records = _call_records(rng, name, contacts, calls, start)
    events = _event_records(rng, name, contacts, calls, followups, span=span, start=start)
    log = MemberLog(
        index=index,
        name=name,
        style=STYLES[index % len(STYLES)],
        calls=tuple(call_records),
        events=tuple(events),
    )
    known = {" ".join(n.lower().split()) for n in contacts.names}
    return _with_plans(log, known, seed=seed, weeks=weeks, start=start)


def _with_plans(
    log: MemberLog, known: set[str], *, seed: int, weeks: int, start: dt.date
) -> MemberLog:
    """The log with the member's plans, their contacts' calls and the events after them.

    Drawn from a generator of their own, so the member's other records stay
    as they are; ``known`` (contact keys the member already has) are never planned.
    """
    designs = plan_designs(log.index, weeks)
    if not designs:
        return log
    rng = np.random.default_rng([seed, log.index, 3])
    span = weeks * 7
    calls, events, plans = list(log.calls), list(log.events), []
    for design in designs:
        planned = draw_plan(
            rng, design, member=log.name, archetype_index=log.index, taken=known,
            start=start, span=span,
        )  # fmt: skip
        followups = draw_followups(rng, planned.calls)
        made = _call_records(rng, log.name, planned.contacts, planned.calls, start)
        calls += [replace(c, plan_id=planned.plan.plan_id) for c in made]
        events += _event_records(
            rng, log.name, planned.contacts, planned.calls, followups, span=span, start=start
        )
        plans.append(planned.plan)
    # In date order like the member's own records (the sort keeps ties in order).
    calls.sort(key=lambda c: c.call_date)
    events.sort(key=lambda e: (e.event_date, e.contact.lower(), e.event_type))
    return replace(log, calls=tuple(calls), events=tuple(events), plans=tuple(plans))


def generate_group(*, members: int, weeks: int, seed: int, end: dt.date) -> list[MemberLog]:
    if members < 1:
        raise ValueError(f"members must be >= 1, got {members}")
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    return [generate_member(i, weeks=weeks, seed=seed, end=end) for i in range(members)]
