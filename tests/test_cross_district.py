"""The cross-district matrix: every URL under /d/<slug>/, asked for by every role of another district.

For each URL (checks in tests/tenancy_matrix.py, registry in tests/tenancy_urls.py):

- B's pages under B's slug: 404 for every role of A, plain and HTMX, GET and POST;
- B's objects under A's slug (all of them, or one among A's): 404 (403/405 before any lookup), never B's data;
- A's pages and their HTMX partials never list B's rows;
- every query parameter a view reads is registered, and B's ids in those that name objects never show B's data;
- the page's own valid form posted at B's object: 404 and B unchanged (and at A's own object: accepted);
- B's ids in every form field that names an object: refused, never B's data, nothing in B changed and
  nothing in A pointing into B.

On PostgreSQL the requests run as the application role, with row-level security on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from districts.models import District, School
from districts.roles import Role
from districts.tenancy import dangerously_cross_district
from plans.models import StrategicPlan
from priorities.models import Priority
from tests.conftest import login
from tests.factories import DistrictFactory, MembershipFactory
from tests.tenancy_matrix import (
    ROLES,
    Matrix,
    check_another_districts_objects,
    check_another_districts_url,
    check_form_fields_naming_objects,
    check_list_pages,
    check_query_parameters,
    check_valid_posts_to_another_districts_objects,
)
from tests.tenancy_urls import FORM_DATA, PAGE_OBJECTS, PLAIN_ARGUMENTS, URL_ARGUMENTS, URL_KWARGS, district_urls

ALL_URLS = district_urls()
# A URL whose arguments name no object (exports/<kind>.<fmt>) is checked as a page of the district's own rows.
WITH_ARGUMENTS = [u for u in ALL_URLS if set(u.arguments) - PLAIN_ARGUMENTS]
WITHOUT_ARGUMENTS = [u for u in ALL_URLS if not set(u.arguments) - PLAIN_ARGUMENTS]


@pytest.fixture(scope="module")
def matrix_people(django_db_setup, django_db_blocker) -> Iterator[tuple]:
    """District A with a member of every role (and their sessions), and B: made once for the module.

    Made in a transaction that each test's own (a savepoint) nests in, and rolled back
    after the module: what setUpTestData does for a Django TestCase.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        district = DistrictFactory(name="Matrix District A", slug="matrix-a")
        other = DistrictFactory(name="Matrix District B", slug="matrix-b")
        sessions = {}
        for role in ROLES:
            client = login(Client(), MembershipFactory(district=district, role=role))
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield district, other, sessions
        transaction.set_rollback(True)


@pytest.fixture
def matrix(db, matrix_people) -> Matrix:
    district, other, sessions = matrix_people
    clients = {}
    for role, session_key in sessions.items():
        # A view's exception is a 500 the checks report (its traceback is in the captured log).
        clients[role] = Client(raise_request_exception=False)
        clients[role].cookies[settings.SESSION_COOKIE_NAME] = session_key
    return Matrix(district, other, clients)


def test_every_district_url_argument_is_known():
    missing = {(url.name, a) for url in ALL_URLS for a in url.arguments if a not in URL_ARGUMENTS}
    assert not missing, f"Add these URL arguments to tests/tenancy_urls.py URL_ARGUMENTS: {sorted(missing)}"
    names = {url.name for url in ALL_URLS}
    assert set(URL_KWARGS) | set(PAGE_OBJECTS) | set(FORM_DATA) <= names, "tenancy_urls.py names a URL that is gone"
    assert len(ALL_URLS) >= 5
    assert set(ROLES) == set(Role)


@pytest.mark.parametrize("url", ALL_URLS, ids=str)
def test_member_of_another_district_gets_404(url, matrix):
    check_another_districts_url(url, matrix)


@pytest.mark.parametrize("url", WITH_ARGUMENTS, ids=str)
def test_other_districts_objects_are_404_through_own_district(url, matrix):
    check_another_districts_objects(url, matrix)


@pytest.mark.parametrize("url", WITHOUT_ARGUMENTS, ids=str)
def test_pages_never_show_another_districts_rows(url, matrix):
    check_list_pages(url, matrix)


@pytest.mark.parametrize("url", ALL_URLS, ids=str)
def test_query_parameters_never_reach_another_districts_objects(url, matrix, monkeypatch):
    check_query_parameters(url, matrix, monkeypatch)


