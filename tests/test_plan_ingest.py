"""Plan tables in validation (CONTRACT.md sections 1, 7.1, 7.2) and in ``asklab validate``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from asklab.cli import main
from asklab.ingest.check import check_paths
from asklab.ingest.read import FileError
from asklab.ingest.validate import validate_file
from tests.support.plan_files import (
    HEADER,
    OTHER_SEED,
    SEED,
    expected_arm,
    other_arm,
    plan_lines,
    write_plan_file,
)

AS_OF = dt.date(2026, 4, 1)
CONTACTS = [("John Smith", "friend"), ("Ann Lee", "colleague"), ("Bo", "friend"), ("Cy", "")]


def validate(path: Path, raw: Path, as_of: dt.date = AS_OF):
    return validate_file(path, raw, as_of=as_of)


def rejected(result) -> list[tuple]:
    return [
        (r["line"], r["column"], r["value"], r["reason"])
        for r in result.rejected.iter_rows(named=True)
    ]


def test_a_plan_file_loads_every_row_with_the_rules_arms(tmp_path: Path) -> None:
    path = write_plan_file(tmp_path, "alice/plans/p1.csv", plan_lines("p1", "2026-03-01", CONTACTS))
    result = validate(path, tmp_path)
    assert rejected(result) == []
    assert result.calls.height == result.events.height == 0
    rows = result.plans.sort("source_line").to_dicts()
    assert [(r["contact"], r["contact_key"], r["relationship"], r["arm"]) for r in rows] == [
        (c, c.lower(), r or "unknown", expected_arm(CONTACTS, c)) for c, r in CONTACTS
    ]
    first = rows[0]
    assert (first["plan_id"], first["member"], first["created"], first["seed"], first["arms"]) == (
        "p1",
        "alice",
        dt.date(2026, 3, 1),
        SEED,
        "job+reference",
    )
    assert [r["source_line"] for r in rows] == [2, 3, 4, 5]
    assert {r["source_file"] for r in rows} == {"alice/plans/p1.csv"}


def test_the_member_comes_from_the_folder_without_a_member_column(tmp_path: Path) -> None:
    lines = [line.rsplit(",", 1)[0] for line in plan_lines("p1", "2026-03-01", CONTACTS)]
    header = HEADER.rsplit(",", 1)[0]
    path = write_plan_file(tmp_path, "Bob Jones/p1.csv", lines, header=header)
    assert set(validate(path, tmp_path).plans["member"]) == {"bob jones"}


def test_synonyms_and_case_in_header_and_cells(tmp_path: Path) -> None:
    contacts = [("John Smith", "friend"), ("Ann Lee", "friend")]
    arms = {c: expected_arm(contacts, c) for c, _ in contacts}
    cells = {"job": "Job Lead", "reference": "REF"}
    lines = [
        f"p1,2026-03-01,{SEED}, Job + Reference ,{c},{r},{cells[arms[c]]},Alice"
        for c, r in contacts
    ]
    header = "Plan ID,Created,Seed,Arms,Name,Relationship,Arm,Member"
    path = write_plan_file(tmp_path, "alice/p1.csv", lines, header=header)
    result = validate(path, tmp_path)
    assert rejected(result) == []
    assert result.plans["arm"].to_list() == [arms["John Smith"], arms["Ann Lee"]]
    assert set(result.plans["arms"]) == {"job+reference"}


def test_a_contact_repeated_in_a_plan_is_rejected_on_its_line(tmp_path: Path) -> None:
    contacts = [*CONTACTS, (" john  SMITH ", "friend")]
    lines = plan_lines("p1", "2026-03-01", contacts)
    path = write_plan_file(tmp_path, "alice/p1.csv", [lines[0], "", *lines[1:]])
    result = validate(path, tmp_path)
    # header line 1, John line 2, a blank line 3, the repeat on line 7
    assert rejected(result) == [(7, "contact", "john  SMITH", "contact already in this plan")]
    assert result.plans.height == 4
    assert result.rows_rejected == 1


def test_an_edited_arm_is_a_file_error_naming_the_first_edited_contact(tmp_path: Path) -> None:
    arm_bo = expected_arm(CONTACTS, "Bo")
    arm_cy = expected_arm(CONTACTS, "Cy")
    edited = {"Bo": other_arm(arm_bo), "Cy": other_arm(arm_cy)}
    lines = plan_lines("p1", "2026-03-01", CONTACTS, arm_cells=edited)
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    with pytest.raises(FileError) as caught:
        validate(path, tmp_path)
    assert caught.value.line == 4
    assert "'Bo' on line 4" in caught.value.reason
    assert f"assigns {arm_bo!r}" in caught.value.reason
    assert "plans must not be edited" in caught.value.reason


def test_the_rule_counts_rejected_rows_too(tmp_path: Path) -> None:
    # Cy's row is rejected (blank member), yet its edited arm makes the file an error.
    lines = plan_lines("p1", "2026-03-01", CONTACTS)
    cy = other_arm(expected_arm(CONTACTS, "Cy"))
    lines[3] = lines[3].rsplit(",", 2)[0] + f",{cy},"
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    with pytest.raises(FileError, match=r"'Cy' on line 5.*must not be edited"):
        validate(path, tmp_path)


@pytest.mark.parametrize("cell", ["banana", "advice", ""])
def test_an_arm_naming_no_arm_of_the_plan_is_a_file_error(tmp_path: Path, cell: str) -> None:
    lines = plan_lines("p1", "2026-03-01", CONTACTS, arm_cells={"Ann Lee": cell})
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    with pytest.raises(FileError, match=r"'Ann Lee' on line 3.*must not be edited"):
        validate(path, tmp_path)


@pytest.mark.parametrize(
    ("column", "index", "value"),
    [
        ("plan_id", 0, "p2"),
        ("created", 1, "2026-03-02"),
        ("seed", 2, OTHER_SEED),
        ("arms", 3, "job+reference+introduction"),
        ("plan_id", 0, ""),
    ],
)
def test_plan_level_columns_that_differ_between_rows_are_a_file_error(
    tmp_path: Path, column: str, index: int, value: str
) -> None:
    lines = plan_lines("p1", "2026-03-01", CONTACTS)
    cells = lines[2].split(",")
    cells[index] = value
    lines[2] = ",".join(cells)
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    with pytest.raises(FileError) as caught:
        validate(path, tmp_path)
    assert caught.value.line == 4
    assert caught.value.reason.startswith(f"{column} differs between rows: ")
    assert "must be equal on every row" in caught.value.reason


def test_arms_written_with_other_case_and_spaces_are_equal(tmp_path: Path) -> None:
    lines = plan_lines("p1", "2026-03-01", CONTACTS)
    lines[1] = lines[1].replace("job+reference", "JOB + Reference")
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    assert validate(path, tmp_path).plans.height == 4


@pytest.mark.parametrize(
    ("seed", "reason"),
    [
        (SEED.upper(), "is not a seed: expected 32 lower-case hex characters"),
        (SEED[:-1], "is not a seed: expected 32 lower-case hex characters"),
        ("", "seed is required but blank"),
    ],
)
def test_a_bad_seed_rejects_every_row(tmp_path: Path, seed: str, reason: str) -> None:
    lines = [line.replace(SEED, seed) for line in plan_lines("p1", "2026-03-01", CONTACTS)]
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    result = validate(path, tmp_path)
    assert result.plans.height == 0
    assert [(r[0], r[1], r[2]) for r in rejected(result)] == [
        (line, "seed", seed) for line in (2, 3, 4, 5)
    ]
    assert all(reason in r[3] for r in rejected(result))


@pytest.mark.parametrize(
    ("arms", "reason"),
    [
        ("job", "expected two or three of job, reference, introduction"),
        ("job+advice", "expected two or three of job, reference, introduction"),
        ("reference+job", "in the order job, reference, introduction"),
        ("job+job", "expected two or three of job, reference, introduction"),
        ("job+banana", "unknown ask 'banana'"),
    ],
)
def test_bad_arms_reject_every_row(tmp_path: Path, arms: str, reason: str) -> None:
    lines = [
        line.replace("job+reference", arms) for line in plan_lines("p1", "2026-03-01", CONTACTS)
    ]
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    result = validate(path, tmp_path)
    assert result.plans.height == 0
    arms_rejections = [r for r in rejected(result) if r[1] == "arms"]
    assert [r[0] for r in arms_rejections] == [2, 3, 4, 5]
    assert all(reason in r[3] for r in arms_rejections)


@pytest.mark.parametrize(
    ("created", "as_of", "reason"),
    [
        ("2026-04-02", AS_OF, "date 2026-04-02 is after the run date 2026-04-01"),
        ("2006-03-31", AS_OF, "more than 20 years before the run date"),
        ("2026/03/01", AS_OF, "'2026/03/01' is not a YYYY-MM-DD date"),
        ("03/01/2026", AS_OF, "'03/01/2026' is not a YYYY-MM-DD date"),
        ("2026-03-01 10:00", AS_OF, "is not a YYYY-MM-DD date"),
        ("2026-02-30", AS_OF, "not a valid calendar date"),
    ],
)
def test_a_bad_created_date_rejects_every_row(
    tmp_path: Path, created: str, as_of: dt.date, reason: str
) -> None:
    path = write_plan_file(tmp_path, "alice/p1.csv", plan_lines("p1", created, CONTACTS))
    result = validate(path, tmp_path, as_of=as_of)
    assert result.plans.height == 0
    assert [(r[0], r[1], r[2]) for r in rejected(result)] == [
        (line, "created", created) for line in (2, 3, 4, 5)
    ]
    assert all(reason in r[3] for r in rejected(result))


def test_a_created_date_after_as_of_is_loaded_once_as_of_reaches_it(tmp_path: Path) -> None:
    path = write_plan_file(tmp_path, "alice/p1.csv", plan_lines("p1", "2026-04-02", CONTACTS))
    early = validate(path, tmp_path, as_of=AS_OF)
    assert early.has_future_rejections and early.earliest_future_date == dt.date(2026, 4, 2)
    assert validate(path, tmp_path, as_of=dt.date(2026, 4, 2)).plans.height == 4


def test_blank_contact_and_blank_member_reject_their_row(tmp_path: Path) -> None:
    lines = plan_lines("p1", "2026-03-01", CONTACTS)
    lines.append(f"p1,2026-03-01,{SEED},job+reference,,friend,job,Alice")
    lines[1] = lines[1].rsplit(",", 1)[0] + ","
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    result = validate(path, tmp_path)
    assert [(r[0], r[1]) for r in rejected(result)] == [(3, "member"), (6, "contact")]
    assert rejected(result)[1][3] == "contact is required but blank"
    assert result.plans["contact"].to_list() == ["John Smith", "Bo", "Cy"]


def test_a_missing_plan_column_rejects_every_row(tmp_path: Path) -> None:
    lines = [line.split(",", 1)[1] for line in plan_lines("p1", "2026-03-01", CONTACTS)]
    path = write_plan_file(tmp_path, "alice/p1.csv", lines, header=HEADER.split(",", 1)[1])
    result = validate(path, tmp_path)
    assert result.plans.height == 0
    assert {(r[1], r[3]) for r in rejected(result)} == {
        ("plan_id", "plan_id is required but the file has no plan_id column")
    }


def test_relationships_outside_the_list_are_other_with_a_notice(tmp_path: Path) -> None:
    # the rule's strata are the canonical relationships: other and colleague
    lines = plan_lines("p1", "2026-03-01", [("John Smith", "other"), ("Ann Lee", "colleague")])
    lines[0] = lines[0].replace(",other,", ",Neighbour,")
    lines[1] = lines[1].replace(",colleague,", ",co-worker,")
    path = write_plan_file(tmp_path, "alice/p1.csv", lines)
    result = validate(path, tmp_path)
    assert result.plans["relationship"].to_list() == ["other", "colleague"]
    assert any("'Neighbour'" in n for n in result.notices)


# -- asklab validate: the checks across files ------------------------------------


def test_validate_reports_a_plan_id_clash_and_contacts_of_earlier_plans(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    first = [("John Smith", "friend"), ("Ann Lee", "colleague")]
    later = [("Dee", "friend"), ("john smith", "family")]
    write_plan_file(raw, "alice/a.csv", plan_lines("p1", "2026-03-01", first))
    write_plan_file(raw, "alice/b.csv", plan_lines("p2", "2026-03-05", later, seed=OTHER_SEED))
    write_plan_file(raw, "alice/c.csv", plan_lines("p1", "2026-03-09", [("Eve", "friend")]))
    # Bob's p1 is his own: no clash.
    write_plan_file(raw, "bob/p.csv", plan_lines("p1", "2026-03-01", first, member="Bob"))
    report = check_paths([raw], raw, as_of=AS_OF)
    assert [p.format() for p in report.problems] == [
        f"{raw}/alice/b.csv:3: contact: contact already in plan p1",
        f"{raw}/alice/c.csv:2: -: plan_id 'p1' of member 'alice' is already used by "
        f"{raw}/alice/a.csv: a member's plan_ids must be unique, so this later file (in "
        "path order) is not loaded",
    ]
    assert report.rows_loadable == 2 + 1 + 2
    assert report.rejects_anything


def test_validate_exits_1_for_an_edited_plan(tmp_path: Path, capsys) -> None:
    raw = tmp_path / "raw"
    arm = other_arm(expected_arm(CONTACTS, "Ann Lee"))
    lines = plan_lines("p1", "2026-03-01", CONTACTS, arm_cells={"Ann Lee": arm})
    path = write_plan_file(raw, "alice/p1.csv", lines)
    assert main(["validate", str(path), "--raw", str(raw), "--as-of", "2026-04-01"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}:3: -: contact 'Ann Lee' on line 3 has arm {arm!r}")
    assert out[-1] == "1 file checked: 0 rows would load, 1 problem"


def test_a_plan_sheet_of_a_workbook_with_a_native_created_date(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "alice" / "plans.xlsx"
    path.parent.mkdir()
    book = xlsxwriter.Workbook(str(path))
    notes = book.add_worksheet("Notes")
    notes.write(0, 0, "colour")
    sheet = book.add_worksheet("Plan")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, name in enumerate(HEADER.split(",")):
        sheet.write(0, col, name)
    lines = plan_lines("p1", "2026-03-01", CONTACTS)
    lines.append(lines[0])  # John Smith again, on row 6
    for row, line in enumerate(lines, start=1):
        for col, cell in enumerate(line.split(",")):
            if col == 1:
                sheet.write_datetime(row, col, dt.datetime(2026, 3, 1), date_format)
            else:
                sheet.write(row, col, cell)
    book.close()
    result = validate(path, tmp_path)
    assert result.plans["source_line"].to_list() == [2, 3, 4, 5]
    assert set(result.plans["sheet"]) == {"Plan"}
    assert set(result.plans["created"]) == {dt.date(2026, 3, 1)}
    assert [(r["sheet"], r["line"], r["reason"]) for r in result.rejected.to_dicts()] == [
        ("Plan", 6, "contact already in this plan")
    ]
