"""Keyboard journeys (issue 8's gate): an admin invites a person and a superintendent edits a priority in place
with the keyboard alone — Tab, Shift+Tab, Enter, Space and typing, never a click or a fill — and after each
step focus is visible and where a person expects it: on the error summary after a mistake (whose link goes
to the field), on the confirmation after a success, in the form when an in-place edit opens and on the
item when it is saved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from districts.roles import Role
from tests.factories import SchoolFactory
from tests.plans.factories import ActivePlanFactory, PriorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80

# What document.activeElement is, and whether it shows a focus indicator (an outline or a ring).
FOCUSED = r"""() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== "none";
  const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
  return {
    id: element.id, tag: element.tagName, text: (element.textContent || "").replace(/\s+/g, " ").trim(),
    label: label.replace(/\s+/g, " ").trim(),
    summary: element.hasAttribute("data-error-summary"), messages: element.classList.contains("messages"),
    visible: outline || ring,
  };
}"""


def settle(page) -> None:
    """Let HTMX finish swapping and settling (and placing focus), as a person would before the next key."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def press(page, key: str) -> None:
    page.keyboard.press(key)
    page.wait_for_load_state()
    settle(page)


def focused(page) -> dict:
    """The focused element; it must exist and show that it has focus."""
    element = page.evaluate(FOCUSED)
    assert element is not None, "nothing has focus"
    assert element["visible"], f"focus is not visible on {element}"
    return element


