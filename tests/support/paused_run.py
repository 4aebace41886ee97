"""`asklab run` that pauses inside a stage (run as a script, not imported).

    python paused_run.py STAGE SIGNAL_FILE -- ASKLAB-RUN-ARGS...

STAGE is ``ingest`` (after the warehouse writes, inside the run's open
transaction) or ``outcomes`` (after the outcome tables are written, still
inside it). When the run gets there it touches SIGNAL_FILE and sleeps, so a
test can interrupt or kill the command at a known point. Everything else is
the real command.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from asklab import pipeline  # noqa: E402
from asklab.cli import main  # noqa: E402
from asklab.outcomes import build  # noqa: E402

# The function each stage's step calls: the pipeline imports build_outcomes
# when the step runs, so it is paused in its own module.
PAUSED_STEPS = {"ingest": (pipeline, "apply_staged"), "outcomes": (build, "build_outcomes")}


def pause_after(step: tuple[object, str], signal_file: Path) -> None:
    module, name = step
    real = getattr(module, name)

    def paused(*args, **kwargs):
        result = real(*args, **kwargs)
        signal_file.write_text("paused\n")
        time.sleep(120)
        return result

    setattr(module, name, paused)


if __name__ == "__main__":
    stage, signal_file, separator, *argv = sys.argv[1:]
    assert separator == "--"
    pause_after(PAUSED_STEPS[stage], Path(signal_file))
    sys.exit(main(["run", *argv]))
