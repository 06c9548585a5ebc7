"""Browser tests: Playwright's sync API driving Debian's chromium against Django's live server.

Fixtures: `page` (a fresh page), `login_as(page, email)` and `assert_no_axe_violations(page)`;
`browser` and `axe` are the process's one chromium and axe-core (tests/browser_session.py).
Every test here is marked `browser` by `pytestmark` in its module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.factories import TEST_PASSWORD


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
