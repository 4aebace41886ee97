"""Randomised ask plans in the sample group (CONTRACT.md section 7).

Some members make a plan from a list of people they have not called yet:
the plan file assigns each an ask by the seeded rule (the same code as
``asklab plan``), and the member then works through the list, asking what
the plan says nearly every time. Whether a contact gets called, when, and
what came of it are drawn from a generator of the member's own
(``(seed, member index, 3)``), after the member's other draws, so the calls
and events the member makes outside plans are exactly those of a group
without plans.

The plans tell the demo's randomised story: a member with an old plan that
is mostly done and a recent one that is mostly open, a member with a
three-arm plan, and a member who put off the job asks of their plan (so the
attrition check has something to find).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from asklab.keys import contact_key, member_key, member_slugs
from asklab.plans.assign import assign_arms
from asklab.plans.contacts import Contact
from asklab.plans.make import plan_id_for, plan_table
from asklab.sample.behaviour import ARCHETYPES
from asklab.sample.calls import Calls, Contacts, _categorical, draw_call_outcomes
from asklab.sample.texts import ASK_SETS, FIRST_NAMES, LAST_NAMES, RELATIONSHIP_TEXTS, RELATIONSHIPS

# Plans need some weeks to be worked through; shorter samples have none.
MIN_WEEKS_FOR_PLANS = 4
# The share of calls that ask what the plan says (the rest ask two arms at once).
COMPLIANCE = 0.9


@dataclass(frozen=True)
class PlanDesign:
    """How one plan of a member goes."""

    made_at: float  # when the plan is made, as a share of the sample's span
    contacts: int  # people on the list
    arms: tuple[str, ...]
    called: dict[str, float]  # per arm: the share of its contacts the member gets round to
    days: int  # the member works through the list over about this many days


# Plans by member index mod 5 (the file styles' order): the plain, nested and
# workbook members make plans, the others do not.
DESIGNS: dict[int, tuple[PlanDesign, ...]] = {
    0: (
        PlanDesign(0.25, 16, ("job", "reference"), {"job": 0.9, "reference": 0.9}, 35),
        PlanDesign(0.9, 10, ("job", "reference"), {"job": 0.9, "reference": 0.9}, 35),
    ),
    1: (
        PlanDesign(
            0.3,
            15,
            ("job", "reference", "introduction"),
            {"job": 0.85, "reference": 0.85, "introduction": 0.85},
            40,
        ),
    ),
    # Finds job asks awkward: most of the plan's job contacts are never called.
    2: (PlanDesign(0.3, 20, ("job", "reference"), {"job": 0.25, "reference": 0.95}, 40),),
}


@dataclass(frozen=True)
class SamplePlan:
    """A plan as ``asklab plan`` would have written it."""

    member: str
    plan_id: str
    created: dt.date
    seed: str
    arms: tuple[str, ...]
    contacts: tuple[Contact, ...]

    def file(self) -> tuple[str, bytes]:
        """Its path below the raw root and its bytes, as ``asklab plan`` writes them."""
        _, text = plan_table(
            self.plan_id,
            self.member,
            self.contacts,
            arms=self.arms,
            seed=self.seed,
            created=self.created,
        )
        slug = member_slugs([member_key(self.member)])[member_key(self.member)]
        return f"{slug}/plans/{self.plan_id}.csv", text.encode("utf-8")

    def arm_of(self) -> dict[str, str]:
        """contact_key -> the ask the plan says to make."""
        return assign_arms(self.seed, self.arms, [(c.key, c.relationship) for c in self.contacts])


@dataclass(frozen=True)
class PlannedCalls:
    """A plan, its contacts (names and relationships) and the calls they got, as arrays."""

    plan: SamplePlan
    contacts: Contacts
    calls: Calls


def _new_names(rng: np.random.Generator, taken: set[str], count: int) -> list[str]:
    """``count`` names of people the member has not met in the sample yet."""
    names: list[str] = []
    while len(names) < count:
        code = int(rng.integers(len(FIRST_NAMES) * len(LAST_NAMES)))
        name = f"{FIRST_NAMES[code // len(LAST_NAMES)]} {LAST_NAMES[code % len(LAST_NAMES)]}"
        if contact_key(name) not in taken:
            taken.add(contact_key(name))
            names.append(name)
    return names


def _asks(rng: np.random.Generator, arms: list[str]) -> np.ndarray:
    """ASK_SETS indexes: the plan's arm, or two arms at once now and then."""
    complied = rng.random(len(arms)) < COMPLIANCE
    planned = np.array([ASK_SETS.index((arm,)) for arm in arms], dtype=int)
    slipped = np.array(
        [
            ASK_SETS.index(("reference", "introduction"))
            if arm == "introduction"
            else ASK_SETS.index(("job", "reference"))
            for arm in arms
        ],
        dtype=int,
    )
    return np.where(complied, planned, slipped)


def _call_day(start: dt.date, day: int) -> int:
    """Weekend calls move to the Monday after."""
    weekday = (start + dt.timedelta(days=day)).weekday()
    return day + (7 - weekday if weekday >= 5 else 0)


def draw_plan(
    rng: np.random.Generator,
    design: PlanDesign,
    *,
    member: str,
    archetype_index: int,
    taken: set[str],
    start: dt.date,
    span: int,
) -> PlannedCalls:
    """One plan of the member and the calls its contacts got before the span ends."""
    made_on = min(span - 1, int(design.made_at * span))
    seed = rng.bytes(16).hex()
    names = _new_names(rng, taken, design.contacts)
    weights = np.array(ARCHETYPES[archetype_index % len(ARCHETYPES)].relationship_weights)
    relationship = _categorical(rng, np.tile(weights, (len(names), 1)))
    texts = [
        RELATIONSHIP_TEXTS[r][int(rng.integers(len(RELATIONSHIP_TEXTS[r])))] for r in relationship
    ]
    created = start + dt.timedelta(days=made_on)
    plan = SamplePlan(
        member=member,
        plan_id=plan_id_for(created, seed),
        created=created,
        seed=seed,
        arms=design.arms,
        contacts=tuple(
            Contact(name=name, key=contact_key(name), relationship=RELATIONSHIPS[r], line=i + 2)
            for i, (name, r) in enumerate(zip(names, relationship, strict=True))
        ),
    )
    arm_of = plan.arm_of()
    arms = [arm_of[c.key] for c in plan.contacts]
    gets_called = rng.random(len(names)) < np.array([design.called[a] for a in arms])
    delay = rng.integers(0, design.days, len(names))
    day = np.array([_call_day(start, made_on + int(d)) for d in delay])
    asks = _asks(rng, arms)
    made = np.flatnonzero(gets_called & (day < span))
    made = made[np.argsort(day[made], kind="stable")]
    calls = draw_call_outcomes(rng, day[made], made, relationship[made], asks[made])
    contacts = Contacts(names, len(names), relationship, texts)
    return PlannedCalls(plan, contacts, calls)


def plan_designs(index: int, weeks: int) -> tuple[PlanDesign, ...]:
    """The plans member ``index`` makes in a sample of ``weeks`` weeks (none when short)."""
    if weeks < MIN_WEEKS_FOR_PLANS:
        return ()
    return DESIGNS.get(index % len(ARCHETYPES), ())
