"""The plan page and a role card in a real browser: priorities reordered by keyboard alone,
edited in place, no axe-core violations, and a role card that prints on one page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from districts.roles import Role
from districts.tenancy import district_context
from priorities.models import Priority
from tests.factories import RoleLabelFactory, SchoolFactory
from tests.plans.factories import (
    ActivePlanFactory,
    AssignmentFactory,
    CommitmentFactory,
    CompetencyFactory,
    PriorityFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIORITIES = [
    (
        "Every student reads by grade 3",
        "By 2030, 80% of third graders read at or above grade level, and the gap "
        "between student groups is cut in half.",
    ),
    (
        "Attendance and belonging",
        "Chronic absenteeism falls below 10%, and 85% of students say an adult at school knows them well.",
    ),
    (
        "College, career and life ready",
        "The graduation rate reaches 92%, and every graduate leaves with college "
        "credit, a credential or a work-based learning experience.",
    ),
    ("Great people in every role", "Teacher retention reaches 90%, and every school opens the year fully staffed."),
    ("Safe, modern places to learn", "Every building meets the district's safety standard and has reliable Wi-Fi."),
]


@pytest.fixture
def riverbend(district, make_member):
    """An active plan with five priorities, each asking two things of principals."""
    superintendent = make_member(district, Role.SUPERINTENDENT)
    owner = make_member(district, Role.CABINET)
    plan = ActivePlanFactory(
        district=district,
        title="Riverbend 2030",
        vision="Every Riverbend student graduates ready for college, career and a life of purpose, and every "
        "school is a place where students and adults want to be.",
    )
    for n, name in enumerate(
        [
            "Curious learner",
            "Effective communicator",
            "Collaborative problem-solver",
            "Resilient and self-directed",
            "Engaged citizen",
        ],
        start=1,
    ):
        CompetencyFactory(plan=plan, name=name, position=n)
    principals = RoleLabelFactory(district=district, name="Principals", slug="principals", system_role=Role.PRINCIPAL)
    school = SchoolFactory(district=district, name="Jefferson Middle School")
    priorities = []
    for n, (title, success) in enumerate(PRIORITIES, start=1):
        priority = PriorityFactory(
            plan=plan, code=f"P{n}", title=title, success_looks_like=success, owner=owner, position=n
        )
        priorities.append(priority)
        for k in range(2):
            commitment = CommitmentFactory(
                priority=priority,
                role_label=principals,
                title=f"Principals hold a monthly {title.lower()} data meeting ({k + 1})",
                description="The school team reviews the latest data, names the students who need support and "
                "agrees who will follow up before the next meeting.",
                evidence_expected="Meeting agendas, sign-in sheets and the follow-up list.",
                starts_on=date(plan.start_year, 8, 1),
                ends_on=date(plan.end_year, 6, 30),
            )
            AssignmentFactory(commitment=commitment, school=school)
    return {"plan": plan, "priorities": priorities, "superintendent": superintendent, "principals": principals}


def press(page, key: str) -> None:
    """Press a key, then let HTMX finish swapping and settling (and placing focus) as a person would."""
    page.keyboard.press(key)
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def order_in_database(plan) -> list[int]:
    with district_context(plan.district):
        return list(Priority.objects.filter(plan=plan).order_by("position").values_list("pk", flat=True))


def test_priorities_reorder_by_keyboard_alone_and_the_plan_page_is_accessible(
    page, login_as, assert_no_axe_violations, riverbend
):
    plan, (first, second, third, *_rest) = riverbend["plan"], riverbend["priorities"]
    login_as(page, riverbend["superintendent"].user.email)
    page.goto(f"/d/{plan.district.slug}/plans/{plan.pk}/")
    assert_no_axe_violations(page)
    page.evaluate("window.notReloaded = true")
    items = page.locator("#priorities-region .priority-list > li")

    page.get_by_role("button", name=f"Move down: {first.title}").focus()
    press(page, "Enter")
    expect(items.nth(0)).to_have_attribute("id", f"priority-{second.pk}")
    expect(items.nth(1)).to_have_attribute("id", f"priority-{first.pk}")
    # Focus stays on the moved priority's button, so the keyboard user can keep moving it.
    expect(page.get_by_role("button", name=f"Move down: {first.title}")).to_be_focused()
    expect(page.locator("#priorities-status")).to_have_text(re.compile(r"down to position 2 of 5"))

    press(page, "Space")
    expect(items.nth(2)).to_have_attribute("id", f"priority-{first.pk}")
    expect(page.get_by_role("button", name=f"Move down: {first.title}")).to_be_focused()

    # Back up twice, to the top: there "Move up" is disabled and focus moves to "Move down".
    press(page, "Shift+Tab")
    expect(page.get_by_role("button", name=f"Move up: {first.title}")).to_be_focused()
    press(page, "Enter")
    expect(items.nth(1)).to_have_attribute("id", f"priority-{first.pk}")
    press(page, "Enter")
    expect(items.nth(0)).to_have_attribute("id", f"priority-{first.pk}")
    expect(page.get_by_role("button", name=f"Move up: {first.title}")).to_be_disabled()
    expect(page.get_by_role("button", name=f"Move down: {first.title}")).to_be_focused()

    assert page.evaluate("window.notReloaded") is True  # all of it in place, no page load
    assert order_in_database(plan)[:3] == [first.pk, second.pk, third.pk]
    assert_no_axe_violations(page)


def test_a_priority_is_added_in_place(page, login_as, assert_no_axe_violations, riverbend):
    plan = riverbend["plan"]
    login_as(page, riverbend["superintendent"].user.email)
    page.goto(f"/d/{plan.district.slug}/plans/{plan.pk}/")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Add a priority").click()
    form = page.get_by_role("form", name="New priority")
    expect(form.get_by_label("Title", exact=True)).to_be_focused()
    expect(form.get_by_text("This would be priority 6.")).to_be_visible()
    assert_no_axe_violations(page)
    form.get_by_label("Title", exact=True).fill("Family partnership")
    form.get_by_label("What success looks like", exact=True).fill(
        "Every family hears good news from school each month."
    )
    form.get_by_role("button", name="Add priority").click()
    heading = page.get_by_role("heading", name=re.compile("Family partnership"))
    expect(heading).to_be_focused()
    expect(page.get_by_text("Focus guard: this plan has 6 priorities.")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True


def test_a_role_card_is_accessible_and_prints_on_one_page(page, login_as, assert_no_axe_violations, riverbend):
    plan = riverbend["plan"]
    login_as(page, riverbend["superintendent"].user.email)
    page.goto(f"/d/{plan.district.slug}/roles/principals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What our plan asks of principals")
    expect(page.get_by_role("button", name="Print this card")).to_be_visible()
    expect(page.locator(".role-card-priority")).to_have_count(5)
    assert_no_axe_violations(page)
    pdf = page.pdf(format="Letter")
    sheets = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert sheets == 1, f"the role card printed on {sheets} pages"
