"""Open report pages in headless Chromium with the network off, and take screenshots.

Uses ``chromium`` from PATH (Debian's) through Playwright (never ``playwright
install``). Every request that is not a ``file://`` URL is aborted and
recorded, the context is offline, and the browser gets a fresh profile.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Found on PATH, as the Makefile looks for it (Debian's package: /usr/bin/chromium).
_FOUND = shutil.which("chromium")
CHROMIUM = Path(_FOUND) if _FOUND else None
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every chart container holds an SVG once vega-embed has drawn it.
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('[data-vega-spec]'))
    .every(el => el.querySelector('svg') !== null)"""


@dataclass
class PageLog:
    """What a page did: every request, the ones blocked, console errors and dialogs."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextmanager
def offline_browser(profile_dir: Path, *, width: int = 1280, height: int = 900) -> Iterator:
    """A persistent Chromium context on a fresh profile, offline, aborting non-file requests.

    Yields ``(context, log)``; pages opened from the context report into ``log``.
    """
    from playwright.sync_api import sync_playwright

    log = PageLog()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            offline=True,
            viewport={"width": width, "height": height},
            service_workers="block",
        )

        def route(route_request) -> None:
            url = route_request.request.url
            if url.startswith("file://"):
                route_request.continue_()
            else:
                log.blocked.append(url)
                route_request.abort()

        context.route("**/*", route)

        def watch(page) -> None:
            page.on("request", lambda request: log.requests.append(request.url))
            page.on(
                "console",
                lambda message: (
                    log.console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: log.page_errors.append(str(error)))

            def on_dialog(dialog) -> None:
                log.dialogs.append(f"{dialog.type}: {dialog.message}")
                dialog.dismiss()

            page.on("dialog", on_dialog)

        context.on("page", watch)
        for page in context.pages:
            watch(page)
        try:
            yield context, log
        finally:
            context.close()


def open_report(context, html_path: Path, *, timeout_ms: int = 20_000):
    """Open a page from disk and wait until every chart has an SVG (or time runs out)."""
    page = context.new_page()
    page.goto(html_path.resolve().as_uri(), wait_until="load")
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)
    return page


def screenshot_page(
    html_path: Path, png_path: Path, *, width: int = 1280, full_page: bool = True
) -> Path:
    """Render ``html_path`` offline in headless Chromium and save a PNG screenshot."""
    png_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="asklab-chromium-") as profile,
        offline_browser(Path(profile), width=width) as (context, _log),
    ):
        page = open_report(context, html_path)
        page.screenshot(path=str(png_path), full_page=full_page)
    return png_path
