"""A Prefect server for the project, and a temporary API that cannot outlive its command.

Without an API, each Prefect flow run starts its own temporary server (a
uvicorn subprocess, several seconds), and a command killed with SIGKILL leaves
that process running. This module offers two ways out:

- a **project server** (`start`, `stop`, `status`): Prefect's API and UI on
  127.0.0.1, in the background, with its home in ``<project>/.prefect`` so it
  holds the project's run history. Its pid, port and address are recorded in
  ``<project>/.prefect/asklab-server.json``; it logs to
  ``<project>/.prefect/server.log``.
- a **temporary API** (`temporary_api`) for a command that finds no project
  server: the same app in a child process in its own process group, killed
  with the group when the command ends, and by the kernel (Linux
  ``PR_SET_PDEATHSIG``) when the command dies without cleaning up.

`api_for_run` picks one of the two for a run. Importing this module does not
import Prefect: only `status` does, to read the last runs.

Why one long file: it has one job, the life of Prefect server processes
(spawn, probe, record, stop, reap), and its parts share private state (the
children this process started, the lock and record beside the project's
Prefect home) that callers must never touch; the sections below are the
project server, the temporary API, and the process helpers they share.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HOST = "127.0.0.1"
DEFAULT_PORT = 4200
RECORD_NAME = "asklab-server.json"
LOG_NAME = "server.log"
LOCK_NAME = "asklab-server.lock"
APP_FACTORY = "prefect.server.api.server:create_app"
# A fresh project database is migrated on first start (about 15 s on two busy
# cores); later starts take about 3 s.
START_TIMEOUT = 120.0
# How long a server may take to stop on SIGTERM before its group gets SIGKILL.
STOP_GRACE = 3.0
TEMPORARY_API_NOTICE = (
    "No project Prefect server running: starting a temporary local API (a few seconds). "
    "Start one with `asklab server start` to skip this wait."
)
# Said when the project server is used: the run's first output comes at once,
# not after the second or two of importing Prefect.
PROJECT_SERVER_NOTICE = "Using the project Prefect server at {url}."

_PR_SET_PDEATHSIG = 1
# Servers started by this process, kept so that `stop` can reap them and
# Python does not warn about a child still running when one is dropped.
_STARTED: dict[int, subprocess.Popen[bytes]] = {}


class ServerError(RuntimeError):
    """A Prefect server could not be started or reached; the message says why."""


@dataclass(frozen=True)
class ServerInfo:
    """The project server after `start`."""

    url: str  # the UI, e.g. http://127.0.0.1:4200
    api_url: str  # what PREFECT_API_URL should be, e.g. http://127.0.0.1:4200/api
    pid: int
    port: int
    log: Path
    already_running: bool

    def message(self) -> str:
        if self.already_running:
            return f"The Prefect server is already running at {self.url} (pid {self.pid})."
        return (
            f"Prefect server started at {self.url} (pid {self.pid}); log: {self.log}. "
            "Stop it with `asklab server stop`."
        )


@dataclass(frozen=True)
class FlowRunInfo:
    """One flow run as `status` lists it."""

    flow_name: str
    name: str
    state: str
    start_time: dt.datetime | None


@dataclass(frozen=True)
class ServerStatus:
    """Whether the project server is up, where, and its last flow runs."""

    up: bool
    url: str | None = None
    api_url: str | None = None
    pid: int | None = None
    runs: tuple[FlowRunInfo, ...] | None = None  # newest first; None when not read
    log: Path | None = None
    problem: str | None = None  # why it is down, or why the runs could not be read

    def format(self) -> str:
        if not self.up:
            lines = ["Prefect server: not running."]
            if self.problem:
                lines.append(self.problem)
            lines.append("Start it with `asklab server start`.")
            return "\n".join(lines)
        lines = [f"Prefect server: running at {self.url} (pid {self.pid})"]
        if self.problem:
            lines.append(self.problem)
        elif self.runs == ():
            lines.append("No flow runs yet.")
        elif self.runs:
            lines.append("Last flow runs:")
            for run in self.runs:
                started = (
                    run.start_time.astimezone().strftime("%Y-%m-%d %H:%M")
                    if run.start_time
                    else "not started"
                )
                lines.append(f"  {started}  {run.state:<10}  {run.flow_name} / {run.name}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# The project server


def prefect_home(project_root: Path) -> Path:
    return Path(project_root).resolve() / ".prefect"


def start(
    project_root: Path, *, port: int = DEFAULT_PORT, timeout: float = START_TIMEOUT
) -> ServerInfo:
    """Start the project's Prefect server in the background, or find it running.

    Returns once ``/api/health`` answers. Raises `ServerError` when the port is
    taken by another program, or when the server does not come up within
    ``timeout`` seconds (the message names the log file).
    """
    home = prefect_home(project_root)
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / LOG_NAME
    with _locked(home):
        record = _read_record(home)
        if record is not None:
            if _is_server_process(record["pid"]):
                deadline = time.monotonic() + timeout
                while not _healthy(record["api_url"], timeout=1.0):
                    if time.monotonic() > deadline or not _is_server_process(record["pid"]):
                        raise ServerError(
                            f"A Prefect server is recorded for this project (pid {record['pid']}) "
                            f"but does not answer at {record['url']}; see {log_path}. "
                            "Run `asklab server stop`, then start it again."
                        )
                    time.sleep(0.2)
                return _info(record, log_path, already_running=True)
            (home / RECORD_NAME).unlink(missing_ok=True)  # stale: its process is gone

        if not _port_free(port):
            raise ServerError(
                f"Port {port} on {HOST} is already in use by another program. "
                "Choose another port, e.g. `asklab server start --port 4300`."
            )
        url = f"http://{HOST}:{port}"
        api_url = f"{url}/api"
        env = _server_env(home, port)
        env.update(
            {
                "PREFECT_API_URL": api_url,
                "PREFECT_UI_URL": url,
                "PREFECT_SERVER_UI_ENABLED": "true",
            }
        )
        with log_path.open("ab") as log:
            log.write(f"\n--- asklab server start {dt.datetime.now().isoformat()}\n".encode())
            log.flush()
            process = _spawn(port, env, log, die_with_parent=False)
        _STARTED[process.pid] = process
        record = {
            "pid": process.pid,
            "port": port,
            "url": url,
            "api_url": api_url,
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        _write_record(home, record)
        try:
            if not _wait_healthy(process, api_url, timeout):
                code = process.poll()
                how = (
                    f"exited with code {code}"
                    if code is not None
                    else f"did not answer within {timeout:.0f} s"
                )
                raise ServerError(f"The Prefect server {how}; see {log_path}:\n{_tail(log_path)}")
        except BaseException:
            _stop_group(process.pid, grace=STOP_GRACE)
            (home / RECORD_NAME).unlink(missing_ok=True)
            raise
        return _info(record, log_path, already_running=False)


def stop(project_root: Path) -> bool:
    """Stop the project server and its whole process group; remove its record.

    Returns True when a running server was stopped, False when none was
    running (a stale record is removed all the same).
    """
    home = prefect_home(project_root)
    if not home.is_dir():
        return False
    with _locked(home):
        record = _read_record(home)
        stopped = False
        if record is not None and _is_server_process(record["pid"]):
            _stop_group(record["pid"], grace=10.0)
            stopped = True
        (home / RECORD_NAME).unlink(missing_ok=True)
        return stopped


def status(project_root: Path, *, runs: int = 5) -> ServerStatus:
    """Whether the project server is up, and its last ``runs`` flow runs.

    Reading the runs imports Prefect: call this after PREFECT_HOME points into
    the project (`asklab.cli.use_project_prefect_home`).
    """
    home = prefect_home(project_root)
    log_path = home / LOG_NAME
    record = _read_record(home)
    if record is None:
        return ServerStatus(up=False, log=log_path)
    if not _is_server_process(record["pid"]):
        (home / RECORD_NAME).unlink(missing_ok=True)
        return ServerStatus(
            up=False,
            log=log_path,
            problem=f"Its recorded process (pid {record['pid']}) is gone; record removed.",
        )
    found = {"url": record["url"], "api_url": record["api_url"], "pid": record["pid"]}
    if not _healthy(record["api_url"], timeout=2.0):
        return ServerStatus(
            up=False,
            log=log_path,
            problem=f"Its process (pid {record['pid']}) does not answer at "
            f"{record['url']}; see {log_path}. `asklab server stop` ends it.",
            **found,
        )
    if runs <= 0:
        return ServerStatus(up=True, log=log_path, **found)
    try:
        recent = recent_flow_runs(record["api_url"], limit=runs)
    except Exception as exc:  # the server is up; say why the runs are missing
        return ServerStatus(
            up=True, log=log_path, problem=f"Could not read flow runs: {exc}", **found
        )
    return ServerStatus(up=True, log=log_path, runs=recent, **found)


def recent_flow_runs(api_url: str, *, limit: int = 5) -> tuple[FlowRunInfo, ...]:
    """The last ``limit`` flow runs that started, newest first, read from ``api_url``."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterId,
        FlowRunFilter,
        FlowRunFilterStartTime,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    with SyncPrefectClient(api_url) as client:
        flow_runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(is_null_=False)),
            sort=FlowRunSort.START_TIME_DESC,
            limit=limit,
        )
        flow_ids = list({run.flow_id for run in flow_runs})
        flows = (
            client.read_flows(flow_filter=FlowFilter(id=FlowFilterId(any_=flow_ids)))
            if flow_ids
            else []
        )
    flow_names = {flow.id: flow.name for flow in flows}
    return tuple(
        FlowRunInfo(
            flow_name=flow_names.get(run.flow_id, "?"),
            name=run.name,
            state=run.state_name or "?",
            start_time=run.start_time,
        )
        for run in flow_runs
    )


