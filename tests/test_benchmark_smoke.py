"""A tiny run of the benchmark runner, so it keeps working (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from benchmarks.generate import generate

REPO = Path(__file__).resolve().parent.parent


def test_generator_writes_the_requested_rows(tmp_path: Path):
    files = generate(tmp_path, calls=1_200, events=700, members=7, rows_per_file=500)
    calls = pl.concat([pl.read_csv(f) for f in files if f.name.startswith("calls_")])
    events = pl.concat([pl.read_csv(f) for f in files if f.name.startswith("events_")])
    assert [f.name for f in files if f.name.startswith("calls_")] == [
        "calls_0000.csv",
        "calls_0001.csv",
        "calls_0002.csv",
    ]
    assert calls.height == 1_200 and events.height == 700
    assert calls["member"].n_unique() == 7
    # Every event follows a call of the same member and contact.
    pairs = calls.select("member", "contact").unique()
    assert events.join(pairs, on=["member", "contact"], how="anti").height == 0


@pytest.mark.slow
def test_runner_prints_the_table(tmp_path: Path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--calls",
            "300",
            "--no-prefect",
            "--workdir",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    header, _rule, row = result.stdout.strip().splitlines()[:3]
    assert "floor s" in header and "run/floor" in header and "peak RSS MB" in header
    assert row.startswith("| 300 + 300 |")
    assert "300 calls: run " in result.stdout and "x the floor of " in result.stdout


def test_ingest_timer_writes_every_row(tmp_path: Path):
    import duckdb

    from benchmarks.ingest import time_ingest

    raw, workdir = tmp_path / "raw", tmp_path / "work"
    generate(raw, calls=300, events=200, members=5, rows_per_file=100)
    timings = time_ingest(raw, workdir, "2026-12-01")
    assert set(timings) == {"read wall", "read cpu", "write wall", "write cpu"}
    with duckdb.connect(str(workdir / "asklab.duckdb"), read_only=True) as con:
        calls = con.execute("SELECT count(*) FROM call_rows").fetchone()[0]
        events = con.execute("SELECT count(*) FROM event_rows").fetchone()[0]
    assert (calls, events) == (300, 200)


@pytest.mark.slow
def test_groups_benchmark_prints_both_prefect_setups(tmp_path: Path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    sizes = ["--groups", "2", "--calls", "30", "--empty-groups", "2", "--workers", "1"]
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.groups", *sizes, "--workdir", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert table[0] == "| measure | cluster, temporary API | cluster, project server |"
    assert "| CPUs / cluster workers |" in table[3] and table[3].endswith("/ 1 |")
    assert "| failed groups | 0 | 0 |" in table
    # Both clusters wrote every group's warehouse.
    for setup in ("temporary", "project"):
        warehouses = sorted((tmp_path / "runs" / f"cluster-{setup}" / "wh").glob("*.duckdb"))
        assert [w.name for w in warehouses] == [
            "all_groups.duckdb",
            "group-00000.duckdb",
            "group-00001.duckdb",
        ]
