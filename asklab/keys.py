"""Member key, contact key and member slug (CONTRACT.md section 1): their one home.

A member named in a ``member`` column and one named by a folder compare equal
by their key; contacts are matched by the same kind of key. The slug is the
key's file-name form (report pages, plan folders).
"""

from __future__ import annotations

import re

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


def member_slug(key: str) -> str:
    """File-name form of a member key: runs outside ``[a-z0-9]`` become ``-``, ends stripped.

    May be empty for a key without any ASCII letter or digit (e.g. ``李雷``).
    """
    return _OUTSIDE_SLUG.sub("-", key).strip("-")
