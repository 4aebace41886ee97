"""The command line: help texts, option parsing, exit codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from asklab.cli import build_parser, main, settings_for

SUBCOMMAND_OPTIONS = {
    "run": ["--raw", "--db", "--reports", "--as-of", "--window", "--date-order", "--quiet"],
    "validate": ["PATH", "--raw", "--as-of", "--date-order"],
    "serve": ["--raw", "--db", "--reports", "--cron", "--timezone", "--window", "--name"],
    "sample": ["DIR", "--members", "--weeks", "--seed", "--end"],
}


def help_text(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_every_command(capsys):
    text = help_text(capsys, ["--help"])
    for command in SUBCOMMAND_OPTIONS:
        assert command in text
    assert "--config" in text


@pytest.mark.parametrize("command", sorted(SUBCOMMAND_OPTIONS))
def test_subcommand_help_explains_each_option(capsys, command: str):
    text = help_text(capsys, [command, "--help"])
    for option in SUBCOMMAND_OPTIONS[command]:
        assert option in text, f"{command} --help does not mention {option}"
    # Every option of the command carries an explanation.
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    for action in subparsers.choices[command]._actions:
        assert action.help, f"{command}: {action.option_strings or action.dest} has no help"


def test_command_line_wins_over_config(tmp_path: Path, monkeypatch):
    (tmp_path / "asklab.toml").write_text('raw = "inbox"\nwindow = 30\ndate_order = "day-first"\n')
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["run", "--window", "14", "--as-of", "2026-03-02"])
    settings = settings_for(args)
    assert settings.raw == (tmp_path / "inbox").resolve()
    assert settings.window == 14
    assert settings.date_order == "day-first"
    assert settings.as_of == dt.date(2026, 3, 2)


def test_bad_option_values_are_usage_errors(capsys):
    for argv in (["run", "--window", "-3"], ["run", "--as-of", "03/02/2026"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
    assert "expected YYYY-MM-DD" in capsys.readouterr().err


def test_bad_config_is_reported_with_its_file(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / "asklab.toml").write_text("windw = 3\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "asklab.toml" in err and "windw" in err


def test_validate_prints_exactly_the_known_problems_and_exits_1(tmp_path: Path, capsys):
    raw = tmp_path / "raw"
    (raw / "alice").mkdir(parents=True)
    (raw / "alice" / "calls.csv").write_text(
        "date,who,ask,agreed\n"
        "2026-03-02,Ann Lee,reference,yes\n"
        "2026-03-03,Bo Chen,jbo,\n"
        "\n"
        "2026-13-01,Cy Diaz,job,maybe\n",
        encoding="utf-8",
    )
    (raw / "alice" / "events.csv").write_text(
        "date,who,type,n\n2026-03-09,Ann Lee,lead,two\n", encoding="utf-8"
    )
    (raw / "loose.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    code = main(["validate", str(raw), "--raw", str(raw), "--as-of", "2026-11-26"])

    lines = capsys.readouterr().out.splitlines()
    calls, events, loose = (
        raw / "alice" / "calls.csv",
        raw / "alice" / "events.csv",
        raw / "loose.csv",
    )
    assert code == 1
    # Line 5: the blank line 4 is counted, as an editor shows it.
    assert [line.split(": ")[0:2] for line in lines[:-1]] == [
        [f"{calls}:3", "ask_type"],
        [f"{calls}:5", "call_date"],
        [f"{calls}:5", "agreed_reference"],
        [f"{events}:2", "count"],
        [f"{loose}:1", "-"],
    ]
    assert "did you mean 'job'?" in lines[0]
    assert lines[-1] == "3 files checked: 1 row would load, 5 problems"


def test_validate_exits_0_on_clean_files(tmp_path: Path, capsys):
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "calls.csv").write_text(
        "call_date,contact,ask_type\n2026-03-02,Ann Lee,reference + intro\n", encoding="utf-8"
    )
    assert main(["validate", str(tmp_path), "--raw", str(tmp_path), "--as-of", "2026-11-26"]) == 0
    assert capsys.readouterr().out == "1 file checked: 1 row would load, 0 problems\n"


def test_validate_prints_notices_after_problems_and_notices_alone_exit_0(tmp_path: Path, capsys):
    import xlsxwriter

    raw = tmp_path / "raw"
    (raw / "alice").mkdir(parents=True)
    (raw / "alice" / "calls.csv").write_text(
        "date;who;ask;Agred;Mood\n2026-03-02;Ann Lee;ref;y;ok\n2026-03-03;Bo;job;n;meh\n",
        encoding="utf-8",
    )
    (raw / "alice" / "notes.txt").write_text("not a table\n", encoding="utf-8")
    (raw / "alice" / ".hidden.csv").write_text("x\n", encoding="utf-8")
    (raw / "alice" / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    book = xlsxwriter.Workbook(str(raw / "alice" / "book.xlsx"))
    book.add_worksheet("Lookup").write_row(0, 0, ["colour"])
    calls = book.add_worksheet("Calls")
    calls.write_row(0, 0, ["date", "name", "ask"])
    calls.write_row(1, 0, ["2026-03-04", "Cy", "advice"])
    book.close()

    argv = ["validate", str(raw), "--raw", str(raw), "--as-of", "2026-11-26"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    alice = raw / "alice"
    assert lines == [
        f"{alice}/book.xlsx: notice: sheet 'Lookup': no recognised header: row 1 has no "
        "ask_type column (a calls table), no event_type column (an events table) and no "
        "arm column (a plan table); found 'colour'; sheet skipped",
        f"{alice}/calls.csv: notice: columns not in the contract are ignored: 'Agred', "
        "'Mood'; 'Agred': did you mean 'agreed_reference'?",
        f"{alice}/gone.csv: notice: broken link: '{tmp_path}/nowhere.csv' does not exist",
        f"{alice}/notes.txt: notice: not an input file (.csv, .tsv, .xlsx, .xlsm, .xls, "
        ".ods); ignored",
        "2 files checked: 3 rows would load, 0 problems",
    ]

    (alice / "events.csv").write_text("date,who,type\n2026-03-05,Ann,intreview\n")
    assert main(argv) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{alice}/events.csv:2: event_type: unknown event type 'intreview'; "
        "did you mean 'interview'?"
    )
    assert lines[1].startswith(f"{alice}/book.xlsx: notice: ")
    assert lines[-1] == "3 files checked: 3 rows would load, 1 problem"


def test_validate_reports_member_names_without_a_plain_page_name(tmp_path: Path, capsys):
    import hashlib

    long_name = "x" * 253
    for folder in ("Дмитрий", "alice smith", "alice-smith", long_name):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "calls.csv").write_text(
            "date,who,ask\n2026-03-02,Ann,job\n", encoding="utf-8"
        )
    argv = ["validate", str(tmp_path), "--raw", str(tmp_path), "--as-of", "2026-11-26"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()

    def hex8(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()[:8]

    space, dash = hex8("alice smith"), hex8("alice-smith")
    assert lines == [
        f"{tmp_path}/alice smith/calls.csv: notice: member 'alice smith' has the page name "
        f"'alice-smith' of 'alice-smith' too; its pages are named 'alice-smith-{space}'",
        f"{tmp_path}/alice-smith/calls.csv: notice: member 'alice-smith' has the page name "
        f"'alice-smith' of 'alice smith' too; its pages are named 'alice-smith-{dash}'",
        f"{tmp_path}/{long_name}/calls.csv: notice: member '{'x' * 60}…' has a long name; "
        f"its pages are named '{'x' * 60}'",
        f"{tmp_path}/Дмитрий/calls.csv: notice: member 'дмитрий' has no letter a-z or digit "
        f"for a page name; its pages are named 'member-{hex8('дмитрий')}'",
        "4 files checked: 4 rows would load, 0 problems",
    ]


def test_validate_names_a_folder_it_cannot_list_as_a_problem(tmp_path: Path, capsys, monkeypatch):
    # Tests run as root, which lists any folder: the refusal is simulated.
    import asklab.ingest.discover as module

    (tmp_path / "bob").mkdir()
    real_list = module.list_folder

    def list_folder(folder: Path):
        if folder == tmp_path / "bob":
            raise PermissionError(13, "Permission denied", str(folder))
        return real_list(folder)

    monkeypatch.setattr(module, "list_folder", list_folder)
    argv = ["validate", str(tmp_path), "--raw", str(tmp_path), "--as-of", "2026-11-26"]
    assert main(argv) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path}/bob:1: -: folder cannot be read: Permission denied",
        "0 files checked: 0 rows would load, 1 problem",
    ]


def test_validate_a_file_without_read_permission_is_a_problem(tmp_path: Path, capsys, monkeypatch):
    # Tests run as root, which reads any file: the refusal is simulated.
    path = tmp_path / "bob" / "calls.csv"
    path.parent.mkdir()
    path.write_text("date,who,ask\n2026-03-02,Ann,job\n", encoding="utf-8")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    argv = ["validate", str(tmp_path), "--raw", str(tmp_path), "--as-of", "2026-11-26"]
    assert main(argv) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:1: -: cannot read the file: Permission denied",
        "1 file checked: 0 rows would load, 1 problem",
    ]
