"""Priority, commitment, assignment and role label services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.ordering import MoveDirection as Direction
from districts.models import RoleLabel
from districts.roles import Role
from districts.tenancy import district_context
from plans.models import PlanState
from priorities import services
from priorities.models import Assignment, AssignmentStatus, Commitment, Priority, ReportedIn
from tests.factories import DepartmentFactory, MembershipFactory, RoleLabelFactory, SchoolFactory
from tests.plans.factories import (
    AssignmentFactory,
    CommitmentFactory,
    PlanFactory,
    PriorityFactory,
)


def add_priority(district, actor, plan, **fields):
    values = {"title": "Every student reads by grade 3", "success_looks_like": "80% read on grade level."}
    values.update(fields)
    with district_context(district):
        return services.priority_create(district=district, actor=actor, plan=plan, **values)


def add_commitment(district, actor, priority, role_label, **fields):
    plan = priority.plan
    values = {
        "title": "Principals hold a monthly attendance data meeting",
        "role_label": role_label,
        "starts_on": date(plan.start_year, 8, 1),
        "ends_on": date(plan.end_year, 6, 30),
    }
    values.update(fields)
    with district_context(district):
        return services.commitment_create(district=district, actor=actor, priority=priority, **values)


# --- Priorities and the focus guard ------------------------------------------------------------


def test_priorities_are_numbered_and_ordered_as_they_are_added(district, superintendent_member, active_plan):
    first = add_priority(district, superintendent_member, active_plan, title="Readers")
    second = add_priority(district, superintendent_member, active_plan, title="Belonging")
    third = add_priority(district, superintendent_member, active_plan, title="Ready", code="p9")
    assert [(p.code, p.position) for p in (first, second, third)] == [("P1", 1), ("P2", 2), ("P9", 3)]


def test_the_hard_cap_refuses_one_more_priority_with_a_clear_message(district, admin_member, active_plan):
    district.priority_hard_cap = 3
    district.save()
    for n in range(3):
        add_priority(district, admin_member, active_plan, title=f"Priority {n}")
    with pytest.raises(ValidationError) as error:
        add_priority(district, admin_member, active_plan, title="One too many")
    assert "at most 3 priorities" in error.value.messages[0]
    with district_context(district):
        assert Priority.objects.filter(plan=active_plan).count() == 3


def test_without_a_hard_cap_more_than_five_priorities_are_allowed(district, admin_member, active_plan):
    """Past five, the focus guard warns on the plan page, but only a district's hard cap refuses."""
    for n in range(6):
        add_priority(district, admin_member, active_plan, title=f"Priority {n}")
    with district_context(district):
        assert Priority.objects.filter(plan=active_plan).count() == 6


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"title": ""}, "title", "Give the priority a title"),
        ({"success_looks_like": " "}, "success_looks_like", "Describe what success looks like"),
        ({"code": "P1"}, "code", "uses the code P1"),
        ({"title": "readers"}, "title", "already has a priority called"),
    ],
)
def test_bad_priority_input_gets_a_message_at_the_field(district, admin_member, active_plan, fields, field, text):
    add_priority(district, admin_member, active_plan, title="Readers", code="P1")
    with pytest.raises(ValidationError) as error:
        add_priority(district, admin_member, active_plan, **fields)
    assert text in " ".join(error.value.message_dict[field])


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.STAFF, Role.BOARD_MEMBER, Role.DISTRICT_ADMIN])
def test_a_priority_is_owned_by_the_superintendent_or_a_cabinet_member(district, admin_member, active_plan, role):
    owner = MembershipFactory(district=district, role=role)
    with pytest.raises(ValidationError) as error:
        add_priority(district, admin_member, active_plan, owner=owner)
    assert "superintendent or a cabinet member" in error.value.message_dict["owner"][0]


def test_cabinet_members_edit_only_the_priorities_they_own_and_cannot_hand_them_on(
    district, priority, cabinet_member, make_member
):
    other_cabinet = make_member(district, Role.CABINET)
    with district_context(district):
        services.priority_update(district=district, actor=cabinet_member, priority=priority, title="Readers by grade 3")
        with pytest.raises(ValidationError) as error:
            services.priority_update(district=district, actor=cabinet_member, priority=priority, owner=other_cabinet)
        assert "Only the superintendent or a district admin" in error.value.message_dict["owner"][0]
        with pytest.raises(PermissionDenied):
            services.priority_update(district=district, actor=other_cabinet, priority=priority, title="Mine now")
        with pytest.raises(PermissionDenied):
            add_priority(district, cabinet_member, priority.plan, title="A new one")
    priority.refresh_from_db()
    assert (priority.title, priority.owner) == ("Readers by grade 3", cabinet_member)


