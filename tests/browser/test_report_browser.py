"""The report pages in headless Chromium, from disk, with the network off.

Every chart must draw an SVG (the plans' chart included: the fixture group
has a plan per member), the console must stay clean, no request may leave
file://, and hostile contact names and cell values, in calls and in plans,
must show as text without running. Needs ``chromium`` on PATH (as the
Makefile installs it): missing, the tests fail under CI or `make test` and
are skipped elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asklab.keys import member_slug
from asklab.report import load_report_data, render_reports
from asklab.report.markup import esc
from tests.browser.fixtures import (
    AS_OF,
    HOSTILE_CONTACTS,
    HOSTILE_MEMBER,
    HOSTILE_PLAN_CONTACT,
    HOSTILE_VALUE,
    RUN_ID,
    build_warehouse,
    vega_cache_in_tmp,  # noqa: F401 (autouse)
)
from tests.browser.helpers import CHROMIUM, offline_browser, open_report, screenshot_page

pytestmark = pytest.mark.browser

CHART_COUNT = "document.querySelectorAll('[data-vega-spec]').length"
SVG_COUNT = "document.querySelectorAll('[data-vega-spec] > svg, [data-vega-spec] svg.marks').length"


@pytest.fixture(scope="module", autouse=True)
def chromium_available() -> None:
    missing = []
    if CHROMIUM is None:
        missing.append("chromium on PATH")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    if missing:
        reason = f"browser tests need {' and '.join(missing)}"
        # Under CI or `make test` (which installs the browser first) a missing
        # browser is a failure, never a silent skip.
        if os.environ.get("CI") or os.environ.get("ASKLAB_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    fixture = build_warehouse(plans=True)
    data = load_report_data(fixture.con, as_of=AS_OF, run_id=RUN_ID)
    assert data.has_plans and HOSTILE_PLAN_CONTACT in fixture.plan_contacts
    render_reports(data, root, as_of=AS_OF)
    return root / "2026-W48"


def assert_clean(log, name: str) -> None:
    assert log.blocked == [], f"{name}: requests to other hosts: {log.blocked}"
    assert all(url.startswith("file://") for url in log.requests), log.requests
    assert log.console_errors == [], f"{name}: console errors: {log.console_errors}"
    assert log.page_errors == [], f"{name}: page errors: {log.page_errors}"
    assert log.dialogs == [], f"{name}: dialogs opened: {log.dialogs}"


def test_group_page_draws_every_chart_offline(reports: Path, tmp_path: Path) -> None:
    with offline_browser(tmp_path / "profile") as (context, log):
        page = open_report(context, reports / "group.html")
        charts = page.evaluate(CHART_COUNT)
        assert charts == 7
        assert page.evaluate(SVG_COUNT) == charts
        # The randomised result opens the page, its chart drawn like the others.
        first = page.evaluate("document.querySelector('main section:nth-of-type(2)').id")
        assert first == "randomised"
        assert page.locator("#fig-plan-arms [data-vega-spec] svg").count() == 1
        # The hostile planned contact is nowhere on the group page, as text or markup.
        source = (reports / "group.html").read_text(encoding="utf-8")
        for form in (HOSTILE_PLAN_CONTACT, esc(HOSTILE_PLAN_CONTACT), "alert(5)"):
            assert form not in source
        assert page.get_by_text("Plan & Co").count() == 0
        # Each SVG has drawn marks, not just an empty frame.
        marks = page.evaluate(
            "Array.from(document.querySelectorAll('[data-vega-spec] svg'))"
            ".map(svg => svg.querySelectorAll('path, line, rect, text').length)"
        )
        assert all(count > 10 for count in marks), marks
        page.screenshot(path=str(tmp_path / "group.png"), full_page=True)
        assert_clean(log, "group.html")
        # The page's CSP is in force: an inline script it does not list never runs.
        injected = page.evaluate(
            """() => {
                const script = document.createElement('script');
                script.textContent = 'window.injectedRan = true';
                document.body.appendChild(script);
                return window.injectedRan === true;
            }"""
        )
        assert injected is False
    assert (tmp_path / "group.png").stat().st_size > 10_000


def test_hostile_member_page_shows_text_and_runs_nothing(reports: Path, tmp_path: Path) -> None:
    member_page = reports / "members" / f"{member_slug(HOSTILE_MEMBER)}.html"
    with offline_browser(tmp_path / "profile") as (context, log):
        page = open_report(context, member_page)
        charts = page.evaluate(CHART_COUNT)
        assert charts == 2
        assert page.evaluate(SVG_COUNT) == charts
        for text in (*HOSTILE_CONTACTS, HOSTILE_VALUE, HOSTILE_PLAN_CONTACT):
            assert page.get_by_text(text, exact=True).count() >= 1, text
        # The planned contact is on the to-do list, as a row header holding only text.
        to_do = page.locator("#plan table").first.locator("tbody th", has_text="Plan & Co")
        assert to_do.inner_text() == HOSTILE_PLAN_CONTACT
        assert page.evaluate("document.querySelectorAll('svg[onload], #plan svg').length") == 0
        assert page.locator("h1").inner_text() == f"{HOSTILE_MEMBER}: week 2026-W48"
        # The "reached out" table too shows the hostile contact as text.
        reached_out = page.locator("h3:text-is('Contacts who reached out') + *")
        assert HOSTILE_CONTACTS[0] in reached_out.inner_text()
        # No element came out of user text: the page's own scripts and chart data only.
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        scripts = page.evaluate(
            "Array.from(document.scripts).filter(s => s.type !== 'application/json').length"
        )
        assert scripts == 2
        page.screenshot(path=str(tmp_path / "member.png"), full_page=True)
        assert_clean(log, member_page.name)


def test_the_network_trap_counts_what_it_blocks(tmp_path: Path) -> None:
    # Guards the checks above: a page that does reach out is caught and counted.
    with offline_browser(tmp_path / "profile") as (context, log):
        page = context.new_page()
        with pytest.raises(Exception, match="ERR_"):
            page.goto("https://example.com/")
        assert log.blocked == ["https://example.com/"]


def test_screenshot_page_writes_a_png(reports: Path, tmp_path: Path) -> None:
    png = screenshot_page(reports / "group.html", tmp_path / "shot.png", width=900, full_page=False)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
