"""What each group's run gave, and the summary of a groups run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from asklab.groups.discover import Group
from asklab.pipeline import RunSummary, run_weekly
from asklab.settings import Settings


class GroupFailed(RuntimeError):
    """A group's run failed; the message says where and why.

    One plain message, so it survives pickling back from a Dask worker
    (``StageError`` keeps its cause as an attribute and does not).
    """


def run_group(settings: Settings) -> RunSummary:
    """One group's weekly run, exactly as ``asklab run`` on its folder does it."""
    try:
        return run_weekly(settings)
    except Exception as exc:
        raise GroupFailed(str(exc)) from None


@dataclass(frozen=True)
class GroupOutcome:
    """One group's run: its summary when it completed, else its error."""

    group: Group
    summary: RunSummary | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.summary is None

    def format(self) -> list[str]:
        name = f"group {self.group.key!r} ({self.group.slug})"
        if self.summary is None:
            return [f"{name}: FAILED: {self.error}"]
        s = self.summary.ingest
        line = (
            f"{name}: files {s.files_loaded} loaded, {s.files_unchanged} unchanged, "
            f"{s.files_removed} removed, {s.files_error} in error; "
            f"rows rejected {s.rows_rejected}"
        )
        if self.summary.outcomes_unchanged and self.summary.reports_unchanged:
            line += "; outcomes and reports unchanged"
        lines = [line]
        lines += [f"  error: {message}" for message in s.errors]
        lines += [f"  notice: {message}" for message in s.notices]
        return lines


@dataclass
class GroupsSummary:
    """A groups run: every group's outcome, the all-groups database and pages."""

    outcomes: list[GroupOutcome]
    notices: list[str] = field(default_factory=list)
    all_groups_db: Path | None = None
    pages: list[Path] = field(default_factory=list)
    cluster: str = ""

    @property
    def failed(self) -> list[GroupOutcome]:
        return [outcome for outcome in self.outcomes if outcome.failed]

    def format(self) -> str:
        done = len(self.outcomes) - len(self.failed)
        lines = [f"asklab groups run: {done} of {len(self.outcomes)} groups completed"]
        if self.cluster:
            lines.append(f"cluster: {self.cluster}")
        lines += [f"notice: {message}" for message in self.notices]
        for outcome in self.outcomes:
            lines += outcome.format()
        if self.failed:
            lines.append(f"failed groups ({len(self.failed)}):")
            lines += [f"  {o.group.key!r} ({o.group.slug}): {o.error}" for o in self.failed]
        if self.all_groups_db is not None:
            lines.append(f"all groups: {self.all_groups_db}")
        if self.pages:
            lines.append("pages written:")
            lines += [f"  {path}" for path in self.pages]
        return "\n".join(lines)
