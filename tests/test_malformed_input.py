"""Malformed input never makes a server error: every district page, asked with bad query values and bad form fields.

For every URL under /d/<slug>/ (tests/tenancy_urls.py), as a district admin and
as a principal:

- GET with each query parameter the view reads set to each malformed value
  (huge, negative and non-numeric ids, a superscript digit, year-0 and far
  dates, a NUL, 10,000 characters);
- POST each form of the page (valid as built from its own fields, as in the
  cross-district matrix) with one field at a time set to each malformed value
  that fits what the field reads (ids, dates, numbers, text), as the first role
  that sees the form; a refused post must leave the district unchanged, and a
  post still running after SLOW_REQUEST_SECONDS is stopped and reported.
  Known failures elsewhere are listed in KNOWN_500, which may only shrink.

The answer may be 200 with a message, a redirect, 400, 403 or 404; never 5xx.
Which parameters a view reads is recorded while it runs, so a new one is
fuzzed without registering it here.
"""

from __future__ import annotations

import re
import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django import forms
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import reverse

from districts.roles import Role
from tests.conftest import login
from tests.district_state import changes, district_rows
from tests.factories import DistrictFactory, MembershipFactory
from tests.tenancy_matrix import (
    OWN,
    Matrix,
    context_forms,
    discover_forms,
    form_errors,
    html_forms,
    post_succeeded,
    recording_reads,
)
from tests.tenancy_matrix import ROLES as MATRIX_ROLES
from tests.tenancy_urls import OBJECT_PARAMETERS, district_urls, url_kwargs

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


# --- Posting every form with one field malformed ----------------------------------------------

# Malformed field values by what they break, labelled (the labels are KNOWN_500's). Each
# field gets those that fit what it reads, so the test stays fast: every field the text ones,
# a field naming an object the ids, a date field the dates, a number field the numbers.
TEXT_VALUES = {
    "huge id": "99999999999999999999",
    "superscript digit": "²",
    "NUL": "a\x00b",
    "10,000 characters": "x" * 10_000,
}
ID_VALUES = {"negative id": "-1", "non-numeric": "abc"}
DATE_VALUES = {
    "year 0": "0000-01-01",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "year 10000": "10000-01-01",
}
NUMBER_VALUES = {
    "NaN": "NaN",
    "Infinity": "Infinity",
    "1e400": "1e400",
    "past bigint": "9223372036854775808",
}
CHOICE_VALUES = {label: TEXT_VALUES[label] for label in ("huge id", "NUL")}
FREE_TEXT_VALUES = {label: TEXT_VALUES[label] for label in ("NUL", "10,000 characters")}
SLOW_REQUEST_SECONDS = 20  # a post still running after this is stopped and reported as a failure (TimeoutError)

# Known server errors outside this test's files, to be fixed and then removed from here:
# (url name, field, value label). The test fails when one no longer fails, so this only shrinks.
KNOWN_500: set[tuple[str, str, str]] = set()
KNOWN_SECONDS = 3  # a known case gets this long: still failing is expected, not waited for


def _values_for(field: forms.Field | None, html_kind: str, name: str) -> dict[str, str]:
    """The malformed values worth posting in this field."""
    if isinstance(field, forms.FileField | forms.BooleanField):
        return {}
    if isinstance(field, forms.ModelChoiceField) or name in OBJECT_PARAMETERS:
        return {**TEXT_VALUES, **ID_VALUES}
    if isinstance(field, forms.DateField) or html_kind == "date":
        return {**TEXT_VALUES, **DATE_VALUES}
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField) or html_kind == "number":
        return {**TEXT_VALUES, **NUMBER_VALUES}
    if isinstance(field, forms.ChoiceField):
        return CHOICE_VALUES
    if field is None or (field.widget.attrs.get("inputmode") in ("decimal", "numeric")):
        # A number typed as text (a metric value), or a field only the view reads: everything.
        return {**TEXT_VALUES, **ID_VALUES, **DATE_VALUES, **NUMBER_VALUES}
    return FREE_TEXT_VALUES


