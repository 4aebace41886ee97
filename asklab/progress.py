"""Progress of a run on a terminal: the stage, and files done of total.

On a terminal one status line is rewritten in place; elsewhere (CI logs,
pipes) each stage is printed once, so logs stay short.
"""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    def __init__(
        self, stream: TextIO | None = None, *, enabled: bool = True, notes: bool = True
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.notes = notes  # lines a person must see even without progress (a lock wait)
        self.interactive = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._stage = ""
        self._open_line = False

    def stage(self, name: str) -> None:
        """Announce a new stage (ingest, outcomes, reports)."""
        self._stage = name
        self._write(f"[{name}]")

    def files(self, done: int, total: int) -> None:
        """Report files done of total within the current stage."""
        if self.interactive or done == total:
            self._write(f"[{self._stage}] files {done}/{total}")

    def writes(self, done: int, total: int) -> None:
        """Report warehouse write steps done of total within the current stage."""
        if self.interactive or done == total:
            self._write(f"[{self._stage}] warehouse writes {done}/{total}")

    def groups(self, done: int, total: int, failed: int) -> None:
        """Report groups done of total in a groups run (as each batch of them ends)."""
        self._write(f"[groups] {done}/{total} done" + (f", {failed} failed" if failed else ""))

    def note(self, text: str) -> None:
        """One whole line, shown even when progress lines are off (unless ``notes`` is off)."""
        if not self.notes:
            return
        self.done()
        self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False

    def _write(self, text: str) -> None:
        if not self.enabled:
            return
        if self.interactive:
            self.stream.write("\r\x1b[2K" + text)
            self._open_line = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


SILENT = Progress(enabled=False, notes=False)
