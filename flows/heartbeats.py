"""Flow runs started by asklab's commands send no Prefect heartbeats, unless asked to.

A Prefect flow run starts a heartbeat thread that sleeps in steps of one
second, and the run's end waits for that step to finish: 0 to 1 s at the
end of every run (0.7 s of a 2.3 s unchanged `asklab run` on the demo
group, measured in docs/performance.md). The heartbeats only matter to a
Prefect automation that marks silent runs as crashed, which asklab does not
set up; someone who has one sets ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` in
the environment (or another interval in a Prefect profile), and then it is
left as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

# Prefect's name for the interval, and its older one.
HEARTBEAT_VARIABLES = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Inside the block, flow runs send no heartbeats unless they were configured."""
    from prefect.settings import (
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    flows = get_current_settings().flows
    default = type(flows).model_fields["heartbeat_frequency"].default
    in_environment = any(os.environ.get(name) for name in HEARTBEAT_VARIABLES)
    if in_environment or flows.heartbeat_frequency != default:  # the user's: kept
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
