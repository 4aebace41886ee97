"""The groups run as a scheduled Prefect deployment (`asklab serve --groups DIR`).

The same schedule and settings parameters as the weekly deployment
(``flows.deployment``), plus the groups folder; each scheduled run finds
the groups again, so a group added or removed counts from the next run.
"""

from __future__ import annotations

from pathlib import Path

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from asklab.settings import Settings
from flows.deployment import deployment_parameters
from flows.groups import groups_analysis


def build_groups_deployment(
    settings: Settings, groups_dir: Path, *, name: str = "weekly-groups"
) -> RunnerDeployment:
    return groups_analysis.to_deployment(
        name=name,
        schedules=[Cron(settings.schedule, timezone=settings.resolved_timezone())],
        parameters={
            **deployment_parameters(settings),
            "groups_dir": str(Path(groups_dir).resolve()),
        },
        description="asklab groups run: every group of a folder on Dask, then the groups compared.",
        tags=["asklab", "groups"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
