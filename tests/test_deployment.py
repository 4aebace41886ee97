"""The schedule and parameters of `asklab serve`, without a server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from asklab.settings import Settings
from flows import weekly_analysis as weekly_flow
from flows.deployment import build_deployment, deployment_parameters
from flows.weekly_analysis import weekly_analysis


def test_flow_and_tasks_load():
    assert weekly_analysis.name == "weekly_analysis"
    tasks = [
        weekly_flow.plan_files,
        weekly_flow.read_files,
        weekly_flow.load_files,
        weekly_flow.compute_outcomes,
        weekly_flow.write_reports,
    ]
    retried = sorted(t.name for t in tasks if t.retries)
    # Only steps that do I/O without writing the warehouse are retried.
    assert retried == ["read raw files", "write reports"]


def test_deployment_carries_default_monday_schedule(tmp_path: Path):
    settings = Settings(
        raw=tmp_path / "raw",
        db=tmp_path / "w.duckdb",
        reports=tmp_path / "rep",
        as_of=dt.date(2026, 11, 26),
        timezone="Europe/Paris",
    )
    deployment = build_deployment(settings)
    assert deployment.name == "weekly"
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "0 7 * * 1"
    assert schedule.schedule.timezone == "Europe/Paris"
    parameters = deployment.parameters["settings"]
    assert parameters["raw"] == str((tmp_path / "raw").resolve())
    assert parameters["window"] == 60
    # as_of is not fixed: each scheduled run uses its own day.
    assert "as_of" not in parameters
    assert deployment.entrypoint == "flows.weekly_analysis.weekly_analysis"


def test_deployment_schedule_is_configurable(tmp_path: Path):
    settings = Settings(schedule="30 6 * * 5", timezone="UTC", window=30)
    deployment = build_deployment(settings, name="friday")
    assert deployment.name == "friday"
    assert deployment.schedules[0].schedule.cron == "30 6 * * 5"
    assert deployment.parameters["settings"]["window"] == 30


def test_local_timezone_is_resolved_to_a_zone_name():
    zone = Settings(timezone="local").resolved_timezone()
    assert zone and zone != "local"
    assert deployment_parameters(Settings())["settings"]["date_order"] == "month-first"
