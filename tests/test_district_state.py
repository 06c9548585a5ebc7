"""The matrix's guards themselves: a change in a district and a row pointing into another are seen."""

from __future__ import annotations

from django_scopes import scopes_disabled

from districts.models import District, School
from tests.district_state import changes, cross_district_references, district_rows
from tests.factories import SchoolFactory
from tests.plans.factories import AssignmentFactory, CommitmentFactory


def test_a_change_in_the_district_is_seen_and_another_districts_is_not(district, other_district):
    school = SchoolFactory(district=district, name="Adams")
    before = district_rows(district)
    SchoolFactory(district=other_district)
    assert changes(before, district_rows(district)) == {}
    with scopes_disabled():
        School.objects.filter(pk=school.pk).update(name="Adams Renamed")
    changed = changes(before, district_rows(district))
    assert list(changed) == ["districts_school"]
    assert "+1 -1" in changed["districts_school"]
    before = district_rows(district)
    District.objects.filter(pk=district.pk).update(name="Renamed District")
    assert list(changes(before, district_rows(district))) == ["districts_district"]


def test_a_row_pointing_into_another_district_is_found(district, other_district):
    assignment = AssignmentFactory(commitment=CommitmentFactory(priority__plan__district=district))
    assert cross_district_references(district, other_district) == []
    with scopes_disabled():
        assignment.school = SchoolFactory(district=other_district)
        assignment.save(update_fields=["school"])
    assert "priorities_assignment.school_id" in cross_district_references(district, other_district)
    assert cross_district_references(other_district, district) == []
