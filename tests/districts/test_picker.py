"""`/`: one membership goes straight to its district; several get a picker; none get an explanation."""

from __future__ import annotations

from districts.roles import Role
from tests.factories import DistrictFactory, MembershipFactory, UserFactory


def test_one_membership_redirects_to_the_district(district, principal_member, client_for):
    response = client_for(principal_member).get("/")
    assert response.status_code == 302
    assert response.url == f"/d/{district.slug}/"


def test_several_memberships_get_a_picker(district, other_district, client_for):
    user = UserFactory()
    MembershipFactory(district=district, user=user, role=Role.PARTNER_COACH)
    MembershipFactory(district=other_district, user=user, role=Role.PRINCIPAL)
    response = client_for(user).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/d/{district.slug}/"' in html
    assert f'href="/d/{other_district.slug}/"' in html
    assert "Partner coach" in html and "Principal" in html
    assert [m.district.name for m in response.context["memberships"]] == sorted([district.name, other_district.name])


def test_no_membership_gets_an_explanation(client_for):
    response = client_for(UserFactory()).get("/")
    assert response.status_code == 200
    assert "don't belong to any district yet" in response.content.decode()
    assert "Ask your district admin to invite you" in response.content.decode()


def test_deactivated_memberships_do_not_count(district, other_district, client_for):
    user = UserFactory()
    MembershipFactory(district=district, user=user, role=Role.BOARD_MEMBER)
    MembershipFactory(district=other_district, user=user, role=Role.BOARD_MEMBER, is_active=False)
    response = client_for(user).get("/")
    assert response.status_code == 302
    assert response.url == f"/d/{district.slug}/"
    MembershipFactory._meta.model._base_manager.filter(user=user).update(is_active=False)
    assert "don't belong to any district yet" in client_for(user).get("/").content.decode()


def test_picker_lists_only_the_users_own_districts(district, client_for):
    user = UserFactory()
    for _ in range(2):
        MembershipFactory(district=DistrictFactory(), user=user, role=Role.BOARD_MEMBER)
    MembershipFactory(district=district, role=Role.BOARD_MEMBER)  # someone else's
    response = client_for(user).get("/")
    assert district.slug not in response.content.decode()
    assert len(response.context["memberships"]) == 2


def test_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_logging_in_lands_on_the_district(client, district, principal_member, password):
    response = client.post("/accounts/login/", {"username": principal_member.user.email, "password": password})
    assert response.status_code == 302
    assert client.get(response.url).url == f"/d/{district.slug}/"
