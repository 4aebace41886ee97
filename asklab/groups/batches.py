"""Which groups share a Dask task: batches of about equal weight, heaviest first.

A Prefect task run on a Dask worker costs about 0.1 s of set-up (the flow's
context rebuilt in the worker, an API client of its own), a fifth of a
5,000-call group's run (docs/performance.md). So the groups flow hands a
worker a *batch* of groups per Dask task, and inside the batch each group is
still its own Prefect task run with its own failure. Batches are sized so
that the workers finish together: about ``BATCHES_PER_SLOT`` per worker
thread, each group (heaviest first) going into the lightest batch so far.
A group's weight is the size of its input files plus a fixed part for what
every run does whatever its size (open and migrate the warehouse, write the
index): an estimate, good enough to spread the work.
"""

from __future__ import annotations

import contextlib
import heapq
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from asklab.groups.discover import Group

# Enough batches per worker thread that a slow batch at the end leaves the
# others little to wait for, few enough that the set-up cost stays small.
BATCHES_PER_SLOT = 4

# What an empty group's run costs, in input bytes: an empty group takes about a
# third of the time of a 5,000-call group (555 KB of CSV) in the benchmark.
FIXED_WEIGHT = 256 * 1024


def input_bytes(folder: Path) -> int:
    """The bytes of the files below ``folder`` (links to folders not followed,
    unreadable entries left out: an estimate, never an error)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


def group_weight(group: Group) -> int:
    return FIXED_WEIGHT + input_bytes(group.folder)


def make_batches(
    groups: Sequence[Group],
    slots: int,
    *,
    per_slot: int = BATCHES_PER_SLOT,
    weight: Callable[[Group], int] = group_weight,
) -> list[tuple[Group, ...]]:
    """Split ``groups`` into at most ``slots * per_slot`` batches of about equal
    weight (never more batches than groups), heaviest batch first; within a
    batch the heaviest group runs first. Every group is in exactly one batch."""
    if not groups:
        return []
    count = max(1, min(len(groups), max(slots, 1) * per_slot))
    weights = {group.key: weight(group) for group in groups}
    heaviest_first = sorted(groups, key=lambda g: (-weights[g.key], g.key))
    # (total weight, batch number, groups): the lightest batch takes the next group.
    heap: list[tuple[int, int, list[Group]]] = [(0, number, []) for number in range(count)]
    for group in heaviest_first:
        total, number, members = heapq.heappop(heap)
        members.append(group)
        heapq.heappush(heap, (total + weights[group.key], number, members))
    filled = sorted(heap, key=lambda entry: (-entry[0], entry[1]))
    return [tuple(members) for _total, _number, members in filled if members]
