"""core.forms' choice fields and InputForm's bounds: malformed ids and far values are field messages, not queries.

An id that cannot be an id ("99999999999999999999", past bigint; "abc"; "²") used to
go to the database: a ModelMultipleChoiceField's `pk__in` sends it as it is (a server
error on PostgreSQL with some drivers), and a ModelForm skips model validation in
InputForm, so a year-1 date or an integer past the column reached the service.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from core.forms import IdChoiceField, IdMultipleChoiceField
from districts.models import School
from plans.forms import PlanForm
from priorities.forms import CommitmentForm
from priorities.models import Assignment
from tests.factories import SchoolFactory
from tests.plans.factories import CommitmentFactory, PlanFactory, PriorityFactory

NOT_IDS = ["99999999999999999999", "9223372036854775808", "abc", "²", "-1", "0", "1.5"]


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_choice_that_cannot_be_an_id_is_refused_without_a_query(db, value, django_assert_num_queries):
    field = IdChoiceField(queryset=School._base_manager.all())
    with django_assert_num_queries(0), pytest.raises(ValidationError) as refused:
        field.clean(value)
    assert refused.value.code == "invalid_choice"
    assert "Select a valid choice" in refused.value.messages[0]


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_multiple_choice_that_cannot_be_an_id_is_refused_without_a_query(db, value, django_assert_num_queries):
    school = SchoolFactory()
    field = IdMultipleChoiceField(queryset=School._base_manager.all())
    with django_assert_num_queries(0), pytest.raises(ValidationError) as refused:
        field.clean([str(school.pk), value])
    assert refused.value.code == "invalid_choice"
    assert "Select a valid choice" in refused.value.messages[0]


def test_real_ids_are_still_chosen(db):
    school = SchoolFactory()
    assert IdChoiceField(queryset=School._base_manager.all()).clean(str(school.pk)) == school
    assert list(IdMultipleChoiceField(queryset=School._base_manager.all()).clean([str(school.pk)])) == [school]
    assert IdChoiceField(queryset=School._base_manager.all(), required=False).clean("") is None


def test_assigning_a_commitment_to_a_school_id_past_bigint_says_so_beside_the_schools(client_for, admin_member):
    district = admin_member.district
    commitment = CommitmentFactory(priority=PriorityFactory(plan=PlanFactory(district=district)))
    SchoolFactory(district=district)
    path = reverse(
        "priorities:commitment_assign", kwargs={"district_slug": district.slug, "commitment_id": commitment.pk}
    )
    response = client_for(admin_member).post(path, {"target": "schools", "schools": "99999999999999999999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with scope(district=district):
        assert not Assignment.objects.filter(commitment=commitment).exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_a_commitment_date_far_from_any_plan_is_a_message_at_the_field(district, day):
    with scope(district=district):
        form = CommitmentForm(
            {"title": "Read daily", "starts_on": day, "ends_on": "2026-06-30", "reported_in": "school"},
            district=district,
            creating=False,
        )
        assert not form.is_valid()
    assert "Enter a date between the years 1900 and 2200." in form.errors["starts_on"]


@pytest.mark.parametrize("year", ["99999999999999999999", "2147483648", "40000", "-1"])
def test_a_plan_year_past_its_column_is_a_message_at_the_field(district, year):
    form = PlanForm({"title": "Plan", "start_year": year, "end_year": "2030"}, district=district, with_copy=False)
    assert not form.is_valid()
    assert form.errors["start_year"]
