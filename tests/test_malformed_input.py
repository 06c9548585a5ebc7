"""Malformed input never makes a server error: every district page, asked with bad query values and bad form fields.

For every URL under /d/<slug>/ (tests/tenancy_urls.py), as a district admin and
as a principal:

- GET with each query parameter the view reads set to each malformed value
  (huge, negative and non-numeric ids, a superscript digit, year-0 and far
  dates, a NUL, 10,000 characters);
(Posting each form field malformed is not written yet: a first version took
over 400 s on PostgreSQL.)

The answer may be 200 with a message, a redirect, 400, 403 or 404; never 5xx.
Which parameters a view reads is recorded while it runs, so a new one is
fuzzed without registering it here.
"""

from __future__ import annotations

import pytest
from django.test import Client

from districts.roles import Role
from tests.conftest import login
from tests.factories import MembershipFactory
from tests.tenancy_matrix import OWN, recording_reads
from tests.tenancy_urls import district_urls, url_kwargs

pytestmark = pytest.mark.slow

MALFORMED = [
    "99999999999999999999",
    "abc",
    "-1",
    "²",
    "0000-01",
    "0001-01-01",
    "9999-12-31",
    "a\x00b",
    "x" * 10_000,
]
# Query values shaped like the view's own syntax, with a malformed part.
SHAPED = {"place": [f"{kind}:{bad}" for kind in ("school", "department") for bad in MALFORMED[:4]]}
ROLES = [Role.DISTRICT_ADMIN, Role.PRINCIPAL]
IGNORED_FIELDS = {"csrfmiddlewaretoken"}


def _client(membership) -> Client:
    client = login(Client(raise_request_exception=False), membership)
    return client


def _server_error(response) -> bool:
    return response.status_code >= 500


@pytest.fixture
def clients(district):
    return {role: _client(MembershipFactory(district=district, role=role)) for role in ROLES}


def test_malformed_query_parameters_never_make_a_server_error(district, clients, monkeypatch):
    failures = []
    parameters_tried = set()
    for url in district_urls():
        kwargs = url_kwargs(url, district, OWN)
        from django.urls import reverse

        path = reverse(url.name, kwargs=kwargs)
        for role, client in clients.items():
            with recording_reads(monkeypatch) as read:
                first = client.get(path)
            if _server_error(first):
                failures.append(f"{role} GET {path}: {first.status_code}")
                continue
            for name in sorted(read - IGNORED_FIELDS):
                parameters_tried.add(name)
                for value in SHAPED.get(name, []) + MALFORMED:
                    response = client.get(path, {name: value})
                    if _server_error(response):
                        failures.append(f"{role} GET {path}?{name}={value[:40]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert {"place", "school", "plan", "priority", "page"} <= parameters_tried
