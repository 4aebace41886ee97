"""Plan files written by hand for the plan ingest and loading tests.

The arms come from :func:`rule_arms`, written here from the text of CONTRACT.md
section 7.2 (not from asklab.plans.assign), so the tests check the loader's
rule against the contract.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

SEED = "00112233445566778899aabbccddeeff"
OTHER_SEED = "ffeeddccbbaa99887766554433221100"
HEADER = "plan_id,created,seed,arms,contact,relationship,arm,member"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rule_arms(seed: str, arms: Sequence[str], contacts: Sequence[tuple[str, str]]) -> dict:
    """contact key -> arm by section 7.2, for (contact key, stratum) in row order."""
    strata: dict[str, str] = {}
    for key, stratum in contacts:
        strata.setdefault(key, stratum)
    assigned = {}
    for stratum in dict.fromkeys(strata.values()):
        keys = sorted(
            (k for k, s in strata.items() if s == stratum),
            key=lambda k: (_sha(f"{seed}:{stratum}:{k}"), k),
        )
        offset = int(_sha(f"{seed}:{stratum}"), 16) % len(arms)
        for i, key in enumerate(keys):
            assigned[key] = arms[(offset + i) % len(arms)]
    return assigned


def plan_lines(
    plan_id: str,
    created: str,
    contacts: Sequence[tuple[str, str]],
    *,
    seed: str = SEED,
    arms: Sequence[str] = ("job", "reference"),
    member: str = "Alice",
    arm_cells: dict[str, str] | None = None,
) -> list[str]:
    """Data lines of a plan: (contact, relationship) with the rule's arm, unless
    ``arm_cells`` (contact -> cell) says otherwise. Relationships are written
    canonical or blank (stratum ``unknown``)."""
    keys = [(" ".join(c.lower().split()), r or "unknown") for c, r in contacts]
    assigned = rule_arms(seed, arms, keys)
    label = "+".join(arms)
    lines = []
    for (contact, relationship), (key, _) in zip(contacts, keys, strict=True):
        arm = (arm_cells or {}).get(contact, assigned[key])
        lines.append(f"{plan_id},{created},{seed},{label},{contact},{relationship},{arm},{member}")
    return lines


def write_plan_file(raw: Path, relative: str, lines: Sequence[str], header: str = HEADER) -> Path:
    path = raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def expected_arm(plan_contacts: Sequence[tuple[str, str]], contact: str, **kwargs) -> str:
    keys = [(" ".join(c.lower().split()), r or "unknown") for c, r in plan_contacts]
    seed = kwargs.get("seed", SEED)
    arms = kwargs.get("arms", ("job", "reference"))
    return rule_arms(seed, arms, keys)[" ".join(contact.lower().split())]


def other_arm(arm: str, arms: Sequence[str] = ("job", "reference")) -> str:
    return next(a for a in arms if a != arm)
