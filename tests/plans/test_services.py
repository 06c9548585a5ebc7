"""Plan services: create, edit, activate (one active plan, also under concurrency), archive, delete,
start from an earlier plan, and the Portrait of a Graduate."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.ordering import MoveDirection as Direction
from districts.models import District
from districts.tenancy import district_context
from plans import services
from plans.models import Competency, PlanState, StrategicPlan
from priorities.models import Assignment, AssignmentStatus, Commitment, Priority
from tests.factories import MembershipFactory
from tests.plans.factories import (
    AssignmentFactory,
    CommitmentFactory,
    CompetencyFactory,
    PlanFactory,
    PriorityFactory,
)


def create_plan(district, actor, **fields):
    values = {"title": "Riverbend 2030", "start_year": 2025, "end_year": 2030, "vision": "", "mission": ""}
    values.update(fields)
    with district_context(district):
        return services.plan_create(district=district, actor=actor, **values)


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


# --- Create and edit ---------------------------------------------------------------------


def test_a_new_plan_is_a_draft_with_tidy_fields(district, superintendent_member):
    plan = create_plan(district, superintendent_member, title="  Riverbend   2030 ", vision=" Every learner. ")
    assert plan.state == PlanState.DRAFT
    assert plan.title == "Riverbend 2030"
    assert plan.vision == "Every learner."
    assert plan.history.first().history_user == superintendent_member.user


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"start_year": 2030, "end_year": 2025}, "end_year", "must come after the first"),
        ({"start_year": 2026, "end_year": 2026}, "end_year", "must come after the first"),
        ({"start_year": 2020, "end_year": 2035}, "end_year", "at most 10 years"),
        ({"title": " "}, "title", "Give the plan a title"),
    ],
)
def test_bad_plan_input_gets_a_message_at_the_field(district, admin_member, fields, field, text):
    with pytest.raises(ValidationError) as error:
        create_plan(district, admin_member, **fields)
    assert text in " ".join(messages_of(error.value)[field])


def test_plan_titles_are_unique_in_a_district_whatever_the_case(district, admin_member, other_district, other_admin):
    create_plan(district, admin_member, title="Riverbend 2030")
    with pytest.raises(ValidationError) as error:
        create_plan(district, admin_member, title="RIVERBEND 2030")
    assert "already called" in messages_of(error.value)["title"][0]
    assert create_plan(other_district, other_admin, title="Riverbend 2030").pk


@pytest.mark.parametrize("role_fixture", ["cabinet_member", "principal_member", "board_member", "coach_member"])
def test_only_plan_managers_create_plans(district, role_fixture, request):
    with pytest.raises(PermissionDenied):
        create_plan(district, request.getfixturevalue(role_fixture))


def test_update_saves_only_what_changed_and_records_who(district, admin_member, superintendent_member):
    plan = create_plan(district, admin_member)
    with district_context(district):
        services.plan_update(
            district=district, actor=superintendent_member, plan=plan, title="Riverbend 2030", vision="New"
        )
        services.plan_update(district=district, actor=superintendent_member, plan=plan, vision="New")
        records = list(plan.history.all())
    assert len(records) == 2  # created, then one real change; the no-op saved nothing
    assert records[0].vision == "New"
    assert records[0].history_user == superintendent_member.user


def test_an_archived_plan_cannot_be_edited(district, admin_member):
    plan = PlanFactory(district=district, state=PlanState.ARCHIVED)
    with pytest.raises(ValidationError, match="archived"), district_context(district):
        services.plan_update(district=district, actor=admin_member, plan=plan, vision="Changed")


def test_shortening_a_period_under_its_commitments_is_refused_with_a_clear_message(district, admin_member):
    plan = PlanFactory(district=district, start_year=2025, end_year=2030)
    CommitmentFactory(priority=PriorityFactory(plan=plan), starts_on=date(2025, 8, 1), ends_on=date(2030, 6, 30))
    with pytest.raises(ValidationError) as error, district_context(district):
        services.plan_update(district=district, actor=admin_member, plan=plan, start_year=2026, end_year=2029)
    # 2026–2029 runs from 1 August 2026 to 31 July 2029 in this district's calendar.
    assert (
        "1 commitment in this plan starts before the plan does (August 1, 2026)"
        in messages_of(error.value)["start_year"][0]
    )
    assert "ends after the plan does (July 31, 2029)" in messages_of(error.value)["end_year"][0]


# --- Activate, archive, delete ----------------------------------------------------------------------


def test_activating_a_draft_archives_the_active_plan(district, admin_member, active_plan):
    draft = PlanFactory(district=district)
    PriorityFactory(plan=draft)
    with district_context(district):
        result = services.plan_activate(district=district, actor=admin_member, plan=draft)
        states = dict(StrategicPlan.objects.filter(district=district).values_list("pk", "state"))
    assert result.archived == active_plan
    assert states == {draft.pk: PlanState.ACTIVE, active_plan.pk: PlanState.ARCHIVED}
    active_plan.refresh_from_db()
    assert active_plan.archived_at is not None
    assert active_plan.history.first().history_user == admin_member.user


def test_a_plan_without_priorities_cannot_be_activated(district, admin_member):
    draft = PlanFactory(district=district)
    with pytest.raises(ValidationError, match="at least one priority"), district_context(district):
        services.plan_activate(district=district, actor=admin_member, plan=draft)


def test_a_plan_over_the_hard_cap_cannot_be_activated(district, admin_member):
    district.priority_hard_cap = 2
    district.save()
    draft = PlanFactory(district=district)
    PriorityFactory.create_batch(3, plan=draft)
    with pytest.raises(ValidationError, match="at most 2"), district_context(district):
        services.plan_activate(district=district, actor=admin_member, plan=draft)


def test_only_drafts_are_activated_and_only_the_active_plan_is_archived(district, admin_member, active_plan):
    archived = PlanFactory(district=district, state=PlanState.ARCHIVED)
    PriorityFactory(plan=archived)
    with district_context(district):
        with pytest.raises(ValidationError, match="Only a draft"):
            services.plan_activate(district=district, actor=admin_member, plan=archived)
        with pytest.raises(ValidationError, match="Only the active plan"):
            services.plan_archive(district=district, actor=admin_member, plan=archived)
        services.plan_archive(district=district, actor=admin_member, plan=active_plan)
    active_plan.refresh_from_db()
    assert active_plan.state == PlanState.ARCHIVED


def test_only_drafts_can_be_deleted(district, admin_member, active_plan):
    draft = PlanFactory(district=district)
    draft_id = draft.pk
    CommitmentFactory(priority=PriorityFactory(plan=draft))
    with district_context(district):
        with pytest.raises(ValidationError, match="Only a draft"):
            services.plan_delete(district=district, actor=admin_member, plan=active_plan)
        services.plan_delete(district=district, actor=admin_member, plan=draft)
        assert not StrategicPlan.objects.filter(pk=draft_id).exists()
        assert not Priority.objects.filter(plan_id=draft_id).exists()
        deletion = StrategicPlan.history.filter(id=draft_id, history_type="-").get()
    assert deletion.history_user == admin_member.user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_leave_exactly_one_active_plan(district, admin_member, active_plan):
    """Two people activate two drafts at the same moment: the district row lock makes them take turns."""
    drafts = [PlanFactory(district=district, title=f"Draft {n}") for n in range(2)]
    for draft in drafts:
        PriorityFactory(plan=draft)
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def activate(plan: StrategicPlan) -> None:
        try:
            fresh = District.objects.get(pk=district.pk)
            barrier.wait(timeout=10)
            with district_context(fresh):
                services.plan_activate(district=fresh, actor=admin_member, plan=plan)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=activate, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    with district_context(district):
        states = list(StrategicPlan.objects.filter(district=district).values_list("state", flat=True))
    assert states.count(PlanState.ACTIVE) == 1
    assert states.count(PlanState.ARCHIVED) == 2


# --- Start from an earlier plan ------------------------------------------------------------------------


def test_starting_from_an_earlier_plan_copies_its_portrait_priorities_commitments_and_live_assignments(
    district, superintendent_member, make_member
):
    source = PlanFactory(district=district, start_year=2019, end_year=2024, state=PlanState.ARCHIVED)
    CompetencyFactory(plan=source, name="Curious learner", position=1)
    CompetencyFactory(plan=source, name="Engaged citizen", position=2)
    gone_owner = MembershipFactory(district=district, role="cabinet", is_active=False)
    kept_owner = make_member(district, "cabinet")
    p1 = PriorityFactory(plan=source, code="P1", title="Readers", owner=kept_owner, position=1)
    p2 = PriorityFactory(plan=source, code="P2", title="Belonging", owner=gone_owner, position=2)
    meeting = CommitmentFactory(
        priority=p1, title="Monthly data meeting", starts_on=date(2019, 8, 1), ends_on=date(2024, 6, 30)
    )
    CommitmentFactory(priority=p2, title="Greet every student", starts_on=date(2020, 2, 29), ends_on=date(2021, 6, 30))
    live = AssignmentFactory(commitment=meeting)
    paused = AssignmentFactory(commitment=meeting, status=AssignmentStatus.PAUSED)
    AssignmentFactory(commitment=meeting, status=AssignmentStatus.ENDED)

    plan = create_plan(district, superintendent_member, start_year=2025, end_year=2030, copy_from=source)

    with district_context(district):
        assert plan.state == PlanState.DRAFT and plan.copied_from == source
        assert list(plan.competencies.values_list("name", flat=True)) == ["Curious learner", "Engaged citizen"]
        priorities = list(plan.priorities.order_by("position"))
        assert [(p.code, p.title) for p in priorities] == [("P1", "Readers"), ("P2", "Belonging")]
        assert priorities[0].owner == kept_owner
        assert priorities[1].owner is None  # the old owner has left the district
        copied = Commitment.objects.get(priority__plan=plan, title="Monthly data meeting")
        assert (copied.starts_on, copied.ends_on) == (date(2025, 8, 1), date(2030, 6, 30))
        leap = Commitment.objects.get(priority__plan=plan, title="Greet every student")
        assert leap.starts_on == date(2026, 2, 28)
        assignments = Assignment.objects.filter(commitment=copied)
        assert {(a.school_id, a.status) for a in assignments} == {
            (live.school_id, AssignmentStatus.ACTIVE),
            (paused.school_id, AssignmentStatus.PAUSED),
        }
        assert all(a.district_id == district.pk for a in assignments)
        assert Assignment.history.filter(commitment_id=copied.pk).count() == 2
        # The earlier plan is untouched.
        assert source.priorities.count() == 2
        assert Assignment.objects.filter(commitment__priority__plan=source).count() == 3


def test_copied_commitment_dates_stay_inside_the_new_period(district, admin_member):
    source = PlanFactory(district=district, start_year=2019, end_year=2024)
    CommitmentFactory(priority=PriorityFactory(plan=source), starts_on=date(2019, 1, 1), ends_on=date(2024, 12, 31))
    plan = create_plan(district, admin_member, start_year=2025, end_year=2027, copy_from=source)
    with district_context(district):
        copied = Commitment.objects.get(priority__plan=plan)
    # A 2025–2027 plan runs from the start of school year 2025–26 to the end of 2026–27.
    assert district.school_year_start_month == 8
    assert (copied.starts_on, copied.ends_on) == (date(2025, 8, 1), date(2027, 7, 31))


def test_a_plan_from_another_district_cannot_be_copied(district, admin_member, other_district):
    with pytest.raises(ValueError, match="another district"):
        create_plan(district, admin_member, copy_from=PlanFactory(district=other_district))


# --- Portrait of a Graduate ----------------------------------------------------------------------------


def test_competencies_are_added_in_order_moved_and_removed(district, admin_member, draft_plan):
    with district_context(district):
        names = ["Curious learner", "Effective communicator", "Engaged citizen"]
        made = [
            services.competency_create(district=district, actor=admin_member, plan=draft_plan, name=name)
            for name in names
        ]
        assert services.competency_move(
            district=district, actor=admin_member, competency=made[2], direction=Direction.UP
        )
        assert not services.competency_move(
            district=district, actor=admin_member, competency=made[0], direction=Direction.UP
        )
        services.competency_delete(district=district, actor=admin_member, competency=made[1])
        remaining = list(Competency.objects.filter(plan=draft_plan).values_list("name", "position"))
    assert remaining == [("Curious learner", 1), ("Engaged citizen", 2)]


def test_a_competency_name_is_used_once_per_portrait(district, admin_member, draft_plan):
    with district_context(district):
        services.competency_create(district=district, actor=admin_member, plan=draft_plan, name="Curious learner")
        with pytest.raises(ValidationError) as error:
            services.competency_create(district=district, actor=admin_member, plan=draft_plan, name="curious LEARNER")
    assert "already has" in error.value.message_dict["name"][0]
