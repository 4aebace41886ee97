"""The project Prefect server and the temporary API (asklab/server.py).

Tests marked slow start real Prefect servers on 127.0.0.1; the slow ones
share one project folder so its database is migrated once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from asklab import server

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for its reaper counts as exited)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


def server_children() -> set[int]:
    """Pids of this process's uvicorn children (the flow tests' harness has one)."""
    return {child.pid for child in psutil.Process().children() if "uvicorn" in child.cmdline()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("project")
    yield root
    server.stop(root)  # whatever a failed test left running


# ---------------------------------------------------------------------------
# Without a server process


def test_importing_the_module_does_not_import_prefect():
    code = "import sys, asklab.server; print('prefect' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_nothing_recorded_means_down(tmp_path: Path):
    assert server.project_api_url(tmp_path) is None
    assert not server.status(tmp_path).up
    assert server.stop(tmp_path) is False


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("pid", [_dead_pid, os.getpid], ids=["dead-pid", "pid-not-a-server"])
def test_a_stale_record_is_cleaned(tmp_path: Path, pid):
    home = tmp_path / ".prefect"
    home.mkdir()
    record = home / server.RECORD_NAME
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stale = {"pid": pid(), "port": port, "url": url, "api_url": f"{url}/api"}

    record.write_text(json.dumps(stale))
    assert server.project_api_url(tmp_path) is None
    found = server.status(tmp_path)
    assert not found.up
    assert "gone" in (found.problem or "")
    assert not record.exists()

    record.write_text(json.dumps(stale))
    assert server.stop(tmp_path) is False
    assert not record.exists()


def test_a_corrupt_record_counts_as_none(tmp_path: Path):
    home = tmp_path / ".prefect"
    home.mkdir()
    (home / server.RECORD_NAME).write_text("{not json")
    assert server.project_api_url(tmp_path) is None
    assert not (home / server.RECORD_NAME).exists()


def test_start_refuses_a_port_in_use_by_another_program(tmp_path: Path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(server.ServerError, match=f"Port {port} .* in use"):
            server.start(tmp_path, port=port)
    assert not (tmp_path / ".prefect" / server.RECORD_NAME).exists()


@contextlib.contextmanager
def fake_temporary_api(project_root: Path) -> Iterator[str]:
    fake_temporary_api.entered += 1  # type: ignore[attr-defined]
    yield "http://127.0.0.1:9/api"


def test_api_for_run_without_a_server_says_one_line_and_restores_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(server, "_configured_api_url", lambda: None)
    monkeypatch.setattr(server, "temporary_api", fake_temporary_api)
    fake_temporary_api.entered = 0  # type: ignore[attr-defined]
    said: list[str] = []
    with server.api_for_run(tmp_path, say=said.append) as url:
        assert url == "http://127.0.0.1:9/api"
        assert os.environ["PREFECT_API_URL"] == url
    assert said == [server.TEMPORARY_API_NOTICE]
    assert fake_temporary_api.entered == 1  # type: ignore[attr-defined]
    assert "PREFECT_API_URL" not in os.environ


def test_api_for_run_keeps_an_api_url_already_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setattr(server, "temporary_api", fake_temporary_api)
    fake_temporary_api.entered = 0  # type: ignore[attr-defined]
    said: list[str] = []
    with server.api_for_run(tmp_path, say=said.append) as url:
        assert url == "http://127.0.0.1:9999/api"
    assert said == []
    assert fake_temporary_api.entered == 0  # type: ignore[attr-defined]
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:9999/api"


# ---------------------------------------------------------------------------
# Real servers


TRIVIAL_FLOW = """
from prefect import flow

@flow(name="asklab-server-test")
def trivial():
    return 1

trivial()
"""


@pytest.mark.slow
def test_start_status_run_start_again_stop(project: Path, monkeypatch: pytest.MonkeyPatch):
    port = free_port()
    record = project / ".prefect" / server.RECORD_NAME

    info = server.start(project, port=port)
    assert not info.already_running
    assert info.url == f"http://127.0.0.1:{port}"
    assert info.api_url == f"{info.url}/api"
    assert json.loads(record.read_text())["pid"] == info.pid
    assert server.project_api_url(project) == info.api_url

    found = server.status(project)
    assert (found.up, found.url, found.pid) == (True, info.url, info.pid)

    # A flow run against it shows in the status.
    env = {**os.environ, "PREFECT_API_URL": info.api_url}
    env["PREFECT_HOME"] = str(project / ".prefect")
    subprocess.run([sys.executable, "-c", TRIVIAL_FLOW], env=env, check=True, timeout=120)
    [run] = server.status(project).runs
    assert (run.flow_name, run.state) == ("asklab-server-test", "Completed")
    assert run.start_time is not None
    assert "asklab-server-test" in server.status(project).format()
    assert server.status(project, runs=0).runs is None

    # api_for_run uses the running server and says so in one line.
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(server, "_configured_api_url", lambda: None)
    said: list[str] = []
    with server.api_for_run(project, say=said.append) as url:
        assert url == os.environ["PREFECT_API_URL"] == info.api_url
    assert said == [f"Using the project Prefect server at {info.url}."]

    again = server.start(project, port=free_port())
    assert again.already_running
    assert (again.pid, again.url) == (info.pid, info.url)
    assert "already running" in again.message()

    assert server.stop(project) is True
    assert gone(info.pid)
    assert not record.exists()
    assert server.project_api_url(project) is None
    assert not server.status(project).up
    assert server.stop(project) is False


@pytest.mark.slow
@pytest.mark.parametrize(
    ("factory", "timeout", "reason"),
    [("no_such_module:create_app", 60.0, "exited"), (server.APP_FACTORY, 0.01, "did not answer")],
    ids=["server-exits", "server-too-slow"],
)
def test_start_that_fails_names_the_log_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, factory: str, timeout: float, reason: str
):
    before = server_children()
    monkeypatch.setattr(server, "APP_FACTORY", factory)
    log = tmp_path / ".prefect" / server.LOG_NAME
    with pytest.raises(server.ServerError, match=reason) as error:
        server.start(tmp_path, port=free_port(), timeout=timeout)
    assert str(log) in str(error.value)
    assert not (tmp_path / ".prefect" / server.RECORD_NAME).exists()
    assert server_children() == before


CHILD = """
import sys
import time
from pathlib import Path

from asklab.server import temporary_api

with temporary_api(Path(sys.argv[1])) as url:
    print(url, flush=True)
    time.sleep(300)
"""


@pytest.mark.slow
def test_temporary_api_dies_with_a_parent_killed_by_sigkill(project: Path):
    parent = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(project)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = parent.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        [uvicorn] = psutil.Process(parent.pid).children()
        assert server._healthy(url, timeout=2)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        wait_until(lambda: gone(uvicorn.pid), 5, f"the server (pid {uvicorn.pid}) to die")
        assert not server._healthy(url, timeout=1)
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
        with contextlib.suppress(NameError, psutil.NoSuchProcess):
            uvicorn.kill()  # only when the test failed: no orphan left behind


@pytest.mark.slow
def test_temporary_api_is_stopped_and_reaped_when_the_block_raises(project: Path):
    before = server_children()
    with pytest.raises(RuntimeError, match="boom"), server.temporary_api(project) as url:
        [uvicorn] = server_children() - before
        assert server._healthy(url, timeout=2)
        raise RuntimeError("boom")
    assert not psutil.pid_exists(uvicorn)  # exited and reaped: no zombie left
    assert not server._healthy(url, timeout=1)
