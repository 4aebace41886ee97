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
    assert [line.split(": ")[0:2] for line in lines] == [
        [f"{calls}:3", "ask_type"],
        [f"{calls}:5", "call_date"],
        [f"{calls}:5", "agreed_reference"],
        [f"{events}:2", "count"],
        [f"{loose}:1", "-"],
    ]
    assert "did you mean 'job'?" in lines[0]


def test_validate_exits_0_on_clean_files(tmp_path: Path, capsys):
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "calls.csv").write_text(
        "call_date,contact,ask_type\n2026-03-02,Ann Lee,reference + intro\n", encoding="utf-8"
    )
    assert main(["validate", str(tmp_path), "--raw", str(tmp_path), "--as-of", "2026-11-26"]) == 0
    assert capsys.readouterr().out == ""