def project_api_url(project_root: Path) -> str | None:
    """The project server's API URL when it is up and answers, else None.

    Quick (at most about 0.3 s) and without importing Prefect.
    """
    record = _read_record(prefect_home(project_root))
    if record is None or not _is_server_process(record["pid"]):
        return None
    return record["api_url"] if _healthy(record["api_url"], timeout=0.3) else None


# ---------------------------------------------------------------------------
# A temporary API for one command


@contextlib.contextmanager
def temporary_api(project_root: Path, *, timeout: float = START_TIMEOUT) -> Iterator[str]:
    """A Prefect API for the duration of the block; yields its API URL.

    The server runs the same app as Prefect's own temporary API, with the
    project's PREFECT_HOME (so runs land in the project database), on a free
    127.0.0.1 port, in its own process group. Leaving the block by any path
    stops the group and reaps it; if this process dies without leaving the
    block (SIGKILL, SIGTERM without a handler), Linux kills the server. The
    kill-on-death is tied to the calling *thread*: enter this from the
    thread that lives as long as the command (the main thread).
    """
    home = prefect_home(project_root)
    home.mkdir(parents=True, exist_ok=True)
    env = _server_env(home, 0)
    env.update({"PREFECT_SERVER_UI_ENABLED": "false", "PREFECT__SERVER_EPHEMERAL": "1"})
    with tempfile.TemporaryFile() as log:
        for attempt in range(3):
            port = _free_port()
            env["PREFECT_SERVER_API_PORT"] = str(port)
            api_url = f"http://{HOST}:{port}/api"
            process = _spawn(port, env, log, die_with_parent=True)
            try:
                healthy = _wait_healthy(process, api_url, timeout)
            except BaseException:
                _kill_child_group(process)
                raise
            if healthy:
                break
            exited = process.poll() is not None
            _kill_child_group(process)
            # Another program may have taken the port between our check and
            # the server's bind: try another one.
            if exited and attempt < 2 and not _port_free(port):
                continue
            how = "exited" if exited else f"did not answer within {timeout:.0f} s"
            raise ServerError(f"The temporary Prefect API {how}:\n{_tail_file(log)}")
        try:
            yield api_url
        except Exception:
            # A failed run's logs are worth a short wait too (else Prefect's
            # exit handlers report them lost); an interrupted command is not.
            _drain_prefect_workers()
            _kill_child_group(process)
            raise
        except BaseException:
            _kill_child_group(process)
            raise
        # On a normal exit: send queued logs and events, then stop.
        _drain_prefect_workers()
        _kill_child_group(process)


