"""Planning a run's ingest: which files to read, and why.

:func:`plan_ingest` hashes every file below the raw root and compares it
with ``file_state``: new / changed / unchanged / removed, or ``revalidate``
when the same bytes must be checked again because the date order, the
validation rules or (for files it matters to) ``as_of`` changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from asklab.freshness import code_fingerprint
from asklab.ingest.discover import discover_files, source_name
from asklab.queries import sql_path
from asklab.warehouse import Warehouse, read_file_states

Change = Literal["new", "changed", "revalidate", "unchanged", "removed"]

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
    sha256: str  # of the bytes now on disk; for a removed file, of its last load
    change: Change
    why: str = ""  # for revalidate: what changed

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


def plan_ingest(wh: Warehouse, raw_root: Path, *, as_of: dt.date, date_order: str) -> IngestPlan:
    """Discover and hash the files below ``raw_root`` and compare them with the warehouse."""
    raw_root = Path(raw_root)
    on_disk = {
        source_name(path, raw_root): (path, sha256_file(path)) for path in discover_files(raw_root)
    }
    return build_plan(
        read_file_states(wh),
        on_disk,
        raw_root=raw_root,
        as_of=as_of,
        date_order=date_order,
        fingerprint=params_fingerprint(date_order),
    )


def build_plan(
    file_states: pl.DataFrame,
    on_disk: Mapping[str, tuple[Path, str]],
    *,
    raw_root: Path,
    as_of: dt.date,
    date_order: str,
    fingerprint: str,
) -> IngestPlan:
    """Compare files on disk (source_file -> (path, sha256)) with ``file_state`` rows."""
    states = {row["source_file"]: row for row in file_states.iter_rows(named=True)}
    planned: list[PlannedFile] = []
    for source_file in sorted(set(on_disk) | set(states)):
        state = states.get(source_file)
        if source_file not in on_disk:
            assert state is not None
            planned.append(
                PlannedFile(source_file, raw_root / source_file, state["sha256"], "removed")
            )
            continue
        path, sha256 = on_disk[source_file]
        if state is None:
            planned.append(PlannedFile(source_file, path, sha256, "new"))
        elif state["sha256"] != sha256:
            planned.append(PlannedFile(source_file, path, sha256, "changed"))
        elif why := revalidation_reason(state, as_of=as_of, fingerprint=fingerprint):
            planned.append(PlannedFile(source_file, path, sha256, "revalidate", why))
        else:
            planned.append(PlannedFile(source_file, path, sha256, "unchanged"))
    return IngestPlan(Path(raw_root), as_of, date_order, fingerprint, tuple(planned))


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
