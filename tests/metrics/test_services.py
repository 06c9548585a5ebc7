"""Metric services: definitions, values (range, level, permission), history and stored roll-ups."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from districts.roles import Role
from metrics import services
from metrics.choices import Aggregation, Direction, Frequency, Level, Status, Unit, ValueSource
from metrics.formatting import truncate_for_storage
from metrics.models import Metric, MetricInterimTarget, MetricRollup, MetricValue
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory, PriorityFactory, active_plan
from tests.plans.factories import in_school_year, school_year, school_year_label

D = Decimal  # short for readable tables of numbers

pytestmark = pytest.mark.django_db

TODAY = in_school_year(0, 3, 15)  # within the plan's first school year
SY_BEFORE = in_school_year(-1)  # the school year before the plan starts (2024–25 for a 2025–2030 plan)


def set_value(district, actor, metric, school, value, period=SY_BEFORE, **extra):
    return services.metric_value_set(
        district=district,
        actor=actor,
        metric=metric,
        school=school,
        period=period,
        value=D(value),
        today=TODAY,
        **extra,
    )


def rollup(metric, period=SY_BEFORE):
    with scopes_disabled():
        return MetricRollup.objects.get(metric=metric, period=period)


def expected_line_days(metric) -> tuple[int, int]:
    """Days from the baseline to the end of the year before the plan, and from the baseline to the target."""
    return (in_school_year(-1, 7, 31) - metric.baseline_date).days, (metric.target_date - metric.baseline_date).days


def count(model, **filters):
    with scopes_disabled():
        return model.objects.filter(**filters).count()


# --- Values: permission --------------------------------------------------------------


def test_principal_enters_only_their_own_schools_value(district, make_member, metric, schools, in_district):
    principal = make_member(district, Role.PRINCIPAL, school=schools[0])
    with in_district(district):
        value = set_value(district, principal, metric, schools[0], "91.5")
        assert value.value == D("91.5") and value.entered_by == principal and value.source == ValueSource.FORM
        with pytest.raises(PermissionDenied):
            set_value(district, principal, metric, schools[1], "90")


def test_principal_never_enters_a_district_value(district, make_member, priority, schools, in_district):
    principal = make_member(district, Role.PRINCIPAL, school=schools[0])
    district_metric = MetricFactory(district=district, priority=priority, level=Level.DISTRICT)
    with in_district(district), pytest.raises(PermissionDenied):
        set_value(district, principal, district_metric, None, "90")


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.SUPERINTENDENT])
def test_admin_and_superintendent_enter_any_value(role, district, make_member, metric, priority, schools, in_district):
    actor = make_member(district, role)
    district_metric = MetricFactory(district=district, priority=priority, level=Level.DISTRICT)
    with in_district(district):
        set_value(district, actor, metric, schools[2], "88")
        set_value(district, actor, district_metric, None, "87")
    assert count(MetricValue) == 2


def test_priority_owner_enters_any_value_other_cabinet_members_none(
    district, cabinet_member, make_member, metric, schools, in_district
):
    other_cabinet = make_member(district, Role.CABINET)
    with in_district(district):
        set_value(district, cabinet_member, metric, schools[1], "84")
        with pytest.raises(PermissionDenied):
            set_value(district, other_cabinet, metric, schools[1], "85")


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.STAFF, Role.PARTNER_COACH])
def test_read_only_roles_enter_nothing(role, district, make_member, metric, schools, in_district):
    with in_district(district), pytest.raises(PermissionDenied):
        set_value(district, make_member(district, role), metric, schools[0], "90")


# --- Values: validation ----------------------------------------------------------------


def test_values_outside_the_range_are_refused_naming_value_and_range(
    district, admin_member, metric, schools, in_district
):
    with in_district(district), pytest.raises(ValidationError) as error:
        set_value(district, admin_member, metric, schools[0], "104.5")
    assert error.value.message_dict == {
        "value": ["104.5 is outside the allowed range for this metric: 0.0% to 100.0%."]
    }
    assert count(MetricValue) == 0


def test_a_range_the_admin_sets_is_enforced(district, admin_member, priority, schools, in_district):
    scores = MetricFactory(
        district=district,
        priority=priority,
        unit=Unit.SCORE,
        decimals=0,
        baseline_value=D("220"),
        target_value=D("240"),
        valid_min=D("100"),
        valid_max=D("300"),
    )
    with in_district(district), pytest.raises(ValidationError) as error:
        set_value(district, admin_member, scores, schools[0], "301")
    assert error.value.message_dict["value"] == ["301 is outside the allowed range for this metric: 100 to 300."]


def test_counts_are_whole_and_not_negative(district, admin_member, priority, schools, in_district):
    counts = MetricFactory(
        district=district, priority=priority, unit=Unit.COUNT, decimals=0, baseline_value=D("10"), target_value=D("20")
    )
    with in_district(district):
        for bad, fragment in (("-1", "outside the allowed range"), ("2.5", "whole numbers")):
            with pytest.raises(ValidationError) as error:
                set_value(district, admin_member, counts, schools[0], bad)
            assert fragment in error.value.message_dict["value"][0]


def test_level_and_school_levels_are_respected(district, admin_member, priority, schools, in_district):
    district_only = MetricFactory(district=district, priority=priority, level=Level.DISTRICT)
    high_only = MetricFactory(district=district, priority=priority, school_levels=["high"])
    school_metric = MetricFactory(district=district, priority=priority)
    with in_district(district):
        cases = [
            (district_only, schools[0], "district-only metric: leave the school empty"),
            (school_metric, None, "reported by each school: choose a school"),
            (high_only, schools[0], "applies to high schools only; Adams Elementary is not one"),
        ]
        for metric, school, fragment in cases:
            with pytest.raises(ValidationError) as error:
                set_value(district, admin_member, metric, school, "90")
            assert fragment in error.value.message_dict["school"][0]
        set_value(district, admin_member, high_only, schools[2], "90")


def test_future_periods_are_refused(district, admin_member, metric, schools, in_district):
    with in_district(district), pytest.raises(ValidationError) as error:
        set_value(district, admin_member, metric, schools[0], "90", period=in_school_year(1))
    assert error.value.message_dict == {
        "period": [f"{school_year_label(1)} hasn't started yet."]
    } or "hasn't started yet" in str(error.value)


def test_any_day_of_the_period_is_normalized(district, admin_member, metric, schools, in_district):
    with in_district(district):
        value = set_value(district, admin_member, metric, schools[0], "90", period=in_school_year(-1, 3, 9))
    assert value.period == SY_BEFORE


# --- Values: update keeps history -------------------------------------------------------


def test_a_second_value_for_the_same_key_updates_and_keeps_history(
    district, admin_member, principal_member, metric, in_district
):
    school = principal_member.school
    with in_district(district):
        first = set_value(district, principal_member, metric, school, "85")
        second = set_value(district, admin_member, metric, school, "87.25", note="State revised the count")
        again = set_value(district, admin_member, metric, school, "87.250")  # same number: nothing changes
        assert first.pk == second.pk == again.pk
        assert MetricValue.objects.filter(metric=metric).count() == 1
        history = list(second.history.order_by("history_date", "history_id"))
    assert [h.value for h in history] == [D("85"), D("87.25")]
    assert [h.history_user for h in history] == [principal_member.user, admin_member.user]
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].note == "State revised the count"


def test_district_values_are_unique_per_period_too(district, admin_member, priority, in_district):
    district_metric = MetricFactory(district=district, priority=priority, level=Level.DISTRICT)
    with in_district(district):
        set_value(district, admin_member, district_metric, None, "80")
        set_value(district, admin_member, district_metric, None, "81")
    with scopes_disabled():
        assert list(MetricValue.objects.values_list("value", flat=True)) == [D("81")]


# --- Roll-ups kept current ---------------------------------------------------------------


def test_rollup_is_stored_and_current_after_every_write(district, admin_member, metric, schools, in_district):
    with in_district(district):
        set_value(district, admin_member, metric, schools[0], "90")
        assert (rollup(metric).value, rollup(metric).reporting_schools, rollup(metric).total_schools) == (D("90"), 1, 3)
        set_value(district, admin_member, metric, schools[1], "81")
        stored = rollup(metric)
    # Mean of the two reporting schools; Carver (missing) is not a zero.
    assert stored.value == D("85.5") and (stored.reporting_schools, stored.total_schools) == (2, 3)
    # The year before the plan (2024–25) ends on its 31 July: 365 (366 after a 29 February) of the 1,461 days
    # from 80 (the baseline, a year earlier) to 90 (the target, four years after it): 82.498288 for 365 days.
    elapsed, total = expected_line_days(metric)
    assert (elapsed, total) in {(365, 1461), (366, 1461)}
    assert stored.expected_value == truncate_for_storage(80 + Fraction(10 * elapsed, total))
    assert D("82.49") < stored.expected_value < D("82.51")
    assert stored.status == Status.ON_TRACK
    assert stored.meeting_target == 1  # Baker's 81 is below the line


def test_weighted_rollup_uses_enrollment(district, admin_member, priority, schools, in_district):
    weighted = MetricFactory(district=district, priority=priority, aggregation=Aggregation.WEIGHTED_MEAN)
    with in_district(district):
        set_value(district, admin_member, weighted, schools[0], "90")  # 400 students
        set_value(district, admin_member, weighted, schools[1], "80")  # 100 students
    assert rollup(weighted).value == D("88")  # (90×400 + 80×100) / 500


def test_share_metric_counts_schools_meeting_the_school_target(district, admin_member, priority, schools, in_district):
    share = MetricFactory(
        district=district,
        priority=priority,
        aggregation=Aggregation.SHARE_MEETING_TARGET,
        school_target_value=D("90"),
        baseline_value=D("30"),
        target_value=D("80"),
    )
    with in_district(district):
        for school, value in zip(schools, ("95", "89.9", "90"), strict=True):
            set_value(district, admin_member, share, school, value)
    stored = rollup(share)
    assert (stored.meeting_target, stored.reporting_schools) == (2, 3)
    assert stored.value == D("66.666666")  # 2/3 exactly, truncated at six places


def test_changing_the_target_recomputes_stored_status(district, admin_member, metric, schools, in_district):
    with in_district(district):
        set_value(district, admin_member, metric, schools[0], "83.5")
        assert rollup(metric).status == Status.ON_TRACK
        services.metric_update(district=district, actor=admin_member, metric=metric, target_value=D("100"))
        # New line: 80 → 100, so 2024–25 expects about 85; 83.5 misses by about 1.5 (whether or not
        # the year has a 29 February), within 10% of 20.
        assert rollup(metric).status == Status.AT_RISK
        elapsed, total = expected_line_days(metric)
        assert rollup(metric).expected_value == truncate_for_storage(80 + Fraction(20 * elapsed, total))
        assert D("84.99") < rollup(metric).expected_value < D("85.02")  # 84.996577 when the year has 365 days


# --- Bulk upsert (the API's path) -------------------------------------------------------


def test_bulk_upsert_is_all_or_nothing(district, admin_member, metric, schools, in_district):
    items = [
        services.ValueInput(metric=metric, school=schools[0], period=SY_BEFORE, value=D("90")),
        services.ValueInput(metric=metric, school=schools[1], period=SY_BEFORE, value=D("190")),
        services.ValueInput(metric=metric, school=schools[0], period=SY_BEFORE, value=D("91")),
    ]
    with in_district(district), pytest.raises(services.ValueInputError) as error:
        services.metric_values_upsert(district=district, actor=admin_member, items=items, today=TODAY)
    assert [(p.index, p.field) for p in error.value.problems] == [(1, "value"), (2, "")]
    assert "Same school and period as item 1" in error.value.problems[1].message
    assert count(MetricValue) == 0
    with in_district(district):
        result = services.metric_values_upsert(district=district, actor=admin_member, items=items[:1], today=TODAY)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)


def test_bulk_upsert_checks_each_values_permission(district, make_member, metric, schools, in_district):
    principal = make_member(district, Role.PRINCIPAL, school=schools[0])
    items = [services.ValueInput(metric=metric, school=schools[1], period=SY_BEFORE, value=D("90"))]
    with in_district(district), pytest.raises(PermissionDenied):
        services.metric_values_upsert(district=district, actor=principal, items=items, today=TODAY)


# --- Definitions --------------------------------------------------------------------------


def definition(**overrides):
    fields = {
        "name": "Chronic absenteeism",
        "definition": "Students missing 10% or more of enrolled days.",
        "unit": Unit.PERCENT,
        "decimals": 1,
        "direction": Direction.LOWER,
        "baseline_value": D("24"),
        "baseline_date": in_school_year(-2, 6, 30),
        "target_value": D("12"),
        "target_date": in_school_year(2, 6, 30),
        "level": Level.SCHOOL,
        "aggregation": Aggregation.WEIGHTED_MEAN,
        "frequency": Frequency.MONTHLY,
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.SUPERINTENDENT])
def test_admin_and_superintendent_define_metrics(role, district, make_member, priority, in_district):
    with in_district(district):
        metric = services.metric_create(
            district=district,
            actor=make_member(district, role),
            priority=priority,
            interim_targets=[(school_year(0), D("20")), (school_year(1), D("16"))],
            **definition(),
        )
    with scopes_disabled():
        interims = list(MetricInterimTarget.objects.values_list("school_year", "value"))
    assert metric.pk and interims == [(school_year(0), D("20")), (school_year(1), D("16"))]


def test_only_the_priority_owner_among_cabinet_defines_its_metrics(
    district, cabinet_member, make_member, priority, in_district
):
    with in_district(district):
        services.metric_create(district=district, actor=cabinet_member, priority=priority, **definition())
        for actor in (
            make_member(district, Role.CABINET),
            make_member(district, Role.PRINCIPAL),
            make_member(district, Role.BOARD_MEMBER),
        ):
            with pytest.raises(PermissionDenied):
                services.metric_create(district=district, actor=actor, priority=priority, **definition(name="Other"))


@pytest.mark.parametrize(
    "overrides, interims, field, fragment",
    [
        ({"target_date": in_school_year(-2, 1, 1)}, [], "target_date", "must be after the baseline date"),
        ({"target_value": D("30")}, [], "target_value", "Lower is better, so the target can't be above the baseline"),
        ({"baseline_value": D("120"), "target_value": D("12")}, [], "baseline_value", "120 is outside"),
        ({"valid_min": D("-5")}, [], "valid_min", "within 0.0% to 100.0% for percent"),
        (
            {"unit": Unit.SCORE, "valid_min": D("50"), "valid_max": D("10"), "baseline_value": D("24")},
            [],
            "valid_max",
            "must be above the lowest",
        ),
        ({"aggregation": Aggregation.SHARE_MEETING_TARGET}, [], "school_target_value", "Say what value each school"),
        (
            {},
            [(school_year(5), D("10"))],
            "interim_targets",
            f"must fall between the baseline and the target ({school_year_label(-2)} to {school_year_label(2)})",
        ),
        ({}, [(school_year(0), D("101"))], "interim_targets", f"{school_year_label(0)}: 101 is outside"),
        ({"school_levels": ["high", "castle"]}, [], "school_levels", "Unknown school level: castle"),
    ],
)
def test_definition_problems_are_field_messages(
    overrides, interims, field, fragment, district, admin_member, priority, in_district
):
    with in_district(district), pytest.raises(ValidationError) as error:
        services.metric_create(
            district=district,
            actor=admin_member,
            priority=priority,
            interim_targets=interims,
            **definition(**overrides),
        )
    assert field in error.value.message_dict, error.value.message_dict
    assert any(fragment in m for m in error.value.message_dict[field]), error.value.message_dict[field]
    assert count(Metric) == 0


def test_names_are_unique_within_a_priority(district, admin_member, priority, in_district):
    with in_district(district):
        services.metric_create(district=district, actor=admin_member, priority=priority, **definition())
        with pytest.raises(ValidationError) as error:
            services.metric_create(
                district=district, actor=admin_member, priority=priority, **definition(name="chronic  ABSENTEEISM")
            )
    assert "already has a metric named" in error.value.message_dict["name"][0]
    other = PriorityFactory(plan=active_plan(district))
    with in_district(district):
        services.metric_create(district=district, actor=admin_member, priority=other, **definition())


def test_frequency_is_fixed_once_values_exist(district, admin_member, metric, schools, in_district):
    with in_district(district):
        set_value(district, admin_member, metric, schools[0], "90")
        with pytest.raises(ValidationError) as error:
            services.metric_update(district=district, actor=admin_member, metric=metric, frequency=Frequency.MONTHLY)
    assert "already has values" in error.value.message_dict["frequency"][0]


def test_update_saves_only_what_changed_and_syncs_interims(district, admin_member, metric, in_district):
    with in_district(district):
        services.metric_update(
            district=district, actor=admin_member, metric=metric, interim_targets=[(school_year(0), D("84"))]
        )
        services.metric_update(
            district=district,
            actor=admin_member,
            metric=metric,
            name=metric.name,
            interim_targets=[(school_year(1), D("86"))],
        )
        assert metric.history.count() == 1  # created by the factory; nothing else changed it
        assert list(MetricInterimTarget.objects.values_list("school_year", flat=True)) == [school_year(1)]


def test_school_from_another_district_is_a_bug_not_a_message(
    district, other_district, admin_member, metric, in_district
):
    stranger = SchoolFactory(district=other_district)
    with in_district(district), pytest.raises(ValueError):
        set_value(district, admin_member, metric, stranger, "90")
