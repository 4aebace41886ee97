"""The groups of a groups folder (CONTRACT section 8): one immediate subfolder each.

A group's key and slug are made from its folder name exactly as a member's
(``asklab.keys``), the hashed slug standing in for an empty one or one that
two groups share. Everything that would stop the run is found here, before
any group runs: a missing or unreadable groups folder, a group whose slug is
``all-groups`` (the all-groups pages' folder), two folders with one key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from asklab.keys import member_key, member_slugs
from asklab.settings import Settings

ALL_GROUPS_SLUG = "all-groups"
ALL_GROUPS_DB = "all_groups.duckdb"


class GroupsError(RuntimeError):
    """The groups folder cannot be run as it is; the message says why."""


@dataclass(frozen=True)
class Group:
    key: str  # the folder name as a member key: trimmed, lower-cased, spaces collapsed
    slug: str  # file-name form, unique among the groups of the run
    folder: Path  # the group's raw root, DIR/<folder name>


@dataclass(frozen=True)
class GroupsFound:
    groups: tuple[Group, ...]  # sorted by key
    notices: tuple[str, ...]  # files directly in the groups folder, ignored


def find_groups(groups_dir: Path) -> GroupsFound:
    """Every immediate subfolder of ``groups_dir`` (names starting with ``.`` left out)."""
    try:
        entries = sorted(groups_dir.iterdir(), key=lambda p: p.name)
    except FileNotFoundError:
        raise GroupsError(f"groups folder {groups_dir} does not exist") from None
    except NotADirectoryError:
        raise GroupsError(f"groups folder {groups_dir} is not a folder") from None
    except OSError as exc:
        raise GroupsError(f"groups folder {groups_dir} cannot be read: {exc}") from None
    folders: list[Path] = []
    notices: list[str] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():  # a link to a folder is followed, like a raw root's
            folders.append(entry)
        else:
            notices.append(f"{entry}: ignored: only the folders in a groups folder are groups")
    by_key: dict[str, Path] = {}
    for folder in folders:
        key = member_key(folder.name)
        if key in by_key:
            raise GroupsError(
                f"group folders {by_key[key].name!r} and {folder.name!r} make the same group "
                f"key {key!r}; rename one of them"
            )
        by_key[key] = folder
    slugs = member_slugs(by_key)
    for key, slug in slugs.items():
        if slug == ALL_GROUPS_SLUG:
            raise GroupsError(
                f"group folder {by_key[key].name!r} has the slug {ALL_GROUPS_SLUG!r}, the folder "
                "of the all-groups pages; rename it (no group was run)"
            )
    groups = tuple(Group(key, slugs[key], by_key[key]) for key in sorted(by_key))
    return GroupsFound(groups, tuple(notices))


def group_settings(base: Settings, group: Group) -> Settings:
    """The settings of one group's run: a single run's, on the group's raw root,
    warehouse ``<db_dir>/<slug>.duckdb`` and reports ``<reports>/<slug>/``."""
    return dataclasses.replace(
        base,
        raw=group.folder,
        db=base.db_dir / f"{group.slug}.duckdb",
        reports=base.reports / group.slug,
    )


def all_groups_db(base: Settings) -> Path:
    return base.db_dir / ALL_GROUPS_DB
