"""The district home, school list and people list cost the same number of queries however large the district,
and the people list's order is the one a reader expects (by name, whatever the case, active members first)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from districts import selectors, services
from districts.models import Membership
from districts.roles import Role
from tests.factories import InvitationFactory, SchoolFactory, UserFactory


def _grow(district, make_member, schools: int) -> None:
    """`schools` more schools, each with a principal and two staff, and an open invitation per school."""
    for _ in range(schools):
        school = SchoolFactory(district=district)
        make_member(district, Role.PRINCIPAL, school=school)
        make_member(district, Role.STAFF, school=school)
        make_member(district, Role.STAFF, school=school, is_active=False)
        InvitationFactory(district=district, role=Role.STAFF, school=school)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_name",
    ["dashboards:home", "districts:school_list", "districts:people_list"],
    ids=["district home", "school list", "people list"],
)
def test_page_queries_stay_the_same_as_schools_are_added(url_name, district, admin_member, make_member, client_for):
    client = client_for(admin_member)
    url = reverse(url_name, kwargs={"district_slug": district.slug})
    _grow(district, make_member, 2)
    small = _queries(client, url)

    _grow(district, make_member, 12)

    assert _queries(client, url) == small


def _names_in_order(page: str, names: list[str]) -> list[str]:
    results = page[page.index('id="people-results"') :]  # not the reader's own name in the page header
    return sorted(names, key=lambda name: results.index(name))


def test_people_list_sorts_by_name_whatever_the_case_with_active_members_first(
    district, admin_member, make_member, client_for
):
    admin_member.user.full_name = "Mia Admin"
    admin_member.user.save()
    services.sync_sort_names(admin_member.user)
    make_member(district, user__full_name="Zed Zimmer")
    make_member(district, user__full_name="bob baker")  # lower case: sorted as B, not after Z
    make_member(district, user__full_name="Alice Adams")
    make_member(district, user__full_name="", user__email="aaron@example.org")  # no name: by the email shown
    make_member(district, user__full_name="Abe Gone", is_active=False)

    page = client_for(admin_member).get(reverse("districts:people_list", kwargs={"district_slug": district.slug}))
    text = page.content.decode()

    assert _names_in_order(
        text, ["Zed Zimmer", "bob baker", "Alice Adams", "aaron@example.org", "Mia Admin", "Abe Gone"]
    ) == ["aaron@example.org", "Alice Adams", "bob baker", "Mia Admin", "Zed Zimmer", "Abe Gone"]


def test_people_list_pages_by_name(district, admin_member, make_member, client_for, monkeypatch):
    monkeypatch.setattr(selectors.paginate, "__kwdefaults__", {"per_page": 2})
    for name in ("Dora D", "carl C", "Ben B", "anna A"):
        make_member(district, user__full_name=name)
    admin_member.user.full_name = "Zoe Admin"
    admin_member.user.save()
    services.sync_sort_names(admin_member.user)
    url = reverse("districts:people_list", kwargs={"district_slug": district.slug})
    client = client_for(admin_member)

    pages = [client.get(url, {"page": n}).content.decode() for n in (1, 2, 3)]

    shown = [re.findall(r"(anna A|Ben B|carl C|Dora D|Zoe Admin)</a>", page) for page in pages]
    assert shown == [["anna A", "Ben B"], ["carl C", "Dora D"], ["Zoe Admin"]]


def test_a_new_membership_takes_its_sort_name_from_the_person(district, make_member):
    named = make_member(district, user__full_name="Grace Okafor")
    unnamed = make_member(district, user__full_name="", user__email="Kim@Example.org")

    assert named.sort_name == "grace okafor"
    assert unnamed.sort_name == "kim@example.org"


def test_a_name_given_on_accepting_an_invitation_reorders_the_person_in_every_district(
    district, other_district, make_member, in_district
):
    user = UserFactory(email="newcomer@example.org", full_name="")
    elsewhere = make_member(other_district, user=user)
    assert elsewhere.sort_name == "newcomer@example.org"
    invitation = InvitationFactory(district=district, email=user.email, full_name="Aaron Able", role=Role.BOARD_MEMBER)

    with in_district(district):
        joined = services.invitation_accept(district=district, invitation=invitation, user=user, nonce=invitation.nonce)

    sort_names = dict(Membership._base_manager.filter(user=user).values_list("district_id", "sort_name"))
    assert sort_names == {district.pk: "aaron able", other_district.pk: "aaron able"}
    assert joined.district_id == district.pk


def test_home_checklist_counts_people_up_to_a_cap(district, admin_member, make_member, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "CHECKLIST_COUNT_CAP", 2)
    for _ in range(3):
        make_member(district)
    InvitationFactory(district=district)
    page = client_for(admin_member).get(reverse("dashboards:home", kwargs={"district_slug": district.slug}))

    people = {item.key: item for item in page.context["checklist"]}["people"]

    assert people.done
    assert people.detail == "more than 2 other members, 1 invitation."


def test_people_list_rows_link_each_person_and_invitation_and_name_their_role(
    district, admin_member, make_member, client_for
):
    principal = make_member(district, Role.PRINCIPAL, user__full_name="Pat Principal")
    invitation = InvitationFactory(district=district, full_name="Ivy Invited", role=Role.BOARD_MEMBER)

    text = client_for(admin_member).get(f"/d/{district.slug}/people/").content.decode()

    assert f'<a href="/d/{district.slug}/people/{principal.pk}/">Pat Principal</a>' in text
    assert f'<a href="/d/{district.slug}/people/invitations/{invitation.pk}/">Ivy Invited</a>' in text
    assert "<td>Principal" in text and "<td>Board member" in text


def test_count_together_counts_each_queryset_as_count_does_and_a_capped_one_stops_at_its_limit(
    district, other_district, make_member, in_district
):
    for _ in range(4):
        make_member(district)
    make_member(other_district)
    InvitationFactory(district=district)

    with in_district(district):
        members = Membership.objects.filter(district=district)
        counts = selectors.count_together(
            members=members,
            active=members.filter(is_active=True),
            capped=(members, 2),
            invitations=selectors.invitation_list(district=district, filters=selectors.PeopleFilters()),
        )

    assert counts == {"members": 4, "active": 4, "capped": 2, "invitations": 1}


def test_school_list_counts_matching_schools_and_offers_every_region(district, admin_client):
    SchoolFactory(district=district, name="North Elementary", region="North")
    SchoolFactory(district=district, name="North High", region="North")
    SchoolFactory(district=district, name="South Elementary", region="South")
    SchoolFactory(district=district, name="Regionless Academy", region="")

    response = admin_client.get(f"/d/{district.slug}/schools/", {"q": "elementary"})
    text = response.content.decode()

    assert "2 schools matching your filters" in text
    assert response.context["regions"] == ["North", "South"]
    assert [row.school.name for row in response.context["schools"]] == ["North Elementary", "South Elementary"]
