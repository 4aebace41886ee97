"""The contact list of `asklab plan --contacts FILE` (CONTRACT.md section 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from asklab.plans.contacts import ContactsError, read_contacts, separator_of

LINKEDIN_NOTE = (
    '"When exporting your connection data, you may notice that some of the email '
    "addresses are missing. You will only see email addresses for connections who have "
    "allowed their connections to see or download it. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"'
)
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
LINKEDIN_ROWS = [
    'Priya,Natarajan,https://www.linkedin.com/in/priya-n,,"Acme, Inc.",Engineer,04 Dec 2026',
    "Tomás,García,https://www.linkedin.com/in/tgarcia,tg@example.com,Initech,PM,12 Nov 2026",
    ",,https://www.linkedin.com/in/unknown,,,,01 Jan 2020",
    "Lee,,https://www.linkedin.com/in/lee,,,,02 Feb 2021",
]


def linkedin_bytes(*, bom: bool, newline: str, note_lines: list[str] | None = None) -> bytes:
    lines = ["Notes:", LINKEDIN_NOTE, ""] if note_lines is None else note_lines
    text = newline.join([*lines, LINKEDIN_HEADER, *LINKEDIN_ROWS]) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_linkedin_export_as_downloaded(tmp_path: Path, bom: bool, newline: str) -> None:
    path = write(tmp_path, "Connections.csv", linkedin_bytes(bom=bom, newline=newline))
    got = read_contacts(path)
    assert [(c.name, c.key, c.relationship, c.line) for c in got.contacts] == [
        ("Priya Natarajan", "priya natarajan", "unknown", 5),
        ("Tomás García", "tomás garcía", "unknown", 6),
        ("Lee", "lee", "unknown", 8),
    ]
    assert got.notices == (f"{path}: line 7: no contact name; row skipped",)


@pytest.mark.parametrize(
    "note_lines",
    [
        [],
        ["Notes:", LINKEDIN_NOTE],
        ["Notes:", LINKEDIN_NOTE, "", "Another note, added later", ""],
        ["", ""],
    ],
)
def test_linkedin_header_is_found_by_content(tmp_path: Path, note_lines: list[str]) -> None:
    path = write(
        tmp_path, "Connections.csv", linkedin_bytes(bom=True, newline="\r\n", note_lines=note_lines)
    )
    got = read_contacts(path)
    header_line = len(note_lines) + 1
    assert [c.name for c in got.contacts] == ["Priya Natarajan", "Tomás García", "Lee"]
    assert got.contacts[0].line == header_line + 1


def test_plain_csv_with_contact_and_relationship(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "list.csv",
        "Contact , Relationship\n"
        "Ann Lee,Former Colleague\n"
        "\n"
        "Bob  Marsh,\n"
        "Cy Young,Neighbour\n"
        "  ,friend\n"
        "ann   LEE,family\n"
        "Dee,  COLLEGE buddy \n"
        "Eve,gardener\n"
        "Fay,neighbour\n",
    )
    got = read_contacts(path)
    assert [(c.name, c.key, c.relationship, c.line) for c in got.contacts] == [
        ("Ann Lee", "ann lee", "colleague", 2),
        ("Bob  Marsh", "bob marsh", "unknown", 4),
        ("Cy Young", "cy young", "other", 5),
        ("Dee", "dee", "classmate", 8),
        ("Eve", "eve", "other", 9),
        ("Fay", "fay", "other", 10),
    ]
    assert got.notices == (
        f"{path}: line 6: no contact name; row skipped",
        f"{path}: line 7: 'ann   LEE' is listed again (line 2); kept once",
        f"{path}: relationships not in the list taken as 'other': 'Neighbour', 'gardener', "
        "'neighbour'",
    )


@pytest.mark.parametrize("header", ["name", "Name", "Contact Name", "WHO", "contact"])
def test_contact_column_synonyms(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "list.csv", f"{header},notes\nAnn Lee,met at a fair\n")
    assert [c.name for c in read_contacts(path).contacts] == ["Ann Lee"]
    assert read_contacts(path).contacts[0].relationship == "unknown"


def test_title_lines_above_a_plain_header_are_passed_over(tmp_path: Path) -> None:
    path = write(tmp_path, "list.csv", "My people for March\n\nName;Relationship\nAnn;friend\n")
    got = read_contacts(path)
    assert [(c.name, c.relationship, c.line) for c in got.contacts] == [("Ann", "friend", 4)]


def test_semicolon_and_tab_separators(tmp_path: Path) -> None:
    semicolon = write(tmp_path, "a.csv", 'name;relationship\n"Lee, Ann";coworker\nBob;\n')
    assert [(c.name, c.relationship) for c in read_contacts(semicolon).contacts] == [
        ("Lee, Ann", "colleague"),
        ("Bob", "unknown"),
    ]
    tab = write(tmp_path, "b.tsv", "contact\trelationship\nAnn, Jr.\tschool\n")
    assert [(c.name, c.relationship) for c in read_contacts(tab).contacts] == [
        ("Ann, Jr.", "classmate")
    ]


def test_separator_counts_outside_quotes_only() -> None:
    assert separator_of('"a;b;c",d') == ","
    assert separator_of("a;b,c;d") == ";"
    assert separator_of("a\tb\tc,d;e") == "\t"
    assert separator_of("a;b,c") == ","  # tie
    assert separator_of("contact") == ","


def test_quoted_cells_over_several_lines_keep_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "list.csv", 'name,notes\nAnn,"two\nlines"\nBob,x\n')
    assert [(c.name, c.line) for c in read_contacts(path).contacts] == [("Ann", 2), ("Bob", 4)]


def test_xlsx_with_header_below_a_title(tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    workbook = xlsxwriter.Workbook(path)
    notes = workbook.add_worksheet("Notes")
    notes.write(0, 0, "nothing here")
    sheet = workbook.add_worksheet("People")
    sheet.write(0, 0, "People to call")
    sheet.write_row(2, 0, ["Name", "Relationship"])
    sheet.write_row(3, 0, ["Ann Lee", "Recruiter"])
    sheet.write_row(4, 0, ["", "friend"])
    sheet.write_row(5, 0, ["Bob", None])
    workbook.close()
    got = read_contacts(path)
    assert [(c.name, c.relationship, c.line) for c in got.contacts] == [
        ("Ann Lee", "recruiter", 4),
        ("Bob", "unknown", 6),
    ]
    assert got.notices == (f"{path}: row 5: no contact name; row skipped",)


def test_no_header_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "list.csv", "person,relationship\nAnn,friend\n")
    with pytest.raises(ContactsError, match=r"list\.csv: no header with a 'contact' or 'name'"):
        read_contacts(path)
    empty = write(tmp_path, "empty.csv", "")
    with pytest.raises(ContactsError, match="no header"):
        read_contacts(empty)


def test_no_usable_contact_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "Connections.csv", "Notes:\n\n" + LINKEDIN_HEADER + "\n,,u,,,,\n")
    with pytest.raises(ContactsError, match=r"Connections\.csv: no contact found"):
        read_contacts(path)


def test_unreadable_files_are_errors_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ContactsError, match=r"missing\.csv: cannot read the file"):
        read_contacts(tmp_path / "missing.csv")
    latin1 = write(tmp_path, "latin1.csv", "name\nZo\xeb\n".encode("latin-1"))
    with pytest.raises(ContactsError, match=r"latin1\.csv: not UTF-8 text \(line 2\)"):
        read_contacts(latin1)
    broken = write(tmp_path, "broken.xlsx", b"PK\x03\x04 not really a workbook")
    with pytest.raises(ContactsError, match=r"broken\.xlsx: cannot read the workbook"):
        read_contacts(broken)
    other = write(tmp_path, "list.pdf", b"%PDF")
    with pytest.raises(ContactsError, match=r"list\.pdf: not a CSV or spreadsheet"):
        read_contacts(other)
