"""Where a groups run's tasks go: a running Dask scheduler, or a temporary local cluster.

No Dask import here: ``flows/groups.py`` builds the task runner from these.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

from asklab.settings import Settings

# An unreachable scheduler fails the run at once (CONTRACT section 8: within 60 s).
CONNECT_TIMEOUT = 10.0
DEFAULT_SCHEDULER_PORT = 8786


class ClusterUnreachable(RuntimeError):
    """The Dask scheduler at the given address does not answer."""


def scheduler_host_port(address: str) -> tuple[str, int]:
    """``tcp://host:port``, ``host:port`` or ``host`` -> (host, port)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port or DEFAULT_SCHEDULER_PORT
    except ValueError:
        raise ClusterUnreachable(f"Dask scheduler address {address!r} has no valid port") from None
    if not parts.hostname:
        raise ClusterUnreachable(f"Dask scheduler address {address!r} names no host")
    return parts.hostname, port


def check_reachable(address: str, *, timeout: float = CONNECT_TIMEOUT) -> None:
    """Raise ClusterUnreachable, naming ``address``, unless a TCP connection to it opens."""
    host, port = scheduler_host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise ClusterUnreachable(
            f"cannot reach the Dask scheduler at {address} ({exc}); is `dask scheduler` "
            "running there, and is the address right?"
        ) from None


def local_workers(settings: Settings) -> int:
    """Worker processes of the temporary local cluster: the setting, else one per CPU."""
    return settings.dask_workers or len(os.sched_getaffinity(0)) or 1


# The module each worker of the temporary local cluster imports as it starts
# (give it to `dask worker --preload` on other machines): a worker then runs
# its first group without a few seconds of imports first.
WORKER_PRELOAD = "flows.dask_preload"

# Dask settings while the temporary local cluster runs. The worker's profiler
# samples every thread every 10 ms for the dashboard's profile page, which
# costs about 2% of a worker's CPU (measured with py-spy) and which nobody
# reads during a groups run.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False}


def local_cluster_kwargs(settings: Settings) -> dict[str, object]:
    """A LocalCluster of single-threaded worker processes, without a dashboard.

    One thread a worker: a group's run is mostly Python (reading, rules,
    pages), so processes, not threads, make groups run side by side, and
    within a worker Polars gets one thread as DuckDB does (``threads``). The
    scheduler's HTTP endpoint takes any free port (8787 may be another
    cluster's).
    """
    return {
        "n_workers": local_workers(settings),
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": ":0",
        "env": {"POLARS_MAX_THREADS": "1"},
        "preload": [WORKER_PRELOAD],
    }


def describe(settings: Settings) -> str:
    if settings.dask_address:
        return f"Dask scheduler at {settings.dask_address}"
    workers = local_workers(settings)
    return f"temporary local Dask cluster, {workers} worker process{'' if workers == 1 else 'es'}"