def tab_to(page, matches, *, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches; every stop on the way shows its focus
    (past the page's last element focus leaves the page for the browser's own controls, then comes back)."""
    element = None
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(FOCUSED) is None:
            continue
        element = focused(page)
        if matches(element):
            return element
    raise AssertionError(f"Tab never reached the element; last was {element}")


def by_text(text: str):
    return lambda element: element["text"].startswith(text)


def by_id(element_id: str):
    return lambda element: element["id"] == element_id


def test_an_admin_invites_a_person_with_the_keyboard_alone(page, login_as, district, make_member):
    admin = make_member(district, Role.DISTRICT_ADMIN)
    SchoolFactory(district=district, name="Jefferson Middle School")
    login_as(page, admin.user.email)

    tab_to(page, by_text("People"))
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    tab_to(page, by_text("Invite a person"))
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a person")

    tab_to(page, by_id("id_email"))
    page.keyboard.type("grace.okafor@example.org")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_full_name"
    page.keyboard.type("Grace Okafor")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_role"
    page.keyboard.type("Principal")  # a closed select chooses the option typed
    expect(page.locator("#id_role")).to_have_value(Role.PRINCIPAL.value)
    tab_to(page, by_text("Send the invitation"))
    press(page, "Enter")  # no school for a principal: a mistake

    # The page says what is wrong, at the top, and focus is on that summary.
    summary = focused(page)
    assert summary["summary"], summary
    assert "There is a problem" in summary["text"] and "A principal needs a school." in summary["text"]
    assert page.locator("#id_full_name").input_value() == "Grace Okafor"
    # Its link takes focus to the field, which says it is invalid and why.
    link = tab_to(page, by_text("School"))
    assert "A principal needs a school." in link["text"]
    press(page, "Enter")
    assert focused(page)["id"] == "id_school"
    school = page.locator("#id_school")
    expect(school).to_have_attribute("aria-invalid", "true")
    expect(school).to_have_attribute("aria-describedby", re.compile(r"\bid_school_error\b"))

    page.keyboard.type("Jefferson")
    expect(school).not_to_have_value("")
    tab_to(page, by_text("Send the invitation"))
    press(page, "Enter")

    # Sent: the confirmation has focus, so it is read out and the next Tab starts there.
    confirmation = focused(page)
    assert confirmation["messages"], confirmation
    assert "Invitation sent to grace.okafor@example.org" in confirmation["text"]
    expect(page.get_by_role("cell", name="Pending")).to_have_count(1)


@pytest.fixture
def plan_with_priorities(district, make_member):
    superintendent = make_member(district, Role.SUPERINTENDENT)
    plan = ActivePlanFactory(district=district, title="Riverbend 2030")
    first = PriorityFactory(
        plan=plan,
        code="P1",
        title="Every student reads by grade 3",
        success_looks_like="By 2030, 80% of third graders read at or above grade level.",
        position=1,
    )
    PriorityFactory(
        plan=plan,
        code="P2",
        title="Attendance and belonging",
        success_looks_like="Chronic absenteeism falls below 10%.",
        position=2,
    )
    return {"plan": plan, "priority": first, "superintendent": superintendent}


def test_a_superintendent_edits_a_priority_in_place_with_the_keyboard_alone(page, login_as, plan_with_priorities):
    plan, priority = plan_with_priorities["plan"], plan_with_priorities["priority"]
    login_as(page, plan_with_priorities["superintendent"].user.email)
    page.goto(f"/d/{plan.district.slug}/plans/{plan.pk}/")
    page.evaluate("window.notReloaded = true")
    title_field, heading = f"id_priority-{priority.pk}_title", f"priority-{priority.pk}-title"

    # Opening the edit puts focus in its first field.
    tab_to(page, by_text("Edit P1"))
    press(page, "Enter")
    assert focused(page)["id"] == title_field
    page.keyboard.press("Control+A")
    page.keyboard.type("Every student reads well by grade 3")
    tab_to(page, by_text("Save priority"))
    press(page, "Enter")

    # Saved: the item is back, focus is on its heading, and the change is announced.
    landed = focused(page)
    assert landed["id"] == heading, landed
    assert "Every student reads well by grade 3" in landed["text"]
    expect(page.locator("#priorities-status")).to_have_text(re.compile("Saved priority"))
    expect(page.locator(f"#{title_field}")).to_have_count(0)

    # A mistake: an empty title. What was typed stays, and focus is on the summary of the problem.
    tab_to(page, by_text("Edit P1"))
    press(page, "Enter")
    assert focused(page)["id"] == title_field
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    success_field = tab_to(page, lambda element: element["label"].startswith("What success looks like"))
    page.keyboard.press("End")
    page.keyboard.type(" Every school, every year.")
    tab_to(page, by_text("Save priority"))
    press(page, "Space")  # a button takes Space as well as Enter
    summary = focused(page)
    assert summary["summary"], summary
    assert "There is a problem" in summary["text"]
    expect(page.locator(f"#{success_field['id']}")).to_have_value(re.compile(r"Every school, every year\.$"))
    # Its link goes to the title, marked invalid and described by its message.
    tab_to(page, lambda element: element["tag"] == "A")
    press(page, "Enter")
    assert focused(page)["id"] == title_field
    expect(page.locator(f"#{title_field}")).to_have_attribute("aria-invalid", "true")

    # Cancel goes back to the item, focused, with nothing saved.
    tab_to(page, by_text("Cancel"))
    press(page, "Enter")
    assert focused(page)["id"] == heading
    assert "Every student reads well by grade 3" in focused(page)["text"]
    assert page.evaluate("window.notReloaded") is True  # all of it in place, no page load


def test_filtering_keeps_focus_in_the_search_box_and_says_the_new_count(page, login_as, district, make_member):
    admin = make_member(district, Role.DISTRICT_ADMIN)
    for name in ("Jefferson Middle School", "Lincoln Elementary School", "Roosevelt High School"):
        SchoolFactory(district=district, name=name)
    login_as(page, admin.user.email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/d/{district.slug}/schools/")

    tab_to(page, by_id("id_q"))
    page.keyboard.type("Jefferson")
    expect(page.locator("#school-results tbody tr")).to_have_count(1)
    settle(page)
    # Focus stays where the person is typing; the count is read out from the shared live region.
    assert focused(page)["id"] == "id_q"
    status = page.locator("#live-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("1 school matching your filters")

    # On a phone the table scrolls inside its own region, which a keyboard can reach, first column in view.
    region = tab_to(page, lambda element: element["tag"] == "DIV")
    # Leaving the search box fires its change event and the results are fetched again; the swapped-in
    # region takes the focus back (htmx keeps focus on an element with the same id), not the page's top.
    settle(page)
    assert page.evaluate("id => document.activeElement.getAttribute('aria-labelledby')", None) == "schools-caption"
    assert region["text"].startswith("1 school matching your filters")
    sticky = page.evaluate(
        """() => [...document.querySelectorAll("#school-results tr")].map(
             row => getComputedStyle(row.firstElementChild).position)"""
    )
    assert set(sticky) == {"sticky"}, sticky
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
