"""CONTRACT §7.2's assignment rule written out again, independently of asklab.plans,
for tests that check plan files."""

from __future__ import annotations

import hashlib


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rule_arms(seed: str, arms: list[str], rows: list[tuple[str, str]]) -> dict[str, str]:
    """contact_key -> arm for (contact_key, stratum) rows in file order: per stratum the
    distinct keys sorted by sha(seed:s:key) then key, the i-th getting arm (o + i) mod k
    with o = int(sha(seed:s), 16) mod k; a repeated key keeps its first row's stratum."""
    first: dict[str, str] = {}
    for key, stratum in rows:
        first.setdefault(key, stratum)
    strata: dict[str, list[str]] = {}
    for key, stratum in first.items():
        strata.setdefault(stratum, []).append(key)
    assigned: dict[str, str] = {}
    for stratum, keys in strata.items():
        offset = int(_sha(f"{seed}:{stratum}"), 16) % len(arms)
        ordered = sorted(keys, key=lambda k, s=stratum: (_sha(f"{seed}:{s}:{k}"), k))
        for i, key in enumerate(ordered):
            assigned[key] = arms[(offset + i) % len(arms)]
    return assigned
