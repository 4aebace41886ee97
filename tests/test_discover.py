"""Discovery of input files below the raw root (CONTRACT.md section 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asklab.ingest import discover_files, folder_member, source_name


def _touch(root: Path, relative: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x\n", encoding="utf-8")


def test_discover_finds_csv_and_xlsx_at_any_depth_sorted(tmp_path: Path) -> None:
    for name in ("top.csv", "bob/2026/q1/calls.XLSX", "alice/events.csv", "alice/calls.Csv"):
        _touch(tmp_path, name)
    found = [source_name(p, tmp_path) for p in discover_files(tmp_path)]
    assert found == ["alice/calls.Csv", "alice/events.csv", "bob/2026/q1/calls.XLSX", "top.csv"]


def test_discover_ignores_hidden_names_lock_files_and_other_types(tmp_path: Path) -> None:
    for name in (
        "alice/calls.csv",
        "alice/.hidden.csv",
        "alice/~$calls.xlsx",
        ".git/x.csv",
        "alice/.backup/old.csv",
        "alice/notes.txt",
        "alice/calls.xls",
        "alice/calls.csv.bak",
    ):
        _touch(tmp_path, name)
    assert [source_name(p, tmp_path) for p in discover_files(tmp_path)] == ["alice/calls.csv"]


def test_discover_skips_folders_named_like_files(tmp_path: Path) -> None:
    (tmp_path / "alice" / "folder.csv").mkdir(parents=True)
    _touch(tmp_path, "alice/folder.csv/inner.csv")
    assert [source_name(p, tmp_path) for p in discover_files(tmp_path)] == [
        "alice/folder.csv/inner.csv"
    ]


def test_discover_a_missing_root_is_an_error_not_an_empty_list(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="raw data folder not found"):
        discover_files(tmp_path / "nope")


def test_source_name_is_relative_and_slash_separated(tmp_path: Path) -> None:
    assert (
        source_name(tmp_path / "alice" / "2026" / "calls.csv", tmp_path) == "alice/2026/calls.csv"
    )


@pytest.mark.parametrize(
    ("source_file", "member"),
    [
        ("alice/2026/calls.csv", "alice"),
        ("Bob Smith/calls.xlsx", "Bob Smith"),
        ("calls.csv", None),
    ],
)
def test_folder_member_is_the_first_folder_below_the_root(
    source_file: str, member: str | None
) -> None:
    assert folder_member(source_file) == member
