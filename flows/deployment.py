"""The weekly flow as a scheduled Prefect deployment (`asklab serve`).

Kept apart from the flow: the schedule and its parameters are configuration,
the flow is logic.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from asklab.settings import Settings
from flows.weekly_analysis import weekly_analysis

DEPLOYMENT_NAME = "weekly"


def deployment_parameters(settings: Settings) -> dict[str, object]:
    """Flow parameters for scheduled runs: the settings as JSON, paths absolute;
    ``as_of`` is left out so each run uses its own day."""
    values = {
        name: str(value.resolve()) if isinstance(value, Path) else value
        for name, value in dataclasses.asdict(settings).items()
        if name != "as_of"
    }
    return {"settings": values}


def build_deployment(settings: Settings, *, name: str = DEPLOYMENT_NAME) -> RunnerDeployment:
    return weekly_analysis.to_deployment(
        name=name,
        schedules=[Cron(settings.schedule, timezone=settings.resolved_timezone())],
        parameters=deployment_parameters(settings),
        description="asklab weekly run: ingest the raw files, compute outcomes, write reports.",
        tags=["asklab"],
        # The flows package is installed with asklab, so the runner imports it
        # by module name whatever folder it was started from.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
