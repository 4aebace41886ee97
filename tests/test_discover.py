"""Discovery of input files below the raw root (CONTRACT.md section 1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asklab.ingest import discover_files, folder_member, source_name
from asklab.ingest.discover import discover

SHOWN = ".csv, .tsv, .xlsx, .xlsm, .xls, .ods"


def _touch(root: Path, relative: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x\n", encoding="utf-8")


def test_discover_finds_csv_and_xlsx_at_any_depth_sorted(tmp_path: Path) -> None:
    for name in ("top.csv", "bob/2026/q1/calls.XLSX", "alice/events.csv", "alice/calls.Csv"):
        _touch(tmp_path, name)
    found = [source_name(p, tmp_path) for p in discover_files(tmp_path)]
    assert found == ["alice/calls.Csv", "alice/events.csv", "bob/2026/q1/calls.XLSX", "top.csv"]


def test_discover_ignores_hidden_names_and_lock_files_silently_other_files_with_a_notice(
    tmp_path: Path,
) -> None:
    for name in (
        "alice/calls.csv",
        "alice/.hidden.csv",
        "alice/~$calls.xlsx",
        ".git/x.csv",
        "alice/.backup/old.csv",
        "alice/notes.txt",
        "alice/calls.csv.bak",
        "~$folder/kept.csv",  # ~$ marks lock files only, not folders
    ):
        _touch(tmp_path, name)
    found = discover(tmp_path)
    assert [source_name(p, tmp_path) for p in found.files] == [
        "alice/calls.csv",
        "~$folder/kept.csv",
    ]
    assert [(n.source_file, n.text) for n in found.notices] == [
        ("alice/calls.csv.bak", f"not an input file ({SHOWN}); ignored"),
        ("alice/notes.txt", f"not an input file ({SHOWN}); ignored"),
    ]
    assert found.notices[0].path == tmp_path / "alice" / "calls.csv.bak"
    assert found.unreadable_folders == ()


def test_discover_v2_input_types_in_any_letter_case(tmp_path: Path) -> None:
    names = ["a/b.TSV", "a/c.xlsm", "a/d.XLS", "a/e.Ods", "a/f.csv", "a/g.xlsx"]
    for name in names:
        _touch(tmp_path, name)
    assert [source_name(p, tmp_path) for p in discover_files(tmp_path)] == names


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


# -- links and unreadable folders (v2) ------------------------------------------------


def test_links_to_files_and_folders_are_followed_and_keep_their_path(tmp_path: Path) -> None:
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    _touch(elsewhere, "carol/calls.csv")
    _touch(elsewhere, "loose.csv")
    _touch(raw, "alice/calls.csv")
    (raw / "carol").symlink_to(elsewhere / "carol", target_is_directory=True)
    (raw / "alice" / "linked.csv").symlink_to(elsewhere / "loose.csv")
    found = discover(raw)
    assert [source_name(p, raw) for p in found.files] == [
        "alice/calls.csv",
        "alice/linked.csv",
        "carol/calls.csv",
    ]
    assert found.files[2] == raw / "carol" / "calls.csv"  # through the link, not resolved
    assert found.by_source_file()["carol/calls.csv"] == raw / "carol" / "calls.csv"
    assert found.notices == ()


def test_a_link_loop_is_read_once_with_a_notice(tmp_path: Path) -> None:
    _touch(tmp_path, "alice/calls.csv")
    (tmp_path / "alice" / "again").symlink_to(tmp_path / "alice", target_is_directory=True)
    (tmp_path / "alice" / "root").symlink_to(tmp_path, target_is_directory=True)
    found = discover(tmp_path)
    assert [source_name(p, tmp_path) for p in found.files] == ["alice/calls.csv"]
    assert [(n.source_file, n.text) for n in found.notices] == [
        (
            "alice/again",
            "the same folder as 'alice' (one of them is a link); read once, as 'alice'",
        ),
        ("alice/root", "a link to the raw folder itself; not read again"),
    ]


def test_two_links_to_one_folder_read_it_once_under_the_first_name(tmp_path: Path) -> None:
    _touch(tmp_path, "shared/calls.csv")
    (tmp_path / "bob").symlink_to(tmp_path / "shared", target_is_directory=True)
    found = discover(tmp_path)
    assert [source_name(p, tmp_path) for p in found.files] == ["bob/calls.csv"]
    assert [(n.source_file, n.text) for n in found.notices] == [
        ("shared", "the same folder as 'bob' (one of them is a link); read once, as 'bob'")
    ]


def test_a_broken_link_gets_a_notice(tmp_path: Path) -> None:
    _touch(tmp_path, "alice/calls.csv")
    (tmp_path / "alice" / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    (tmp_path / "alice" / "gone-folder").symlink_to(tmp_path / "nowhere")
    found = discover(tmp_path)
    assert [source_name(p, tmp_path) for p in found.files] == ["alice/calls.csv"]
    assert [(n.source_file, n.text) for n in found.notices] == [
        ("alice/gone-folder", f"broken link: {str(tmp_path / 'nowhere')!r} does not exist"),
        ("alice/gone.csv", f"broken link: {str(tmp_path / 'nowhere.csv')!r} does not exist"),
    ]


def test_a_folder_that_cannot_be_listed_is_reported_not_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, which lists any folder: the failure is simulated.
    import asklab.ingest.discover as module

    _touch(tmp_path, "alice/calls.csv")
    _touch(tmp_path, "bob/2026/calls.csv")
    real_list = module.list_folder

    def list_folder(folder: Path):
        if folder == tmp_path / "bob" / "2026":
            raise PermissionError(13, "Permission denied", str(folder))
        return real_list(folder)

    monkeypatch.setattr(module, "list_folder", list_folder)
    found = discover(tmp_path)
    assert [source_name(p, tmp_path) for p in found.files] == ["alice/calls.csv"]
    [folder] = found.unreadable_folders
    assert (folder.source_file, folder.reason) == (
        "bob/2026",
        "folder cannot be read: Permission denied",
    )
    assert found.unreadable_folder_of("bob/2026/calls.csv") == folder
    assert found.unreadable_folder_of("bob/2026x/calls.csv") is None
    assert found.unreadable_folder_of("alice/calls.csv") is None


def test_an_unreadable_root_counts_as_a_missing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asklab.ingest.discover as module

    def list_folder(folder: Path):
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(module, "list_folder", list_folder)
    with pytest.raises(FileNotFoundError, match="raw data folder cannot be read"):
        discover(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any folder")
def test_a_folder_without_permission_is_reported(tmp_path: Path) -> None:
    _touch(tmp_path, "bob/calls.csv")
    (tmp_path / "bob").chmod(0)
    try:
        assert [f.source_file for f in discover(tmp_path).unreadable_folders] == ["bob"]
    finally:
        (tmp_path / "bob").chmod(0o755)