@contextlib.contextmanager
def api_for_run(project_root: Path, *, say: Callable[[str], None]) -> Iterator[str]:
    """The Prefect API a run should use, as PREFECT_API_URL for the block.

    In order: an API URL already configured (PREFECT_API_URL in the
    environment, or Prefect's settings when Prefect is imported), used as is;
    the project server when it is up, announced with one line through
    ``say``; else a `temporary_api`, announced first with one line. Enter it
    before the flow runs, ideally before Prefect is imported.
    """
    configured = _configured_api_url()
    if configured:
        yield configured
        return
    url = project_api_url(project_root)
    if url is not None:
        say(PROJECT_SERVER_NOTICE.format(url=url.removesuffix("/api")))
        with _api_url_set(url):
            yield url
        return
    say(TEMPORARY_API_NOTICE)
    with temporary_api(project_root) as url, _api_url_set(url):
        yield url


# ---------------------------------------------------------------------------
# Helpers


def _server_env(home: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"PREFECT_API_URL", "PREFECT__SERVER_EPHEMERAL", "PREFECT__SERVER_WEBSERVER_ONLY"}
    }
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_API_HOST": HOST,
            "PREFECT_SERVER_API_PORT": str(port),
            "PREFECT__SERVER_FINAL": "1",
        }
    )
    return env


