"""asklab's flow runs send no Prefect heartbeats unless someone configured them.

Prefect's flow run end waits for its heartbeat thread's one-second sleep
(flows/heartbeats.py); the check here is on the setting the flow engine
reads, and on a real flow run's engine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def _engine_heartbeat_inside_a_flow(env_value: str | None) -> str:
    """The heartbeat interval a flow run's engine sees, from a fresh process."""
    code = textwrap.dedent(
        """
        from prefect.settings import get_current_settings
        from flows.heartbeats import without_heartbeats

        print(get_current_settings().flows.heartbeat_frequency)
        with without_heartbeats():
            print(get_current_settings().flows.heartbeat_frequency)
        print(get_current_settings().flows.heartbeat_frequency)
        """
    )
    env = {k: v for k, v in os.environ.items() if "HEARTBEAT" not in k}
    if env_value is not None:
        env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] = env_value
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_heartbeats_are_off_inside_the_block_and_back_after():
    assert _engine_heartbeat_inside_a_flow(None) == ["180", "None", "180"]


def test_heartbeats_someone_configured_are_left_as_they_are():
    assert _engine_heartbeat_inside_a_flow("45") == ["45", "45", "45"]
    # Even at Prefect's own default: set in the environment, so wanted.
    assert _engine_heartbeat_inside_a_flow("180") == ["180", "180", "180"]


def test_a_flow_run_in_the_block_starts_no_heartbeat_thread(prefect_harness):
    import threading

    from prefect import flow

    from flows.heartbeats import without_heartbeats

    seen: list[list[str]] = []

    @flow
    def look() -> None:
        seen.append([t.name for t in threading.enumerate()])

    def heartbeat_threads(names: list[str]) -> list[str]:
        # Prefect starts it as Thread(target=context.run): named "Thread-N (run)".
        return [name for name in names if name.endswith("(run)")]

    with without_heartbeats():
        look()
    look()

    assert heartbeat_threads(seen[0]) == []
    assert len(heartbeat_threads(seen[1])) == 1, seen[1]
