"""The calls one member makes, as arrays: whom, on which day, what they asked
for and what came of it during the call.

The draws here come first from the member's generator; `followups` and
`logs` continue from it, so the order of the draws is part of the output.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from asklab.sample.behaviour import ASK_BY_RELATIONSHIP, ASK_HAS, HELPFULNESS, RECRUITER, Archetype
from asklab.sample.texts import FIRST_NAMES, LAST_NAMES, RELATIONSHIP_TEXTS


@dataclass(frozen=True)
class Contacts:
    """The people a member calls, then the few who only ever turn up in events."""

    names: list[str]
    pool_size: int  # names[pool_size:] are never called
    relationship: np.ndarray  # of the called ones, index into RELATIONSHIPS
    relationship_text: list[str]  # as the member wrote it, one per called contact


@dataclass(frozen=True)
class Calls:
    """One entry per call, in date order."""

    day: np.ndarray  # days since the first day of the span
    contact: np.ndarray  # index into Contacts.names
    relationship: np.ndarray
    helpful: np.ndarray  # HELPFULNESS of the contact's relationship
    ask: np.ndarray  # index into ASK_SETS
    agreed: np.ndarray  # to be a reference (meaningful for reference asks)
    agreed_blank: np.ndarray  # the member left the agreed cell empty
    leads: np.ndarray
    introductions: np.ndarray

    def has(self, ask: str) -> np.ndarray:
        """Which calls asked for ``ask`` (alone or with another)."""
        return ASK_HAS[ask][self.ask]


def _categorical(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of ``weights`` (rows need not sum to 1)."""
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    return (rng.random(len(weights))[:, None] > cumulative).sum(axis=1)


def draw_calls(
    rng: np.random.Generator, archetype: Archetype, *, weeks: int, start: dt.date
) -> tuple[Contacts, Calls]:
    """The contacts and calls of one member over ``weeks`` weeks from ``start``."""
    span = weeks * 7

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

    relationship = pool_relationship[call_contact]

    lean = reference_lean
    base_ask = np.array(
        [0.72 * (1 - lean), 0.6 * lean, 0.1, 0.08, 0.3 * lean, 0.05, 0.08 * (1 - lean)]
    )
    ask = _categorical(rng, base_ask[None, :] * ASK_BY_RELATIONSHIP[relationship])

    contacts = Contacts(names, pool_size, pool_relationship, pool_relationship_text)
    return contacts, draw_call_outcomes(rng, call_day, call_contact, relationship, ask)


def draw_call_outcomes(
    rng: np.random.Generator,
    day: np.ndarray,
    contact: np.ndarray,
    relationship: np.ndarray,
    ask: np.ndarray,
) -> Calls:
    """What came of calls made on ``day`` to ``contact`` asking ``ask`` (ASK_SETS
    indexes), during the call itself; the plans' calls draw theirs here too."""
    n = len(day)
    helpful = HELPFULNESS[relationship]
    is_recruiter = relationship == RECRUITER
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
    return Calls(
        day=day,
        contact=contact,
        relationship=relationship,
        helpful=helpful,
        ask=ask,
        agreed=agreed,
        agreed_blank=agreed_blank,
        leads=leads,
        introductions=introductions,
    )
