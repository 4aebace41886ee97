"""Member key, contact key and member slug (CONTRACT.md section 1)."""

from __future__ import annotations

import hashlib

import pytest

from asklab.keys import (
    contact_key,
    hashed_member_slug,
    member_key,
    member_slug,
    member_slugs,
)


def _hex8(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def test_member_key_trims_lowercases_and_collapses_whitespace() -> None:
    assert member_key("  Alice \t  SMITH\u00a0 ") == "alice smith"
    assert member_key("Zoë   de\nBoer") == "zoë de boer"


def test_member_slug_replaces_runs_outside_a_z0_9_with_one_dash() -> None:
    assert member_slug("alice smith") == "alice-smith"
    assert member_slug("  o'brien & co. ") == "o-brien-co"
    assert member_slug("--x--") == "x"


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("zoë müller", "zoe-muller"),
        (member_key("Zoë Müller"), "zoe-muller"),
        ("zoë de boer", "zoe-de-boer"),
        ("josé ñúñez", "jose-nunez"),
        ("ﬁona", "fiona"),  # NFKD turns the ligature into two letters
        ("çağrı", "cagr"),  # dotless ı has no decomposition: it is outside [a-z0-9]
        ("дмитрий", ""),
        ("张伟", ""),
    ],
)
def test_member_slug_v2_decomposes_and_drops_marks(key: str, slug: str) -> None:
    assert member_slug(key) == slug


def test_member_slug_is_cut_to_60_then_stripped_again() -> None:
    key = "a" * 59 + " b" + "c" * 10
    assert member_slug(key) == "a" * 59  # the 60th character was "-"
    assert len(member_slug("x" * 253)) == 60


def test_member_slugs_keep_plain_slugs_when_unique() -> None:
    assert member_slugs(["alice", "zoë müller", "alice"]) == {
        "alice": "alice",
        "zoë müller": "zoe-muller",
    }


def test_member_slugs_hash_empty_and_shared_slugs() -> None:
    slugs = member_slugs(["alice smith", "alice-smith", "дмитрий", "张伟", "bob"])
    assert slugs == {
        "alice smith": f"alice-smith-{_hex8('alice smith')}",
        "alice-smith": f"alice-smith-{_hex8('alice-smith')}",
        "дмитрий": f"member-{_hex8('дмитрий')}",
        "张伟": f"member-{_hex8('张伟')}",
        "bob": "bob",
    }
    assert len(set(slugs.values())) == len(slugs)


def test_a_hashed_slug_cuts_its_base_to_40_characters() -> None:
    key = "b" * 39 + " " + "c" * 100
    assert hashed_member_slug(key) == "b" * 39 + "-" + _hex8(key)
    assert member_slugs([]) == {}


def test_contact_key_matches_the_member_key_rules() -> None:
    assert contact_key("  John   SMITH ") == "john smith"
