"""The cross-district matrix: every URL under /d/<slug>/, asked for by a member of another district.

- a member of district A asking for district B's pages and objects gets 404;
- a member of A asking, through A's own URL, for B's objects gets 404;
- A's list pages never show B's rows.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from districts.roles import Role
from tests.tenancy_urls import URL_ARGUMENTS, district_urls

MARKER = "Zanzibarquux"  # a name no real page would contain

ALL_URLS = district_urls()


def _kwargs(url, district):
    return {"district_slug": district.slug, **{a: URL_ARGUMENTS[a](district, MARKER) for a in url.arguments}}


def test_every_district_url_argument_is_known():
    missing = {(url.name, a) for url in ALL_URLS for a in url.arguments if a not in URL_ARGUMENTS}
    assert not missing, f"Add these URL arguments to tests/tenancy_urls.py URL_ARGUMENTS: {sorted(missing)}"
    assert len(ALL_URLS) >= 5


@pytest.mark.parametrize("url", ALL_URLS, ids=str)
def test_member_of_another_district_gets_404(url, district, other_district, make_member, client_for):
    outsider = make_member(district, Role.DISTRICT_ADMIN)
    client = client_for(outsider)
    path = reverse(url.name, kwargs=_kwargs(url, other_district))
    assert client.get(path).status_code == 404
    assert client.post(path, {}).status_code == 404


@pytest.mark.parametrize("url", [u for u in ALL_URLS if u.arguments], ids=str)
def test_other_districts_objects_are_404_through_own_district(url, district, other_district, make_member, client_for):
    """The admin of A, the widest role, names B's object ids under A's slug."""
    admin = make_member(district, Role.DISTRICT_ADMIN)
    client = client_for(admin)
    kwargs = {**_kwargs(url, other_district), "district_slug": district.slug}
    path = reverse(url.name, kwargs=kwargs)
    assert client.get(path).status_code in (404, 405)
    assert client.post(path, {}).status_code in (404, 405)
    assert client.get(path).status_code == 404 or client.post(path, {}).status_code == 404


@pytest.mark.parametrize("url", [u for u in ALL_URLS if not u.arguments], ids=str)
def test_pages_never_show_another_districts_rows(url, district, other_district, make_member, client_for):
    for maker in URL_ARGUMENTS.values():
        maker(other_district, MARKER)
    admin = make_member(district, Role.DISTRICT_ADMIN)
    response = client_for(admin).get(reverse(url.name, kwargs={"district_slug": district.slug}))
    assert response.status_code in (200, 302, 405)
    assert MARKER not in response.content.decode()


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
