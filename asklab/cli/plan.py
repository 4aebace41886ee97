"""`asklab plan`: write a randomised ask plan for one member (CONTRACT §6, §7).

Reads the member's contact list (CSV, spreadsheet or LinkedIn's
Connections.csv), leaves out contacts already in an earlier plan of the
member, assigns each remaining contact an ask by the seeded rule and writes
``<raw>/<member-slug>/plans/<plan_id>.csv``. Every bad input ends the
command with one line on standard error and exit 1, before any file is
written. Only light modules are imported: no Prefect, Altair or scipy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from asklab.cli.options import EXIT_FAILED, EXIT_OK, settings_for

if TYPE_CHECKING:
    from asklab.plans.make import PlanWritten

DEFAULT_ARMS = "job+reference"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PlanInputError(Exception):
    """Input the command cannot use; the message says which and why."""


def add(commands: argparse._SubParsersAction) -> None:
    plan = commands.add_parser(
        "plan",
        help="write a randomised ask plan for a member's contacts",
        description="Assign each contact of FILE an ask at random (reproducibly, from the "
        "seed) and write the plan under <raw>/<member-slug>/plans/. Make the calls asking "
        "what the plan says; the next run compares the asks without the bias of choosing "
        "them. Contacts already in an earlier plan of the member are left out.",
    )
    plan.add_argument("--member", required=True, metavar="NAME", help="the member (job seeker)")
    plan.add_argument(
        "--contacts",
        required=True,
        type=Path,
        metavar="FILE",
        help="CSV or spreadsheet with a contact (or name) column and an optional "
        "relationship column, or LinkedIn's Connections.csv as downloaded",
    )
    plan.add_argument(
        "--arms",
        default=DEFAULT_ARMS,
        metavar="LABEL",
        help="the asks to randomise: two or three of job, reference, introduction "
        f"(default: {DEFAULT_ARMS})",
    )
    plan.add_argument(
        "--seed",
        metavar="HEX",
        help="32 lower-case hex characters (default: drawn from a cryptographic source)",
    )
    plan.add_argument("--created", metavar="YYYY-MM-DD", help="the plan's date (default: today)")
    plan.add_argument(
        "--raw", type=Path, metavar="DIR", help="raw folder to write into (default: data/raw)"
    )
    plan.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Write the plan and print its path and table; exit 1 with one line on bad input."""
    from asklab.plans.contacts import ContactsError

    raw = settings_for(args).raw
    try:
        written = make_plan(
            member=args.member,
            contacts_file=args.contacts,
            arms_label=args.arms,
            seed=args.seed,
            created_text=args.created,
            raw=raw,
        )
    except (PlanInputError, ContactsError) as exc:
        print(f"asklab plan: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for notice in written.notices:
        print(f"asklab plan: notice: {notice}", file=sys.stderr)
    print(f"wrote {written.path}")
    print(plan_table(written.rows))
    return EXIT_OK


def make_plan(
    *,
    member: str,
    contacts_file: Path,
    arms_label: str,
    seed: str | None,
    created_text: str | None,
    raw: Path,
) -> PlanWritten:
    """Check every input, then write the plan (``PlanWritten`` with the
    contacts-file notices first). PlanInputError or ContactsError, nothing written."""
    from asklab.plans.assign import new_seed, parse_arms, valid_seed
    from asklab.plans.contacts import read_contacts
    from asklab.plans.make import write_plan

    if not member.strip():
        raise PlanInputError("--member is blank: give the member's name")
    try:
        arms = parse_arms(arms_label)
    except ValueError as exc:
        raise PlanInputError(f"--arms: {exc}") from None
    if seed is not None and not valid_seed(seed):
        raise PlanInputError(f"--seed {seed!r}: expected 32 lower-case hex characters (0-9, a-f)")
    created = _created(created_text)
    if not raw.is_dir():
        raise PlanInputError(
            f"raw folder {raw} does not exist (or is no folder); give --raw DIR or create it"
        )
    contacts = read_contacts(contacts_file)
    try:
        written = write_plan(
            raw, member, contacts, arms=arms, seed=seed or new_seed(), created=created
        )
    except ValueError as exc:
        raise PlanInputError(str(exc)) from None
    except OSError as exc:
        raise PlanInputError(f"cannot write the plan below {raw}: {exc.strerror or exc}") from None
    notices = [*contacts.notices, *written.notices]
    if created > dt.date.today():
        # Section 7.1: a run rejects the rows of a plan dated after its as_of.
        notices.append(
            f"the plan is dated {created.isoformat()}, after today: runs reject its rows "
            "until that day"
        )
    return replace(written, notices=tuple(notices))


def _created(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlanInputError(f"--created {text!r}: expected a date as YYYY-MM-DD") from None


def plan_table(rows: Sequence[tuple[str, str, str]]) -> str:
    """The plan's contacts as aligned text columns: contact, relationship, ask."""
    header = ("contact", "relationship", "ask")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