@pytest.mark.parametrize("url", WITH_ARGUMENTS, ids=str)
def test_valid_posts_to_another_districts_objects_are_404(url, matrix, monkeypatch):
    check_valid_posts_to_another_districts_objects(url, matrix, monkeypatch)


@pytest.mark.parametrize("url", ALL_URLS, ids=str)
def test_form_fields_naming_another_districts_objects_are_refused(url, matrix):
    check_form_fields_naming_objects(url, matrix)


def test_anonymous_visitor_is_sent_to_log_in_whatever_the_slug(client, district):
    for slug in (district.slug, "no-such-district"):
        response = client.get(f"/d/{slug}/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_unknown_district_and_foreign_district_look_the_same(district, other_district, make_member, client_for):
    client = client_for(make_member(district, Role.SUPERINTENDENT))
    unknown = client.get("/d/no-such-district/")
    foreign = client.get(f"/d/{other_district.slug}/")
    assert unknown.status_code == foreign.status_code == 404

    def without_csrf(response):
        return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', "", response.content.decode())

    assert without_csrf(unknown) == without_csrf(foreign)


# --- The matrix bites: an access helper made unscoped, and the matrix fails -------------------


def _unscoped_access(model):
    """An access_<entity> helper that forgot the district: any district's object by its id."""

    def access(*, actor, **ids):
        (object_id,) = ids.values()
        with dangerously_cross_district():
            return model._base_manager.get(pk=object_id)

    return access


def _unscoped_access_in_district(queryset, *, actor, pk):
    with dangerously_cross_district():
        return queryset.model._base_manager.get(pk=pk)


def _unscoped_choice(self, value):
    """ModelChoiceField.to_python that looks the id up in every district."""
    if value in self.empty_values:
        return None
    with dangerously_cross_district():
        return self.queryset.model._base_manager.get(pk=value)


def _every_districts_schools(*, district, filters=None):
    """A list selector that forgot the district."""
    with dangerously_cross_district():
        return list(School._base_manager.order_by("name"))


@contextmanager
def _unscoped_request(slug):
    """The middleware's district context gone: the member lookup finds the user's membership anywhere."""
    with dangerously_cross_district():
        yield District.objects.filter(slug=slug).first()


@dataclass(frozen=True)
class Mutation:
    broken: str  # what forgets the district
    target: str  # the dotted name replaced
    replacement: Callable
    check: Callable  # the matrix check that must catch it
    url_name: str

    def __str__(self) -> str:
        return f"{self.target}-{self.url_name}"


MUTATIONS = [
    # The one from issue 7: an unscoped get for ?plan= on the role list showed another district's draft.
    Mutation(
        "the plan named in ?plan=",
        "priorities.views.role_cards.access_plan",
        _unscoped_access(StrategicPlan),
        check_query_parameters,
        "priorities:role_list",
    ),
    Mutation(
        "every districts.access helper",
        "districts.access.access_in_district",
        _unscoped_access_in_district,
        lambda url, matrix, monkeypatch: check_another_districts_objects(url, matrix),
        "districts:school_detail",
    ),
    Mutation(
        "the priority a new commitment goes under",
        "priorities.views.commitments.access_priority",
        _unscoped_access(Priority),
        check_valid_posts_to_another_districts_objects,
        "priorities:commitment_create",
    ),
    Mutation(
        "the school list's selector",
        "districts.views.schools.selectors.school_list",
        _every_districts_schools,
        lambda url, matrix, monkeypatch: check_list_pages(url, matrix),
        "districts:school_list",
    ),
    Mutation(
        "the middleware's membership lookup",
        "districts.middleware.district_context_by_slug",
        _unscoped_request,
        lambda url, matrix, monkeypatch: check_another_districts_url(url, matrix),
        "districts:school_list",
    ),
    Mutation(
        "every form's choice of an object",
        "django.forms.ModelChoiceField.to_python",
        _unscoped_choice,
        lambda url, matrix, monkeypatch: check_form_fields_naming_objects(url, matrix),
        "districts:invite",
    ),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=str)
def test_mutation_an_unscoped_lookup_fails_the_matrix(mutation, matrix, monkeypatch):
    """Mutation check: as written the check passes; with `mutation.target` unscoped it must fail."""
    url = next(u for u in ALL_URLS if u.name == mutation.url_name)
    mutation.check(url, matrix, monkeypatch)
    monkeypatch.setattr(mutation.target, mutation.replacement)
    with pytest.raises(AssertionError):
        mutation.check(url, matrix, monkeypatch)
