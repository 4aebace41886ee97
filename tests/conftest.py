"""Shared fixtures. Prefect gets a throwaway home so tests never touch the
repository's `.prefect/` or a user's profile; flow tests share one
`prefect_test_harness` for the session."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Must happen before anything imports prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="asklab-test-prefect-")
# The Vega bundle cache goes to a throwaway folder too, never ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="asklab-test-cache-")
for _folder in (os.environ["PREFECT_HOME"], os.environ["XDG_CACHE_HOME"]):
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parent.parent
DEMO_RAW = REPO / "data" / "raw"


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A private copy of the demo group (tests never write into data/raw)."""
    target = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, target)
    return target
