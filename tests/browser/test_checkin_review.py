"""The review pages in a browser, at desktop width and at 390 px: a cycle's check-ins, the support-request
queue, the check-in page with its response forms and the return form pass axe-core, fit the phone,
and a comment posted with HTMX appears in place."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from checkins.models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinResponse,
    CheckinState,
    CycleState,
    EntryStatus,
    ResponseKind,
)
from districts.roles import Role
from tests.factories import DepartmentFactory, SchoolFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PriorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SIZES))
def sized(request, browser, live_server):
    viewport = SIZES[request.param]
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport=viewport, has_touch=request.param == "phone"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page, viewport["width"]
    context.close()


@pytest.fixture
def reviewed(district, make_member):
    """An open cycle: a submitted late check-in asking for support (with a comment), a draft, a department's."""
    now = timezone.now()
    superintendent = make_member(district, Role.SUPERINTENDENT)
    with scopes_disabled():
        plan = ActivePlanFactory(district=district, start_year=now.year - 1, end_year=now.year + 4)
        priority = PriorityFactory(plan=plan, title="Every student reads", owner=superintendent)
        cycle = CheckinCycle.objects.create(
            district=district,
            plan=plan,
            period_start=date(now.year, now.month, 1),
            period_end=date(now.year, now.month, 28),
            opens_at=now - timedelta(days=9),
            due_at=now - timedelta(days=3),
            escalates_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=4),
            state=CycleState.OPEN,
            opened_at=now - timedelta(days=9),
        )
        oak = SchoolFactory(district=district, name="Oak Elementary")
        elm = SchoolFactory(district=district, name="Elm Middle")
        department = DepartmentFactory(district=district, name="Teaching and Learning")
        submitted = Checkin.objects.create(
            district=district,
            cycle=cycle,
            school=oak,
            state=CheckinState.SUBMITTED,
            submitted_at=now - timedelta(days=1),
            late=True,
        )
        draft = Checkin.objects.create(district=district, cycle=cycle, school=elm, state=CheckinState.DRAFT)
        Checkin.objects.create(district=district, cycle=cycle, department=department)
        commitment = CommitmentFactory(priority=priority, title="Daily reading block")
        entry = CheckinEntry.objects.create(
            district=district,
            checkin=submitted,
            assignment=AssignmentFactory(commitment=commitment, school=oak),
            status=EntryStatus.AT_RISK,
            note="Two classes behind",
            support_requested=True,
            support_needed="A reading coach for two days",
        )
        CheckinEntry.objects.create(
            district=district, checkin=draft, assignment=AssignmentFactory(commitment=commitment, school=elm)
        )
        CheckinResponse.objects.create(
            district=district,
            checkin=submitted,
            entry=entry,
            kind=ResponseKind.COMMENT,
            author=superintendent,
            body="Which grades?",
        )
    return superintendent, submitted, entry


def test_the_review_pages_pass_axe_and_fit(sized, login_as, reviewed, district, assert_no_axe_violations):
    page, width = sized
    superintendent, submitted, entry = reviewed
    login_as(page, superintendent.user.email)
    base = f"/d/{district.slug}/checkins"
    for path, heading in (
        (f"{base}/cycles/", "Check-in cycles"),
        (f"{base}/cycles/{submitted.cycle_id}/", "Check-ins for"),
        (f"{base}/cycles/{submitted.cycle_id}/?state=late", "Check-ins for"),
        (f"{base}/support/", "Support requests"),
        (f"{base}/support/?tab=resolved", "Support requests"),
        (f"{base}/{submitted.pk}/", "Oak Elementary"),
        (f"{base}/{submitted.pk}/return/", "Return the check-in"),
        (f"{base}/entries/{entry.pk}/resolve/", "Resolve a support request"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert_no_axe_violations(page)


def test_a_comment_appears_in_place_and_the_return_form_shows_its_error(
    sized, login_as, reviewed, district, assert_no_axe_violations
):
    page, _width = sized
    superintendent, submitted, entry = reviewed
    login_as(page, superintendent.user.email)
    page.goto(f"/d/{district.slug}/checkins/{submitted.pk}/")
    page.get_by_label("Comment on this commitment").fill("The coach can come on Tuesday.")
    thread = page.locator(f"#entry-{entry.pk}-responses")
    thread.get_by_role("button", name="Add comment").click()
    expect(page.locator(f"#entry-{entry.pk}-responses")).to_contain_text("The coach can come on Tuesday.")
    expect(page.locator(f"#entry-{entry.pk}-responses")).to_contain_text("Your comment was added.")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Return for revision…").click()
    page.get_by_role("button", name="Return for revision").click()
    expect(page.locator(".errorlist")).to_contain_text("Say what should be changed")
    assert_no_axe_violations(page)
