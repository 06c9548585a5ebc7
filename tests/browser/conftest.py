"""Browser tests: Playwright's sync API driving Debian's chromium against Django's live server.

Fixtures: `page` (a fresh page), `login_as(page, email)` and `assert_no_axe_violations(page)`.
Every test here is marked `browser` by `pytestmark` in its module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import CHROMIUM_PATH, REQUIRE_SERVICES, browser_unavailable_reason
from tests.factories import TEST_PASSWORD

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


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login_as(page) -> Callable[[object, str], None]:
    """login_as(page, email, password=TEST_PASSWORD): fill in the real login form."""

    def login(page, email: str, password: str = TEST_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

    return login


@pytest.fixture(scope="session")
def axe() -> object:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_no_axe_violations(axe) -> Callable[[object], None]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; fail listing every violation."""

    def check(page, context: object = None) -> None:
        results = axe.run(
            page,
            context=context,
            options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
        )
        violations = results.response["violations"]
        assert not violations, f"axe-core violations on {page.url}:\n{results.generate_report()}"

    return check
