"""My settings: a checkbox per optional email (ticked while it is on), the essential ones listed as always
sent; saving remembers the kinds turned off in User.email_opt_out, without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from checkins.models import NotificationKind
from districts import email_preferences
from districts.models import User
from districts.roles import Role
from tests.conftest import login
from tests.factories import TEST_PASSWORD, DistrictFactory, MembershipFactory

pytestmark = pytest.mark.django_db

OPTIONAL = ["cycle_opened", "reminder", "response", "digest"]
ESSENTIAL = ["late", "escalation", "returned"]


@pytest.fixture
def member():
    return MembershipFactory(district=DistrictFactory(languages=["en", "es"]), role=Role.PRINCIPAL)


def _checkbox(page: str, kind: str) -> str:
    match = re.search(rf'<input[^>]*name="email_{kind}"[^>]*>', page)
    assert match, f"no checkbox for {kind}"
    return match.group(0)


def test_the_check_in_emails_are_registered_optional_and_essential():
    assert [kind.key for kind in email_preferences.optional_kinds()] == OPTIONAL
    assert [kind.key for kind in email_preferences.essential_kinds()] == ESSENTIAL
    assert set(OPTIONAL + ESSENTIAL) == set(NotificationKind.values)


def test_the_page_shows_a_ticked_checkbox_per_optional_email_and_lists_the_essential_ones(member):
    page = login(Client(), member).get("/accounts/settings/").content.decode()
    for kind in OPTIONAL:
        checkbox = _checkbox(page, kind)
        assert 'type="checkbox"' in checkbox and "checked" in checkbox
        assert f'aria-describedby="id_email_{kind}_helptext"' in checkbox  # its description is read with it
    assert "<legend>Emails</legend>" in page
    assert "Check-in reminders" in page and "Before the due date" in page
    assert "Always sent" in page
    for kind in ESSENTIAL:
        assert f'name="email_{kind}"' not in page
    assert "A check-in is late" in page and "A check-in is returned" in page


def test_unticking_turns_emails_off_and_ticking_turns_them_back_on(member):
    client = login(Client(), member)
    response = client.post("/accounts/settings/", {"language": "", "email_cycle_opened": "on", "email_digest": "on"})
    assert response.status_code == 302 and response["Location"] == "/accounts/settings/"
    user = User.objects.get(pk=member.user.pk)
    assert user.email_opt_out == ["reminder", "response"]
    assert not email_preferences.wants(user, "reminder") and email_preferences.wants(user, "digest")
    page = client.get("/accounts/settings/").content.decode()
    assert "checked" not in _checkbox(page, "reminder") and "checked" in _checkbox(page, "digest")
    assert "Saved your settings." in page

    client.post("/accounts/settings/", {"language": "", **{f"email_{kind}": "on" for kind in OPTIONAL}})
    assert User.objects.get(pk=member.user.pk).email_opt_out == []


def test_essential_emails_cannot_be_turned_off(member):
    client = login(Client(), member)
    client.post("/accounts/settings/", {"language": "", "email_late": "", "email_returned": ""})
    user = User.objects.get(pk=member.user.pk)
    assert set(user.email_opt_out) == set(OPTIONAL)
    # Even if stored (an old value, a hand edit), an essential kind is still wanted.
    user.email_opt_out = ESSENTIAL
    for kind in ESSENTIAL:
        assert email_preferences.wants(user, kind)


def test_saving_the_language_keeps_working_alongside_the_emails(member):
    client = login(Client(), member)
    response = client.post("/accounts/settings/", {"language": "es", "email_reminder": "on"}, follow=True)
    user = User.objects.get(pk=member.user.pk)
    assert user.language == "es" and "reminder" not in user.email_opt_out
    assert '<html lang="es"' in response.content.decode()


def test_a_kind_no_longer_registered_stays_as_it_was(member):
    user = member.user
    user.email_opt_out = ["something_retired"]
    user.save(update_fields=["email_opt_out"])
    login(Client(), member).post(
        "/accounts/settings/", {"language": "", **{f"email_{kind}": "on" for kind in OPTIONAL}}
    )
    assert User.objects.get(pk=user.pk).email_opt_out == ["something_retired"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_page_is_axe_clean_fits_a_phone_and_saves_with_a_plain_form_post(browser, axe, live_server, language):
    member = MembershipFactory(district=DistrictFactory(languages=["en", "es"]), role=Role.PRINCIPAL)
    member.user.language = language
    member.user.save(update_fields=["language"])
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", member.user.email)
        page.fill("input[name=password]", TEST_PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        page.goto("/accounts/settings/")
        results = axe.run(
            page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        )
        assert not results.response["violations"], results.generate_report()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.uncheck("input[name=email_reminder]")
        with page.expect_navigation():
            page.click("form.form button.primary")
        assert User.objects.get(pk=member.user.pk).email_opt_out == ["reminder"]
        assert not page.is_checked("input[name=email_reminder]") and page.is_checked("input[name=email_digest]")
    finally:
        context.close()
