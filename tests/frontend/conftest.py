"""Browser tests: Debian's chromium driven by Playwright against the real board process,
started on a logdir the test writes with board.events and board.summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from board_page import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, PageProblems


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser_context(browser):
    """One context for the session, so plotly.js is fetched and compiled once (cached), as
    in a person's browser; each test still gets fresh pages."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def open_page(browser_context):
    """open_page(url, init_script=None) -> page; after the test, the page must have logged
    no problem. `init_script` runs in the page before any of its own scripts."""
    opened = []

    def _open(url: str, init_script: str | None = None):
        page = browser_context.new_page()
        opened.append((page, PageProblems(page)))
        if init_script:
            page.add_init_script(init_script)
        page.goto(url)
        return page

    yield _open
    found = [p for _, problems in opened for p in problems.problems]
    for page, _ in opened:
        page.close()
    assert not found, "\n".join(found)


@pytest.fixture(scope="session")
def screenshots(artifacts_dir) -> Path:
    path = artifacts_dir / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
