"""The whole sample group as files: `sample_files` (path -> bytes) and `write_sample`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np

from asklab.sample.logs import MemberLog, SampleCall, generate_group
from asklab.sample.styles import Faults, member_files, shared_file


def sample_files(
    *, members: int = 5, weeks: int = 8, seed: int = 7, end: dt.date
) -> dict[str, bytes]:
    """Every file of the sample group: relative POSIX path -> bytes."""
    group = generate_group(members=members, weeks=weeks, seed=seed, end=end)

    # The first two members logged some calls at cohort sessions, in a shared
    # file with a member column instead of their own folders.
    shared_calls: list[SampleCall] = []
    logs: list[MemberLog] = []
    for log in group:
        # Calls to planned contacts stay in the member's own log (and the
        # draws below see the same calls as in a group without plans).
        own = [c for c in log.calls if c.plan_id is None]
        if log.index < 2 and own:
            rng = np.random.default_rng([seed, log.index, 1])
            moved = rng.random(len(own)) < 0.15
            moved[int(rng.integers(len(own)))] = True
            shared_calls += [c for c, m in zip(own, moved, strict=True) if m]
            kept = iter(not m for m in moved)
            log = replace(
                log, calls=tuple(c for c in log.calls if c.plan_id is not None or next(kept))
            )
        logs.append(log)

    files: dict[str, bytes] = {}
    first_of_style = {
        style: min(g.index for g in logs if g.style == style) for style in {g.style for g in logs}
    }
    created = dt.datetime.combine(end, dt.time(18, 0))
    for log in logs:
        first = first_of_style[log.style] == log.index
        faults = Faults(
            duplicate=first and log.style == "plain",
            oddities=first and log.style == "plain",
            bad_count=first and log.style == "nested",
            bad_ask=first and log.style == "month_names",
            bad_date=first and log.style == "day_first",
        )
        rng = np.random.default_rng([seed, log.index, 2])
        files.update(member_files(log, faults, rng, created))
        files.update(plan.file() for plan in log.plans)
    if shared_calls:
        files["shared/cohort_log.csv"] = shared_file(shared_calls)
    return dict(sorted(files.items()))


def write_sample(
    out_dir: Path,
    *,
    members: int = 5,
    weeks: int = 8,
    seed: int = 7,
    end: dt.date | None = None,
) -> list[Path]:
    """Write a synthetic job-search group below ``out_dir``; return the files written.

    Calls span ``weeks`` weeks ending at ``end`` (default today); no date is
    after ``end``. Existing files of the same names are overwritten; nothing
    else in ``out_dir`` is touched.
    """
    files = sample_files(members=members, weeks=weeks, seed=seed, end=end or dt.date.today())
    written: list[Path] = []
    for relative, data in files.items():
        path = Path(out_dir, *relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
