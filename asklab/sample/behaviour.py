"""How members and their contacts behave: archetypes, helpfulness, ask mixes.

These numbers make the story the demo tells (reference asks are said yes to
more than job asks; relationship confounds a naive comparison); the draws
that use them are in `calls` and `followups`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asklab.sample.texts import ASK_SETS, RELATIONSHIPS

# The file style each member keeps, in turn by member index (see `styles`).
STYLES: tuple[str, ...] = ("plain", "nested", "workbook", "month_names", "day_first")

RECRUITER = RELATIONSHIPS.index("recruiter")

# How much a contact of each relationship goes out of their way to help.
HELPFULNESS = np.array([0.9, 0.85, 0.75, 0.8, 0.6, 0.5, 0.65, 0.65])

# For each ask, which of ASK_SETS include it (a mask to index by drawn ask set).
ASK_HAS = {
    ask: np.array([ask in asks for asks in ASK_SETS])
    for ask in ("job", "reference", "introduction", "advice")
}

# Multipliers on the member's ask weights by relationship (rows follow
# RELATIONSHIPS, columns ASK_SETS): people ask former colleagues to vouch for
# them and ask recruiters for openings, which is what confounds the comparison.
ASK_BY_RELATIONSHIP = np.array(
    [
        [0.8, 1.6, 1.0, 0.7, 1.4, 1.0, 0.8],  # colleague
        [1.0, 1.2, 1.2, 0.8, 1.2, 1.0, 1.0],  # friend
        [1.0, 0.9, 1.0, 2.0, 0.9, 1.0, 1.0],  # classmate
        [0.8, 0.6, 1.5, 1.0, 0.8, 1.0, 1.0],  # family
        [3.0, 0.15, 0.5, 0.5, 0.2, 0.3, 1.0],  # recruiter
        [1.0, 0.6, 1.0, 1.5, 0.7, 1.0, 1.0],  # acquaintance
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],  # unknown
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],  # other
    ]
)


@dataclass(frozen=True)
class Archetype:
    """A kind of job seeker: whom they call, how often, and what they ask for."""

    name: str
    relationship_weights: tuple[float, ...]  # over RELATIONSHIPS
    reference_lean: float  # 0 = asks for jobs, 1 = asks to be vouched for
    calls_per_week: float


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("experienced", (0.5, 0.12, 0.05, 0.03, 0.1, 0.12, 0.05, 0.03), 0.6, 3.5),
    Archetype("recruiter_heavy", (0.12, 0.08, 0.05, 0.03, 0.45, 0.2, 0.05, 0.02), 0.2, 4.0),
    Archetype("career_changer", (0.08, 0.15, 0.25, 0.04, 0.08, 0.35, 0.03, 0.02), 0.45, 3.0),
    Archetype("new_grad", (0.03, 0.25, 0.4, 0.15, 0.07, 0.07, 0.02, 0.01), 0.3, 3.0),
    Archetype("balanced", (0.3, 0.25, 0.1, 0.05, 0.1, 0.15, 0.04, 0.01), 0.55, 2.5),
)