def test_moving_a_priority_swaps_it_with_its_neighbour_and_renumbers(district, admin_member, active_plan):
    a, _b, c = (PriorityFactory(plan=active_plan, title=t, position=p) for t, p in (("A", 1), ("B", 5), ("C", 9)))
    with district_context(district):
        assert services.priority_move(district=district, actor=admin_member, priority=c, direction=Direction.UP)
        assert not services.priority_move(district=district, actor=admin_member, priority=a, direction=Direction.UP)
        order = list(Priority.objects.filter(plan=active_plan).order_by("position").values_list("title", "position"))
    assert order == [("A", 1), ("C", 2), ("B", 3)]


def test_cabinet_cannot_reorder_the_plan(district, priority, cabinet_member):
    with pytest.raises(PermissionDenied), district_context(district):
        services.priority_move(district=district, actor=cabinet_member, priority=priority, direction=Direction.DOWN)


def test_a_priority_with_commitments_stays_in_an_active_plan(district, admin_member, commitment):
    with pytest.raises(ValidationError, match="has 1 commitment"), district_context(district):
        services.priority_delete(district=district, actor=admin_member, priority=commitment.priority)


def test_a_draft_priority_is_deleted_with_its_commitments(district, admin_member, draft_plan):
    draft_priority = PriorityFactory(plan=draft_plan)
    CommitmentFactory(priority=draft_priority)
    with district_context(district):
        services.priority_delete(district=district, actor=admin_member, priority=draft_priority)
        assert not Commitment.objects.filter(priority__plan=draft_plan).exists()


def test_an_archived_plans_priorities_cannot_change(district, admin_member):
    archived = PriorityFactory(plan=PlanFactory(district=district, state=PlanState.ARCHIVED))
    with pytest.raises(ValidationError, match="archived"), district_context(district):
        services.priority_update(district=district, actor=admin_member, priority=archived, title="Changed")


# --- Commitments --------------------------------------------------------------------------------------


def test_a_commitment_carries_its_district_and_goes_to_the_end_of_its_priority(
    district, cabinet_member, priority, role_label
):
    first = add_commitment(district, cabinet_member, priority, role_label, title="First")
    second = add_commitment(district, cabinet_member, priority, role_label, title="Second", reported_in=ReportedIn.BOTH)
    assert (first.position, second.position) == (1, 2)
    assert second.district_id == district.pk
    assert second.get_reported_in_display() == "School and department check-ins"


def test_commitment_dates_must_fall_in_the_plan_and_in_order(district, admin_member, priority, role_label):
    plan = priority.plan
    with pytest.raises(ValidationError) as error:
        add_commitment(district, admin_member, priority, role_label, starts_on=date(plan.start_year - 1, 8, 1))
    assert f"within the plan's period, {plan.period_label}" in error.value.message_dict["starts_on"][0]
    with pytest.raises(ValidationError) as error:
        add_commitment(
            district,
            admin_member,
            priority,
            role_label,
            starts_on=date(plan.start_year, 9, 1),
            ends_on=date(plan.start_year, 8, 1),
        )
    assert "can't be before the start date" in error.value.message_dict["ends_on"][0]


def test_cabinet_edits_commitments_under_priorities_they_own_or_their_department_leads(
    district, priority, cabinet_member, make_member, role_label
):
    lead = make_member(district, Role.CABINET)
    stranger = make_member(district, Role.CABINET)
    commitment = add_commitment(district, cabinet_member, priority, role_label, lead_department=lead.department)
    with district_context(district):
        services.commitment_update(district=district, actor=lead, commitment=commitment, title="Lead's wording")
        with pytest.raises(PermissionDenied):
            services.commitment_update(district=district, actor=stranger, commitment=commitment, title="No")
        with pytest.raises(PermissionDenied):
            add_commitment(district, stranger, priority, role_label, title="Not theirs to add")
    commitment.refresh_from_db()
    assert commitment.title == "Lead's wording"


def test_a_role_label_from_another_district_is_refused(district, admin_member, priority, other_district):
    with pytest.raises(ValueError, match="another district"):
        add_commitment(district, admin_member, priority, RoleLabelFactory(district=other_district))


def test_an_assigned_commitment_of_the_active_plan_is_ended_not_deleted(district, admin_member, assignment):
    with pytest.raises(ValidationError, match="End its assignments"), district_context(district):
        services.commitment_delete(district=district, actor=admin_member, commitment=assignment.commitment)


