"""Many groups in one run (CONTRACT section 8): no Prefect, no Dask in here.

``discover`` finds the groups (one subfolder each) and gives each its key,
slug and settings; ``outcome`` holds what a group's run gave and the run's
summary; ``compare`` builds ``all_groups.duckdb`` from the groups'
warehouses, attached read-only; ``pages`` writes the all-groups page and the
index of every group; ``cluster`` checks a Dask scheduler address and sizes
the temporary local cluster; ``batches`` splits the groups into batches of
about equal size, one Dask task each. ``flows/groups.py`` wires them on Dask.
"""

from asklab.groups.compare import AllGroups, build_all_groups
from asklab.groups.discover import (
    ALL_GROUPS_SLUG,
    Group,
    GroupsError,
    GroupsFound,
    find_groups,
    group_settings,
)
from asklab.groups.outcome import GroupFailed, GroupOutcome, GroupsSummary, run_group
from asklab.groups.pages import write_all_groups_pages

__all__ = [
    "ALL_GROUPS_SLUG",
    "AllGroups",
    "Group",
    "GroupFailed",
    "GroupOutcome",
    "GroupsError",
    "GroupsFound",
    "GroupsSummary",
    "build_all_groups",
    "find_groups",
    "group_settings",
    "run_group",
    "write_all_groups_pages",
]
