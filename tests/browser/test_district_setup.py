"""District setup in the browser: an admin adds a school and invites a principal, who accepts the emailed link."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from districts.roles import Role
from tests.districts.helpers import link_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "plum-orchard-lantern-42"


def _wait_for_email(timeout: float = 5.0) -> mail.EmailMessage:
    """The live server sends after its transaction commits, in its own thread."""
    deadline = time.monotonic() + timeout
    while not mail.outbox:
        if time.monotonic() > deadline:
            raise AssertionError("No invitation email was sent.")
        time.sleep(0.05)
    return mail.outbox[-1]


def test_admin_adds_a_school_and_invites_a_principal_who_accepts(
    page, login_as, assert_no_axe_violations, district, make_member
):
    admin = make_member(district, Role.DISTRICT_ADMIN)
    login_as(page, admin.user.email)

    page.get_by_role("link", name="Schools", exact=True).click()
    page.get_by_role("link", name="Add a school").first.click()
    page.get_by_label("Name").fill("Jefferson Middle School")
    page.get_by_label("Code").fill("JMS-130")
    page.get_by_label("Level").select_option("middle")
    page.get_by_label("Enrollment").fill("812")
    page.get_by_role("button", name="Add school").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Jefferson Middle School"
    # The page after a change carries its confirmation message (the walk never sees one).
    expect(page.get_by_role("status").filter(has_text="Jefferson Middle School")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    assert page.get_by_role("heading", level=1).inner_text() == "People"
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Invite a person").click()
    assert_no_axe_violations(page)
    # A mistake first: the message is at the field and the typed values stay.
    page.get_by_label("Email address").fill("grace.okafor@example.org")
    page.get_by_label("Full name").fill("Grace Okafor")
    page.get_by_label("Role", exact=True).select_option(Role.PRINCIPAL.value)
    page.get_by_role("button", name="Send the invitation").click()
    assert "A principal needs a school." in page.locator("#id_school_error").inner_text()
    assert page.get_by_label("Full name").input_value() == "Grace Okafor"
    assert_no_axe_violations(page)
    page.get_by_label("School").select_option(label="Jefferson Middle School")
    page.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent to grace.okafor@example.org" in page.get_by_role("status").inner_text()
    assert page.get_by_role("cell", name="Pending").count() == 1

    link = link_path(_wait_for_email())
    page.get_by_role("button", name="Log out").click()

    page.goto(link)
    assert "Join " + district.name in page.get_by_role("heading", level=1).inner_text()
    assert_no_axe_violations(page)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()

    assert page.url.endswith(f"/d/{district.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == district.name
    assert "principal at Jefferson Middle School" in page.get_by_text("You are").inner_text()
