"""The simulated group as records: each member's calls and the events after them.

Every draw comes from a numpy generator seeded by ``(seed, member index)``,
so a member's log does not change when members are added after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from asklab.sample.behaviour import (
    ARCHETYPES,
    ASK_BY_RELATIONSHIP,
    ASK_HAS,
    HELPFULNESS,
    RECRUITER,
    STYLES,
    Archetype,
)
from asklab.sample.texts import (
    ASK_SETS,
    ASK_TEXTS,
    CALL_NOTES,
    COMPANIES,
    EVENT_NOTES,
    FIRST_NAMES,
    LAST_NAMES,
    RELATIONSHIP_TEXTS,
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


def _categorical(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of ``weights`` (rows need not sum to 1)."""
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    return (rng.random(len(weights))[:, None] > cumulative).sum(axis=1)


def _pick(rng: np.random.Generator, options: tuple[str, ...], size: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), size)]


def _fill(template: str, rng: np.random.Generator) -> str:
    company = COMPANIES[int(rng.integers(len(COMPANIES)))]
    person = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
    return template.format(company=company, person=person)


def generate_member(
    index: int, *, weeks: int, seed: int, end: dt.date, archetype: Archetype | None = None
) -> MemberLog:
    """Calls and later events of one member over ``weeks`` weeks ending at ``end``."""
    rng = np.random.default_rng([seed, index])
    name = member_name(index)
    archetype = archetype or ARCHETYPES[index % len(ARCHETYPES)]
    span = weeks * 7
    start = end - dt.timedelta(days=span - 1)

    # Members of one archetype still differ a little.
    relationship_weights = np.array(archetype.relationship_weights) * rng.gamma(8.0, 1 / 8.0, 8)
    reference_lean = float(np.clip(archetype.reference_lean + rng.normal(0, 0.06), 0.05, 0.95))
    rate = archetype.calls_per_week * rng.uniform(0.8, 1.2)

    # Call days: mostly weekdays; at most one call per contact and day.
    n_drawn = int(rng.poisson(rate * weeks))
    days = np.arange(span)
    weekday = np.array([(start + dt.timedelta(days=int(d))).weekday() for d in days])
    day_weights = np.where(weekday < 5, 1.0, 0.15)
    call_day = np.sort(rng.choice(span, size=n_drawn, p=day_weights / day_weights.sum()))
    n_uncalled = 1 + int(rng.poisson(1.0))
    # About a third of calls go to someone called before; the name list caps the pool.
    name_space = len(FIRST_NAMES) * len(LAST_NAMES)
    pool_size = max(1, min(int(n_drawn * 1.5), name_space - n_uncalled))
    name_codes = rng.choice(name_space, size=pool_size + n_uncalled, replace=False)
    names = [
        f"{FIRST_NAMES[c // len(LAST_NAMES)]} {LAST_NAMES[c % len(LAST_NAMES)]}" for c in name_codes
    ]
    pool_relationship = _categorical(rng, np.tile(relationship_weights, (pool_size, 1)))
    pool_relationship_text = [
        RELATIONSHIP_TEXTS[r][int(rng.integers(len(RELATIONSHIP_TEXTS[r])))]
        for r in pool_relationship
    ]
    call_contact = rng.integers(0, pool_size, n_drawn)
    _, first_of_pair = np.unique(call_day * pool_size + call_contact, return_index=True)
    keep = np.sort(first_of_pair)
    call_day, call_contact = call_day[keep], call_contact[keep]
    n = len(call_day)

    relationship = pool_relationship[call_contact]
    helpful = HELPFULNESS[relationship]
    is_recruiter = relationship == RECRUITER

    lean = reference_lean
    base_ask = np.array(
        [0.72 * (1 - lean), 0.6 * lean, 0.1, 0.08, 0.3 * lean, 0.05, 0.08 * (1 - lean)]
    )
    ask = _categorical(rng, base_ask[None, :] * ASK_BY_RELATIONSHIP[relationship])
    has_job, has_ref = ASK_HAS["job"][ask], ASK_HAS["reference"][ask]
    has_intro, has_advice = ASK_HAS["introduction"][ask], ASK_HAS["advice"][ask]

    # During the call: most people agree to vouch; few have an opening at hand.
    agreed = rng.random(n) < 0.55 + 0.4 * helpful
    agreed_blank = rng.random(n) < 0.05  # forgot to fill it in
    p_lead_now = np.where(has_job, 0.08 + 0.22 * helpful + 0.25 * is_recruiter, 0.03)
    leads = (rng.random(n) < p_lead_now) * (1 + rng.poisson(0.3, n))
    p_intro_now = np.select(
        [has_intro, has_ref, has_advice],
        [0.35 + 0.4 * helpful, 0.15 * helpful, 0.2 * helpful],
        0.05,
    )
    introductions = (rng.random(n) < p_intro_now) * (1 + rng.poisson(0.4, n))

    # Later: people asked to vouch or introduce keep their eyes open for you.
    keeps_eyes_open = np.select([has_ref | has_intro, has_advice], [1.0, 0.5], 0.3)
    later: list[tuple[int, int, str, int]] = []  # (call index, day, type, count)

    def add_later(p: np.ndarray, delay: np.ndarray, event_type: str, count: np.ndarray) -> None:
        hit = rng.random(n) < p
        for i in np.flatnonzero(hit):
            later.append((int(i), int(call_day[i] + delay[i]), event_type, int(count[i])))

    ones = np.ones(n, dtype=int)
    add_later(
        0.12 + 0.4 * helpful * keeps_eyes_open,
        np.rint(3 + rng.gamma(2.0, 7.0, n)).astype(int),
        "reached_out",
        ones,
    )
    add_later(
        0.05 + 0.4 * helpful * keeps_eyes_open,
        np.rint(2 + rng.gamma(2.0, 9.0, n)).astype(int),
        "lead",
        1 + rng.poisson(0.15, n),
    )
    add_later(
        0.03 + 0.3 * helpful * keeps_eyes_open,
        np.rint(1 + rng.gamma(1.5, 6.0, n)).astype(int),
        "introduction",
        1 + rng.poisson(0.2, n),
    )
    add_later(
        np.where(has_ref & agreed, 0.55, 0.0),
        rng.integers(5, 40, n),
        "reference_given",
        ones,
    )
    # Some leads come back after the attribution window (two months and more).
    add_later(np.full(n, 0.05), rng.integers(61, 80, n), "lead", ones)

    # Leads (at the call or later) sometimes turn into interviews, a few into offers.
    lead_sources = [(int(i), int(call_day[i])) for i in np.flatnonzero(leads > 0)]
    lead_sources += [(i, day) for i, day, kind, _ in later if kind == "lead"]
    interviews: list[tuple[int, int, str, int]] = []
    if lead_sources:
        m = len(lead_sources)
        hit = rng.random(m) < 0.3
        delay = rng.integers(5, 21, m)
        interviews = [
            (lead_sources[k][0], lead_sources[k][1] + int(delay[k]), "interview", 1)
            for k in np.flatnonzero(hit)
        ]
    offers: list[tuple[int, int, str, int]] = []
    if interviews:
        m = len(interviews)
        hit = rng.random(m) < 0.25
        delay = rng.integers(7, 26, m)
        offers = [
            (interviews[k][0], interviews[k][1] + int(delay[k]), "offer", 1)
            for k in np.flatnonzero(hit)
        ]

    def day_to_date(day: int) -> dt.date:
        return start + dt.timedelta(days=day)

    calls: list[SampleCall] = []
    ask_text_choice = rng.random(n)
    note_kind = rng.random(n)
    for i in range(n):
        asks = ASK_SETS[ask[i]]
        texts = ASK_TEXTS[ask[i]]
        note = ""
        if note_kind[i] < 0.45:
            topic = asks[int(rng.integers(len(asks)))]
            went_well = {
                "job": bool(leads[i] > 0),
                "reference": None if agreed_blank[i] else bool(agreed[i]),
                "introduction": bool(introductions[i] > 0),
                "advice": None,
            }[topic]
            options = CALL_NOTES[topic, went_well]
            note = _fill(options[int(rng.integers(len(options)))], rng)
        elif note_kind[i] < 0.6:
            options = CALL_NOTES["any", None]
            note = options[int(rng.integers(len(options)))]
        calls.append(
            SampleCall(
                member=name,
                call_date=day_to_date(int(call_day[i])),
                contact=names[call_contact[i]],
                relationship_text=pool_relationship_text[call_contact[i]],
                ask_text=texts[int(ask_text_choice[i] * len(texts))],
                asks=asks,
                agreed_reference=None if not has_ref[i] or agreed_blank[i] else bool(agreed[i]),
                introductions=int(introductions[i]),
                leads=int(leads[i]),
                notes=note,
            )
        )

    # Events from people the member never logged a call with: unattributed.
    uncalled = [
        (names[pool_size + k], int(rng.integers(span)), kind, 1)
        for k, kind in enumerate(_pick(rng, ("reached_out", "lead", "introduction"), n_uncalled))
    ]
    raw_events = [
        (names[call_contact[i]], day, kind, count)
        for i, day, kind, count in later + interviews + offers
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
        events.append(SampleEvent(name, day_to_date(day), contact, kind, count, note))
    events.sort(key=lambda e: (e.event_date, e.contact.lower(), e.event_type))

    return MemberLog(
        index=index,
        name=name,
        style=STYLES[index % len(STYLES)],
        calls=tuple(calls),
        events=tuple(events),
    )


def generate_group(*, members: int, weeks: int, seed: int, end: dt.date) -> list[MemberLog]:
    if members < 1:
        raise ValueError(f"members must be >= 1, got {members}")
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    return [generate_member(i, weeks=weeks, seed=seed, end=end) for i in range(members)]