def _spawn(
    port: int, env: dict[str, str], log: IO[bytes], *, die_with_parent: bool
) -> subprocess.Popen[bytes]:
    """Prefect's API app under uvicorn, as Prefect itself runs it, in a new session."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        APP_FACTORY,
        "--host",
        HOST,
        "--port",
        str(port),
        "--lifespan",
        "on",
        "--no-access-log",
    ]
    return subprocess.Popen(
        command,
        env=env,
        # Not the caller's folder: uvicorn puts its working folder first on
        # sys.path, where a project's own modules could shadow Prefect's.
        cwd=env["PREFECT_HOME"],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_kill_me_when_parent_dies() if die_with_parent else None,
    )


def _kill_me_when_parent_dies() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGKILL the child when this thread dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def _kill_child_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a child started in its own process group, and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_GRACE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # the leader, or anything it left behind
    process.wait()


def _stop_group(pid: int, *, grace: float) -> None:
    """SIGTERM the process group led by ``pid``, then SIGKILL it after ``grace`` s."""
    process = _STARTED.pop(pid, None)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGTERM)
    if not _wait_group_gone(pid, process, grace):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        _wait_group_gone(pid, process, 5.0)


def _wait_group_gone(pgid: int, process: subprocess.Popen[bytes] | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None:
            process.poll()  # reap our own child, else it stays a zombie in the group
        else:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pgid, os.WNOHANG)
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return True  # the group id was reused by another user's process
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def _is_server_process(pid: int) -> bool:
    """Whether ``pid`` is a live Prefect server process (not a zombie, not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (macOS): fall back to "some process has this pid"
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return APP_FACTORY.encode() in cmdline  # a zombie's cmdline is empty


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _healthy(api_url: str, *, timeout: float) -> bool:
    try:
        with _NO_PROXY.open(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def _wait_healthy(process: subprocess.Popen[bytes], api_url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if _healthy(api_url, timeout=1.0):
            return True
        time.sleep(0.05)
    return False


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _read_record(home: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((home / RECORD_NAME).read_text())
        if isinstance(record["pid"], int) and isinstance(record["api_url"], str):
            return record
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    (home / RECORD_NAME).unlink(missing_ok=True)  # unreadable: as good as stale
    return None


def _write_record(home: Path, record: dict[str, Any]) -> None:
    temporary = home / f".{RECORD_NAME}.tmp"
    temporary.write_text(json.dumps(record, indent=2) + "\n")
    temporary.replace(home / RECORD_NAME)


def _info(record: dict[str, Any], log: Path, *, already_running: bool) -> ServerInfo:
    return ServerInfo(
        url=record["url"],
        api_url=record["api_url"],
        pid=record["pid"],
        port=record["port"],
        log=log,
        already_running=already_running,
    )


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One `start` or `stop` at a time per project."""
    import fcntl

    with (home / LOCK_NAME).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _tail_file(handle: IO[bytes], lines: int = 20) -> str:
    handle.flush()
    handle.seek(0)
    return "\n".join(handle.read().decode(errors="replace").splitlines()[-lines:])


def _configured_api_url() -> str | None:
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    if "prefect.settings" in sys.modules:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value() or None
    return None


@contextlib.contextmanager
def _api_url_set(url: str) -> Iterator[None]:
    """PREFECT_API_URL=url for the block, also for a Prefect already imported."""
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    _refresh_prefect_settings()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
        _refresh_prefect_settings()


def _refresh_prefect_settings() -> None:
    # Prefect reads the environment once, at import; when it is already
    # imported, its global settings must be rebuilt to see the change.
    if "prefect.context" in sys.modules:
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()


def _drain_prefect_workers() -> None:
    """Send Prefect's queued logs and events before the temporary API goes away."""
    if "prefect" not in sys.modules:
        return
    import logging

    # Draining logs "Still processing items" at WARNING: not news for the user.
    quiet = [logging.getLogger(name) for name in ("APILogWorker", "EventsWorker")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)
    try:
        with contextlib.suppress(Exception):
            from prefect.logging.handlers import APILogWorker

            APILogWorker.drain_all(timeout=5)
        with contextlib.suppress(Exception):
            from prefect.events.worker import EventsWorker

            EventsWorker.drain_all(timeout=5)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
