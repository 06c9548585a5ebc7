"""Shared fixtures: two districts and a member per role, plus service detection.

Tests marked `postgres`, `redis`, `browser` or `gettext` run when that service is
reachable and skip with the reason otherwise; with REQUIRE_SERVICES=1 a
missing service fails the test instead. A test that uses the browser without
the `browser` marker fails: the marker is what decides skip or fail.

On PostgreSQL every request a test makes (test client or live server) runs
as the application role with row-level security on (tests/app_role.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import cache

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from districts.models import District, Membership
from districts.roles import Role
from districts.tenancy import district_context
from tests import app_role
from tests.factories import TEST_PASSWORD, DistrictFactory, MembershipFactory

# `spawned`: start the app's real processes (celery, run-dev.sh) and always end them.
pytest_plugins = ["tests.processes", "tests.browser_session"]

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REDIS_TEST_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM_PATH = "/usr/bin/chromium"


@cache
def redis_unavailable_reason() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"Redis is not reachable at {REDIS_TEST_URL} ({error.__class__.__name__})"
    return ""


@cache
def browser_unavailable_reason() -> str:
    if not os.path.exists(CHROMIUM_PATH):
        return f"chromium is not installed at {CHROMIUM_PATH} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return ""


@cache
def gettext_unavailable_reason() -> str:
    missing = [tool for tool in ("xgettext", "msgfmt", "msgmerge") if shutil.which(tool) is None]
    if missing:
        return f"GNU gettext is not installed ({', '.join(missing)} missing; apt-get install gettext)"
    return ""


def postgres_unavailable_reason() -> str:
    return getattr(settings, "POSTGRES_UNAVAILABLE_REASON", "")


SERVICE_CHECKS: dict[str, Callable[[], str]] = {
    "postgres": postgres_unavailable_reason,
    "redis": redis_unavailable_reason,
    "browser": browser_unavailable_reason,
    "gettext": gettext_unavailable_reason,
}


# Fixtures that drive chromium: a test using one must carry the `browser` marker.
BROWSER_FIXTURES = frozenset({"browser", "page", "login_as"})


# Tests that take minutes, run first so the other worker is never left idle waiting for one of them at
# the end: with `--dist worksteal` (the Makefile) the worker running the all-pages walk has the rest of
# its share taken by the other.
LONGEST_FIRST = ("tests/gates/test_all_pages.py::test_every_page_of_every_role_in_both_languages",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: (item.nodeid not in LONGEST_FIRST, item.get_closest_marker("browser") is None))


def pytest_runtest_setup(item: pytest.Item) -> None:
    uses_browser = BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))
    if uses_browser and item.get_closest_marker("browser") is None:
        pytest.fail(
            f"{item.nodeid} uses {sorted(uses_browser)} but is not marked `browser`: add "
            "`pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]` to its module.",
            pytrace=False,
        )
    for marker, reason_of in SERVICE_CHECKS.items():
        if item.get_closest_marker(marker) is None:
            continue
        reason = reason_of()
        if not reason:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test needs {marker}: {reason}", pytrace=False)
        pytest.skip(reason=f"needs {marker}: {reason}")


@pytest.fixture(scope="session", autouse=True)
def requests_run_as_the_application_role() -> object:
    """Requests switch to DATABASE_APP_ROLE on PostgreSQL; fixtures and migrations stay the owner."""
    app_role.install()
    yield
    app_role.uninstall()


@pytest.fixture(autouse=True)
def each_test_starts_in_the_default_language() -> object:
    """A request that activated a language (a person's own, Spanish) leaves it active in the thread, as
    Django does between requests; the next test's code outside a request must not run in it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def each_test_starts_with_an_empty_cache() -> object:
    """Each test's database is rolled back but the (local-memory) cache is not: a page cached by an
    earlier test for a district with the same slug must not be served to this one."""
    from django.core.cache import cache as django_cache

    django_cache.clear()
    yield


# --- Districts and members ----------------------------------------------------


@pytest.fixture
def district(db) -> District:
    return DistrictFactory(name="Riverbend Test District", slug="riverbend-test")


@pytest.fixture
def other_district(db) -> District:
    return DistrictFactory(name="Other Test District", slug="other-test")


@pytest.fixture
def make_member(db) -> Callable[..., Membership]:
    """make_member(district, role, **fields) -> an active Membership with a user."""

    def make(district: District, role: Role = Role.STAFF, **fields: object) -> Membership:
        return MembershipFactory(district=district, role=role, **fields)

    return make


@pytest.fixture
def admin_member(district, make_member) -> Membership:
    return make_member(district, Role.DISTRICT_ADMIN)


@pytest.fixture
def superintendent_member(district, make_member) -> Membership:
    return make_member(district, Role.SUPERINTENDENT)


@pytest.fixture
def cabinet_member(district, make_member) -> Membership:
    return make_member(district, Role.CABINET)


@pytest.fixture
def principal_member(district, make_member) -> Membership:
    return make_member(district, Role.PRINCIPAL)


@pytest.fixture
def staff_member(district, make_member) -> Membership:
    return make_member(district, Role.STAFF)


@pytest.fixture
def board_member(district, make_member) -> Membership:
    return make_member(district, Role.BOARD_MEMBER)


@pytest.fixture
def coach_member(district, make_member) -> Membership:
    return make_member(district, Role.PARTNER_COACH)


@pytest.fixture
def member_of_role(district, make_member) -> Callable[[Role], Membership]:
    return lambda role: make_member(district, role)


@pytest.fixture
def other_admin(other_district, make_member) -> Membership:
    return make_member(other_district, Role.DISTRICT_ADMIN)


def login(client: Client, membership_or_user: object) -> Client:
    user = getattr(membership_or_user, "user", membership_or_user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def client_for(db) -> Callable[[object], Client]:
    """client_for(membership) -> a Client logged in as that member's user."""
    return lambda membership: login(Client(), membership)


@pytest.fixture
def in_district() -> Callable[[District], AbstractContextManager[District]]:
    """`with in_district(district):` runs test code the way a request does: scoped, in a transaction."""
    return district_context


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD
