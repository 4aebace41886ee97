"""What happens after a member's calls: contacts reach out, send leads and
introductions, give references; some leads become interviews, a few offers.

Continues the member's generator where `calls` left off.
"""

from __future__ import annotations

import numpy as np

from asklab.sample.calls import Calls

# (call index, day since the start of the span, canonical event type, count)
Followup = tuple[int, int, str, int]


def draw_followups(rng: np.random.Generator, calls: Calls) -> list[Followup]:
    """The events that follow ``calls``, some of them after the span ends."""
    n = len(calls.day)
    helpful = calls.helpful

    # Later: people asked to vouch or introduce keep their eyes open for you.
    keeps_eyes_open = np.select(
        [calls.has("reference") | calls.has("introduction"), calls.has("advice")], [1.0, 0.5], 0.3
    )
    later: list[Followup] = []

    def add_later(p: np.ndarray, delay: np.ndarray, event_type: str, count: np.ndarray) -> None:
        hit = rng.random(n) < p
        for i in np.flatnonzero(hit):
            later.append((int(i), int(calls.day[i] + delay[i]), event_type, int(count[i])))

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
        np.where(calls.has("reference") & calls.agreed, 0.55, 0.0),
        rng.integers(5, 40, n),
        "reference_given",
        ones,
    )
    # Some leads come back after the attribution window (two months and more).
    add_later(np.full(n, 0.05), rng.integers(61, 80, n), "lead", ones)

    # Leads (at the call or later) sometimes turn into interviews, a few into offers.
    lead_sources = [(int(i), int(calls.day[i])) for i in np.flatnonzero(calls.leads > 0)]
    lead_sources += [(i, day) for i, day, kind, _ in later if kind == "lead"]
    interviews = _some_become(rng, lead_sources, 0.3, (5, 21), "interview")
    offers = _some_become(rng, [(i, day) for i, day, _, _ in interviews], 0.25, (7, 26), "offer")
    return later + interviews + offers


def _some_become(
    rng: np.random.Generator,
    sources: list[tuple[int, int]],
    p: float,
    delay_range: tuple[int, int],
    event_type: str,
) -> list[Followup]:
    """Each (call index, day) of ``sources`` leads on to one ``event_type`` with
    probability ``p``, ``delay_range`` days later (upper bound excluded)."""
    if not sources:
        return []
    m = len(sources)
    hit = rng.random(m) < p
    delay = rng.integers(*delay_range, m)
    return [
        (sources[k][0], sources[k][1] + int(delay[k]), event_type, 1) for k in np.flatnonzero(hit)
    ]
