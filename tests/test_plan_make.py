"""Writing a plan file for `asklab plan` (CONTRACT.md sections 6, 7.1 and 7.2)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest

from asklab.plans import make
from asklab.plans.assign import assign_arms, first_edited_contact
from asklab.plans.contacts import Contact, ContactList, ContactsError, read_contacts
from asklab.plans.make import (
    PLAN_COLUMNS,
    earlier_plan_contacts,
    write_plan,
)

SEED = "0123456789abcdef0123456789abcdef"
OTHER_SEED = "fedcba9876543210fedcba9876543210"
DAY = dt.date(2026, 3, 2)
ARMS = ("job", "reference")


def contact(name: str, relationship: str = "unknown") -> Contact:
    return Contact(name=name, key=" ".join(name.lower().split()), relationship=relationship, line=0)


PEOPLE = [
    contact("Ann Lee", "friend"),
    contact("Bob Marsh", "colleague"),
    contact('Cara "CJ" Díaz, PhD', "friend"),
    contact("Dan Wu", "friend"),
    contact("Eve Stone", "colleague"),
]


def read_rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_writes_the_plan_under_the_member_slug(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    written = write_plan(raw, "Alice  Smith", PEOPLE, arms=ARMS, seed=SEED, created=DAY)
    assert written.plan_id == "2026-03-02-01234567"
    assert written.path == raw / "alice-smith" / "plans" / "2026-03-02-01234567.csv"
    assert written.notices == ()
    rows = read_rows(written.path)
    assert list(rows[0]) == list(PLAN_COLUMNS)
    expected = assign_arms(SEED, ARMS, [(c.key, c.relationship) for c in PEOPLE])
    assert [(r["contact"], r["relationship"], r["arm"]) for r in rows] == [
        (c.name, c.relationship, expected[c.key]) for c in PEOPLE
    ]
    assert list(written.rows) == [(r["contact"], r["relationship"], r["arm"]) for r in rows]
    for row in rows:
        assert (row["plan_id"], row["created"], row["seed"], row["arms"], row["member"]) == (
            "2026-03-02-01234567",
            "2026-03-02",
            SEED,
            "job+reference",
            "Alice  Smith",
        )
    # The file checks out against the rule it was made by.
    file_rows = [(c.key, c.relationship, r["arm"]) for c, r in zip(PEOPLE, rows, strict=True)]
    assert first_edited_contact(SEED, ARMS, file_rows) is None
    assert b"\r\n" in written.path.read_bytes()  # RFC 4180 line ends


def test_accepts_a_contact_list(tmp_path: Path) -> None:
    listed = ContactList(path=tmp_path / "x.csv", contacts=tuple(PEOPLE[:2]))
    written = write_plan(
        tmp_path, "bo", listed, arms=("job", "reference", "introduction"), seed=SEED, created=DAY
    )
    assert [r["arms"] for r in read_rows(written.path)] == ["job+reference+introduction"] * 2


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("Zoë Müller", "zoe-muller"),
        ("  Jean-Luc   Picard ", "jean-luc-picard"),
        ("张伟", "member-" + hashlib.sha256("张伟".encode()).hexdigest()[:8]),
        ("x" * 70, "x" * 60),
    ],
)
def test_the_plan_goes_under_the_member_folder_slug(tmp_path: Path, name: str, folder: str) -> None:
    contacts = [Contact("Ann Lee", "ann lee", "friend", 2)]
    written = write_plan(
        tmp_path, name, contacts, arms=("job", "reference"), seed=SEED, created=DAY
    )
    assert written.path.parent == tmp_path / folder / "plans"


def test_contacts_of_earlier_plans_are_left_out_and_ids_do_not_collide(tmp_path: Path) -> None:
    first = write_plan(tmp_path, "Alice", PEOPLE[:3], arms=ARMS, seed=SEED, created=DAY)
    again = [contact("ANN  lee", "family"), PEOPLE[3]]
    second = write_plan(tmp_path, "alice", again, arms=ARMS, seed=SEED, created=DAY)
    assert second.plan_id == "2026-03-02-01234567-2"
    assert second.path.name == "2026-03-02-01234567-2.csv"
    assert first.path.exists()
    assert [r[0] for r in second.rows] == ["Dan Wu"]
    assert second.notices == ("ANN  lee: already in plan 2026-03-02-01234567; left out",)
    third = write_plan(tmp_path, "alice", [PEOPLE[4]], arms=ARMS, seed=OTHER_SEED, created=DAY)
    assert third.plan_id == "2026-03-02-fedcba98"
    assert earlier_plan_contacts(tmp_path, "alice") == {
        "ann lee": first.plan_id,
        "bob marsh": first.plan_id,
        'cara "cj" díaz, phd': first.plan_id,
        "dan wu": second.plan_id,
        "eve stone": third.plan_id,
    }


def test_no_contact_left_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    first = write_plan(tmp_path, "alice", PEOPLE[:2], arms=ARMS, seed=SEED, created=DAY)
    with pytest.raises(ContactsError, match="no contact left to plan for alice"):
        write_plan(tmp_path, "alice", PEOPLE[:2], arms=ARMS, seed=OTHER_SEED, created=DAY)
    assert sorted(p.name for p in first.path.parent.iterdir()) == [first.path.name]
    with pytest.raises(ContactsError):
        write_plan(tmp_path / "new", "bob", [], arms=ARMS, seed=SEED, created=DAY)
    assert not (tmp_path / "new").exists()


def test_another_member_keeps_their_own_contacts(tmp_path: Path) -> None:
    write_plan(tmp_path, "alice", PEOPLE, arms=ARMS, seed=SEED, created=DAY)
    bob = write_plan(tmp_path, "bob", PEOPLE, arms=ARMS, seed=SEED, created=DAY)
    assert len(bob.rows) == len(PEOPLE) and bob.notices == ()


def test_an_existing_file_with_the_id_name_is_not_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "alice" / "plans"
    folder.mkdir(parents=True)
    (folder / "2026-03-02-01234567.csv").write_text("keep me\n")
    written = write_plan(tmp_path, "alice", PEOPLE[:1], arms=ARMS, seed=SEED, created=DAY)
    assert written.plan_id == "2026-03-02-01234567-2"
    assert (folder / "2026-03-02-01234567.csv").read_text() == "keep me\n"


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(make.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        write_plan(tmp_path, "alice", PEOPLE, arms=ARMS, seed=SEED, created=DAY)
    assert list((tmp_path / "alice" / "plans").iterdir()) == []


@pytest.mark.parametrize(
    ("member", "arms", "seed", "message"),
    [
        ("  ", ARMS, SEED, "member name is blank"),
        ("alice", ("reference", "job"), SEED, "canonical order"),
        ("alice", ("job",), SEED, "two or three"),
        ("alice", ARMS, SEED.upper(), "32 lower-case hex"),
        ("alice", ARMS, SEED[:30], "32 lower-case hex"),
    ],
)
def test_bad_arguments(tmp_path: Path, member, arms, seed, message) -> None:
    with pytest.raises(ValueError, match=message):
        write_plan(tmp_path, member, PEOPLE, arms=arms, seed=seed, created=DAY)
    assert list(tmp_path.iterdir()) == []


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def test_earlier_plan_contacts_reads_plan_files_by_header(tmp_path: Path) -> None:
    header = "Plan ID,Created,Seed,Arms,Contact,Relationship,Arm"
    # No member column: the first folder names the member.
    write(
        tmp_path / "Alice" / "2026" / "old-plan.csv",
        f"\ufeff{header}\np1,2026-01-05,{SEED},job+reference,Ann Lee,,job\n"
        f"p1,2026-01-05,{SEED},job+reference,Fay,,reference\n",
    )
    # A member column wins over the folder; semicolons; only alice's rows count.
    write(
        tmp_path / "shared" / "plans.csv",
        "plan_id;created;member;name;arm\n"
        "p0;2026-01-01; ALICE ;Bob  Marsh;job\n"
        "p0;2026-01-01;bob;Cara;job\n"
        "p0;2026-01-01;Alice;Ann Lee;reference\n",
    )
    write(tmp_path / "alice" / "calls.csv", "date,contact,ask\n2026-01-02,Zed,job\n")
    write(tmp_path / "alice" / ".hidden" / "p.csv", "plan_id,contact,arm\nph,Hidden,job\n")
    write(tmp_path / "alice" / "~$p.csv", "plan_id,contact,arm\nlock,Locked,job\n")
    write(tmp_path / "bob" / "p.csv", "plan_id,contact,arm\npb,Dan,job\n")
    write(tmp_path / "loose.csv", "plan_id,contact,arm\nloose,Eve,job\n")
    write(
        tmp_path / "alice" / "broken.csv", "plan_id,contact,arm\nx,Zo\xeb,job\n".encode("latin-1")
    )
    notices: list[str] = []
    got = earlier_plan_contacts(tmp_path, "alice", notices=notices)
    # Ann is in p0 (created first) and p1: the earliest plan is named.
    assert got == {"bob marsh": "p0", "ann lee": "p0", "fay": "p1"}
    assert len(notices) == 1 and "broken.csv" in notices[0] and "skipped" in notices[0]


def test_earlier_plan_contacts_of_a_missing_root_is_empty(tmp_path: Path) -> None:
    assert earlier_plan_contacts(tmp_path / "nothing", "alice") == {}


def test_a_linkedin_export_becomes_a_plan(tmp_path: Path) -> None:
    export = tmp_path / "Connections.csv"
    export.write_bytes(
        b"\xef\xbb\xbfNotes:\r\n"
        b'"When exporting your connection data, you may notice that some of the email '
        b'addresses are missing."\r\n'
        b"\r\n"
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        b"Priya,Natarajan,https://www.linkedin.com/in/p,,Acme,Engineer,04 Dec 2026\r\n"
        b'Zo\xc3\xab,M\xc3\xbcller,https://www.linkedin.com/in/z,,"Initech, Ltd",PM,01 Nov 2026\r\n'
    )
    raw = tmp_path / "raw"
    written = write_plan(
        raw, "Zoë Müller", read_contacts(export), arms=ARMS, seed=SEED, created=DAY
    )
    assert written.path.parent == raw / "zoe-muller" / "plans"
    rows = read_rows(written.path)
    assert [(r["contact"], r["relationship"], r["member"]) for r in rows] == [
        ("Priya Natarajan", "unknown", "Zoë Müller"),
        ("Zoë Müller", "unknown", "Zoë Müller"),
    ]
    assert earlier_plan_contacts(raw, "zoë müller") == {
        "priya natarajan": written.plan_id,
        "zoë müller": written.plan_id,
    }
