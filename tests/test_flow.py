"""The weekly Prefect flow end to end on the demo group (under prefect_test_harness)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from asklab import pipeline
from asklab.keys import member_slug
from asklab.outcomes import build as outcomes_build
from asklab.settings import Settings
from flows.weekly_analysis import weekly_analysis

AS_OF = "2026-11-26"  # ISO week 2026-W48
TABLES = (
    "calls",
    "events",
    "call_outcomes",
    "outcomes_by_strategy",
    "strategy_comparison",
    "rejected_rows",
    "load_log",
)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in TABLES
        }


def run_flow(raw: Path, tmp_path: Path, **extra):
    settings = Settings(
        raw=raw,
        db=tmp_path / "warehouse.duckdb",
        reports=tmp_path / "reports",
        as_of=dt.date.fromisoformat(AS_OF),
        **extra,
    )
    return weekly_analysis(settings)


@pytest.mark.usefixtures("prefect_harness")
def test_flow_writes_index_group_and_member_pages(demo_copy: Path, tmp_path: Path):
    summary = run_flow(demo_copy, tmp_path)

    reports = tmp_path / "reports"
    assert (reports / "index.html").is_file()
    assert (reports / "2026-W48" / "group.html").is_file()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        members = [row[0] for row in con.execute("SELECT DISTINCT member FROM calls").fetchall()]
        calls = con.execute("SELECT count(*) FROM calls").fetchone()[0]
        statuses = con.execute("SELECT DISTINCT status FROM load_log").fetchall()
        planned = con.execute("SELECT count(*) FROM plan_rows").fetchone()[0]
    assert len(members) >= 5
    member_pages = sorted(p.name for p in (reports / "2026-W48" / "members").iterdir())
    assert member_pages == sorted(f"{member_slug(m)}.html" for m in members)
    assert calls > 0
    assert statuses == [("loaded",)]
    assert planned > 0  # the demo's plans load
    assert summary.ingest.files_loaded == len(list(demo_copy.rglob("*.csv"))) + len(
        list(demo_copy.rglob("*.xlsx"))
    )
    assert set(summary.reports) >= {reports / "index.html", reports / "2026-W48" / "group.html"}
    # Every page went to the tmp folder given, none into the repository's own.
    assert all(path.is_relative_to(reports) for path in summary.reports)


@pytest.mark.usefixtures("prefect_harness")
def test_failing_stage_fails_the_flow_and_leaves_the_warehouse(
    demo_copy: Path, tmp_path: Path, monkeypatch
):
    run_flow(demo_copy, tmp_path)
    before = snapshot(tmp_path / "warehouse.duckdb")

    # A changed file gives the ingest stage something to write before the failure.
    calls_file = next(demo_copy.rglob("*.csv"))
    calls_file.write_text(calls_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(outcomes_build, "outcome_parts", broken)
    with pytest.raises(pipeline.StageError) as failure:
        run_flow(demo_copy, tmp_path)
    assert failure.value.stage == "outcomes"
    assert "stage 'outcomes' failed" in str(failure.value)
    assert "disk on fire" in str(failure.value)
    assert snapshot(tmp_path / "warehouse.duckdb") == before


def test_cli_run_prints_summary_and_exits_zero(demo_copy: Path, tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "asklab.toml").write_text(
        f'raw = "{demo_copy}"\ndb = "w.duckdb"\nreports = "reports"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    result = subprocess.run(
        [sys.executable, "-m", "asklab", "run", "--as-of", AS_OF],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout and "rows rejected" in result.stdout
    assert str(project / "reports" / "2026-W48" / "group.html") in result.stdout
    # Prefect's state for this run lives inside the project, not in ~/.prefect.
    assert (project / ".prefect").is_dir()


def test_cli_run_fails_with_the_stage_named(tmp_path: Path):
    (tmp_path / "raw").mkdir()
    # The warehouse path is a folder: the ingest stage cannot open it.
    (tmp_path / "w.duckdb").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "asklab",
            "run",
            "--raw",
            "raw",
            "--db",
            "w.duckdb",
            "--reports",
            "reports",
            "--as-of",
            AS_OF,
            "--quiet",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    # One line with the stage and the cause, one with the log file; no traceback.
    failure, details = result.stderr.strip().splitlines()
    assert failure.startswith("asklab run failed in stage 'ingest': IOException: ")
    assert failure.endswith('w.duckdb": Is a directory')
    assert details.startswith(f"details: {tmp_path / '.prefect' / 'logs'}/asklab-run-")
    assert "Traceback" not in result.stderr
    assert "Traceback" in Path(details.removeprefix("details: ")).read_text()
    assert not (tmp_path / "reports").exists()


# -- skipping work that is already done (plain pipeline, no Prefect) -----------------

OUTCOME_TABLES = tuple(t for t in TABLES if t != "load_log")


def pages_writer(written: list[str]):
    """A stand-in for write_reports: writes two small pages, records each call."""

    def write_reports(wh, settings: Settings, run_id: str) -> list[Path]:
        written.append(run_id)
        week = settings.reports / "2026-W48"
        week.mkdir(parents=True, exist_ok=True)
        pages = [settings.reports / "index.html", week / "group.html"]
        for page in pages:
            page.write_text(run_id, encoding="utf-8")
        return pages

    return write_reports


def counted_outcome_parts(calls: list[int]):
    real = outcomes_build.outcome_parts

    def outcome_parts(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    return outcome_parts


def demo_settings(raw: Path, tmp_path: Path, **overrides) -> Settings:
    return Settings(
        raw=raw,
        db=tmp_path / "w.duckdb",
        reports=tmp_path / "reports",
        as_of=dt.date(2026, 11, 26),
        **overrides,
    )


def test_an_unchanged_rerun_keeps_the_outcomes_and_the_pages(
    demo_copy: Path, tmp_path: Path, monkeypatch
):
    written: list[str] = []
    computed: list[int] = []
    monkeypatch.setattr(pipeline, "render_pages", pages_writer(written))
    monkeypatch.setattr(outcomes_build, "outcome_parts", counted_outcome_parts(computed))
    settings = demo_settings(demo_copy, tmp_path)
    first = pipeline.run_weekly(settings)
    assert (first.outcomes_unchanged, first.reports_unchanged) == (False, False)
    before = snapshot(settings.db)
    parts_first_run = len(computed)

    again = pipeline.run_weekly(settings)

    assert (again.outcomes_unchanged, again.reports_unchanged) == (True, True)
    assert len(computed) == parts_first_run  # no outcome computed again
    assert written == [first.run_id]  # no page written again
    assert again.reports == first.reports
    assert again.outcome_rows == first.outcome_rows
    after = snapshot(settings.db)
    assert {t: after[t] for t in OUTCOME_TABLES} == {t: before[t] for t in OUTCOME_TABLES}
    text = again.format()
    assert "outcomes unchanged (same data and parameters as the last run)" in text
    assert "reports unchanged (nothing changed since they were written):" in text
    assert f"  {settings.reports / '2026-W48' / 'group.html'}" in text.splitlines()
    assert "reports written:" not in text


def test_a_missing_page_a_new_as_of_or_a_changed_file_redo_the_work(
    demo_copy: Path, tmp_path: Path, monkeypatch
):
    written: list[str] = []
    computed: list[int] = []
    monkeypatch.setattr(pipeline, "render_pages", pages_writer(written))
    monkeypatch.setattr(outcomes_build, "outcome_parts", counted_outcome_parts(computed))
    settings = demo_settings(demo_copy, tmp_path)
    pipeline.run_weekly(settings)

    # A page gone: written again, from the outcomes as they are.
    (settings.reports / "2026-W48" / "group.html").unlink()
    computed.clear()
    missing_page = pipeline.run_weekly(settings)
    assert (missing_page.outcomes_unchanged, missing_page.reports_unchanged) == (True, False)
    assert computed == [] and len(written) == 2
    assert (settings.reports / "2026-W48" / "group.html").read_text() == missing_page.run_id

    # Another as_of: outcomes computed again (maturity depends on it), pages too.
    later = replace(settings, as_of=dt.date(2026, 11, 27))
    moved = pipeline.run_weekly(later)
    assert (moved.outcomes_unchanged, moved.reports_unchanged) == (False, False)
    assert computed and len(written) == 3
    # Another window likewise.
    computed.clear()
    wider = pipeline.run_weekly(replace(later, window=30))
    assert (wider.outcomes_unchanged, wider.reports_unchanged) == (False, False)
    assert computed and len(written) == 4

    # A changed file: everything again.
    computed.clear()
    calls_file = next(demo_copy.rglob("*.csv"))
    calls_file.write_text(calls_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = pipeline.run_weekly(replace(later, window=30))
    assert (changed.outcomes_unchanged, changed.reports_unchanged) == (False, False)
    assert computed and len(written) == 5


def test_outcomes_computed_in_parts_equal_outcomes_computed_at_once(
    demo_copy: Path, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(pipeline, "render_pages", pages_writer([]))
    computed: list[int] = []
    monkeypatch.setattr(outcomes_build, "outcome_parts", counted_outcome_parts(computed))
    whole = pipeline.run_weekly(demo_settings(demo_copy, tmp_path / "whole"))
    assert len(computed) == 1
    # A few members per part: the demo group's calls in many parts.
    monkeypatch.setattr(outcomes_build, "CALLS_PER_PART", 40)
    in_parts = pipeline.run_weekly(demo_settings(demo_copy, tmp_path / "parts"))
    assert len(computed) > 3
    assert in_parts.outcome_rows == whole.outcome_rows
    marts = ("outcomes_by_relationship", "ask_balance", "time_to_first_lead", "funnel")
    with (
        duckdb.connect(str(tmp_path / "whole" / "w.duckdb"), read_only=True) as one,
        duckdb.connect(str(tmp_path / "parts" / "w.duckdb"), read_only=True) as other,
    ):
        for table in (*OUTCOME_TABLES, *marts, "weekly_activity", "lead_timing"):
            query = f"SELECT * FROM {table} ORDER BY ALL"
            assert one.execute(query).fetchall() == other.execute(query).fetchall(), table
