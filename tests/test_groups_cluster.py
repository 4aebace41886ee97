"""`asklab run --groups` end to end on real Dask clusters (CONTRACT section 8).

One test starts `dask scheduler` and two `dask worker` processes on
127.0.0.1 from this venv and runs three small groups against them (first
run, unchanged rerun, a group removed); the other uses the default
temporary local cluster with a group that fails. Each group's tables are
compared with a single-group run of the same folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from asklab import pipeline
from asklab.settings import Settings

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
DEMO_RAW = REPO / "data" / "raw"
BIN = Path(sys.executable).parent
AS_OF = "2026-11-26"  # ISO week 2026-W48
# The demo group's members split into three groups; two names need a slug.
GROUPS = {
    "Zoë's Team": ["alice", "bob"],
    "Дмитрий": ["carmen", "deepak"],
    "north": ["erin", "shared"],
}
SLUGS = {
    "Zoë's Team": "zoe-s-team",
    "Дмитрий": "member-" + __import__("hashlib").sha256("дмитрий".encode()).hexdigest()[:8],
    "north": "north",
}
# Columns that name the run or its time rather than the data.
RUN_COLUMNS = {"run_id", "loaded_at", "last_loaded_run", "applied_at"}


def make_groups(root: Path) -> Path:
    for group, members in GROUPS.items():
        for member in members:
            shutil.copytree(DEMO_RAW / member, root / group / member)
    return root


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "worker-prefect")  # never the user's
    return env


def run_groups(tmp_path: Path, groups: Path, *extra: str) -> subprocess.CompletedProcess:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "asklab",
            "run",
            "--groups",
            str(groups),
            "--db-dir",
            str(tmp_path / "wh"),
            "--reports",
            str(tmp_path / "rep"),
            "--as-of",
            AS_OF,
            "--quiet",
            *extra,
        ],
        cwd=project,
        env={k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
        capture_output=True,
        text=True,
        timeout=600,
    )


def tables(db: Path) -> dict[str, list[tuple]]:
    """Every table but the freshness record, without the columns that name the run."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        found = {}
        for name in sorted(set(names) - {"warehouse_meta"}):
            columns = [
                c[0]
                for c in con.execute(f"DESCRIBE {name}").fetchall()
                if c[0] not in RUN_COLUMNS and not c[1].startswith("TIMESTAMP")
            ]
            quoted = ", ".join('"' + column + '"' for column in columns)
            found[name] = con.execute(f"SELECT {quoted} FROM {name} ORDER BY ALL").fetchall()
        return found


def data_tables(db: Path) -> dict[str, list[tuple]]:
    """Every table a rerun must leave as it is: all but load_log (CONTRACT section 4)."""
    return {name: rows for name, rows in tables(db).items() if name != "load_log"}


def single_run(tmp_path: Path, folder: Path, slug: str) -> Path:
    """What `asklab run --raw <folder> --db <db>` builds (the flow's steps, no Prefect)."""
    db = tmp_path / "single" / f"{slug}.duckdb"
    settings = Settings(
        raw=folder,
        db=db,
        reports=tmp_path / "single" / slug,
        as_of=dt.date.fromisoformat(AS_OF),
    )
    pipeline.run_weekly(settings)
    return db


def all_groups_rows(tmp_path: Path) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "wh" / "all_groups.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT group_key, metric, n_ref, x_ref, n_job, x_job, diff, diff_lo, diff_hi, "
            "prob_ref_better, mh_diff, groups FROM group_comparison ORDER BY ALL"
        ).fetchall()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """`dask scheduler` and two `dask worker` processes from this venv; stopped after."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    env = clean_env(tmp_path)
    log = (tmp_path / "dask.log").open("wb")
    port = address.rsplit(":", 1)[1]
    processes = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                port,
                "--no-dashboard",
            ],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=log,
        )
    ]
    try:
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard"],
                    cwd=tmp_path,
                    env=env,
                    stdout=log,
                    stderr=log,
                )
            )
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def test_groups_on_a_running_cluster_equal_single_runs(tmp_path: Path, dask_cluster: str):
    groups = make_groups(tmp_path / "groups")

    first = run_groups(tmp_path, groups, "--dask-address", dask_cluster)

    assert first.returncode == 0, first.stdout + first.stderr
    assert f"Dask scheduler at {dask_cluster}" in first.stdout
    singles = {}
    for folder, slug in SLUGS.items():
        warehouse = tmp_path / "wh" / f"{slug}.duckdb"
        singles[folder] = single_run(tmp_path, groups / folder, slug)
        assert tables(warehouse) == tables(singles[folder]), folder
        assert (tmp_path / "rep" / slug / "2026-W48" / "group.html").is_file()
        assert (tmp_path / "rep" / slug / "index.html").is_file()
    # The all-groups rows: each group's scope 'group' comparison, then the sums.
    expected = []
    sums: dict[str, list[int]] = {}
    for folder in SLUGS:
        with duckdb.connect(str(singles[folder]), read_only=True) as con:
            for row in con.execute(
                "SELECT metric, n_ref, x_ref, n_job, x_job, diff, diff_lo, diff_hi, "
                "prob_ref_better FROM strategy_comparison WHERE scope = 'group'"
            ).fetchall():
                expected.append((folder.lower(), *row, None, None))
                counts = sums.setdefault(row[0], [0, 0, 0, 0, 0])
                for i in range(4):
                    counts[i] += row[1 + i]
                counts[4] += 1
    rows = all_groups_rows(tmp_path)
    assert sorted(r for r in rows if r[0] is not None) == sorted(expected)
    pooled = {r[1]: [*r[2:6], r[11]] for r in rows if r[0] is None}
    assert pooled == sums and len(sums) >= 1
    page = (tmp_path / "rep" / "all-groups" / "2026-W48.html").read_text()
    index = (tmp_path / "rep" / "index.html").read_text()
    for slug in SLUGS.values():
        assert f'href="{slug}/index.html"' in index
    for member in ("alice", "bob", "carmen", "deepak", "erin"):
        assert not re.search(rf"\b{member}\b", page, re.IGNORECASE), member

    # Rerun, nothing changed: same tables, nothing recomputed, pages untouched.
    before = {slug: data_tables(tmp_path / "wh" / f"{slug}.duckdb") for slug in SLUGS.values()}
    pages = {
        slug: (tmp_path / "rep" / slug / "2026-W48" / "group.html").stat().st_mtime_ns
        for slug in SLUGS.values()
    }
    again = run_groups(tmp_path, groups, "--dask-address", dask_cluster)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("outcomes and reports unchanged") == 3
    for slug in SLUGS.values():
        assert data_tables(tmp_path / "wh" / f"{slug}.duckdb") == before[slug]
        page_path = tmp_path / "rep" / slug / "2026-W48" / "group.html"
        assert page_path.stat().st_mtime_ns == pages[slug]
    assert all_groups_rows(tmp_path) == rows

    # A group removed from the folder: its warehouse and pages stay, its rows go.
    shutil.rmtree(groups / "north")
    third = run_groups(tmp_path, groups, "--dask-address", dask_cluster)
    assert third.returncode == 0, third.stdout + third.stderr
    assert (tmp_path / "wh" / "north.duckdb").is_file()
    assert (tmp_path / "rep" / "north" / "2026-W48" / "group.html").is_file()
    left = all_groups_rows(tmp_path)
    assert {r[0] for r in left} == {"zoë's team", "дмитрий", None}
    assert 'href="north/index.html"' in (tmp_path / "rep" / "index.html").read_text()


def test_a_failing_group_on_the_local_cluster_leaves_the_others_complete(tmp_path: Path):
    groups = make_groups(tmp_path / "groups")
    (groups / "empty").mkdir()
    (groups / "empty too").mkdir()
    # The group's warehouse is not a database: its run fails on opening it.
    (tmp_path / "wh").mkdir()
    (tmp_path / "wh" / "north.duckdb").write_text("not a database")
    # One worker, five groups: four batches, so one batch runs two groups.
    result = run_groups(tmp_path, groups, "--dask-workers", "1")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "temporary local Dask cluster, 1 worker process" in result.stdout
    assert "4 of 5 groups completed" in result.stdout
    failed = [line for line in result.stdout.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and "'north'" in failed[0] and "stage 'ingest' failed" in failed[0]
    assert (groups / "north" / "erin").is_dir()  # raw files untouched
    assert (tmp_path / "wh" / "north.duckdb").read_text() == "not a database"
    for folder in ("Zoë's Team", "Дмитрий"):
        slug = SLUGS[folder]
        assert tables(tmp_path / "wh" / f"{slug}.duckdb") == tables(
            single_run(tmp_path, groups / folder, slug)
        )
    rows = all_groups_rows(tmp_path)
    assert {r[0] for r in rows} == {"zoë's team", "дмитрий", None}
    # The empty group is a group without data: a warehouse with no calls, pages.
    with duckdb.connect(str(tmp_path / "wh" / "empty.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM calls").fetchone() == (0,)
    assert (tmp_path / "rep" / "empty" / "2026-W48" / "group.html").is_file()


@pytest.mark.slow
def test_ctrl_c_ends_a_groups_run_with_one_line_and_no_process_left(tmp_path: Path):
    # CONTRACT §4 for the groups run: SIGINT stops it with one line and 130,
    # and the local cluster's workers and the temporary API go with it.
    import signal
    import time

    import psutil

    groups = make_groups(tmp_path / "groups")
    project = tmp_path / "project"
    project.mkdir()
    command = [sys.executable, "-m", "asklab", "run", "--groups", str(groups)]
    command += ["--db-dir", str(tmp_path / "wh"), "--reports", str(tmp_path / "rep")]
    running = subprocess.Popen(
        [*command, "--as-of", AS_OF, "--dask-workers", "2"],
        cwd=project,
        env={k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    parent = psutil.Process(running.pid)
    started: set[int] = set()
    deadline = time.monotonic() + 120
    # Wait for the cluster: the temporary API and two worker processes at least.
    while time.monotonic() < deadline and running.poll() is None:
        started |= {child.pid for child in parent.children(recursive=True)}
        if len(started) >= 3:
            break
        time.sleep(0.2)
    assert running.poll() is None, running.communicate()
    running.send_signal(signal.SIGINT)
    out, err = running.communicate(timeout=30)
    assert running.returncode == 130, out + err
    assert err.strip().splitlines()[-1] == (
        "asklab run --groups interrupted by SIGINT: stopped; "
        "each group's warehouse is as before or as after its run"
    )
    assert "Traceback" not in err
    time.sleep(3)  # the kernel ends what the run started
    left = [
        pid
        for pid in started
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
    ]
    assert left == []
