"""Planning a run's ingest: which files to read, and why.

:func:`plan_ingest` hashes every file below the raw root and compares it
with ``file_state``: new / changed / unchanged / removed, or ``revalidate``
when the same bytes must be checked again because the date order, the
validation rules or (for files it matters to) ``as_of`` changed, or
``error`` when the file cannot be read (no permission) or lies in a folder
that cannot be listed: such a file keeps what it contributed (CONTRACT §1.7).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from asklab.freshness import code_fingerprint
from asklab.ingest.discover import Discovery, UnreadableFolder, discover
from asklab.queries import sql_path
from asklab.warehouse import Warehouse, read_file_states

Change = Literal["new", "changed", "revalidate", "unchanged", "removed", "error"]

_HASH_CHUNK_BYTES = 1 << 20
# Code that decides what a file's rows become, besides the ingest package; a
# change to any of it re-reads every file once (see rules_fingerprint). The
# id models too: ids are computed when a file's rows are stored; and the
# checks across plan files, decided when plan rows are stored.
_RULES_MODULES = ("vocab.py", "keys.py", "plans/assign.py")
_RULES_SQL = (
    "models/call_ids",
    "models/event_ids",
    "load/plan_clashes",
    "load/ranked_plan_rows",
    "load/plan_rows",
    "load/plan_rejections",
)


@dataclass(frozen=True)
class PlannedFile:
    source_file: str
    path: Path
    sha256: str | None  # of the bytes now on disk; else of its last load (None: never loaded)
    change: Change
    why: str = ""  # for revalidate: what changed; for error: why it cannot be read

    @property
    def needs_read(self) -> bool:
        return self.change in ("new", "changed", "revalidate")


@dataclass(frozen=True)
class IngestPlan:
    raw_root: Path
    as_of: dt.date
    date_order: str
    params_fingerprint: str
    files: tuple[PlannedFile, ...]  # sorted by source_file, removed files included
    notices: tuple[str, ...] = ()  # "source_file: text" from discovery (ignored files, links)
    unreadable_folders: tuple[UnreadableFolder, ...] = ()
    files_on_disk: int | None = None  # input files found below the root (None: not known)

    @property
    def finds_no_input(self) -> bool:
        """No input file at all below the root (an emptied or unmounted folder?)."""
        return self.files_on_disk == 0

    @property
    def folder_errors(self) -> tuple[str, ...]:
        """One "folder: reason" per folder below the root that could not be listed."""
        return tuple(f"{f.source_file}/: {f.reason}" for f in self.unreadable_folders)

    @property
    def to_read(self) -> tuple[PlannedFile, ...]:
        return tuple(f for f in self.files if f.needs_read)

    @property
    def has_changes(self) -> bool:
        return any(f.change != "unchanged" for f in self.files)


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def rules_fingerprint() -> str:
    """sha256 of the reading and validation code and the id models, so a change
    to either re-reads every file once."""
    package = Path(__file__).resolve().parent.parent
    return code_fingerprint(
        [
            *(package / name for name in _RULES_MODULES),
            *sorted((package / "ingest").glob("*.py")),
            *(sql_path(name) for name in _RULES_SQL),
        ]
    )


def params_fingerprint(date_order: str, rules: str | None = None) -> str:
    """Fingerprint of what, besides as_of and the bytes, decides a file's rows."""
    rules = rules_fingerprint() if rules is None else rules
    return hashlib.sha256(f"date_order={date_order}\nrules={rules}".encode()).hexdigest()


class RawRootMissing(FileNotFoundError):
    """The raw root is missing or cannot be listed (CONTRACT §4: nothing is created)."""


def check_raw_root(raw_root: Path) -> None:
    """Raise :class:`RawRootMissing` unless ``raw_root`` is a folder that can be listed.

    An unreadable root counts as a missing one: read as empty, it would make
    every stored file look removed.
    """
    root = Path(raw_root)
    if not root.is_dir():
        raise RawRootMissing(f"raw data folder not found: {root}")
    try:
        with os.scandir(root):
            pass
    except OSError as exc:
        raise RawRootMissing(
            f"raw data folder cannot be read: {root} ({exc.strerror or exc})"
        ) from exc


