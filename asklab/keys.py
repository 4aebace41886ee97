"""Member key, contact key and member slug (CONTRACT.md section 1): their one home.

A member named in a ``member`` column and one named by a folder compare equal
by their key; contacts are matched by the same kind of key. The slug is the
key's file-name form (report pages, plan folders).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# Unicode White_Space, spelled out so Python and Polars (Rust) trim and collapse
# exactly the same characters (Python's str.isspace also counts \x1c-\x1f).
WHITESPACE_CHARS = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
WHITESPACE_RUN_PATTERN = "[" + WHITESPACE_CHARS + "]+"
_WHITESPACE_RUN = re.compile(WHITESPACE_RUN_PATTERN)
_OUTSIDE_SLUG = re.compile(r"[^a-z0-9]+")


def member_key(text: str) -> str:
    """Trimmed, lower-cased, inner whitespace runs collapsed to one space."""
    return _WHITESPACE_RUN.sub(" ", text.strip(WHITESPACE_CHARS).lower())


def contact_key(text: str) -> str:
    """Same normalisation as the member key: trimmed, lower-cased, whitespace collapsed."""
    return member_key(text)


SLUG_MAX_CHARS = 60
# A disambiguated slug: the slug cut to this many characters, "-", 8 hex digits.
SLUG_HASHED_BASE_CHARS = 40
SLUG_EMPTY_BASE = "member"
_MARKS = frozenset(("Mn", "Mc", "Me"))


def member_slug(key: str) -> str:
    """File-name form of one member key (contract v2), before disambiguation.

    NFKD form with every mark (Mn, Mc, Me) dropped, lower-cased again, runs
    outside ``[a-z0-9]`` -> ``-``, ``-`` stripped at both ends, cut to 60
    characters and stripped again: ``zoë müller`` -> ``zoe-muller``. Empty for
    a key without a Latin letter or digit (``дмитрий``, ``张伟``): use
    :func:`member_slugs` for the slugs actually used.
    """
    decomposed = unicodedata.normalize("NFKD", key)
    unmarked = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _MARKS)
    slug = _OUTSIDE_SLUG.sub("-", unmarked.lower()).strip("-")
    return slug[:SLUG_MAX_CHARS].rstrip("-")


def hashed_member_slug(key: str) -> str:
    """The slug of a key whose plain slug is empty or shared: cut slug + ``-`` + 8 hex.

    ``member`` stands in for an empty slug; the hex digits are the first 8 of
    the SHA-256 of the UTF-8 key.
    """
    base = member_slug(key)[:SLUG_HASHED_BASE_CHARS].rstrip("-") or SLUG_EMPTY_BASE
    return f"{base}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"


def member_slugs(keys: Iterable[str]) -> dict[str, str]:
    """Every member key's slug, unique among ``keys``; never fails.

    A key keeps its plain :func:`member_slug` unless that is empty or another
    key of ``keys`` has the same one (``alice smith``, ``alice-smith``); each
    such key gets :func:`hashed_member_slug`.
    """
    distinct = list(dict.fromkeys(keys))
    plain = {key: member_slug(key) for key in distinct}
    users: dict[str, int] = {}
    for slug in plain.values():
        users[slug] = users.get(slug, 0) + 1
    return {
        key: slug if slug and users[slug] == 1 else hashed_member_slug(key)
        for key, slug in plain.items()
    }