def test_creating_a_commitment_can_ask_it_of_every_school_at_once(district, admin_member, priority, role_label):
    SchoolFactory.create_batch(3, district=district)
    commitment = add_commitment(district, admin_member, priority, role_label, assign_every_school=True)
    with district_context(district):
        assert Assignment.objects.filter(commitment=commitment, school__isnull=False).count() == 3


# --- Assignments ----------------------------------------------------------------------------------------


def assign(district, actor, commitment, **targets):
    with district_context(district):
        return services.assignments_create(district=district, actor=actor, commitment=commitment, **targets)


def test_assigning_to_every_school_makes_one_row_each_owned_by_its_principal(
    district, admin_member, commitment, make_member, other_district
):
    schools = SchoolFactory.create_batch(3, district=district)
    principals = {s.pk: make_member(district, Role.PRINCIPAL, school=s) for s in schools[:2]}
    SchoolFactory(district=other_district)
    result = assign(district, admin_member, commitment, every_school=True)
    assert (result.created, result.already, result.without_owner) == (3, 0, 1)
    with district_context(district):
        owners = dict(Assignment.objects.filter(commitment=commitment).values_list("school_id", "owner_id"))
    assert owners == {
        schools[0].pk: principals[schools[0].pk].pk,
        schools[1].pk: principals[schools[1].pk].pk,
        schools[2].pk: None,
    }


def test_assigning_to_chosen_schools_leaves_existing_assignments_as_they_are(district, admin_member, commitment):
    a, b, _c = SchoolFactory.create_batch(3, district=district)
    ended = AssignmentFactory(commitment=commitment, school=a, status=AssignmentStatus.ENDED)
    result = assign(district, admin_member, commitment, schools=[a, b])
    assert (result.created, result.already) == (1, 1)
    ended.refresh_from_db()
    assert ended.status == AssignmentStatus.ENDED
    with district_context(district):
        assert set(Assignment.objects.filter(commitment=commitment).values_list("school_id", flat=True)) == {a.pk, b.pk}
    # Every school now adds only the one still missing.
    assert assign(district, admin_member, commitment, every_school=True).created == 1


def test_assigning_to_departments_makes_their_lead_the_owner(district, admin_member, commitment, make_member):
    operations = DepartmentFactory(district=district, name="Operations")
    finance = DepartmentFactory(district=district, name="Finance")
    lead = make_member(district, Role.CABINET, department=operations)
    make_member(district, Role.STAFF, department=operations, school=None)
    result = assign(district, admin_member, commitment, departments=[operations, finance])
    assert (result.created, result.without_owner) == (2, 1)
    with district_context(district):
        owners = dict(Assignment.objects.filter(commitment=commitment).values_list("department_id", "owner_id"))
    assert owners == {operations.pk: lead.pk, finance.pk: None}


def test_assigning_nothing_or_to_a_district_without_schools_explains_why(district, admin_member, commitment):
    with pytest.raises(ValidationError, match="at least one school or department"):
        assign(district, admin_member, commitment)
    with pytest.raises(ValidationError, match="no schools yet"):
        assign(district, admin_member, commitment, every_school=True)


def test_assigning_every_school_is_a_few_queries_however_many_schools(
    district, admin_member, commitment, django_assert_max_num_queries
):
    SchoolFactory.create_batch(120, district=district)
    with django_assert_max_num_queries(20):
        assert assign(district, admin_member, commitment, every_school=True).created == 120
    with district_context(district):
        assert Assignment.history.filter(commitment_id=commitment.pk).count() == 120


def test_pausing_and_ending_an_assignment_keeps_its_history(district, admin_member, assignment, make_member):
    superintendent = make_member(district, Role.SUPERINTENDENT)
    with district_context(district):
        services.assignment_set_status(
            district=district,
            actor=admin_member,
            assignment=assignment,
            status=AssignmentStatus.PAUSED,
            note="State testing window",
        )
        services.assignment_set_status(
            district=district, actor=superintendent, assignment=assignment, status=AssignmentStatus.ENDED
        )
        with pytest.raises(ValidationError, match="already ended"):
            services.assignment_set_status(
                district=district, actor=admin_member, assignment=assignment, status=AssignmentStatus.ENDED
            )
        assert Assignment.objects.filter(pk=assignment.pk).exists()
        history = list(Assignment.history.filter(id=assignment.pk).order_by("history_date", "history_id"))
    assert [(h.status, h.history_user) for h in history[1:]] == [
        (AssignmentStatus.PAUSED, admin_member.user),
        (AssignmentStatus.ENDED, superintendent.user),
    ]
    assert history[1].history_change_reason == "State testing window"


