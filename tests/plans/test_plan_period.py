"""A plan's years have one meaning everywhere (core.calendar.plan_period): a 2025–2030 plan runs
from the start of school year 2025–26 to the end of 2029–30 in the district's calendar."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.calendar import plan_period
from plans import services
from plans.forms import PlanForm
from priorities import services as priority_services
from tests.plans.factories import PlanFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def test_a_2025_2030_plan_runs_from_the_2025_school_year_start_to_the_end_of_2029_30():
    period = plan_period(2025, 2030, 8)
    assert (period.first_day, period.last_day) == (date(2025, 8, 1), date(2030, 7, 31))
    assert list(period.school_years) == [2025, 2026, 2027, 2028, 2029]
    assert plan_period(2025, 2030, 1).last_day == date(2029, 12, 31)


def test_the_plan_form_says_what_the_years_mean_in_the_districts_calendar(district):
    district.school_year_start_month = 7
    form = PlanForm(district=district, with_copy=False)
    assert "July 2025 to June 2030" in form.fields["end_year"].help_text


def test_a_plan_covers_at_least_one_school_year(district, admin_member, in_district):
    with in_district(district), pytest.raises(ValidationError) as refused:
        services.plan_create(district=district, actor=admin_member, title="One year", start_year=2026, end_year=2026)
    assert "must come after the first" in str(refused.value.message_dict["end_year"])


def test_commitment_dates_are_checked_against_the_same_period(district, admin_member, in_district, make_member):
    with in_district(district):
        plan = PlanFactory(district=district, start_year=2025, end_year=2030)
        priority = PriorityFactory(plan=plan)
        label = priority_services.role_label_create(district=district, actor=admin_member, name="Principals")

        def commit(ends_on: date):
            return priority_services.commitment_create(
                district=district,
                actor=admin_member,
                priority=priority,
                role_label=label,
                title=f"Ends {ends_on}",
                starts_on=date(2025, 8, 1),
                ends_on=ends_on,
            )

        assert commit(plan.last_day).ends_on == date(2030, 7, 31)
        with pytest.raises(ValidationError):
            commit(date(2030, 8, 1))
        with pytest.raises(ValidationError):
            priority_services.commitment_create(
                district=district,
                actor=admin_member,
                priority=priority,
                role_label=label,
                title="Too early",
                starts_on=date(2025, 7, 31),
                ends_on=date(2026, 6, 30),
            )
