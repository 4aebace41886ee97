"""The assignment rule of a randomised plan (CONTRACT.md section 7.2).

The arms follow from the plan's seed alone, so anyone can re-derive a plan
file's arms and an edited file is caught on load.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence

from asklab.ingest.rules import parse_asks

PLAN_ASKS: tuple[str, ...] = ("job", "reference", "introduction")
"""The asks a plan can randomise, in canonical order (advice is never an arm)."""

_SEED = re.compile(r"[0-9a-f]{32}")


def parse_arms(label: str) -> tuple[str, ...]:
    """The arms named by an ask label such as ``job+reference``, in canonical order.

    Ask synonyms are accepted (``ref + jobs``); the label must name two or three
    of job, reference and introduction, else ValueError saying which are valid.
    """
    choices = "two or three of job, reference, introduction (e.g. job+reference)"
    text = label.strip()
    parsed = parse_asks(text) if text else "no asks given"
    if isinstance(parsed, str):
        raise ValueError(f"arms {label!r}: {parsed}; expected {choices}")
    arms = tuple(parsed[0].split("+"))
    if not 2 <= len(arms) <= 3 or not set(arms) <= set(PLAN_ASKS):
        raise ValueError(f"arms {label!r}: expected {choices}")
    return arms


def valid_seed(text: str) -> bool:
    """True for exactly 32 lower-case hex characters."""
    return _SEED.fullmatch(text) is not None


def new_seed() -> str:
    """A fresh seed from the operating system's cryptographic random source."""
    return secrets.token_hex(16)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_row_strata(contacts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """contact_key -> stratum, a key listed twice keeping its first row's stratum."""
    strata: dict[str, str] = {}
    for key, stratum in contacts:
        strata.setdefault(key, stratum)
    return strata


def assign_arms(
    seed: str, arms: Sequence[str], contacts: Sequence[tuple[str, str]]
) -> dict[str, str]:
    """contact_key -> arm for (contact_key, relationship stratum) pairs in row order.

    Per stratum s the distinct keys are sorted by sha(f"{seed}:{s}:{key}") and
    then key; with o = int(sha(f"{seed}:{s}"), 16) mod k the i-th key gets
    arms[(o + i) mod k]. The sort makes the order random, the rotation makes
    the arm a short stratum's first contact gets random, and dealing in turn
    keeps the arms' counts within one of each other.
    """
    if not arms:
        raise ValueError("assign_arms: a plan needs at least one arm")
    by_stratum: dict[str, list[str]] = {}
    for key, stratum in first_row_strata(contacts).items():
        by_stratum.setdefault(stratum, []).append(key)
    assigned: dict[str, str] = {}
    for stratum, keys in by_stratum.items():
        ordered = sorted(keys, key=lambda key: (_sha(f"{seed}:{stratum}:{key}"), key))
        offset = int(_sha(f"{seed}:{stratum}"), 16) % len(arms)
        for i, key in enumerate(ordered):
            assigned[key] = arms[(offset + i) % len(arms)]
    return assigned


def first_edited_contact(
    seed: str, arms: Sequence[str], rows: Sequence[tuple[str, str, str | None]]
) -> str | None:
    """The first contact key (file order) whose arm is not the rule's, or None.

    ``rows`` are (contact_key, relationship stratum, arm) of every row of the
    file, rejected rows included, with the arm cell already made a canonical
    ask where it names one; an arm outside ``arms`` (or None) counts as edited.
    """
    expected = assign_arms(seed, arms, [(key, stratum) for key, stratum, _ in rows])
    for key, _, arm in rows:
        if arm not in arms or arm != expected[key]:
            return key
    return None
