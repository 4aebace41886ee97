"""Find the input files below the raw root and name them (CONTRACT.md section 1).

Also the key helpers every stage shares: member key, member slug and contact
key, so a member named in a column and one named by a folder compare equal.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

INPUT_SUFFIXES = (".csv", ".xlsx")

# Unicode White_Space, spelled out so Python and Polars (Rust) trim and collapse
# exactly the same characters (Python's str.isspace also counts \x1c-\x1f).
WHITESPACE_CHARS = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
WHITESPACE_RUN_PATTERN = "[" + WHITESPACE_CHARS + "]+"
_WHITESPACE_RUN = re.compile(WHITESPACE_RUN_PATTERN)
_OUTSIDE_SLUG = re.compile(r"[^a-z0-9]+")


def is_ignored_name(name: str, *, is_dir: bool) -> bool:
    """Hidden names (``.x``) are ignored; so are lock files (``~$x``), files only."""
    return name.startswith(".") or (not is_dir and name.startswith("~$"))


def is_input_file_name(name: str) -> bool:
    """A ``.csv`` or ``.xlsx`` name (any letter case) that is not hidden or a lock file."""
    return not is_ignored_name(name, is_dir=False) and name.lower().endswith(INPUT_SUFFIXES)


def discover_files(raw_root: Path) -> list[Path]:
    """Every ``*.csv``/``*.xlsx`` below ``raw_root`` at any depth, sorted by relative path.

    Raises ``FileNotFoundError`` when the root is missing: an empty result would
    read as "every file was removed" to the loader.
    """
    if not raw_root.is_dir():
        raise FileNotFoundError(f"raw data folder not found: {raw_root}")
    found: list[Path] = []
    for folder, dir_names, file_names in os.walk(raw_root):
        # Prune hidden folders in place so os.walk does not descend into them.
        dir_names[:] = [d for d in dir_names if not is_ignored_name(d, is_dir=True)]
        found.extend(Path(folder) / name for name in file_names if is_input_file_name(name))
    return sorted(
        (path for path in found if path.is_file()), key=lambda p: source_name(p, raw_root)
    )


def source_name(path: Path, raw_root: Path) -> str:
    """The file's path relative to the raw root, ``/``-separated."""
    return path.relative_to(raw_root).as_posix()


def folder_member(source_file: str) -> str | None:
    """The first folder below the root, as written (None for a file in the root itself).

    Apply :func:`member_key` before comparing it with a member column.
    """
    parts = source_file.split("/")
    return parts[0] if len(parts) > 1 else None


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
