"""The outcome tables are recomputed when any code they are made by changes.

``freshness.outcomes_key`` lists the files it fingerprints, and a file it
misses (or names after it moved: a missing file hashes as empty) would let
a run keep tables that changed code would compute differently.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import asklab
from asklab import freshness
from asklab.settings import Settings

PACKAGE = Path(asklab.__file__).resolve().parent


def _asklab_modules_imported_by(folder: Path) -> set[Path]:
    """The asklab source files that the modules in ``folder`` import."""
    found: set[Path] = set()
    for source in folder.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.module is None:
                continue
            if node.module.startswith("asklab."):  # from asklab.metrics import X
                module = PACKAGE.joinpath(*node.module.split(".")[1:])
                found.add(module / "__init__.py" if module.is_dir() else module.with_suffix(".py"))
            elif node.module == "asklab":  # from asklab import stats
                found |= {
                    PACKAGE / f"{alias.name}.py"
                    for alias in node.names
                    if (PACKAGE / f"{alias.name}.py").is_file()
                }
    return found


def test_outcomes_key_covers_every_module_the_outcomes_are_made_by(monkeypatch, tmp_path) -> None:
    fingerprinted: list[Path] = []

    def record(paths):
        fingerprinted.extend(Path(path).resolve() for path in paths)
        return "fingerprint"

    monkeypatch.setattr(freshness, "code_fingerprint", record)
    monkeypatch.setattr(freshness, "data_version", lambda wh: 1)
    settings = Settings(raw=tmp_path, db=tmp_path / "w.duckdb", as_of=dt.date(2026, 6, 1))
    freshness.outcomes_key(None, settings)  # type: ignore[arg-type]

    outcomes = PACKAGE / "outcomes"
    needed = set(outcomes.glob("*.py")) | _asklab_modules_imported_by(outcomes)
    assert PACKAGE / "metrics.py" in needed and PACKAGE / "stats.py" in needed
    assert needed <= set(fingerprinted), sorted(map(str, needed - set(fingerprinted)))
    assert all(path.is_file() for path in fingerprinted)
