"""Security behaviour: login throttling, CSP, CSRF (plain and HTMX), sessions, password reset, logout."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from districts.models import Membership, School
from districts.roles import Role
from tests.conftest import login
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def _log_in(client: Client, email: str, password: str):
    return client.post(LOGIN_URL, {"username": email, "password": password})


def _is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Login throttling (django-axes) --------------------------------------------


def _fail_until_locked(client: Client, email: str):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        response = _log_in(client, email, "wrong-password")
        assert response.status_code == 200, f"attempt {attempt} should just show the form error"
        assert "don&#x27;t match an account" in response.content.decode()
    return _log_in(client, email, "wrong-password")


def test_five_failures_lock_the_account_with_a_clear_message(client: Client, principal_member: Membership) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5

    response = _fail_until_locked(client, principal_member.user.email)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Log-in paused for this account" in page
    assert "After 5 failed log-in attempts" in page
    assert "Try again in 15 minutes" in page
    assert "even the correct password will not log you in" in page


def test_the_correct_password_fails_during_lock_out(client: Client, principal_member: Membership) -> None:
    _fail_until_locked(client, principal_member.user.email)

    response = _log_in(client, principal_member.user.email, TEST_PASSWORD)

    assert response.status_code == 429
    assert not _is_logged_in(client)


def test_a_lock_out_leaves_other_accounts_alone(
    client: Client, principal_member: Membership, district, make_member
) -> None:
    colleague = make_member(district, Role.STAFF)
    _fail_until_locked(client, principal_member.user.email)

    response = _log_in(client, colleague.user.email, TEST_PASSWORD)

    assert response.status_code == 302
    assert _is_logged_in(client)


def test_the_lock_out_ends_after_the_cool_off(client: Client, principal_member: Membership) -> None:
    from axes.models import AccessAttempt

    _fail_until_locked(client, principal_member.user.email)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))

    response = _log_in(client, principal_member.user.email, TEST_PASSWORD)

    assert response.status_code == 302
    assert _is_logged_in(client)


# --- Email matching is case-insensitive (issue 7, item 7) ---------------------------


def _capitalised(email: str) -> str:
    local, domain = email.split("@")
    return f"{local.capitalize()}@{domain.upper()}"


def test_logging_in_with_a_capitalised_email_works(client: Client, principal_member: Membership) -> None:
    response = _log_in(client, "  " + _capitalised(principal_member.user.email), TEST_PASSWORD)

    assert response.status_code == 302
    assert _is_logged_in(client)


def test_the_user_manager_finds_an_account_by_any_capitalisation(principal_member: Membership) -> None:
    from districts.models import User

    found = User.objects.get_by_natural_key(_capitalised(principal_member.user.email))
    assert found.pk == principal_member.user.pk


def test_a_capitalised_email_does_not_bypass_the_lock_out(client: Client, principal_member: Membership) -> None:
    email = principal_member.user.email
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, email if attempt % 2 else email.upper(), "wrong-password")
    response = _log_in(client, _capitalised(email), "wrong-password")
    assert response.status_code == 429, "failures under every capitalisation count for one account"

    response = _log_in(client, _capitalised(email), TEST_PASSWORD)

    assert response.status_code == 429
    assert not _is_logged_in(client)


def test_an_account_cannot_be_made_twice_with_different_capitalisation(principal_member: Membership) -> None:
    from django.db import IntegrityError, transaction

    from districts.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email=principal_member.user.email.upper())])


# --- Content-Security-Policy ----------------------------------------------------


def _csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_carry_a_strict_content_security_policy(client_for, admin_member: Membership) -> None:
    pages = [
        Client().get(LOGIN_URL),
        client_for(admin_member).get(reverse("dashboards:home", kwargs={"district_slug": admin_member.district.slug})),
    ]
    for response in pages:
        assert response.status_code == 200
        directives = _csp_directives(response)
        script_src = directives.get("script-src", directives.get("default-src"))
        assert script_src == ["'self'"]
        assert "'unsafe-inline'" not in directives.get("style-src", [])
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        # The policy would block them anyway; a page that relies on one is broken.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()), "inline <script>"
        assert " style=" not in response.content.decode(), "inline style attribute"


# --- CSRF ---------------------------------------------------------------------------


@pytest.fixture
def csrf_client(admin_member: Membership) -> Client:
    return login(Client(enforce_csrf_checks=True), admin_member)


def _school_form() -> dict[str, str]:
    return {"name": "Maple Ridge Elementary", "code": "MR-1", "level": "elementary", "enrollment": "350", "region": ""}


def _school_exists(name: str) -> bool:
    with scopes_disabled():
        return School.objects.filter(name=name).exists()


def test_a_post_without_the_csrf_token_is_refused(csrf_client: Client, admin_member: Membership) -> None:
    slug = admin_member.district.slug
    csrf_client.get(reverse("dashboards:home", kwargs={"district_slug": slug}))  # has the cookie, not the token

    response = csrf_client.post(reverse("districts:school_create", kwargs={"district_slug": slug}), _school_form())

    assert response.status_code == 403
    assert not _school_exists("Maple Ridge Elementary")


def test_an_htmx_post_with_the_token_from_body_hx_headers_succeeds(
    csrf_client: Client, admin_member: Membership
) -> None:
    slug = admin_member.district.slug
    page = csrf_client.get(reverse("dashboards:home", kwargs={"district_slug": slug})).content.decode()
    hx_headers = json.loads(html.unescape(re.search(r"<body hx-headers='([^']+)'", page).group(1)))

    response = csrf_client.post(
        reverse("districts:school_create", kwargs={"district_slug": slug}),
        _school_form(),
        headers={"X-CSRFToken": hx_headers["X-CSRFToken"], "HX-Request": "true"},
    )

    assert response.status_code < 400
    assert _school_exists("Maple Ridge Elementary")


# --- Sessions ---------------------------------------------------------------------


def test_sessions_end_with_the_browser_and_after_a_working_day(client: Client, principal_member: Membership) -> None:
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60

    response = _log_in(client, principal_member.user.email, TEST_PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == "", "a browser-session cookie has no expiry"
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_an_expired_session_must_log_in_again(client: Client, principal_member: Membership) -> None:
    _log_in(client, principal_member.user.email, TEST_PASSWORD)
    home = reverse("dashboards:home", kwargs={"district_slug": principal_member.district.slug})
    assert client.get(home).status_code == 200

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# --- Password reset -----------------------------------------------------------------


def test_password_reset_mails_a_working_link(client: Client, principal_member: Membership) -> None:
    email = principal_member.user.email
    new_password = "a-brand-new-passphrase-2041"

    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    set_password_url = client.get(link)["Location"]  # the token moves from the URL to the session
    assert "Choose a new password" in client.get(set_password_url).content.decode()
    response = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")

    assert _log_in(Client(), email, TEST_PASSWORD).status_code == 200, "the old password still works"
    fresh = Client()
    assert _log_in(fresh, email, new_password).status_code == 302
    assert _is_logged_in(fresh)
    # A link works once.
    assert "expired or was already used" in Client().get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client: Client) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


# --- Logout -----------------------------------------------------------------------------


def test_logout_is_post_only(client_for, principal_member: Membership) -> None:
    client = client_for(principal_member)

    assert client.get(reverse("logout")).status_code == 405
    assert _is_logged_in(client)

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not _is_logged_in(client)
