"""The run lock: one asklab run holds a warehouse at a time.

An ``fcntl`` lock on ``<db>.lock`` beside the database file, holding the
holder's pid so a waiting run can name it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

LOCK_POLL_SECONDS = 0.05


class WarehouseBusy(RuntimeError):
    """Another asklab run holds the warehouse lock."""


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def run_lock(
    lock_path: Path,
    db_path: Path,
    timeout: float,
    deadline: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        said = False
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise WarehouseBusy(_busy_message(handle, db_path, timeout))
            if on_wait is not None and not said:
                said = True
                on_wait(_waiting_message(handle, db_path, timeout))
            time.sleep(LOCK_POLL_SECONDS)
        # Record the holder so a waiting run can name it.
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def _try_lock(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    holder = handle.read().strip()
    return f" (pid {holder})" if holder.isdigit() else ""


def _waiting_message(handle: IO[str], db_path: Path, timeout: float) -> str:
    return (
        f"waiting for another asklab run{_holder(handle)} to release the warehouse "
        f"{db_path} (at most {timeout:g} s)"
    )


def _busy_message(handle: IO[str], db_path: Path, timeout: float) -> str:
    who = _holder(handle)
    return (
        f"another asklab run{who} holds the warehouse {db_path}; "
        f"gave up after waiting {timeout:g} s. Try again when it has finished."
    )
