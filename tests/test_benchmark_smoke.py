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
