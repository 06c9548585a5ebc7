"""HTMX filters replace their results region in place, again and again, and keep the URL."""

import re

import pytest
from playwright.sync_api import expect

from districts.models import SchoolLevel
from districts.roles import Role
from tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_school_filter_swaps_results_repeatedly_without_nesting(page, login_as, district, make_member):
    admin = make_member(district, Role.DISTRICT_ADMIN)
    SchoolFactory(district=district, name="Oak Elementary", level=SchoolLevel.ELEMENTARY)
    SchoolFactory(district=district, name="Pine High", level=SchoolLevel.HIGH)
    SchoolFactory(district=district, name="Elm Middle", level=SchoolLevel.MIDDLE)
    login_as(page, admin.user.email)
    page.goto(f"/d/{district.slug}/schools/")

    level = page.get_by_label("Level")
    for value, shown, hidden in [
        ("high", "Pine High", "Oak Elementary"),
        ("elementary", "Oak Elementary", "Pine High"),
    ]:
        level.select_option(value)
        results = page.locator("#school-results")
        # The swap lands after the response arrives: wait for what the user sees.
        expect(results).to_contain_text(shown)
        expect(results).not_to_contain_text(hidden)
        assert results.count() == 1
        expect(page).to_have_url(re.compile(f"level={value}"))


def test_people_filter_swaps_results_repeatedly_without_nesting(page, login_as, district, make_member):
    admin = make_member(district, Role.DISTRICT_ADMIN)
    board = make_member(district, Role.BOARD_MEMBER)
    principal = make_member(district, Role.PRINCIPAL)
    login_as(page, admin.user.email)
    page.goto(f"/d/{district.slug}/people/")

    role = page.get_by_label("Role")
    for value, shown, hidden in [("board_member", board, principal), ("principal", principal, board)]:
        role.select_option(value)
        results = page.locator("#people-results")
        expect(results).to_contain_text(shown.user.email)
        expect(results).not_to_contain_text(hidden.user.email)
        assert results.count() == 1
