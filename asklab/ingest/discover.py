"""Find the input files below the raw root and name them (CONTRACT.md section 1).

The member key, contact key and slug live in :mod:`asklab.keys`; they are
re-exported here for the modules that still import them from this one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from asklab.keys import (  # noqa: F401  (re-exported)
    WHITESPACE_CHARS,
    WHITESPACE_RUN_PATTERN,
    contact_key,
    member_key,
)

# Text tables and spreadsheets (v2: .tsv, .xlsm, .xls, .ods), compared in lower case.
TEXT_SUFFIXES = (".csv", ".tsv")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
INPUT_SUFFIXES = TEXT_SUFFIXES + SPREADSHEET_SUFFIXES
_SHOWN_SUFFIXES = ", ".join(INPUT_SUFFIXES)


@dataclass(frozen=True)
class Notice:
    """Something discovery left out, and why (an ignored file, a broken link, ...)."""

    path: Path  # below the raw root, through links
    source_file: str  # ``path`` relative to the raw root, ``/``-separated
    text: str


@dataclass(frozen=True)
class UnreadableFolder:
    """A folder below the raw root that could not be listed (e.g. no permission)."""

    path: Path
    source_file: str  # relative to the raw root, ``/``-separated
    reason: str

    def holds(self, source_file: str) -> bool:
        """Whether a file of this name (relative to the raw root) would lie in this folder."""
        return source_file.startswith(self.source_file + "/")


@dataclass(frozen=True)
class Discovery:
    """What lies below a raw root: the input files, notices and unlistable folders.

    ``files`` are sorted by their name relative to the root and keep the path
    through any link they were reached by. A file that was there on the last
    run and lies in one of ``unreadable_folders`` is not removed: it is a
    file-level error that keeps what it contributed.
    """

    raw_root: Path
    files: tuple[Path, ...]
    notices: tuple[Notice, ...] = ()
    unreadable_folders: tuple[UnreadableFolder, ...] = ()

    def by_source_file(self) -> dict[str, Path]:
        """source_file (relative to the root, ``/``-separated) -> path, in order."""
        return {source_name(path, self.raw_root): path for path in self.files}

    def unreadable_folder_of(self, source_file: str) -> UnreadableFolder | None:
        """The unlistable folder that would hold ``source_file``, if any."""
        return next((f for f in self.unreadable_folders if f.holds(source_file)), None)


def is_ignored_name(name: str, *, is_dir: bool) -> bool:
    """Hidden names (``.x``) are ignored; so are lock files (``~$x``), files only."""
    return name.startswith(".") or (not is_dir and name.startswith("~$"))


def is_input_file_name(name: str) -> bool:
    """An input file name (any letter case) that is not hidden or a lock file."""
    return not is_ignored_name(name, is_dir=False) and name.lower().endswith(INPUT_SUFFIXES)


def list_folder(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of one folder, sorted by name; raises ``OSError`` when it cannot be listed."""
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda e: e.name)


def discover(raw_root: Path) -> Discovery:
    """Every input file below ``raw_root`` at any depth (CONTRACT.md section 1, v2).

    Links to files and folders are followed; a folder reached a second time
    (a link loop, or two links to one folder) is read once, under the first
    name met in name order, and the other gets a notice. Hidden names and
    ``~$`` lock files are left out silently; any other file, a broken link,
    or a link to something that is neither file nor folder, gets a notice.
    A folder that cannot be listed is returned in ``unreadable_folders``.

    Raises ``FileNotFoundError`` when the root is missing or cannot be listed:
    an empty result would read as "every file was removed" to the loader.
    """
    root = Path(raw_root)
    if not root.is_dir():
        raise FileNotFoundError(f"raw data folder not found: {root}")
    try:
        top = list_folder(root)
    except OSError as exc:
        raise FileNotFoundError(
            f"raw data folder cannot be read: {root} ({exc.strerror or exc})"
        ) from exc
    files: list[tuple[str, Path]] = []
    notices: list[Notice] = []
    unreadable: list[UnreadableFolder] = []
    read_as: dict[str, str] = {os.path.realpath(root): ""}  # real folder -> name it was read as

    def walk(folder: Path, relative: str, entries: list[os.DirEntry[str]]) -> None:
        for entry in entries:
            name = entry.name
            path = folder / name
            source = f"{relative}/{name}" if relative else name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:
                is_dir = False
            if is_dir:
                real = os.path.realpath(path)
                if real in read_as:
                    first = read_as[real]
                    text = (
                        f"the same folder as {first!r} (one of them is a link); "
                        f"read once, as {first!r}"
                        if first
                        else "a link to the raw folder itself; not read again"
                    )
                    notices.append(Notice(path, source, text))
                    continue
                read_as[real] = source
                try:
                    inner = list_folder(path)
                except OSError as exc:
                    reason = f"folder cannot be read: {exc.strerror or exc}"
                    unreadable.append(UnreadableFolder(path, source, reason))
                    continue
                walk(path, source, inner)
                continue
            if name.startswith("~$"):
                continue
            if entry.is_symlink() and not path.exists():
                target = _link_target(path)
                notices.append(Notice(path, source, f"broken link: {target!r} does not exist"))
            elif not name.lower().endswith(INPUT_SUFFIXES):
                notices.append(
                    Notice(path, source, f"not an input file ({_SHOWN_SUFFIXES}); ignored")
                )
            elif not path.is_file():
                notices.append(Notice(path, source, "not a regular file; ignored"))
            else:
                files.append((source, path))

    walk(root, "", top)
    return Discovery(
        raw_root=root,
        files=tuple(path for _, path in sorted(files)),
        notices=tuple(sorted(notices, key=lambda n: n.source_file)),
        unreadable_folders=tuple(unreadable),
    )


def discover_files(raw_root: Path) -> list[Path]:
    """The input files of :func:`discover`, sorted by relative path (its notices dropped)."""
    return list(discover(raw_root).files)


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return str(path)


def source_name(path: Path, raw_root: Path) -> str:
    """The file's path relative to the raw root, ``/``-separated."""
    return path.relative_to(raw_root).as_posix()


def folder_member(source_file: str) -> str | None:
    """The first folder below the root, as written (None for a file in the root itself).

    Apply :func:`member_key` before comparing it with a member column.
    """
    parts = source_file.split("/")
    return parts[0] if len(parts) > 1 else None
