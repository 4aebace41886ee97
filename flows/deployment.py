"""The weekly flow as a scheduled Prefect deployment (`asklab serve`).

Kept apart from the flow: the schedule and its parameters are configuration,
the flow is logic.
"""

from __future__ import annotations

from pathlib import Path

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from asklab.settings import Settings
from flows.weekly_analysis import weekly_analysis

DEPLOYMENT_NAME = "weekly"


def deployment_parameters(settings: Settings, config: Path | None = None) -> dict[str, object]:
    """Flow parameters for scheduled runs; ``as_of`` is left out so each run uses its own day."""
    parameters: dict[str, object] = {
        "raw": str(settings.raw.resolve()),
        "db": str(settings.db.resolve()),
        "reports": str(settings.reports.resolve()),
        "window": settings.window,
        "date_order": settings.date_order,
    }
    if config is not None:
        parameters["config"] = str(config.resolve())
    return parameters


def build_deployment(
    settings: Settings, *, name: str = DEPLOYMENT_NAME, config: Path | None = None
) -> RunnerDeployment:
    return weekly_analysis.to_deployment(
        name=name,
        schedules=[Cron(settings.schedule, timezone=settings.resolved_timezone())],
        parameters=deployment_parameters(settings, config),
        description="asklab weekly run: ingest the raw files, compute outcomes, write reports.",
        tags=["asklab"],
        # The flows package is installed with asklab, so the runner imports it
        # by module name whatever folder it was started from.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
