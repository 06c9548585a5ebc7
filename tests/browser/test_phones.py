"""Phones (issue 8 item 6): at 390 × 844 no page scrolls sideways; wide tables scroll inside their own
region with the first column in view; long words (email addresses) wrap; primary actions are 44 px."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from districts.demo import DEMO_PASSWORD
from tests.gates.demo_urls import app_urls, demo_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The pages that were wider than a phone (an email address in a heading or a definition list;
# a table's visually-hidden text placed past the page's edge).
ONCE_TOO_WIDE = [
    "metrics:metric_detail",
    "districts:invitation_revoke",
    "districts:invitation_detail",
    "districts:person_detail",
    "districts:people_list",
]


@pytest.fixture
def phone(browser, live_server):
    call_command("seed_demo", stdout=StringIO())
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "admin@riverbend.example")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    yield page, demo_paths(app_urls())
    context.close()


def test_no_page_scrolls_sideways_on_a_phone(phone):
    page, paths = phone
    too_wide = {}
    for name in ONCE_TOO_WIDE:
        page.goto(paths[name])
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width
    assert not too_wide, f"wider than {PHONE['width']} px: {too_wide}"


def test_a_wide_table_scrolls_in_its_own_region_with_its_first_column_in_view(phone):
    page, paths = phone
    page.goto(paths["metrics:metric_detail"])
    region = page.locator(".table-wrap[role=region], .table-scroll[role=region]").first
    assert region.get_attribute("tabindex") == "0"
    caption_id = region.get_attribute("aria-labelledby")
    assert page.locator(f"#{caption_id}").is_visible()
    assert region.evaluate("r => r.scrollWidth > r.clientWidth"), "the table fits: nothing to scroll"

    first_cell = region.locator("tbody tr").first.locator(":scope > *").first
    left_before = first_cell.bounding_box()["x"]
    region.focus()
    page.keyboard.press("End")  # a keyboard user scrolls the focused region
    region.evaluate("r => { r.scrollLeft = r.scrollWidth; }")
    assert region.evaluate("r => r.scrollLeft") > 0
    assert first_cell.bounding_box()["x"] == pytest.approx(left_before, abs=1), "the first column scrolled away"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_long_email_address_wraps_inside_the_screen(phone):
    page, paths = phone
    page.goto(paths["districts:invitation_revoke"])
    heading = page.locator("main h1")
    assert "@" in heading.inner_text()
    box = heading.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    assert heading.evaluate("h => h.scrollWidth <= h.clientWidth"), "the address runs out of its heading"


def test_primary_actions_are_big_enough_to_tap(phone):
    page, paths = phone
    page.goto(paths["districts:invitation_revoke"])
    button = page.locator("main form button[type=submit]").first.bounding_box()
    assert button["height"] >= 44 and button["width"] >= 44


def test_every_table_on_the_metric_page_scrolls_in_a_named_focusable_region(phone):
    page, paths = phone
    page.goto(paths["metrics:metric_detail"])
    regions = page.locator("main table").evaluate_all(
        """tables => tables.map(t => {
            const r = t.closest('.table-scroll, .table-wrap');
            const caption = r && document.getElementById(r.getAttribute('aria-labelledby'));
            return [r && r.getAttribute('role'), r && r.tabIndex, caption === t.caption];
        })"""
    )
    assert len(regions) >= 2
    assert all(region == ["region", 0, True] for region in regions), regions
