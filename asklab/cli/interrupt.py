"""Ctrl-C, SIGINT and SIGTERM during a command (CONTRACT §4, v2).

The first SIGINT or SIGTERM raises :class:`Interrupted` (a BaseException, so
no ``except Exception`` swallows it) in the main thread: the warehouse
transaction rolls back, the lock is released and the temporary Prefect API is
stopped on the way out. Later signals are only recorded, so they cannot break
that clean-up.

A Python signal handler runs only when the main thread runs Python code; a
long DuckDB or Polars call delays it. So the signal is also written to a
wake-up socket that a watchdog thread reads at once: when the process has
not finished within ``grace`` seconds of the signal, the watchdog prints the
line and ends the process with ``os._exit`` (an uncommitted DuckDB
transaction is then discarded like after a kill, and the temporary API dies
with its parent through ``PR_SET_PDEATHSIG``).

Prefect's flow engine swaps in its own SIGTERM handler during a flow run
(``prefect.utilities.engine.capture_sigterm``); it raises its own
``TerminationSignal``, then restores ours and sends SIGTERM again, which
lands here. :attr:`Interruption.signum` records the signal either way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Seconds after the signal before the watchdog ends the process itself
# (the contract allows 10 s in all).
GRACE = 7.0


class Interrupted(BaseException):
    """The command got SIGINT or SIGTERM."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


def exit_status(signum: int) -> int:
    """128 + the signal number: 130 for SIGINT, 143 for SIGTERM."""
    return 128 + signum


def interrupted_line(signum: int, *, what: str = "asklab run", committed: bool = False) -> str:
    """The one line of an interrupted run; ``committed``: it came after the commit."""
    how = (
        "the warehouse holds this run's data, the pages may be incomplete"
        if committed
        else "the warehouse is as it was before the run"
    )
    return f"{what} interrupted by {signal.Signals(signum).name}: stopped; {how}"


@dataclass
class Interruption:
    """What :func:`interruptible` saw: the first signal, if any."""

    signum: int | None = None
    finished: threading.Event = field(default_factory=threading.Event)


def end_process(line: str, status: int) -> None:
    """Print ``line`` and end the process now, skipping Prefect's exit handlers
    (they would wait on an API that is gone)."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    os._exit(status)


@contextlib.contextmanager
def interruptible(
    *, grace: float = GRACE, on_timeout: Callable[[int], str] = interrupted_line
) -> Iterator[Interruption]:
    """Handle SIGINT and SIGTERM for the block (main thread only); see the module doc."""
    state = Interruption()

    def handler(signum: int, frame: object) -> None:
        if state.signum is None:
            state.signum = signum
            raise Interrupted(signum)

    reader, writer = socket.socketpair()
    writer.setblocking(False)
    old_handlers = {signum: signal.signal(signum, handler) for signum in SIGNALS}
    old_wakeup = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)

    def watchdog() -> None:
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data:
                return
            received = [b for b in data if b in SIGNALS]
            if received:
                break
        signum = state.signum or received[0]
        if not state.finished.wait(grace):
            end_process(on_timeout(signum), exit_status(signum))

    thread = threading.Thread(target=watchdog, name="asklab-interrupt", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.finished.set()
        signal.set_wakeup_fd(old_wakeup)
        for signum, old in old_handlers.items():
            signal.signal(signum, old)
        writer.close()
        with contextlib.suppress(OSError):
            reader.shutdown(socket.SHUT_RDWR)
        reader.close()
