"""Log in through the real form, land on the district home; both pages are axe-clean."""

import pytest

from districts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_lands_on_district_home_and_pages_are_accessible(
    page, login_as, assert_no_axe_violations, district, make_member
):
    principal = make_member(district, Role.PRINCIPAL)

    page.goto("/accounts/login/")
    assert_no_axe_violations(page)

    login_as(page, principal.user.email)
    assert page.url.endswith(f"/d/{district.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == district.name
    assert_no_axe_violations(page)


def test_wrong_password_shows_a_clear_message(page, login_as, district, make_member):
    member = make_member(district, Role.STAFF)
    login_as(page, member.user.email, password="not-the-password")
    assert "don't match an account" in page.get_by_role("alert").inner_text()
    assert page.url.endswith("/accounts/login/")
