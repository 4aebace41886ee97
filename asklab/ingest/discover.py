"""Find the input files below the raw root and name them (CONTRACT.md section 1).

The member key, contact key and slug live in :mod:`asklab.keys`; they are
re-exported here for the modules that still import them from this one.
"""

from __future__ import annotations

import os
from pathlib import Path

from asklab.keys import (  # noqa: F401  (re-exported)
    WHITESPACE_CHARS,
    WHITESPACE_RUN_PATTERN,
    contact_key,
    member_key,
)
from asklab.keys import legacy_member_slug as member_slug  # noqa: F401  (v1, re-exported)

INPUT_SUFFIXES = (".csv", ".xlsx")


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
