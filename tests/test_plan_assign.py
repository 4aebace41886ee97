"""The seeded assignment rule of randomised plans (CONTRACT.md section 7.2)."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asklab.plans.assign import (
    assign_arms,
    first_edited_contact,
    new_seed,
    parse_arms,
    valid_seed,
)

ARM_LABELS = [
    ("job", "reference"),
    ("job", "introduction"),
    ("reference", "introduction"),
    ("job", "reference", "introduction"),
]


def reference_assignment(seed: str, arms, contacts) -> dict[str, str]:
    """A second, separate reading of section 7.2: plain loops over hashlib, no helpers."""
    stratum_of = {}
    for key, stratum in contacts:
        if key not in stratum_of:
            stratum_of[key] = stratum
    result = {}
    for stratum in sorted(set(stratum_of.values())):
        members = [key for key in stratum_of if stratum_of[key] == stratum]
        tagged = []
        for key in members:
            digest = hashlib.sha256(f"{seed}:{stratum}:{key}".encode()).hexdigest()
            tagged.append((digest, key))
        tagged.sort()
        start = int(hashlib.sha256(f"{seed}:{stratum}".encode()).hexdigest(), 16) % len(arms)
        for position in range(len(tagged)):
            result[tagged[position][1]] = arms[(start + position) % len(arms)]
    return result


contact_keys = st.text(alphabet="abcdeé zZ:1", min_size=1, max_size=6)
strata = st.sampled_from(["friend", "colleague", "unknown", "other", "family"])
seeds = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)


@settings(max_examples=400)
@given(seeds, st.sampled_from(ARM_LABELS), st.lists(st.tuples(contact_keys, strata), max_size=30))
def test_matches_a_separately_written_implementation(seed, arms, contacts) -> None:
    assert assign_arms(seed, arms, contacts) == reference_assignment(seed, arms, contacts)


@settings(max_examples=200)
@given(seeds, st.sampled_from(ARM_LABELS), st.lists(st.tuples(contact_keys, strata), max_size=40))
def test_each_stratum_is_balanced_within_one(seed, arms, contacts) -> None:
    assigned = assign_arms(seed, arms, contacts)
    first_stratum = {}
    for key, stratum in contacts:
        first_stratum.setdefault(key, stratum)
    assert set(assigned) == set(first_stratum)
    for stratum in set(first_stratum.values()):
        counts = Counter(assigned[k] for k, s in first_stratum.items() if s == stratum)
        per_arm = [counts.get(arm, 0) for arm in arms]
        assert max(per_arm) - min(per_arm) <= 1


@pytest.mark.parametrize("arms", [("job", "reference"), ("job", "reference", "introduction")])
def test_each_contact_gets_each_arm_with_probability_one_over_k(arms) -> None:
    contacts = [
        ("ann", "friend"),
        ("bob", "friend"),
        ("cy", "friend"),
        ("dee", "colleague"),
        ("eli", "unknown"),
    ]
    plans = 3000
    tally = {key: Counter() for key, _ in contacts}
    for i in range(plans):
        seed = hashlib.sha256(str(i).encode()).hexdigest()[:32]
        for key, arm in assign_arms(seed, arms, contacts).items():
            tally[key][arm] += 1
    k = len(arms)
    # Binomial(plans, 1/k): 4.5 standard deviations, about 7e-6 two-sided per check.
    sd = math.sqrt(plans * (1 / k) * (1 - 1 / k))
    for key, counts in tally.items():
        for arm in arms:
            assert abs(counts[arm] - plans / k) <= 4.5 * sd, (key, arm, counts)


SEED = "0123456789abcdef0123456789abcdef"
# sha256 of the UTF-8 texts (printf '%s' TEXT | sha256sum), written out:
#   SEED:friend            7e0da523...d36e42e09   ends in 9: odd; hex digit sum 469 = 1 mod 3
#   SEED:colleague         ee73a39b...1249595b    ends in b: odd; hex digit sum 532 = 1 mod 3
#   SEED:friend:ann lee    25832363...
#   SEED:friend:dan wu     6b6c3537...
#   SEED:friend:cara diaz  db7e7135...
#   SEED:colleague:bob marsh   5e19882b...
#   SEED:colleague:eve stone   9ac60b05...
# (16 = 1 mod 3, so a hex number mod 3 is its digit sum mod 3; mod 2 is its last digit's.)
# So o = 1 in both strata for k = 2 and k = 3; friends sort ann, dan, cara and
# colleagues bob, eve.
FIVE = [
    ("ann lee", "friend"),
    ("bob marsh", "colleague"),
    ("cara diaz", "friend"),
    ("dan wu", "friend"),
    ("eve stone", "colleague"),
    ("bob marsh", "friend"),  # listed again: keeps the first row's stratum
]


def test_sha256_values_of_the_worked_example() -> None:
    assert hashlib.sha256(f"{SEED}:friend".encode()).hexdigest() == (
        "7e0da523c07b4d84448ecca69f426078d0a437f1109deee8709c835d36e42e09"
    )
    assert hashlib.sha256(f"{SEED}:colleague".encode()).hexdigest() == (
        "ee73a39ba2bfae22167af9b258c55c6abac1d477f6cdee13ef807edb1249595b"
    )
    # The contacts' sort keys, by their first hex digits.
    prefixes = {
        "friend:ann lee": "25832363",
        "friend:dan wu": "6b6c3537",
        "friend:cara diaz": "db7e7135",
        "colleague:bob marsh": "5e19882b",
        "colleague:eve stone": "9ac60b05",
    }
    for text, prefix in prefixes.items():
        assert hashlib.sha256(f"{SEED}:{text}".encode()).hexdigest().startswith(prefix)


def test_five_contacts_worked_by_hand_two_arms() -> None:
    # friend: o = 1 -> ann arms[1], dan arms[0], cara arms[1]; colleague: bob arms[1], eve arms[0].
    assert assign_arms(SEED, ("job", "reference"), FIVE) == {
        "ann lee": "reference",
        "dan wu": "job",
        "cara diaz": "reference",
        "bob marsh": "reference",
        "eve stone": "job",
    }


def test_five_contacts_worked_by_hand_three_arms() -> None:
    # friend: o = 1 -> ann arms[1], dan arms[2], cara arms[0]; colleague: bob arms[1], eve arms[2].
    assert assign_arms(SEED, ("job", "reference", "introduction"), FIVE) == {
        "ann lee": "reference",
        "dan wu": "introduction",
        "cara diaz": "job",
        "bob marsh": "reference",
        "eve stone": "introduction",
    }


def test_ties_in_the_hash_fall_back_to_the_key() -> None:
    # Not reachable with real SHA-256; the order is still defined, so the result is too.
    got = assign_arms(SEED, ("job", "reference"), [("b", "x"), ("a", "x")])
    assert sorted(got.values()) == ["job", "reference"]


ARMS = ("job", "reference")
ROWS = [
    ("ann lee", "friend", "reference"),
    ("bob marsh", "colleague", "reference"),
    ("cara diaz", "friend", "reference"),
    ("dan wu", "friend", "job"),
    ("eve stone", "colleague", "job"),
]


def test_an_untouched_plan_has_no_edited_contact() -> None:
    assert first_edited_contact(SEED, ARMS, ROWS) is None


def test_the_first_edited_contact_in_file_order_is_named() -> None:
    edited = list(ROWS)
    edited[3] = ("dan wu", "friend", "reference")
    edited[1] = ("bob marsh", "colleague", "job")
    assert first_edited_contact(SEED, ARMS, edited) == "bob marsh"


def test_an_arm_outside_the_plan_counts_as_edited() -> None:
    edited = [*ROWS[:2], ("cara diaz", "friend", "introduction"), *ROWS[3:]]
    assert first_edited_contact(SEED, ARMS, edited) == "cara diaz"
    blank = [*ROWS[:4], ("eve stone", "colleague", None)]
    assert first_edited_contact(SEED, ARMS, blank) == "eve stone"


def test_a_changed_relationship_moves_arms() -> None:
    # The rule runs over the strata as written; moving dan to colleague re-deals both strata.
    moved = [(k, "colleague" if k == "dan wu" else s, a) for k, s, a in ROWS]
    assert first_edited_contact(SEED, ARMS, moved) is not None


def test_a_repeated_contact_with_another_arm_is_edited() -> None:
    assert first_edited_contact(SEED, ARMS, [*ROWS, ("ann lee", "friend", "job")]) == "ann lee"
    assert first_edited_contact(SEED, ARMS, [*ROWS, ("ann lee", "family", "reference")]) is None


@pytest.mark.parametrize(
    ("label", "arms"),
    [
        ("job+reference", ("job", "reference")),
        ("Reference + Jobs", ("job", "reference")),
        ("intro/ref", ("reference", "introduction")),
        ("job, reference and introduction", ("job", "reference", "introduction")),
        ("lead & introductions", ("job", "introduction")),
    ],
)
def test_parse_arms_accepts_synonyms_in_canonical_order(label, arms) -> None:
    assert parse_arms(label) == arms


@pytest.mark.parametrize("label", ["job", "", "job+advice", "reference+advice", "job+wish", "x"])
def test_parse_arms_rejects_with_the_valid_choices(label) -> None:
    with pytest.raises(ValueError, match="two or three of job, reference, introduction"):
        parse_arms(label)


def test_seeds() -> None:
    seed = new_seed()
    assert re.fullmatch(r"[0-9a-f]{32}", seed)
    assert valid_seed(seed)
    assert new_seed() != seed
    assert not valid_seed(seed.upper())
    assert not valid_seed(seed[:-1])
    assert not valid_seed(seed + "0")
    assert not valid_seed("g" * 32)
    assert not valid_seed(seed + "\n")