def _one_of_each_family(names: set[str]) -> list[str]:
    """The field names, one per family of numbered ones (interim_2025, interim_2026 … → interim_2025)."""
    families: dict[str, str] = {}
    for name in sorted(names):
        families.setdefault(re.sub(r"[0-9]+", "#", name), name)
    return sorted(families.values())


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """A TimeoutError raised in whatever runs after `seconds` (a view stuck on a huge number)."""

    def stop(signum, frame) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _fields_by_html_name(client: Client, path: str) -> tuple[dict[str, forms.Field], dict[str, str]]:
    """The Django form fields and the HTML input types of the page's forms, by HTML name."""
    response = client.get(path)
    if response.status_code != 200:
        return {}, {}
    fields = {form.add_prefix(n): f for form in context_forms(response) for n, f in form.fields.items()}
    kinds = {f.name: f.kind for form in html_forms(response.content.decode(errors="replace")) for f in form.fields}
    return fields, kinds


@pytest.fixture(scope="module")
def fuzz_people(django_db_setup, django_db_blocker) -> Iterator[tuple]:
    """A district with a member of every role (and their sessions): made once, rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        district = DistrictFactory(name="Fuzz District", slug="fuzz-a")
        other = DistrictFactory(name="Fuzz Other District", slug="fuzz-b")
        sessions = {}
        for role in MATRIX_ROLES:
            client = login(Client(), MembershipFactory(district=district, role=role))
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield district, other, sessions
        transaction.set_rollback(True)


@pytest.fixture
def fuzz_matrix(db, fuzz_people) -> Matrix:
    district, other, sessions = fuzz_people
    clients = {}
    for role, session_key in sessions.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].cookies[settings.SESSION_COOKIE_NAME] = session_key
    return Matrix(district, other, clients)


@contextmanager
def server_errors() -> Iterator[list[str]]:
    """The exceptions views raise inside the block, one line each: type, message, innermost app frame."""
    found: list[str] = []

    def note(sender, request=None, **kwargs) -> None:
        kind, error, trace = sys.exc_info()
        frames = [f for f in traceback.extract_tb(trace) if "/site-packages/" not in f.filename]
        where = f"{frames[-1].filename.rsplit('/main/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"
        found.append(f"{kind.__name__ if kind else '?'}: {str(error)[:160]!r} at {where}")

    got_request_exception.connect(note)
    try:
        yield found
    finally:
        got_request_exception.disconnect(note)


@pytest.mark.parametrize("url", district_urls(), ids=str)
def test_malformed_form_fields_never_make_a_server_error(url, fuzz_matrix):
    """Each form of the page, valid as built, posted with one field at a time set to each malformed value.

    As the first role that sees the form (the district admin, mostly): never a 500, and a
    refused post leaves the district as it was (nothing half-saved). Each post is rolled
    back, so the next starts from the same rows.
    """
    matrix = fuzz_matrix
    path = reverse(url.name, kwargs=url_kwargs(url, matrix.district, OWN))
    failures, known = [], set()
    for form in discover_forms(url, matrix, path):
        client = matrix.clients[form.role]
        fields, kinds = _fields_by_html_name(client, path)
        before = district_rows(matrix.district)
        for name in _one_of_each_family(form.field_names - IGNORED_FIELDS):
            for label, value in _values_for(fields.get(name), kinds.get(name, ""), name).items():
                key = (url.name, name, label)
                with transaction.atomic(), server_errors() as errors:
                    with time_limit(KNOWN_SECONDS if key in KNOWN_500 else SLOW_REQUEST_SECONDS):
                        response = client.post(path, {**form.data, name: [value]})
                    refused = not post_succeeded(response)
                    changed = changes(before, district_rows(matrix.district)) if refused else {}
                    transaction.set_rollback(True)
                where = f"{form.role} POST {path} {name}={label}"
                if _server_error(response):
                    if key in KNOWN_500:
                        known.add(key)
                    else:
                        failures.append(f"{where}: {response.status_code} {'; '.join(errors)}")
                elif changed:
                    failures.append(f"{where}: refused ({form_errors(response)}) but saved {changed}")
    assert not failures, "\n".join(failures)
    fixed = {k for k in KNOWN_500 if k[0] == url.name} - known
    assert not fixed, f"No longer a server error, remove from KNOWN_500: {sorted(fixed)}"
