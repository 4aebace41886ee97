"""Member key, contact key and member slug (CONTRACT.md section 1)."""

from __future__ import annotations

from asklab.keys import contact_key, member_key, member_slug


def test_member_key_trims_lowercases_and_collapses_whitespace() -> None:
    assert member_key("  Alice \t  SMITH\u00a0 ") == "alice smith"
    assert member_key("Zoë   de\nBoer") == "zoë de boer"


def test_member_slug_replaces_runs_outside_a_z0_9_with_one_dash() -> None:
    assert member_slug("alice smith") == "alice-smith"
    assert member_slug("  o'brien & co. ") == "o-brien-co"
    assert member_slug("zoë de boer") == "zo-de-boer"
    assert member_slug("--x--") == "x"


def test_contact_key_matches_the_member_key_rules() -> None:
    assert contact_key("  John   SMITH ") == "john smith"