def plan_ingest(wh: Warehouse, raw_root: Path, *, as_of: dt.date, date_order: str) -> IngestPlan:
    """Discover and hash the files below ``raw_root`` and compare them with the warehouse.

    A file that cannot be hashed (no permission, vanished) is planned as a
    file-level error that keeps its rows; so is a stored file inside a folder
    that cannot be listed now.
    """
    raw_root = Path(raw_root)
    check_raw_root(raw_root)
    try:
        found = discover(raw_root)
    except FileNotFoundError as exc:
        raise RawRootMissing(str(exc)) from exc
    return build_plan(
        read_file_states(wh),
        hash_found(found),
        raw_root=raw_root,
        as_of=as_of,
        date_order=date_order,
        fingerprint=params_fingerprint(date_order),
        found=found,
    )


def hash_found(found: Discovery) -> dict[str, tuple[Path, str | OSError]]:
    """source_file -> (path, sha256), or the OSError met while reading the file."""
    on_disk: dict[str, tuple[Path, str | OSError]] = {}
    for source_file, path in found.by_source_file().items():
        try:
            on_disk[source_file] = (path, sha256_file(path))
        except OSError as exc:
            on_disk[source_file] = (path, exc)
    return on_disk


def build_plan(
    file_states: pl.DataFrame,
    on_disk: Mapping[str, tuple[Path, str | OSError]],
    *,
    raw_root: Path,
    as_of: dt.date,
    date_order: str,
    fingerprint: str,
    found: Discovery | None = None,
) -> IngestPlan:
    """Compare files on disk (source_file -> (path, sha256 or the OSError that
    stopped hashing)) with ``file_state`` rows. ``found`` adds discovery's
    notices and unlistable folders: a stored file missing from disk inside
    such a folder is an error, not removed."""
    states = {row["source_file"]: row for row in file_states.iter_rows(named=True)}
    planned: list[PlannedFile] = []
    for source_file in sorted(set(on_disk) | set(states)):
        state = states.get(source_file)
        old_sha = state["sha256"] if state is not None else None
        if source_file not in on_disk:
            assert state is not None
            path = raw_root / source_file
            folder = found.unreadable_folder_of(source_file) if found is not None else None
            if folder is not None:
                why = f"{folder.source_file}: {folder.reason}"
                planned.append(PlannedFile(source_file, path, old_sha, "error", why))
            else:
                planned.append(PlannedFile(source_file, path, old_sha, "removed"))
            continue
        path, sha256 = on_disk[source_file]
        if isinstance(sha256, OSError):
            why = f"cannot read the file: {sha256.strerror or sha256}"
            planned.append(PlannedFile(source_file, path, old_sha, "error", why))
        elif state is None:
            planned.append(PlannedFile(source_file, path, sha256, "new"))
        elif state["sha256"] != sha256:
            planned.append(PlannedFile(source_file, path, sha256, "changed"))
        elif why := revalidation_reason(state, as_of=as_of, fingerprint=fingerprint):
            planned.append(PlannedFile(source_file, path, sha256, "revalidate", why))
        else:
            planned.append(PlannedFile(source_file, path, sha256, "unchanged"))
    return IngestPlan(
        Path(raw_root),
        as_of,
        date_order,
        fingerprint,
        tuple(planned),
        notices=tuple(f"{n.source_file}: {n.text}" for n in found.notices) if found else (),
        unreadable_folders=found.unreadable_folders if found else (),
        files_on_disk=len(on_disk) if found is not None else None,
    )


def revalidation_reason(
    state: Mapping[str, object], *, as_of: dt.date, fingerprint: str
) -> str | None:
    """Why unchanged bytes must be validated again, or None.

    ``as_of`` matters to a file only when it rejected a date as future (a
    later as_of may accept it, and the reason names the as_of) or accepted a
    date after the new as_of (which must now be rejected).
    """
    if state["params_fingerprint"] != fingerprint:
        return "date order or validation rules changed"
    if state["as_of"] != as_of:
        if state["has_future_rejections"]:
            return f"as_of moved from {state['as_of']} to {as_of}; future dates rechecked"
        max_date = state["max_date"]
        if isinstance(max_date, dt.date) and max_date > as_of:
            return f"as_of {as_of} is before the file's latest date {max_date}"
    return None
