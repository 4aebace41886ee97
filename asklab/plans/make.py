"""Write a new plan file for ``asklab plan`` (CONTRACT.md sections 6 and 7.1).

The plan goes to ``<raw>/<member-slug>/plans/<plan_id>.csv`` so the next run
loads it like any other input. Contacts already in an earlier plan of the
member are left out, since the loader would reject them there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from asklab.ingest import discover
from asklab.ingest.header import normalise_header
from asklab.keys import contact_key, member_key, member_slugs
from asklab.plans.assign import assign_arms, parse_arms, valid_seed
from asklab.plans.contacts import Contact, ContactList, ContactsError, separator_of
from asklab.vocab import PLAN_COLUMNS

PLAN_FILE_SUFFIXES = (".csv", ".tsv")
# Contact header synonyms of section 1 (calls and events share them).
_CONTACT_SYNONYMS = {"name": "contact", "contact_name": "contact", "who": "contact"}
_OUTSIDE_SLUG = re.compile(r"[^a-z0-9]+")
_MARKS = ("Mn", "Mc", "Me")


@dataclass(frozen=True)
class PlanWritten:
    path: Path
    plan_id: str
    rows: tuple[tuple[str, str, str], ...]  # (contact, relationship, arm) in list order
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class _EarlierPlan:
    created: str
    plan_id: str
    contact_keys: tuple[str, ...]


# -- Earlier plans ------------------------------------------------------------------------


def _plan_candidates(raw_root: Path) -> Iterator[Path]:
    """CSV files below the raw root (links followed, each folder once), sorted per folder."""
    seen: set[str] = set()
    for folder, dir_names, file_names in os.walk(raw_root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dir_names[:] = []
            continue
        seen.add(real)
        dir_names[:] = sorted(d for d in dir_names if not discover.is_ignored_name(d, is_dir=True))
        for name in sorted(file_names):
            if not discover.is_ignored_name(name, is_dir=False) and name.lower().endswith(
                PLAN_FILE_SUFFIXES
            ):
                yield Path(folder) / name


def _header_line(path: Path) -> str | None:
    """The first non-blank line: only plan files are read further."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line in handle:
            if line.strip():
                return line.rstrip("\r\n")
    return None


