"""The group page stays small and does not grow with the number of calls."""

from __future__ import annotations

from pathlib import Path

from asklab.report import load_report_data, render_reports
from tests.browser.fixtures import (
    AS_OF,
    RUN_ID,
    build_warehouse,
    vega_cache_in_tmp,  # noqa: F401 (autouse)
)

MAX_GROUP_PAGE_BYTES = 2 * 1024 * 1024
# Aggregates only: ten times the calls may change digits in the numbers, not rows.
MAX_GROWTH_BYTES = 8 * 1024


def group_page_size(tmp_path: Path, scale: int) -> tuple[int, int]:
    fixture = build_warehouse(scale=scale)
    calls = fixture.con.sql("SELECT count(*) AS n FROM calls").pl()["n"][0]
    data = load_report_data(fixture.con, as_of=AS_OF, run_id=RUN_ID)
    paths = render_reports(data, tmp_path / f"x{scale}", as_of=AS_OF)
    group = next(p for p in paths if p.name == "group.html")
    return calls, group.stat().st_size


def test_group_page_is_small_and_independent_of_call_count(tmp_path: Path) -> None:
    calls_1, size_1 = group_page_size(tmp_path, 1)
    calls_10, size_10 = group_page_size(tmp_path, 10)
    assert calls_10 >= 9 * calls_1  # same members, about ten times the calls
    assert size_1 < MAX_GROUP_PAGE_BYTES
    assert size_10 < MAX_GROUP_PAGE_BYTES
    assert abs(size_10 - size_1) <= MAX_GROWTH_BYTES, (size_1, size_10)
