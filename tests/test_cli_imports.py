"""The quick commands start at once: they import none of the heavy libraries.

Each case runs the command in a fresh interpreter and lists the heavy
modules left in ``sys.modules`` afterwards (CONTRACT §6: first output
within a second). Timing is for benchmarks/, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("prefect", "altair", "scipy", "vl_convert")

# Runs argv through asklab's main in this interpreter, then prints the heavy
# top-level modules it imported as JSON on the last line of stdout.
PROBE = """
import json, sys
argv, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
if argv is not None:
    from asklab.cli import main
    try:
        main(argv)
    except SystemExit:
        pass
else:
    from asklab.cli import build_parser
    build_parser()
print()
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))
"""


def heavy_imports(argv: list[str] | None, cwd: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_parser_imports_no_heavy_library():
    assert heavy_imports(None, REPO) == []


def test_help_imports_no_heavy_library():
    assert heavy_imports(["--help"], REPO) == []


def test_validate_imports_no_heavy_library():
    # data/raw holds every kind of file the demo group has: calls, events,
    # workbooks, so every reader and rule is reached.
    assert heavy_imports(["validate", str(REPO / "data" / "raw")], REPO) == []


def test_sample_imports_no_heavy_library(tmp_path: Path):
    assert heavy_imports(["sample", str(tmp_path / "group"), "--members", "2"], tmp_path) == []
    assert list((tmp_path / "group").rglob("*.csv")), "sample wrote nothing: the probe ran no work"


def imported_by(module: str) -> set[str]:
    """The top-level modules loaded by importing ``module`` in a fresh interpreter."""
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return {name.split(".")[0] for name in json.loads(result.stdout)}


# asklab.pipeline: the outcome and report stages import scipy and Altair
# when they run, so a run whose outcomes and pages are current skips them.
@pytest.mark.parametrize(
    "module", ["asklab.cli", "asklab.ingest.validate", "asklab.sample", "asklab.pipeline"]
)
def test_quick_modules_import_no_heavy_library(module: str):
    loaded = imported_by(module)
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def test_the_flow_module_imports_prefect_but_no_stage_library():
    loaded = imported_by("flows.weekly_analysis")
    assert "prefect" in loaded
    assert loaded.isdisjoint({"scipy", "altair", "vl_convert"}), loaded
