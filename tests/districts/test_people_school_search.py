"""The people list finds a school's people by a school search, not by an option for every school."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import SchoolFactory


def test_people_list_filters_by_school_search_and_lists_no_school_options(
    district, admin_member, make_member, client_for
):
    lincoln = SchoolFactory(district=district, name="Lincoln Elementary", code="LIN")
    washington = SchoolFactory(district=district, name="Washington High", code="WAS")
    make_member(district=district, school=lincoln, user__full_name="Ada Lincolnite")
    make_member(district=district, school=washington, user__full_name="Grace Washingtonian")
    client = client_for(admin_member)
    url = reverse("districts:people_list", kwargs={"district_slug": district.slug})

    everyone = client.get(url).content.decode()
    by_name = client.get(url + "?school=lincoln").content.decode()
    by_code = client.get(url + "?school=WAS").content.decode()

    assert 'name="school"' in everyone
    assert f'value="school:{lincoln.pk}"' not in everyone  # no option per school
    assert "Ada Lincolnite" in by_name and "Grace Washingtonian" not in by_name
    assert "Grace Washingtonian" in by_code and "Ada Lincolnite" not in by_code


def test_a_link_to_one_schools_people_still_filters_and_shows_the_school(
    district, admin_member, make_member, client_for
):
    lincoln = SchoolFactory(district=district, name="Lincoln Elementary", code="LIN")
    make_member(district=district, school=lincoln, user__full_name="Ada Lincolnite")
    make_member(district=district, user__full_name="Grace Elsewhere")

    page = client_for(admin_member).get(
        reverse("districts:people_list", kwargs={"district_slug": district.slug}) + f"?place=school:{lincoln.pk}"
    )
    text = page.content.decode()

    assert "Ada Lincolnite" in text and "Grace Elsewhere" not in text
    assert f'value="school:{lincoln.pk}" selected' in text
