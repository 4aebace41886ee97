"""`asklab plan` as a user runs it (CONTRACT §6, §7.1-7.2): subprocess runs of the command.

The plan files are read back with the csv module and the arms re-derived
here from the seed by section 7.2's rule written out again, so a plan the
command writes is one the loader will accept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.plan_rule import rule_arms

PLAN_HEADER = ["plan_id", "created", "seed", "arms", "contact", "relationship", "arm", "member"]
SEED = "0123456789abcdef0123456789abcdef"
LINKEDIN = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    'are missing. You will only see email addresses for connections who have allowed it."\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    'Priya,Natarajan,https://www.linkedin.com/in/priya-n,,"Acme, Inc.",Engineer,04 Dec 2026\r\n'
    "Tomás,García,https://www.linkedin.com/in/tgarcia,tg@example.com,Initech,PM,12 Nov 2026\r\n"
    "Kofi,Mensah,https://www.linkedin.com/in/kofi,,Globex,Analyst,01 Oct 2026\r\n"
)


def asklab(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asklab", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def plan(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return asklab(tmp_path, "plan", "--raw", str(tmp_path / "raw"), *args)


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    (tmp_path / "raw").mkdir()
    return tmp_path / "raw"


def contacts_csv(tmp_path: Path, text: str, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def read_plan(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == PLAN_HEADER
    return [dict(zip(PLAN_HEADER, row, strict=True)) for row in rows[1:]]


def plan_files(raw: Path) -> list[Path]:
    return sorted(p for p in raw.rglob("*") if p.is_file())


# -- Writing a plan ----------------------------------------------------------------------


def test_writes_the_plan_prints_its_path_and_the_asks(tmp_path: Path, raw: Path) -> None:
    contacts = contacts_csv(
        tmp_path,
        "Name,Relationship\nAnn Lee,Former colleague\nBo  Park,friend\nCy Diaz,\n"
        "Dee Ray,mentor\nann lee,friend\n",
    )
    done = plan(
        tmp_path, "--member", "Zoë Müller", "--contacts", str(contacts), "--seed", SEED,
        "--created", "2026-11-02",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    target = raw / "zoe-muller" / "plans" / "2026-11-02-01234567.csv"
    assert plan_files(raw) == [target]
    assert done.stdout.splitlines()[0] == f"wrote {target}"
    rows = read_plan(target)
    # A contact listed twice is kept once, with its first row's relationship.
    assert [(r["contact"], r["relationship"]) for r in rows] == [
        ("Ann Lee", "colleague"),
        ("Bo  Park", "friend"),
        ("Cy Diaz", "unknown"),
        ("Dee Ray", "other"),
    ]
    assert {(r["plan_id"], r["created"], r["seed"], r["arms"], r["member"]) for r in rows} == {
        ("2026-11-02-01234567", "2026-11-02", SEED, "job+reference", "Zoë Müller")
    }
    keys = [(" ".join(r["contact"].lower().split()), r["relationship"]) for r in rows]
    expected = rule_arms(SEED, ["job", "reference"], keys)
    assert [r["arm"] for r in rows] == [expected[k] for k, _ in keys]
    # The printed table: one line per contact with relationship and ask.
    table = done.stdout.splitlines()[1:]
    assert table[0].split() == ["contact", "relationship", "ask"]
    for row, line in zip(rows, table[2:], strict=True):
        assert line.split()[-2:] == [row["relationship"], row["arm"]]
        assert line.startswith(row["contact"])
    assert "listed again" in done.stderr and "'mentor'" in done.stderr
    assert "after today" not in done.stderr


def test_a_plan_dated_after_today_gets_a_notice(tmp_path: Path, raw: Path) -> None:
    contacts = contacts_csv(tmp_path, "contact\nAnn\n")
    later = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    done = plan(tmp_path, "--member", "a", "--contacts", str(contacts), "--created", later)
    assert done.returncode == 0, done.stderr
    assert f"the plan is dated {later}, after today" in done.stderr
    assert len(plan_files(raw)) == 1


@pytest.mark.parametrize("bom", [False, True])
def test_linkedin_export_with_its_note_lines(tmp_path: Path, raw: Path, bom: bool) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + LINKEDIN.encode("utf-8"))
    done = plan(
        tmp_path, "--member", "alice", "--contacts", str(path), "--arms", "ref+job+intro",
        "--seed", SEED, "--created", "2026-12-01",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (target,) = plan_files(raw)
    rows = read_plan(target)
    assert [(r["contact"], r["relationship"]) for r in rows] == [
        ("Priya Natarajan", "unknown"),
        ("Tomás García", "unknown"),
        ("Kofi Mensah", "unknown"),
    ]
    assert {r["arms"] for r in rows} == {"job+reference+introduction"}
    # Three contacts of one stratum, three arms: each arm once.
    assert sorted(r["arm"] for r in rows) == ["introduction", "job", "reference"]


def test_contacts_of_an_earlier_plan_are_left_out_with_a_notice(tmp_path: Path, raw: Path) -> None:
    first = contacts_csv(tmp_path, "contact\nAnn Lee\nBo Park\n", "first.csv")
    second = contacts_csv(tmp_path, "contact\nANN LEE\nCy Diaz\n", "second.csv")
    one = plan(tmp_path, "--member", "bob", "--contacts", str(first), "--seed", SEED,
               "--created", "2026-11-02")  # fmt: skip
    two = plan(tmp_path, "--member", "Bob", "--contacts", str(second), "--seed", SEED,
               "--created", "2026-11-02")  # fmt: skip
    assert (one.returncode, two.returncode) == (0, 0), two.stderr
    folder = raw / "bob" / "plans"
    first_path = folder / "2026-11-02-01234567.csv"
    # Same day and seed: the second plan gets an id of its own.
    second_path = folder / "2026-11-02-01234567-2.csv"
    assert plan_files(raw) == sorted([first_path, second_path])
    assert one.stdout.splitlines()[0] == f"wrote {first_path}"
    assert two.stdout.splitlines()[0] == f"wrote {second_path}"
    assert [r["contact"] for r in read_plan(second_path)] == ["Cy Diaz"]
    assert "ANN LEE: already in plan 2026-11-02-01234567; left out" in two.stderr
    # Everyone already planned: nothing to write.
    three = plan(tmp_path, "--member", "bob", "--contacts", str(first))
    assert three.returncode == 1
    assert "no contact left" in three.stderr
    assert plan_files(raw) == sorted([first_path, second_path])


def test_seed_and_created_default_to_a_random_seed_and_today(tmp_path: Path, raw: Path) -> None:
    contacts = contacts_csv(tmp_path, "contact\nAnn\n")
    seeds = set()
    for member in ("a", "b"):
        before = dt.date.today()
        done = plan(tmp_path, "--member", member, "--contacts", str(contacts))
        assert done.returncode == 0, done.stderr
        (row,) = read_plan(next((raw / member / "plans").iterdir()))
        assert row["created"] in {before.isoformat(), dt.date.today().isoformat()}
        assert len(row["seed"]) == 32 and set(row["seed"]) <= set("0123456789abcdef")
        seeds.add(row["seed"])
    assert len(seeds) == 2


# -- Bad input: one line, exit 1, nothing written ------------------------------------------


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no_contact", "no contact found"),
        ("no_contact_column", "contact"),
        ("unknown_arms", "--arms"),
        ("one_arm", "--arms"),
        ("bad_seed", "--seed"),
        ("short_seed", "--seed"),
        ("bad_created", "--created"),
        ("missing_file", "missing.csv"),
        ("not_utf8", "UTF-8"),
        ("folder_as_file", "folder.csv"),
        ("missing_raw", "raw folder"),
        ("blank_member", "--member"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_no_file(
    tmp_path: Path, raw: Path, case: str, message: str
) -> None:
    good = contacts_csv(tmp_path, "contact\nAnn\n")
    options = {"--member": "alice", "--contacts": str(good), "--raw": str(raw)}
    if case == "no_contact":
        options["--contacts"] = str(contacts_csv(tmp_path, "contact,relationship\n,friend\n\n"))
    elif case == "no_contact_column":
        options["--contacts"] = str(contacts_csv(tmp_path, "email,phone\na@b.c,1\n"))
    elif case == "unknown_arms":
        options["--arms"] = "job+advice"
    elif case == "one_arm":
        options["--arms"] = "reference"
    elif case == "bad_seed":
        options["--seed"] = SEED.upper()
    elif case == "short_seed":
        options["--seed"] = SEED[:-1]
    elif case == "bad_created":
        options["--created"] = "02/11/2026"
    elif case == "missing_file":
        options["--contacts"] = str(tmp_path / "missing.csv")
    elif case == "not_utf8":
        options["--contacts"] = str(tmp_path / "latin1.csv")
        (tmp_path / "latin1.csv").write_bytes("contact\nJosé\n".encode("latin-1"))
    elif case == "folder_as_file":
        (tmp_path / "folder.csv").mkdir()
        options["--contacts"] = str(tmp_path / "folder.csv")
    elif case == "missing_raw":
        options["--raw"] = str(tmp_path / "no-such-raw")
    elif case == "blank_member":
        options["--member"] = "   "
    args = [item for pair in options.items() for item in pair]
    done = asklab(tmp_path, "plan", *args)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert message in lines[0]
    assert plan_files(raw) == []
    assert not (tmp_path / "no-such-raw").exists()


# -- Start-up cost ----------------------------------------------------------------------------


def test_plan_imports_no_prefect_altair_or_scipy(tmp_path: Path, raw: Path) -> None:
    contacts = contacts_csv(tmp_path, "contact\nAnn\nBo\n")
    script = io.StringIO()
    script.write("import sys\nfrom asklab.cli import main\n")
    script.write(
        f"code = main(['plan', '--member', 'alice', '--contacts', {str(contacts)!r}, "
        f"'--raw', {str(raw)!r}])\n"
    )
    script.write(
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'prefect', 'altair', 'scipy', 'statsmodels'})\n"
        "print('HEAVY', heavy, code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script.getvalue()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY [] 0"
    assert len(plan_files(raw)) == 1
