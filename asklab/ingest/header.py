"""A table's header: normalised names, its kind, and its columns (CONTRACT.md section 1).

The kind of a table is decided by the one column that marks it (``ask_type``:
calls, ``event_type``: events, v2 ``arm``: plan). Every kind is one
:class:`KindSpec` in :data:`TABLE_KINDS`; a new kind is one more entry there,
plus its row rules.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from asklab.keys import WHITESPACE_CHARS
from asklab.vocab import (
    CALL_COLUMNS,
    CALL_HEADER_SYNONYMS,
    EVENT_COLUMNS,
    EVENT_HEADER_SYNONYMS,
    PLAN_COLUMNS,
    PLAN_HEADER_SYNONYMS,
)

TableKind = Literal["calls", "events", "plan"]

_NON_ALNUM_RUN = re.compile(r"[^a-z0-9]+")
_MAX_LISTED = 20
# How close (difflib ratio of normalised names) an unknown column must be to a
# contract column, or one of its synonyms, to be named in the notice.
_SUGGEST_CUTOFF = 0.75


@dataclass(frozen=True)
class KindSpec:
    """One kind of table: the column that marks it, its synonyms and its columns."""

    kind: TableKind
    marker: str  # canonical column whose presence makes a header this kind
    described: str  # "a calls table", for messages
    synonyms: Mapping[str, str]  # normalised header -> canonical column
    columns: tuple[str, ...]  # the contract's columns, in contract order


TABLE_KINDS: dict[str, KindSpec] = {
    "calls": KindSpec("calls", "ask_type", "a calls table", CALL_HEADER_SYNONYMS, CALL_COLUMNS),
    "events": KindSpec(
        "events", "event_type", "an events table", EVENT_HEADER_SYNONYMS, EVENT_COLUMNS
    ),
    "plan": KindSpec("plan", "arm", "a plan table", PLAN_HEADER_SYNONYMS, PLAN_COLUMNS),
}


class HeaderError(ValueError):
    """A header that makes the table unreadable (two kinds, a column twice)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Header:
    kind: TableKind
    known: list[tuple[int, str]]  # (cell index, canonical name)
    unknown: list[tuple[int, str]]  # (cell index, header as written)
    unnamed: list[int]  # cell indexes with a blank header
    suggestions: dict[str, str]  # unknown header as written -> nearest canonical column


def normalise_header(cell: str) -> str:
    """Trim, lower-case, runs outside ``[a-z0-9]`` -> ``_``, strip ``_``."""
    return _NON_ALNUM_RUN.sub("_", cell.strip(WHITESPACE_CHARS).lower()).strip("_")


def decide_kind(normalised: Sequence[str]) -> TableKind | None:
    """The kind whose marker column the header has; None for none.

    When several kinds' markers are there (e.g. ``Ask`` and ``Type``), a
    marker written literally (``ask_type``) wins over a synonym; raises
    ``HeaderError`` when that does not settle it.
    """
    matches = [
        spec
        for spec in TABLE_KINDS.values()
        if spec.marker in {spec.synonyms.get(n, n) for n in normalised}
    ]
    if len(matches) > 1:
        literal = [spec for spec in matches if spec.marker in normalised]
        if len(literal) != 1:
            raise HeaderError(_several_kinds(literal or matches))
        return literal[0].kind
    return matches[0].kind if matches else None


def no_kind_message() -> str:
    """What a header without a kind lacks: 'no ask_type column (a calls table) and ...'."""
    return _and(f"no {s.marker} column ({s.described})" for s in TABLE_KINDS.values())


def parse_header(cells: Sequence[str | None]) -> Header | None:
    """Map header cells to canonical names; None when the header has no kind.

    Raises ``HeaderError`` for two kinds at once or two columns meaning the same.
    """
    written = [(c or "").strip(WHITESPACE_CHARS) for c in cells]
    normalised = [normalise_header(c) for c in written]
    kind = decide_kind(normalised)
    if kind is None:
        return None
    spec = TABLE_KINDS[kind]
    known: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    unnamed: list[int] = []
    first_seen: dict[str, str] = {}
    for index, (as_written, name) in enumerate(zip(written, normalised, strict=True)):
        canonical = spec.synonyms.get(name, name)
        if not as_written:
            unnamed.append(index)
        elif canonical in spec.columns:
            if canonical in first_seen:
                raise HeaderError(
                    f"columns {first_seen[canonical]!r} and {as_written!r} both mean "
                    f"{canonical}; keep one of them"
                )
            first_seen[canonical] = as_written
            known.append((index, canonical))
        else:
            unknown.append((index, as_written))
    suggestions = {
        as_written: near
        for _, as_written in unknown
        if (near := nearest_column(as_written, spec, taken=set(first_seen))) is not None
    }
    return Header(kind, known, unknown, unnamed, suggestions)


def nearest_column(written: str, spec: KindSpec, *, taken: set[str] = frozenset()) -> str | None:
    """The contract column of ``spec`` nearest to a header cell, when close; else None.

    Compared as normalised names with the columns and their synonyms (so
    ``Job Leds`` is near ``job_leads``, a synonym of ``leads``); a column the
    header already has is not suggested.
    """
    name = normalise_header(written)
    names = {c: c for c in spec.columns if c not in taken}
    names.update({s: c for s, c in spec.synonyms.items() if c in spec.columns and c not in taken})
    found = difflib.get_close_matches(name, list(names), n=1, cutoff=_SUGGEST_CUTOFF)
    return names[found[0]] if found else None


def ignored_columns_notice(ignored: Sequence[str], suggestions: Mapping[str, str]) -> str:
    """'columns not in the contract are ignored: 'Mood', 'Agred'; 'Agred': did you mean ...?'"""
    notice = f"columns not in the contract are ignored: {quoted_list(ignored)}"
    hints = [f"{w!r}: did you mean {suggestions[w]!r}?" for w in ignored if w in suggestions]
    return "; ".join([notice, *hints[:_MAX_LISTED]])


def quoted_list(items: Sequence[str]) -> str:
    shown = ", ".join(repr(i) for i in items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _several_kinds(specs: Sequence[KindSpec]) -> str:
    markers = [f"{'an' if s.marker[0] in 'aeiou' else 'a'} {s.marker}" for s in specs]
    if len(specs) == 2:
        return (
            f"header has both {markers[0]} and {markers[1]} column, so it is neither "
            f"{specs[0].described} nor {specs[1].described}"
        )
    return f"header has {_and(markers)} column, so it is none of " + ", ".join(
        s.described for s in specs
    )


def _and(parts) -> str:
    items = list(parts)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