def test_a_commitment_is_paused_resumed_and_ended_everywhere_at_once_keeping_history(
    district, admin_member, commitment, django_assert_max_num_queries
):
    live = [AssignmentFactory(commitment=commitment) for _ in range(30)]
    already_ended = AssignmentFactory(commitment=commitment, status=AssignmentStatus.ENDED)
    with district_context(district):
        with django_assert_max_num_queries(12):
            paused = services.commitment_set_status_everywhere(
                district=district,
                actor=admin_member,
                commitment=commitment,
                status=AssignmentStatus.PAUSED,
                note="Testing window",
            )
        assert paused == 30
        with pytest.raises(ValidationError, match="No assignment of this commitment is active"):
            services.commitment_set_status_everywhere(
                district=district, actor=admin_member, commitment=commitment, status=AssignmentStatus.PAUSED
            )
        ended = services.commitment_set_status_everywhere(
            district=district, actor=admin_member, commitment=commitment, status=AssignmentStatus.ENDED
        )
        assert ended == 30
        statuses = list(
            Assignment.history.filter(id=live[0].pk)
            .order_by("history_date", "history_id")
            .values_list("status", "history_user_id", "history_change_reason")
        )
        assert Assignment.history.filter(id=already_ended.pk).count() == 1  # left alone
    assert statuses == [
        (AssignmentStatus.ACTIVE, None, None),
        (AssignmentStatus.PAUSED, admin_member.user_id, "Testing window"),
        (AssignmentStatus.ENDED, admin_member.user_id, None),
    ]


def test_an_assignments_owner_works_at_its_place(district, admin_member, assignment, make_member):
    there = make_member(district, Role.STAFF, school=assignment.school)
    elsewhere = make_member(district, Role.PRINCIPAL)
    with district_context(district):
        services.assignment_update_owner(district=district, actor=admin_member, assignment=assignment, owner=there)
        with pytest.raises(ValidationError) as error:
            services.assignment_update_owner(
                district=district, actor=admin_member, assignment=assignment, owner=elsewhere
            )
    assert "works at Jefferson Middle School" in error.value.message_dict["owner"][0]
    assignment.refresh_from_db()
    assert assignment.owner == there


def test_principals_and_staff_cannot_change_assignments(district, assignment, principal_member, staff_member):
    for actor in (principal_member, staff_member):
        with pytest.raises(PermissionDenied), district_context(district):
            services.assignment_set_status(
                district=district, actor=actor, assignment=assignment, status=AssignmentStatus.PAUSED
            )


# --- Role labels ---------------------------------------------------------------------------------------------


def test_role_labels_get_a_unique_address_from_their_name(district, admin_member):
    with district_context(district):
        drivers = services.role_label_create(district=district, actor=admin_member, name="Bus drivers")
        RoleLabel.objects.filter(pk=drivers.pk).update(name="Drivers (old)")
        again = services.role_label_create(district=district, actor=admin_member, name="Bus  Drivers")
    assert (drivers.slug, again.slug, again.name) == ("bus-drivers", "bus-drivers-2", "Bus Drivers")


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"name": "teachers"}, "name", "already a role called"),
        ({"name": "Instructors", "slug": "teachers"}, "slug", "already uses the address"),
        ({"name": "Heads", "system_role": Role.PRINCIPAL}, "system_role", "is already the card for this role"),
    ],
)
def test_bad_role_label_input_gets_a_message_at_the_field(district, admin_member, fields, field, text):
    RoleLabelFactory(district=district, name="Teachers", slug="teachers")
    RoleLabelFactory(district=district, name="Principals", slug="principals", system_role=Role.PRINCIPAL)
    with pytest.raises(ValidationError) as error, district_context(district):
        services.role_label_create(district=district, actor=admin_member, **fields)
    assert text in error.value.message_dict[field][0]


def test_a_role_label_asked_of_by_commitments_cannot_be_deleted(district, admin_member, commitment):
    with pytest.raises(ValidationError, match="1 commitment asks something of Principals"), district_context(district):
        services.role_label_delete(district=district, actor=admin_member, role_label=commitment.role_label)


@pytest.mark.parametrize("role", [Role.CABINET, Role.PRINCIPAL, Role.STAFF, Role.BOARD_MEMBER, Role.PARTNER_COACH])
def test_only_admins_and_the_superintendent_manage_role_labels(district, make_member, role):
    with pytest.raises(PermissionDenied), district_context(district):
        services.role_label_create(district=district, actor=make_member(district, role), name="Coaches")
