"""What a run prints when something goes wrong, and where the details go.

A failed run prints one line per failed stage (or group) with its cause
(:func:`failure_line`), plus the path of the run's log file, which holds the
full details: Prefect's own log lines and the traceback (:class:`RunLog`).
Prefect writes nothing to the terminal unless ``--verbose`` is given.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import traceback
from pathlib import Path

# Log files kept per project: the newest ones; older ones are deleted.
KEPT_LOGS = 20
LOG_FORMAT = "%(asctime)s | %(levelname)-7s | %(name)s - %(message)s"
# Loggers whose records go to the run's log file (Prefect's own and ours).
LOGGED = ("prefect", "asklab")


def log_folder(project_root: Path) -> Path:
    """``<project>/.prefect/logs``: beside the project's Prefect state."""
    return project_root / ".prefect" / "logs"


def new_log_path(project_root: Path, now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.UTC)
    return log_folder(project_root) / f"asklab-run-{now:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"


def cause_text(exc: BaseException) -> str:
    """An exception as one line: asklab's own messages as they are, anything
    else with its type (``KeyError: 'x'`` says more than ``'x'``)."""
    cause = getattr(exc, "cause", None) or exc  # a StageError's cause
    lines = str(cause).strip().splitlines()
    text = lines[0].strip() if lines else "(no message)"  # the rest goes to the log
    if type(cause).__module__.startswith("asklab"):
        return text
    return f"{type(cause).__name__}: {text}"


def failure_line(exc: BaseException, *, what: str = "asklab run") -> str:
    """``asklab run failed in stage 'ingest': <cause>`` (or without a stage)."""
    stage = getattr(exc, "stage", None)
    where = f" in stage '{stage}'" if stage else ""
    return f"{what} failed{where}: {cause_text(exc)}"


def details_line(log: Path | None) -> str:
    return f"details: {log}" if log is not None else "details: run again with --verbose"


class RunLog:
    """The run's log file: asklab's records from the start, Prefect's once it is
    imported (:meth:`follow_prefect`). Use as a context manager."""

    def __init__(self, path: Path, *, verbose: bool) -> None:
        self.path = path
        self.verbose = verbose
        self._handler: logging.Handler | None = None
        self._restore: list[tuple[logging.Logger | logging.Handler, int]] = []
        self._loggers: list[logging.Logger] = []
        self._propagate = True

    def __enter__(self) -> RunLog:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        prune_logs(self.path.parent, keep=KEPT_LOGS - 1)
        self._handler = logging.FileHandler(self.path, encoding="utf-8")
        self._handler.setFormatter(logging.Formatter(LOG_FORMAT))
        own = logging.getLogger("asklab")
        self._attach(own)
        # Only into the file: --verbose prints the traceback itself.
        self._propagate = own.propagate
        own.propagate = False
        return self

    def follow_prefect(self) -> None:
        """Prefect's records into the file too; without ``verbose``, silence its
        console handlers (on the root logger and its own loggers). Call after
        Prefect is imported: it configures logging on import."""
        self._attach(logging.getLogger("prefect"))
        if self.verbose:
            return
        for name in ("", "prefect", "prefect._internal"):
            for handler in logging.getLogger(name).handlers:
                if type(handler) is not logging.FileHandler and isinstance(
                    handler, logging.StreamHandler
                ):
                    self._restore.append((handler, handler.level))
                    handler.setLevel(logging.CRITICAL + 1)

    def _attach(self, logger: logging.Logger) -> None:
        assert self._handler is not None
        logger.addHandler(self._handler)
        self._restore.append((logger, logger.level))
        self._loggers.append(logger)
        logger.setLevel(logging.INFO)

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger("asklab").propagate = self._propagate
        for item, level in reversed(self._restore):
            item.setLevel(level)
        for logger in self._loggers:
            if self._handler is not None:
                logger.removeHandler(self._handler)
        if self._handler is not None:
            self._handler.close()


def log_traceback(exc: BaseException) -> None:
    """The full traceback into the run's log (never to the terminal)."""
    text = "".join(traceback.format_exception(exc))
    logging.getLogger("asklab.run").error("the run failed:\n%s", text.rstrip())


def prune_logs(folder: Path, *, keep: int) -> None:
    """Delete all but the ``keep`` newest run logs in ``folder``."""
    logs = sorted(folder.glob("asklab-run-*.log"), reverse=True)
    for old in logs[keep:]:
        old.unlink(missing_ok=True)
