"""The check-in page in a browser at 390 px: the principal fills and submits a check-in with the keyboard
alone (Tab, arrows, Space, typing, Enter), the draft autosaves with "Saved at …" in a live region, text
typed survives a reload before it was saved, and axe-core finds no violations in any of its states."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from checkins.models import Checkin, CheckinCycle, CheckinEntry, CheckinState, CycleState
from districts.roles import Role
from tests.factories import SchoolFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PriorityFactory

from .test_keyboard import focused, press, settle, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def open_checkin(district, make_member):
    """An open cycle (due in five days) and a school's check-in with two commitments to report on."""
    now = timezone.now()
    with scopes_disabled():
        plan = ActivePlanFactory(district=district, start_year=now.year - 1, end_year=now.year + 4)
        priority = PriorityFactory(plan=plan, title="Every student reads")
        school = SchoolFactory(district=district, name="Oak Elementary")
        cycle = CheckinCycle.objects.create(
            district=district,
            plan=plan,
            period_start=date(now.year, now.month, 1),
            period_end=date(now.year, now.month, 28),
            opens_at=now - timedelta(days=1),
            due_at=now + timedelta(days=5),
            escalates_at=now + timedelta(days=8),
            closes_at=now + timedelta(days=12),
            state=CycleState.OPEN,
            opened_at=now - timedelta(days=1),
        )
        checkin = Checkin.objects.create(district=district, cycle=cycle, school=school)
        for title in ("Daily reading block", "Family reading nights"):
            assignment = AssignmentFactory(commitment=CommitmentFactory(priority=priority, title=title), school=school)
            CheckinEntry.objects.create(district=district, checkin=checkin, assignment=assignment)
    principal = make_member(district, Role.PRINCIPAL, school=school)
    return checkin, principal


def test_the_principal_fills_and_submits_a_checkin_with_the_keyboard_alone(
    phone, login_as, open_checkin, district, assert_no_axe_violations
):
    checkin, principal = open_checkin
    login_as(phone, principal.user.email)
    phone.goto(f"/d/{district.slug}/checkins/{checkin.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Oak Elementary")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(phone)

    # First entry: at risk (the checked radio is "Not started"; arrows move within the group) …
    tab_to(phone, lambda e: e["tag"] == "INPUT" and e["label"] == "Not started")
    for _ in range(3):  # Not started → Done → Off track → At risk
        press(phone, "ArrowUp")
    assert focused(phone)["label"] == "At risk"
    # … without a note, then submit: the error summary takes focus and names the field.
    tab_to(phone, by_text_start("Submit check-in"))
    press(phone, "Enter")
    summary = focused(phone)
    assert summary["summary"], summary
    expect(phone.locator("[data-error-summary]")).to_contain_text("Add a note")
    assert_no_axe_violations(phone)
    # The summary's link goes to the note; type it there.
    press(phone, "Tab")
    press(phone, "Enter")
    assert focused(phone)["tag"] == "TEXTAREA"
    phone.keyboard.type("Two classes still without a reading block.")
    # The draft saves itself and says so.
    expect(phone.locator("#save-status")).to_contain_text(re.compile(r"Saved at \d"), timeout=8_000)
    settle(phone)
    # Second entry: done.
    tab_to(phone, lambda e: e["tag"] == "INPUT" and e["label"] == "Not started")
    press(phone, "ArrowUp")
    assert focused(phone)["label"] == "Done"
    tab_to(phone, by_text_start("Submit check-in"))
    press(phone, "Enter")
    expect(phone.locator(".messages")).to_contain_text("Check-in submitted")
    assert_no_axe_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with scopes_disabled():
        stored = Checkin.objects.get(pk=checkin.pk)
        notes = list(CheckinEntry.objects.filter(checkin=checkin).order_by("pk").values_list("status", "note"))
    assert stored.state == CheckinState.SUBMITTED and not stored.late
    assert notes == [("at_risk", "Two classes still without a reading block."), ("done", "")]


def by_text_start(text: str):
    return lambda element: element["text"].startswith(text)


def test_text_typed_before_a_reload_is_restored_from_the_browser(phone, login_as, open_checkin, district):
    checkin, principal = open_checkin
    login_as(phone, principal.user.email)
    phone.goto(f"/d/{district.slug}/checkins/{checkin.pk}/")
    # Autosave can't reach the server (as when the network drops); the text is kept in the browser.
    phone.route(
        re.compile(r".*/checkins/\d+/$"),
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    note = phone.locator("textarea").first
    note.click()
    phone.keyboard.type("Kept in the browser")
    phone.wait_for_timeout(300)
    phone.unroute(re.compile(r".*/checkins/\d+/$"))
    phone.reload()
    expect(phone.locator("textarea").first).to_have_value("Kept in the browser")
    # Restored text is saved again, and the copy dropped once the server has it.
    expect(phone.locator("#save-status")).to_contain_text(re.compile(r"Saved at \d"), timeout=8_000)
    with scopes_disabled():
        assert CheckinEntry.objects.filter(checkin=checkin, note="Kept in the browser").exists()


def test_the_list_and_the_read_only_page_pass_axe_at_390_px(
    phone, login_as, open_checkin, district, make_member, assert_no_axe_violations
):
    checkin, principal = open_checkin
    login_as(phone, principal.user.email)
    phone.goto(f"/d/{district.slug}/checkins/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Oak Elementary")
    assert_no_axe_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    superintendent = make_member(district, Role.SUPERINTENDENT)
    phone.context.clear_cookies()
    login_as(phone, superintendent.user.email)
    phone.goto(f"/d/{district.slug}/checkins/{checkin.pk}/")
    expect(phone.get_by_role("heading", level=2, name="Daily reading block")).to_be_visible()
    assert_no_axe_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
