"""The built wheel runs on its own: SQL and flows ship inside it.

A non-editable install in a fresh venv, run from another folder, must run
the weekly flow end to end (nothing may be read from the checkout).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_for_the_wheel() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for folder in ("asklab", "flows")
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert on_disk <= listed, sorted(on_disk - listed)


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_runs_the_weekly_flow(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=600,
    )
    [wheel] = dist.glob("asklab-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # The dependencies come from this venv's site-packages (a .pth line; the
    # editable install's own .pth files there are not processed), so the
    # test spends its time on asklab, not on downloads; asklab itself only
    # from the wheel.
    site = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = next(p for p in sys.path if p.endswith("site-packages"))
    Path(site, "project-dependencies.pth").write_text(ours + "\n")
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copytree(ROOT / "data" / "raw", elsewhere / "raw")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PYTHON"))}
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import asklab, asklab.queries as q; print(asklab.__file__); print(q.sql_root())",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    result = subprocess.run(
        [
            str(venv / "bin" / "asklab"),
            "run",
            "--raw",
            "raw",
            "--db",
            "w.duckdb",
            "--reports",
            "reports",
            "--as-of",
            "2026-11-26",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (elsewhere / "reports" / "2026-W48" / "group.html").is_file()
    with duckdb.connect(str(elsewhere / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM calls").fetchone()[0] > 100
