"""The dashboard in a browser, at desktop width and at 390 px: the superintendent filters the heat map and
drills down school → check-in with the keyboard alone (HTMX swaps, pushed URLs, Back), and axe-core finds no
violation on the dashboard or on any drill-down."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.dashboards.builders import build_district_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MAX_TABS = 250


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


def tab_to(page, selector: str) -> None:
    """Press Tab until the focused element matches `selector` (as a keyboard user would)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_the_superintendent_filters_and_drills_down_to_a_checkin_by_keyboard(
    sized, login_as, district, assert_no_axe_violations
):
    page, width = sized
    built = build_district_data(district, schools=6, priorities=3, commitments=4, cycles=3, seed=3)
    login_as(page, built.superintendent.user.email)
    home = f"/d/{district.slug}/"
    page.goto(home)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    fits(page, width)
    assert_no_axe_violations(page)

    # Filter by level with the keyboard: the heat map swaps in place and the URL says what is shown.
    level = built.schools[0].level
    tab_to(page, "#id_level")
    for _ in range(10):  # arrow down through the options to the first school's level
        page.keyboard.press("ArrowDown")
        if page.input_value("#id_level") == level:
            break
    chosen = page.input_value("#id_level")
    assert chosen == level
    page.wait_for_url(f"**level={level}**")
    expected = sorted(s.name for s in built.schools if s.level == chosen)
    rows = page.locator("#heatmap-region tbody th[scope=row]")
    expect(rows).to_have_count(len(expected))
    assert rows.all_inner_texts() == expected
    assert page.evaluate("document.activeElement.id") == "id_level"  # focus stays on the filter
    fits(page, width)
    assert_no_axe_violations(page)

    # A full reload of the pushed URL gives the same rows.
    page.reload()
    expect(rows).to_have_count(len(expected))
    assert rows.all_inner_texts() == expected

    # Into a school (an HTMX swap of the main region), then its latest check-in: Tab and Enter only.
    school = expected[0]
    tab_to(page, "#heatmap-region tbody th[scope=row] a")
    assert page.evaluate("document.activeElement.textContent").strip() == school
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(school)
    page.wait_for_url("**/dashboard/schools/**")
    assert page.evaluate("document.activeElement.tagName") == "H1"  # focus moved to the new heading
    assert school in page.title()
    fits(page, width)
    assert_no_axe_violations(page)
    drill_url = page.url
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(school)
    assert page.url == drill_url

    tab_to(page, "#drill-region tbody td a[href*='/checkins/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/checkins/**")
    expect(page.get_by_role("heading", level=1)).to_contain_text(school)

    # Back through the history: the school, then the filtered dashboard.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(school)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    assert f"level={chosen}" in page.url


def test_the_priority_and_commitment_drill_downs_pass_axe_and_fit(sized, login_as, district, assert_no_axe_violations):
    page, width = sized
    built = build_district_data(district, schools=4, priorities=2, commitments=3, cycles=2, seed=5)
    login_as(page, built.superintendent.user.email)
    page.goto(f"/d/{district.slug}/")
    # From a priority card to the priority, then to its first commitment (HTMX swaps).
    page.get_by_role("link", name=built.priorities[0].title).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(built.priorities[0].title)
    page.wait_for_url("**/dashboard/priorities/**")
    fits(page, width)
    assert_no_axe_violations(page)
    page.locator("#drill-region tbody th a").first.click()
    page.wait_for_url("**/dashboard/commitments/**")
    expect(page.locator("#drill-region")).to_be_visible()
    fits(page, width)
    assert_no_axe_violations(page)


@pytest.mark.slow
def test_the_demo_dashboard_and_drill_downs_pass_axe_for_every_role_that_sees_them(browser, live_server, axe):
    """The seeded year of cycles, as the superintendent, a cabinet lead, a partner coach and the district admin
    (the admin opens the drill-downs; their home is their own), in English and Spanish, at 390 px."""
    from io import StringIO

    from django.core.management import call_command

    from districts.demo import DEMO_PASSWORD
    from tests.gates.demo_urls import DEMO_ROLES, app_urls, demo_paths
    from tests.gates.walk import PHONE, log_in, walk

    names = ("dashboards:home", "dashboards:priority_drill", "dashboards:commitment_drill", "dashboards:school_drill")
    call_command("seed_demo", stdout=StringIO())
    try:
        paths = demo_paths([url for url in app_urls() if url.name in names])
        roles = ["superintendent", "cabinet lead", "partner coach", "district admin"]
        logins = {role: log_in(browser, live_server.url, DEMO_ROLES[role], DEMO_PASSWORD) for role in roles}
        visits, _ = walk(browser, live_server.url, axe.axe_script, logins, paths)
        context = browser.new_context(base_url=live_server.url, storage_state=logins["superintendent"])
        dashboard = context.new_page()
        dashboard.goto(paths["dashboards:home"])
        cells = dashboard.locator("#heatmap-region td.heat").all_inner_texts()
        context.close()
    finally:
        call_command("flush", interactive=False, stdout=StringIO())
    assert len(paths) == len(names)
    checked = [v for v in visits if v.checked]
    assert {v.name for v in checked} == set(names)
    problems = [
        (v.role, v.language, v.name, v.status, v.violations, v.scroll_width)
        for v in visits
        if v.status >= 500 or v.violations or (v.checked and v.scroll_width > PHONE["width"])
    ]
    assert not problems
    assert cells and any("No data" not in text for text in cells)  # the demo's heat map has real statuses
