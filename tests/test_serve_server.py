"""`asklab serve` against a real Prefect server on 127.0.0.1 (slow; CI runs it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def prefect_server(tmp_path: Path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "server-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": api,
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(lambda: healthy(api) or server.poll() is not None, 90, "the Prefect server")
        assert server.poll() is None, (tmp_path / "server.log").read_text()
        yield api
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def test_serve_registers_the_scheduled_deployment(tmp_path: Path, prefect_server: str):
    from prefect.client.orchestration import SyncPrefectClient

    project = tmp_path / "project"
    project.mkdir()
    (project / "asklab.toml").write_text(
        'raw = "raw"\ndb = "warehouse.duckdb"\nreports = "reports"\n'
        'schedule = "15 8 * * 2"\ntimezone = "America/New_York"\nwindow = 45\n'
    )
    env = {**os.environ, "PREFECT_API_URL": prefect_server}
    log = (tmp_path / "serve.log").open("w")
    serving = subprocess.Popen(
        [str(BIN / "asklab"), "serve"],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    client = SyncPrefectClient(api=prefect_server)
    try:

        def read_deployment():
            if serving.poll() is not None:
                raise AssertionError((tmp_path / "serve.log").read_text())
            try:
                return client.read_deployment_by_name("weekly_analysis/weekly")
            except Exception:
                return None

        deployment = wait_until(read_deployment, 120, "the served deployment")
        [schedule] = deployment.schedules
        assert schedule.schedule.cron == "15 8 * * 2"
        assert schedule.schedule.timezone == "America/New_York"
        assert schedule.active
        assert deployment.parameters["settings"]["window"] == 45
        assert deployment.parameters["settings"]["raw"] == str((project / "raw").resolve())
        # Prefect's home for the served process is inside the project.
        assert (project / ".prefect").is_dir()
    finally:
        os.killpg(serving.pid, signal.SIGINT)
        try:
            serving.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(serving.pid, signal.SIGKILL)
        log.close()
