"""Requests in tests run as the application role, with row-level security on (tests/app_role.py)."""

from __future__ import annotations

import urllib.request

import pytest
from django.conf import settings
from django.core.signals import request_started
from django.db import connection
from django.urls import reverse

from districts.roles import Role
from tests.app_role import as_owner, current_role
from tests.factories import SchoolFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles_seen():
    """The database role each request runs as, read at the start of the request (after the switch)."""
    seen: list[str] = []

    def note(**kwargs: object) -> None:
        seen.append(current_role())

    request_started.connect(note, dispatch_uid="test_app_role.note")
    yield seen
    request_started.disconnect(dispatch_uid="test_app_role.note")


def test_test_client_requests_run_as_the_application_role_and_the_test_stays_owner(
    district, make_member, client_for, roles_seen
):
    owner = current_role()
    assert owner != settings.DATABASE_APP_ROLE
    client = client_for(make_member(district, Role.DISTRICT_ADMIN))
    assert client.get(reverse("districts:school_list", kwargs={"district_slug": district.slug})).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert roles_seen == [settings.DATABASE_APP_ROLE] * 2
    assert current_role() == owner


def test_a_request_outside_any_district_sees_no_district_rows(district, make_member, client_for, roles_seen):
    """Under the app role a query outside district_context finds nothing: the second wall is really up."""
    SchoolFactory(district=district)
    counted: list[int] = []

    def count(**kwargs: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM districts_school")
            counted.append(cursor.fetchone()[0])

    request_started.connect(count, dispatch_uid="test_app_role.count")
    try:
        client_for(make_member(district, Role.DISTRICT_ADMIN)).get("/healthz")
    finally:
        request_started.disconnect(dispatch_uid="test_app_role.count")
    assert counted == [0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM districts_school")
        assert cursor.fetchone()[0] >= 1  # the test itself is the owner


def test_as_owner_serves_requests_as_the_owner(district, make_member, client_for, roles_seen):
    client = client_for(make_member(district, Role.DISTRICT_ADMIN))
    with as_owner():
        client.get("/healthz")
    client.get("/healthz")
    assert roles_seen == [current_role(), settings.DATABASE_APP_ROLE]


@pytest.mark.django_db(transaction=True)
def test_live_server_requests_run_as_the_application_role(live_server, roles_seen):
    with urllib.request.urlopen(f"{live_server.url}/accounts/login/") as response:
        assert response.status == 200
    assert roles_seen == [settings.DATABASE_APP_ROLE]
    assert current_role() != settings.DATABASE_APP_ROLE
