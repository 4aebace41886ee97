"""`asklab run` uses the project server when it is up, else a temporary API.

Both runs are real `asklab run` processes on a two-member sample group in
one project folder; the server is started on a free port with
asklab.server.start, as `asklab server start` does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from asklab import server
from asklab.sample import write_sample


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("run-project")
    (root / "asklab.toml").write_text('raw = "data/raw"\n')
    write_sample(root / "data" / "raw", members=2, weeks=2, seed=3)
    yield root
    server.stop(root)  # whatever a failed test left running


def asklab_run(root: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return subprocess.run(
        [sys.executable, "-m", "asklab", "run"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_run_falls_back_to_a_temporary_api_with_one_line(project: Path):
    assert not server.status(project).up
    result = asklab_run(project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(server.TEMPORARY_API_NOTICE) == 1
    assert (project / "reports" / "index.html").is_file()


@pytest.mark.slow
def test_run_uses_the_project_server_when_it_is_up(project: Path):
    info = server.start(project, port=free_port())
    assert not info.already_running
    try:
        # The temporary API keeps its runs in the same project database, so
        # count: the server must show exactly one more, the newest.
        before = server.status(project, runs=50).runs or ()
        result = asklab_run(project)
        assert result.returncode == 0, result.stderr
        assert server.TEMPORARY_API_NOTICE not in result.stderr
        # The first line says which API the run uses, before Prefect is imported.
        assert result.stderr.splitlines()[0] == f"Using the project Prefect server at {info.url}."
        after = server.status(project, runs=50).runs or ()
        assert len(after) == len(before) + 1
        [new] = {run.name: run for run in after}.keys() - {run.name for run in before}
        [run] = [run for run in after if run.name == new]
        assert (run.flow_name, run.state) == ("weekly_analysis", "Completed")
    finally:
        assert server.stop(project) is True
    assert not server.status(project).up


def asklab_server(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return subprocess.run(
        [sys.executable, "-m", "asklab", "server", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_server_commands_start_status_stop(project: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        started = asklab_server(project, "start", "--port", str(port))
        assert started.returncode == 0, started.stderr
        first, second = started.stdout.splitlines()[:2]
        assert first.startswith(f"Starting the project's Prefect server on 127.0.0.1:{port}")
        assert second.startswith(f"Prefect server started at {url}")
        again = asklab_server(project, "start", "--port", str(port))
        assert again.stdout.startswith(f"The Prefect server is already running at {url}")

        status = asklab_server(project, "status", "--runs", "50")
        assert status.returncode == 0, status.stderr
        lines = status.stdout.splitlines()
        assert lines[0].startswith(f"Prefect server: running at {url}")
        # The earlier tests' runs, kept in the project's database.
        assert any("weekly_analysis" in line for line in lines[1:]), status.stdout
    finally:
        stopped = asklab_server(project, "stop")
    assert (stopped.returncode, stopped.stdout.strip()) == (0, "Prefect server stopped.")
    down = asklab_server(project, "status")
    assert down.returncode == 1
    assert down.stdout.splitlines()[0] == "Prefect server: not running."
