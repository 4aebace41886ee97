"""`asklab validate`: check files and folders against the contract, no warehouse.

Walks the paths given (files, or folders as the loader would), validates each
file with the loader's own code (:func:`asklab.ingest.validate.validate_file`),
applies the checks across plan files, and reports problems as
``FILE:LINE: COLUMN: REASON``, then notices, then a count line.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from asklab.ingest.cells import show
from asklab.ingest.dates import (
    DateOrder,
)
from asklab.ingest.discover import INPUT_SUFFIXES, discover, folder_member
from asklab.ingest.plan_files import check_plans_across_files
from asklab.ingest.read import (
    FileError,
    read_file,
)
from asklab.ingest.row_schemas import NO_COLUMN
from asklab.ingest.validate import validate_read
from asklab.keys import SLUG_MAX_CHARS, member_slug, member_slugs


@dataclass(frozen=True)
class Problem:
    """One line of ``asklab validate`` output."""

    file: str
    line: int
    column: str
    reason: str
    sheet: str | None = None

    def format(self) -> str:
        where = f"{self.file}[{self.sheet}]" if self.sheet is not None else self.file
        return f"{where}:{self.line}: {self.column}: {self.reason}"


@dataclass(frozen=True)
class NoticeLine:
    """One notice of ``asklab validate``: ``FILE: notice: TEXT``."""

    file: str
    text: str

    def format(self) -> str:
        return f"{self.file}: notice: {self.text}"


@dataclass
class PathsReport:
    """What ``asklab validate`` found: problems, notices and counts.

    ``files_checked`` counts the input files read or tried (ignored files are
    not counted); ``rows_loadable`` the rows that would load.
    """

    problems: list[Problem] = field(default_factory=list)
    notices: list[NoticeLine] = field(default_factory=list)
    files_checked: int = 0
    rows_loadable: int = 0

    @property
    def rejects_anything(self) -> bool:
        """Whether a row or a file would be rejected (notices alone do not count)."""
        return bool(self.problems)

    def summary(self) -> str:
        return (
            f"{_count(self.files_checked, 'file')} checked: "
            f"{_count(self.rows_loadable, 'row')} would load, "
            f"{_count(len(self.problems), 'problem')}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def validate_paths(
    paths: Sequence[Path | str],
    raw_root: Path,
    *,
    as_of: dt.date,
    date_order: DateOrder = "month-first",
) -> list[Problem]:
    """The problems of :func:`check_paths` (kept for callers of the v1 API)."""
    return check_paths(paths, raw_root, as_of=as_of, date_order=date_order).problems


def check_paths(
    paths: Sequence[Path | str],
    raw_root: Path,
    *,
    as_of: dt.date,
    date_order: DateOrder = "month-first",
) -> PathsReport:
    """Problems, notices and counts of the given files and folders, for ``asklab validate``.

    A folder is searched like the raw root (:func:`discover`). A file's
    member folder is taken relative to ``raw_root`` when the file lies below
    it, else relative to the folder argument it was found in, else (a file
    named directly) it is the file's parent folder. Each file is read and
    validated as a run would (``read_file`` + :func:`validate_read`).
    Problems come per file in argument/discovery order, then by sheet and
    line; a folder that cannot be listed is a problem too (its files would be
    in error). Notices (ignored files and columns, skipped sheets, broken
    links, relationships counted as other, member page names) reject nothing.
    """
    report = PathsReport()
    seen: set[Path] = set()
    first_file_of_member: dict[str, str] = {}
    per_file: dict[str, list[Problem]] = {}
    plan_rows: list[pl.DataFrame] = []
    for shown_file, found_in in _expand_paths(paths, report):
        resolved = shown_file.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        below = _below(shown_file, raw_root, found_in)
        source_file = below if below is not None else shown_file.name
        member_folder = (
            folder_member(below) if below is not None else (resolved.parent.name or None)
        )
        shown = str(shown_file)
        report.files_checked += 1
        problems = per_file.setdefault(shown, [])
        try:
            file_read = read_file(shown_file, source_file)
            result = validate_read(
                file_read, member_folder=member_folder, as_of=as_of, date_order=date_order
            )
        except FileError as exc:
            problems.append(Problem(shown, exc.line or 1, NO_COLUMN, exc.reason))
            continue
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror or exc}"
            problems.append(Problem(shown, 1, NO_COLUMN, reason))
            continue
        problems.extend(
            Problem(shown, row["line"], row["column"], row["reason"], row["sheet"])
            for row in result.rejected.iter_rows(named=True)
        )
        report.notices.extend(NoticeLine(shown, text) for text in result.notices)
        report.rows_loadable += result.calls.height + result.events.height
        plan_rows.append(result.plans.with_columns(source_file=pl.lit(shown, pl.String)))
        for member in (*result.calls["member"], *result.events["member"], *result.plans["member"]):
            first_file_of_member.setdefault(member, shown)
    report.rows_loadable += _check_plans_across_files(plan_rows, per_file)
    report.problems.extend(problem for problems in per_file.values() for problem in problems)
    report.notices.extend(_member_slug_notices(first_file_of_member))
    report.notices.sort(key=lambda n: n.file)  # stable: a file's notices stay in order
    return report


def _check_plans_across_files(
    plan_rows: list[pl.DataFrame], per_file: dict[str, list[Problem]]
) -> int:
    """The plan checks across the files given (as a run makes them, with the
    files in path order): a plan_id clash replaces the file's problems by
    the file-level error; a contact already in an earlier plan is a problem
    of its line. Returns the plan rows that would load."""
    if not plan_rows:
        return 0
    rows = pl.concat(plan_rows, how="vertical")
    across = check_plans_across_files(rows)
    for file, reason in across.errors.items():
        first_line = rows.filter(pl.col("source_file") == file)["source_line"].min()
        per_file[file] = [Problem(file, int(first_line or 1), NO_COLUMN, reason)]
    for row in across.rejected.iter_rows(named=True):
        problems = per_file[row["source_file"]]
        problems.append(
            Problem(row["source_file"], row["line"], row["column"], row["reason"], row["sheet"])
        )
        sheets = list(dict.fromkeys(p.sheet for p in problems))
        problems.sort(key=lambda p: (sheets.index(p.sheet), p.line))
    return sum(across.accepted.values())


def _member_slug_notices(first_file_of_member: dict[str, str]) -> list[NoticeLine]:
    """Notices for members whose page name is not their plain slug (empty, shared, cut)."""
    slugs = member_slugs(first_file_of_member)
    plain_users: dict[str, list[str]] = {}
    for key in first_file_of_member:
        plain_users.setdefault(member_slug(key), []).append(key)
    notices: list[NoticeLine] = []
    for key, file in first_file_of_member.items():
        plain, slug = member_slug(key), slugs[key]
        if not plain:
            text = (
                f"member {show(key)} has no letter a-z or digit for a page name; "
                f"its pages are named {slug!r}"
            )
        elif slug != plain:
            others = ", ".join(show(k) for k in plain_users[plain] if k != key)
            text = (
                f"member {show(key)} has the page name {plain!r} of {others} too; "
                f"its pages are named {slug!r}"
            )
        elif len(plain) == SLUG_MAX_CHARS and len(key) > SLUG_MAX_CHARS:
            text = f"member {show(key)} has a long name; its pages are named {slug!r}"
        else:
            continue
        notices.append(NoticeLine(file, text))
    return notices


def _expand_paths(
    paths: Sequence[Path | str], report: PathsReport
) -> list[tuple[Path, Path | None]]:
    """(file as shown to the user, folder argument it was found in) per input file.

    Discovery notices go to ``report.notices``; a folder that cannot be
    listed, a path that is not there and a named file of another type to
    ``report.problems``.
    """
    files: list[tuple[Path, Path | None]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            try:
                found = discover(path)
            except FileNotFoundError as exc:
                report.problems.append(Problem(str(given), 1, NO_COLUMN, str(exc)))
                continue
            files.extend((file, path) for file in found.files)
            report.notices.extend(NoticeLine(str(n.path), n.text) for n in found.notices)
            report.problems.extend(
                Problem(str(f.path), 1, NO_COLUMN, f.reason) for f in found.unreadable_folders
            )
        elif path.is_file():
            if path.name.lower().endswith(INPUT_SUFFIXES):
                files.append((path, None))
            else:
                reason = f"not an input file ({', '.join(INPUT_SUFFIXES)})"
                report.problems.append(Problem(str(given), 1, NO_COLUMN, reason))
        elif path.is_symlink():
            report.problems.append(Problem(str(given), 1, NO_COLUMN, "broken link"))
        else:
            report.problems.append(Problem(str(given), 1, NO_COLUMN, "no such file or folder"))
    return files


def _below(file: Path, raw_root: Path, found_in: Path | None) -> str | None:
    """The file's name relative to the raw root, else to the folder it was found in.

    Compared through links first (a file reached through a link below the
    root keeps that path), then with both sides resolved.
    """
    for folder in (raw_root, found_in):
        if folder is None:
            continue
        for path, base in (
            (Path(os.path.abspath(file)), Path(os.path.abspath(folder))),
            (file.resolve(), folder.resolve()),
        ):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
    return None
