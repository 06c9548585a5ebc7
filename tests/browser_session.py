"""The test process's one chromium and axe-core, shared by tests/browser and tests/gates.

Registered from tests/conftest.py (pytest_plugins), so there is one session fixture for the
whole run: Playwright's sync API cannot start twice in one process (a second `sync_playwright()`
finds the first one's event loop running), which two conftests each defining `browser` did.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conftest import CHROMIUM_PATH, REQUIRE_SERVICES, browser_unavailable_reason

# Django's live server runs in a thread while Playwright's sync API runs an
# event loop in this one; Django refuses ORM calls from a thread with a
# running loop unless told it is safe. Test process only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if reason := browser_unavailable_reason():
        # A marked test is skipped (or failed) by its `browser` marker before this
        # runs, and an unmarked one fails (tests/conftest.py); never skip silently.
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but the browser is unavailable: {reason}", pytrace=False)
        pytest.skip(reason=f"needs browser: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe() -> object:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