def _read_earlier_plan(path: Path, raw_root: Path, key: str) -> _EarlierPlan | None:
    """The member's rows of one plan file, None when it is no plan or not the member's."""
    header_line = _header_line(path)
    if header_line is None:
        return None
    separator = separator_of(header_line)
    header = [normalise_header(c) for c in next(csv.reader([header_line], delimiter=separator))]
    if "arm" not in header:
        return None
    names = [_CONTACT_SYNONYMS.get(n, n) for n in header]
    if "contact" not in names:
        raise ValueError("a plan table without a contact column")
    text = path.read_text(encoding="utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=separator) if any(r)]
    records = [dict(zip(names, (c.strip() for c in r), strict=False)) for r in rows[1:]]
    folder = discover.folder_member(path.relative_to(raw_root).as_posix())
    if "member" not in names and (folder is None or member_key(folder) != key):
        return None
    mine = [r for r in records if "member" not in names or member_key(r.get("member", "")) == key]
    if not mine:
        return None
    plan_id = next((r.get("plan_id", "") for r in mine if r.get("plan_id")), path.stem)
    created = next((r.get("created", "") for r in mine if r.get("created")), "")
    keys = tuple(contact_key(r["contact"]) for r in mine if r.get("contact"))
    return _EarlierPlan(created=created, plan_id=plan_id, contact_keys=keys)


def _earlier_plans(raw_root: Path, key: str, notices: list[str] | None) -> list[_EarlierPlan]:
    plans: list[_EarlierPlan] = []
    if not raw_root.is_dir():
        return plans
    for path in _plan_candidates(raw_root):
        try:
            plan = _read_earlier_plan(path, raw_root, key)
        except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
            if notices is not None:
                notices.append(f"{path}: not checked for earlier plans ({exc}); skipped")
            continue
        if plan is not None:
            plans.append(plan)
    # Earliest plan first (section 7.1's order), so a contact maps to its first plan.
    return sorted(plans, key=lambda p: (p.created, p.plan_id))


def earlier_plan_contacts(
    raw_root: Path, member_key: str, *, notices: list[str] | None = None
) -> dict[str, str]:
    """contact_key -> plan_id for every contact in an existing plan file of the member.

    A plan file is any CSV below the raw root whose normalised header has
    ``arm``; its rows count when their ``member`` cell has this key or, with
    no member column, when the file's first folder has it. Unreadable files
    are skipped with a notice appended to ``notices``.
    """
    found: dict[str, str] = {}
    for plan in _earlier_plans(raw_root, member_key, notices):
        for key in plan.contact_keys:
            found.setdefault(key, plan.plan_id)
    return found


# -- Writing -------------------------------------------------------------------------------


def _plan_ids(created: dt.date, seed: str) -> Iterator[str]:
    base = f"{created.isoformat()}-{seed[:8]}"
    yield base
    number = 2
    while True:
        yield f"{base}-{number}"
        number += 1


def plan_csv(rows: Sequence[Sequence[str]]) -> str:
    """The plan table as CSV text: the header, then rows (RFC 4180 quoting, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PLAN_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def plan_id_for(created: dt.date, seed: str) -> str:
    """A new plan's id when no plan of the member has it: ``<created>-<seed[:8]>``."""
    return next(_plan_ids(created, seed))


def plan_table(
    plan_id: str,
    member_name: str,
    contacts: Sequence[Contact],
    *,
    arms: Sequence[str],
    seed: str,
    created: dt.date,
) -> tuple[tuple[tuple[str, str, str], ...], str]:
    """The plan of distinct ``contacts``: (contact, relationship, arm) rows and the CSV text.

    The arms follow from the seed by section 7.2's rule; the member column
    keeps the member's name as given (trimmed).
    """
    assigned = assign_arms(seed, arms, [(c.key, c.relationship) for c in contacts])
    printed = tuple((c.name, c.relationship, assigned[c.key]) for c in contacts)
    label = "+".join(arms)
    rows = [
        (plan_id, created.isoformat(), seed, label, name, rel, arm, member_name.strip())
        for name, rel, arm in printed
    ]
    return printed, plan_csv(rows)


def _publish(temporary: Path, target: Path) -> bool:
    """Give the finished temporary file its name unless that name exists (no overwrite)."""
    try:
        os.link(temporary, target)
        return True
    except FileExistsError:
        return False
    except OSError:
        # Some file systems have no hard links: check, then rename.
        if target.exists():
            return False
        os.replace(temporary, target)
        return True


def write_plan(
    raw_root: Path,
    member_name: str,
    contacts: ContactList | Sequence[Contact],
    *,
    arms: Sequence[str],
    seed: str,
    created: dt.date,
) -> PlanWritten:
    """Assign arms to the member's new contacts and write the plan file atomically.

    Contacts already in an earlier plan of the member are left out with a
    notice; ContactsError when none is left. The plan_id is
    ``<created>-<seed[:8]>`` with ``-2``, ``-3``... added while that id or file
    exists for the member. The file is written under a hidden temporary name
    and renamed, so a failure leaves no plan file behind. ValueError for a
    blank member, a bad seed or arms not in canonical order.
    """
    key = member_key(member_name)
    if not key:
        raise ValueError("the member name is blank")
    if not valid_seed(seed):
        raise ValueError(f"seed {seed!r}: expected 32 lower-case hex characters")
    arms = tuple(arms)
    if parse_arms("+".join(arms)) != arms:
        raise ValueError(f"arms {arms!r}: expected canonical order job, reference, introduction")
    listed = contacts.contacts if isinstance(contacts, ContactList) else tuple(contacts)

    notices: list[str] = []
    plans = _earlier_plans(raw_root, key, notices)
    earlier: dict[str, str] = {}
    for plan in plans:
        for contact in plan.contact_keys:
            earlier.setdefault(contact, plan.plan_id)
    kept: dict[str, Contact] = {}
    for contact in listed:
        if contact.key in earlier:
            notices.append(f"{contact.name}: already in plan {earlier[contact.key]}; left out")
        else:
            kept.setdefault(contact.key, contact)
    if not kept:
        raise ContactsError(
            f"no contact left to plan for {member_name.strip()}: every listed contact "
            "is already in an earlier plan"
        )

    # The member's own slug: a folder name never fails (hashed when empty);
    # the plan's member column keeps it with its member whatever the folder.
    folder = raw_root / member_slugs([key])[key] / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    taken = {plan.plan_id for plan in plans}
    for plan_id in _plan_ids(created, seed):
        target = folder / f"{plan_id}.csv"
        if plan_id in taken or target.exists():
            continue
        printed, text = plan_table(
            plan_id, member_name, tuple(kept.values()), arms=arms, seed=seed, created=created
        )
        handle, temporary_name = tempfile.mkstemp(dir=folder, prefix=".", suffix=".csv.tmp")
        temporary = Path(temporary_name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            if _publish(temporary, target):
                return PlanWritten(target, plan_id, printed, tuple(notices))
        finally:
            temporary.unlink(missing_ok=True)
    raise AssertionError("unreachable: plan ids never run out")
