"""The weekly Prefect flow end to end on the demo group (under prefect_test_harness)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from asklab import pipeline
from asklab.ingest import member_slug
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
    return weekly_analysis(
        raw=str(raw),
        db=str(tmp_path / "warehouse.duckdb"),
        reports=str(tmp_path / "reports"),
        as_of=AS_OF,
        **extra,
    )


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
    assert len(members) >= 5
    member_pages = sorted(p.name for p in (reports / "2026-W48" / "members").iterdir())
    assert member_pages == sorted(f"{member_slug(m)}.html" for m in members)
    assert calls > 0
    assert statuses == [("loaded",)]
    assert summary.ingest.files_loaded == len(list(demo_copy.rglob("*.csv"))) + len(
        list(demo_copy.rglob("*.xlsx"))
    )
    assert set(summary.reports) >= {reports / "index.html", reports / "2026-W48" / "group.html"}
    # Nothing was written into the repository's own folders.
    assert demo_copy != Path(__file__).parent.parent / "data" / "raw"


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

    monkeypatch.setattr(pipeline, "build_outcome_tables", broken)
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
    assert "asklab run failed: stage 'ingest' failed" in result.stderr
    assert not (tmp_path / "reports").exists()
