"""Priority, commitment, assignment, role card and load pages: in place with HTMX and as plain posts."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from districts.models import RoleLabel
from districts.roles import Role
from districts.tenancy import district_context
from priorities.models import Assignment, AssignmentStatus, Commitment, Priority
from tests.factories import DepartmentFactory, RoleLabelFactory, SchoolFactory
from tests.plans.factories import AssignmentFactory, CommitmentFactory, PlanFactory, PriorityFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, district, **kwargs):
    return reverse(name, kwargs={"district_slug": district.slug, **kwargs})


def plan_url(plan, anchor=""):
    return reverse("plans:plan_detail", kwargs={"district_slug": plan.district.slug, "plan_id": plan.pk}) + anchor


def commitment_data(plan, role_label, **fields):
    data = {
        "title": "Counselors meet every chronically absent student",
        "role_label": role_label.pk,
        "starts_on": f"{plan.start_year}-08-01",
        "ends_on": f"{plan.end_year}-06-30",
        "reported_in": "school",
        "assign_now": "later",
    }
    data.update(fields)
    return data


# --- Priorities in place -----------------------------------------------------------------------------


def test_add_a_priority_opens_its_form_in_place(district, active_plan, admin_member, client_for):
    response = client_for(admin_member).get(url("priorities:priority_create", district, plan_id=active_plan.pk), **HTMX)
    fragment = response.content.decode()
    assert "<html" not in fragment and "<form" in fragment
    assert f'hx-post="{url("priorities:priority_create", district, plan_id=active_plan.pk)}"' in fragment
    assert 'hx-target="#new-priority"' in fragment
    assert re.search(r'id="id_new-priority_title"[^>]*autofocus|autofocus[^>]*id="id_new-priority_title"', fragment)


def test_a_priority_saved_in_place_refreshes_the_plans_priorities(
    district, active_plan, admin_member, client_for, cabinet_member
):
    response = client_for(admin_member).post(
        url("priorities:priority_create", district, plan_id=active_plan.pk),
        {
            "title": "Attendance and belonging",
            "success_looks_like": "Chronic absence under 10%.",
            "owner": cabinet_member.pk,
        },
        **HTMX,
    )
    with district_context(district):
        priority = Priority.objects.get(plan=active_plan)
    fragment = response.content.decode()
    assert response.headers["HX-Retarget"] == "#priorities-region"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "Attendance and belonging" in fragment and "<html" not in fragment
    assert re.search(rf'id="priority-{priority.pk}-title" tabindex="-1" autofocus', fragment)
    # The status region keeps its element (its content is swapped), so screen readers announce the change.
    assert 'role="status" hx-swap-oob="innerHTML">Added priority P1 · Attendance and belonging.</p>' in fragment
    assert priority.owner == cabinet_member


def test_a_bad_priority_keeps_its_form_in_place_with_the_message_at_the_field(
    district, active_plan, admin_member, client_for
):
    response = client_for(admin_member).post(
        url("priorities:priority_create", district, plan_id=active_plan.pk),
        {"title": "Readers", "success_looks_like": ""},
        **HTMX,
    )
    fragment = response.content.decode()
    assert "HX-Retarget" not in response.headers
    assert 'id="id_new-priority_success_looks_like_error"' in fragment
    assert 'value="Readers"' in fragment  # nothing typed is lost


def test_the_hard_cap_message_appears_on_the_form(district, active_plan, admin_member, client_for):
    district.priority_hard_cap = 1
    district.save()
    PriorityFactory(plan=active_plan)
    response = client_for(admin_member).post(
        url("priorities:priority_create", district, plan_id=active_plan.pk),
        {"title": "One more", "success_looks_like": "Something."},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your district allows at most 1 priority in a plan" in page
    assert 'value="One more"' in page


def test_the_add_form_warns_before_a_sixth_priority(district, active_plan, admin_member, client_for):
    PriorityFactory.create_batch(5, plan=active_plan)
    page = client_for(admin_member).get(url("priorities:priority_create", district, plan_id=active_plan.pk))
    assert "This would be priority 6. The focus guard suggests no more than 5" in page.content.decode()


def test_a_priority_is_added_without_javascript(district, active_plan, superintendent_member, client_for):
    response = client_for(superintendent_member).post(
        url("priorities:priority_create", district, plan_id=active_plan.pk),
        {"title": "Readers", "success_looks_like": "80% read on grade level."},
    )
    with district_context(district):
        priority = Priority.objects.get(plan=active_plan)
    assert response.url == plan_url(active_plan, f"#priority-{priority.pk}")


def test_editing_a_priority_in_place(district, priority, cabinet_member, client_for):
    client = client_for(cabinet_member)
    edit_url = url("priorities:priority_edit", district, priority_id=priority.pk)
    form = client.get(edit_url, **HTMX).content.decode()
    assert f'hx-target="#priority-{priority.pk}"' in form
    assert "disabled" in re.search(r'<select[^>]*name="owner"[^>]*>', form).group(0)  # cabinet can't hand it on
    response = client.post(
        edit_url,
        {"code": "P1", "title": "Every student reads by the end of grade 3", "success_looks_like": "80%."},
        **HTMX,
    )
    assert response.headers["HX-Retarget"] == "#priorities-region"
    priority.refresh_from_db()
    assert (priority.title, priority.owner) == ("Every student reads by the end of grade 3", cabinet_member)


def test_moving_a_priority_in_place_keeps_focus_on_its_button(district, active_plan, admin_member, client_for):
    first = PriorityFactory(plan=active_plan, title="Readers", position=1)
    second = PriorityFactory(plan=active_plan, title="Belonging", position=2)
    third = PriorityFactory(plan=active_plan, title="Ready", position=3)
    client = client_for(admin_member)
    response = client.post(
        url("priorities:priority_move", district, priority_id=first.pk), {"direction": "down"}, **HTMX
    )
    fragment = response.content.decode()
    order = [m for m in re.findall(r'<li class="card priority" id="priority-(\d+)"', fragment)]
    assert order == [str(second.pk), str(first.pk), str(third.pk)]
    assert re.search(rf'id="priority-{first.pk}-down" [^>]* autofocus[ >]', fragment)
    assert "Moved P" in fragment and "down to position 2 of 3." in fragment
    # At the bottom, "Move down" is disabled, so focus goes to "Move up".
    fragment = client.post(
        url("priorities:priority_move", district, priority_id=first.pk), {"direction": "down"}, **HTMX
    ).content.decode()
    assert re.search(rf'id="priority-{first.pk}-up" [^>]* autofocus[ >]', fragment)


def test_moving_a_priority_without_javascript_returns_to_it(district, active_plan, admin_member, client_for):
    first = PriorityFactory(plan=active_plan, position=1)
    second = PriorityFactory(plan=active_plan, position=2)
    response = client_for(admin_member).post(
        url("priorities:priority_move", district, priority_id=second.pk), {"direction": "up"}
    )
    assert response.url == plan_url(active_plan, f"#priority-{second.pk}")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.position, first.position) == (1, 2)


def test_cancel_returns_the_region_with_focus_on_the_priority(district, priority, admin_member, client_for):
    fragment = (
        client_for(admin_member)
        .get(plan_url(priority.plan), {"focus": f"priority-{priority.pk}-title"}, **HTMX)
        .content.decode()
    )
    assert "<html" not in fragment
    assert re.search(rf'id="priority-{priority.pk}-title" tabindex="-1" autofocus', fragment)


# --- Commitments in place ----------------------------------------------------------------------------


def test_a_commitment_added_in_place_appears_under_its_priority(
    district, priority, role_label, cabinet_member, client_for
):
    SchoolFactory.create_batch(2, district=district)
    client = client_for(cabinet_member)
    create_url = url("priorities:commitment_create", district, priority_id=priority.pk)
    form = client.get(create_url, **HTMX).content.decode()
    assert f'hx-target="#new-commitment-{priority.pk}"' in form
    response = client.post(create_url, commitment_data(priority.plan, role_label, assign_now="every_school"), **HTMX)
    with district_context(district):
        commitment = Commitment.objects.get(priority=priority)
        assert Assignment.objects.filter(commitment=commitment).count() == 2
    fragment = response.content.decode()
    assert response.headers["HX-Retarget"] == "#priorities-region"
    assert re.search(rf'id="commitment-{commitment.pk}-title"[^>]*autofocus', fragment)
    assert "At every school" in fragment


def test_a_commitment_added_without_javascript_goes_on_to_choose_where_it_is_asked(
    district, priority, role_label, admin_member, client_for
):
    response = client_for(admin_member).post(
        url("priorities:commitment_create", district, priority_id=priority.pk),
        commitment_data(priority.plan, role_label),
    )
    with district_context(district):
        commitment = Commitment.objects.get(priority=priority)
    assert response.url == url("priorities:commitment_assign", district, commitment_id=commitment.pk)


def test_commitment_dates_outside_the_plan_are_refused_at_the_field(
    district, priority, role_label, admin_member, client_for
):
    plan = priority.plan
    response = client_for(admin_member).post(
        url("priorities:commitment_create", district, priority_id=priority.pk),
        commitment_data(plan, role_label, ends_on=f"{plan.end_year + 3}-06-30"),
        **HTMX,
    )
    fragment = response.content.decode()
    assert f'id="id_new-commitment-{priority.pk}_ends_on_error"' in fragment
    assert "within the plan&#x27;s period" in fragment


def test_editing_and_moving_commitments_in_place(district, priority, cabinet_member, client_for):
    first = CommitmentFactory(priority=priority, title="First", position=1)
    second = CommitmentFactory(priority=priority, title="Second", position=2)
    client = client_for(cabinet_member)
    form = client.get(url("priorities:commitment_edit", district, commitment_id=second.pk), **HTMX).content.decode()
    assert f'hx-target="#commitment-{second.pk}"' in form
    fragment = client.post(
        url("priorities:commitment_move", district, commitment_id=second.pk), {"direction": "up"}, **HTMX
    ).content.decode()
    assert fragment.index(f'id="commitment-{second.pk}"') < fragment.index(f'id="commitment-{first.pk}"')
    assert re.search(rf'id="commitment-{second.pk}-down" [^>]* autofocus[ >]', fragment)


# --- Assignments ---------------------------------------------------------------------------------------------


def test_assign_to_every_school_from_the_assign_page(district, commitment, admin_member, client_for, make_member):
    schools = SchoolFactory.create_batch(3, district=district)
    principal = make_member(district, Role.PRINCIPAL, school=schools[0])
    response = client_for(admin_member).post(
        url("priorities:commitment_assign", district, commitment_id=commitment.pk),
        {"target": "every_school"},
        follow=True,
    )
    page = response.content.decode()
    assert "Assigned to 3 new places." in page
    assert "2 have no principal or lead yet" in page
    with district_context(district):
        assert Assignment.objects.get(commitment=commitment, school=schools[0]).owner == principal


def test_assign_page_filters_schools_by_level_and_region(district, commitment, admin_member, client_for):
    SchoolFactory(district=district, name="North High", level="high", region="North")
    SchoolFactory(district=district, name="South High", level="high", region="South")
    SchoolFactory(district=district, name="North Elementary", level="elementary", region="North")
    fragment = (
        client_for(admin_member)
        .get(
            url("priorities:commitment_assign", district, commitment_id=commitment.pk),
            {"level": "high", "region": "North"},
            **HTMX,
        )
        .content.decode()
    )
    assert "North High" in fragment
    assert "South High" not in fragment and "North Elementary" not in fragment
    assert "Assign to all 1 school shown that don't have it" in fragment


def test_assign_to_chosen_schools_and_to_departments(district, commitment, admin_member, client_for, make_member):
    a, _b, c = SchoolFactory.create_batch(3, district=district)
    operations = DepartmentFactory(district=district, name="Operations")
    lead = make_member(district, Role.CABINET, department=operations)
    client = client_for(admin_member)
    assign_url = url("priorities:commitment_assign", district, commitment_id=commitment.pk)
    client.post(assign_url, {"target": "schools", "schools": [a.pk, c.pk]})
    client.post(assign_url, {"target": "departments", "departments": [operations.pk]})
    with district_context(district):
        places = set(
            Assignment.objects.filter(commitment=commitment).values_list("school_id", "department_id", "owner_id")
        )
    assert places == {(a.pk, None, None), (c.pk, None, None), (None, operations.pk, lead.pk)}


def test_assigning_nothing_ticked_says_so_at_the_list(district, commitment, admin_member, client_for):
    SchoolFactory(district=district)
    response = client_for(admin_member).post(
        url("priorities:commitment_assign", district, commitment_id=commitment.pk), {"target": "schools"}
    )
    assert "Tick at least one school." in response.content.decode()


def test_pausing_and_ending_an_assignment_shows_in_its_history(district, assignment, admin_member, client_for):
    client = client_for(admin_member)
    status_url = url("priorities:assignment_status", district, assignment_id=assignment.pk)
    client.post(status_url, {"status": "paused", "note": "Testing window"})
    page = client.post(status_url, {"status": "ended"}, follow=True).content.decode()
    assert "is ended at Jefferson Middle School" in page
    assert "Why: Testing window" in page
    assert "<del>Active</del>" in page and "<ins>Paused</ins>" in page and "<ins>Ended</ins>" in page
    assert 'value="active">Restart</button>' in page
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ENDED


def test_ending_a_commitment_everywhere_from_its_page(district, assignment, cabinet_member, client_for):
    AssignmentFactory(commitment=assignment.commitment)
    client = client_for(cabinet_member)
    detail = url("priorities:commitment_detail", district, commitment_id=assignment.commitment_id)
    assert "End everywhere" in client.get(detail).content.decode()
    page = client.post(
        url("priorities:commitment_status", district, commitment_id=assignment.commitment_id),
        {"status": "ended", "note": "Replaced by the new attendance plan"},
        follow=True,
    ).content.decode()
    assert "Ended “Principals hold a monthly attendance data meeting” at 2 places." in page
    assert "End everywhere" not in page  # nothing left to end
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ENDED


def test_the_commitment_page_lists_its_assignments(district, assignment, staff_member, client_for):
    page = (
        client_for(staff_member)
        .get(url("priorities:commitment_detail", district, commitment_id=assignment.commitment_id))
        .content.decode()
    )
    assert "Jefferson Middle School" in page and "1 assignment" in page
    assert "Assign to schools or departments" not in page  # staff read only


# --- Role cards ---------------------------------------------------------------------------------------------


def test_a_role_card_shows_the_vision_the_priorities_and_that_roles_part(
    district, active_plan, priority, commitment, staff_member, client_for
):
    teachers = RoleLabelFactory(district=district, name="Teachers", slug="teachers")
    CommitmentFactory(priority=priority, role_label=teachers, title="Teachers greet every student at the door")
    PriorityFactory(plan=active_plan, title="Great people in every role")
    page = client_for(staff_member).get(url("priorities:role_card", district, role_slug="principals")).content.decode()
    assert "What our plan asks of principals" in page
    assert active_plan.vision in page
    assert "Principals hold a monthly attendance data meeting" in page
    assert "Teachers greet every student" not in page
    assert "Great people in every role" in page
    assert "Nothing specific is asked of principals under this priority." in page
    assert "data-print-button hidden" in page and "js/print-button.js" in page


def test_a_role_cards_sentences_keep_an_acronym_in_its_name(district, active_plan, priority, staff_member, client_for):
    RoleLabelFactory(district=district, name="ELL Teachers", slug="ell-teachers")
    page = (
        client_for(staff_member).get(url("priorities:role_card", district, role_slug="ell-teachers")).content.decode()
    )
    assert "What our plan asks of ELL teachers" in page
    assert "ell teachers" not in page


def test_board_members_cannot_preview_a_drafts_role_card(
    district, active_plan, role_label, board_member, coach_member, client_for
):
    draft = PlanFactory(district=district)
    CommitmentFactory(priority=PriorityFactory(plan=draft), role_label=role_label, title="Draft-only idea")
    card_url = url("priorities:role_card", district, role_slug=role_label.slug)
    assert "Draft-only idea" not in client_for(board_member).get(card_url, {"plan": draft.pk}).content.decode()
    assert "Draft-only idea" in client_for(coach_member).get(card_url, {"plan": draft.pk}).content.decode()


def test_a_role_card_without_an_active_plan_says_so(district, role_label, staff_member, client_for):
    page = client_for(staff_member).get(url("priorities:role_card", district, role_slug=role_label.slug))
    assert "The district has no active plan yet" in page.content.decode()


def test_role_list_marks_the_members_own_card(district, role_label, make_member, client_for):
    principal = make_member(district, Role.PRINCIPAL)
    page = client_for(principal).get(url("priorities:role_list", district)).content.decode()
    assert "Your card:" in page and f"/roles/{role_label.slug}/" in page


def test_admins_add_edit_reorder_and_delete_role_labels(district, admin_member, client_for):
    client = client_for(admin_member)
    client.post(url("priorities:role_label_create", district), {"name": "Bus drivers", "description": "Transportation"})
    client.post(url("priorities:role_label_create", district), {"name": "Counselors"})
    with district_context(district):
        drivers = RoleLabel.objects.get(name="Bus drivers")
        counselors = RoleLabel.objects.get(name="Counselors")
    assert drivers.slug == "bus-drivers"
    client.post(
        url("priorities:role_label_edit", district, role_label_id=drivers.pk),
        {"name": "Bus drivers", "slug": "drivers"},
    )
    fragment = client.post(
        url("priorities:role_label_move", district, role_label_id=drivers.pk), {"direction": "down"}, **HTMX
    ).content.decode()
    assert fragment.index(f'id="role-{counselors.pk}"') < fragment.index(f'id="role-{drivers.pk}"')
    assert re.search(rf'id="role-label-{drivers.pk}-up" [^>]* autofocus[ >]', fragment)
    client.post(url("priorities:role_label_delete", district, role_label_id=drivers.pk))
    with district_context(district):
        assert list(RoleLabel.objects.values_list("name", flat=True)) == ["Counselors"]


def test_a_role_label_in_use_is_not_deleted_and_the_page_says_why(district, commitment, admin_member, client_for):
    page = (
        client_for(admin_member)
        .post(url("priorities:role_label_delete", district, role_label_id=commitment.role_label_id), follow=True)
        .content.decode()
    )
    assert "1 commitment asks something of Principals" in page
    with district_context(district):
        assert RoleLabel.objects.filter(pk=commitment.role_label_id).exists()


# --- Initiative load -------------------------------------------------------------------------------------------


def test_the_load_page_flags_and_explains_a_school_over_the_threshold(district, active_plan, make_member, client_for):
    district.commitment_load_threshold = 1
    district.save()
    busy = SchoolFactory(district=district, name="Jefferson Middle School")
    quiet = SchoolFactory(district=district, name="King Middle School")
    teacher = make_member(district, Role.STAFF, school=busy)
    operations = DepartmentFactory(district=district, name="Operations")
    for commitment in CommitmentFactory.create_batch(
        2, priority=PriorityFactory(plan=active_plan), lead_department=operations
    ):
        AssignmentFactory(commitment=commitment, school=busy)
    AssignmentFactory(commitment=CommitmentFactory(priority=PriorityFactory(plan=active_plan)), school=quiet)
    client = client_for(teacher)
    page = client.get(url("priorities:load", district)).content.decode()
    assert "Your school, <a" in page
    assert "2 active commitments, asked by 1 department under 1 priority." in page
    over_only = client.get(url("priorities:load", district), {"over": "1"}, **HTMX).content.decode()
    assert "Jefferson Middle School" in over_only and "King Middle School" not in over_only
    school_page = client.get(url("priorities:school_load", district, school_id=busy.pk)).content.decode()
    assert (
        "Jefferson Middle School is asked to carry 2 active commitments</strong>, more than the district" in school_page
    )
    assert "Why: your school is asked by 1 department under 1 priority." in school_page


def test_the_department_load_page_lists_what_is_asked_of_it(district, active_plan, staff_member, client_for):
    operations = DepartmentFactory(district=district, name="Operations")
    commitment = CommitmentFactory(
        priority=PriorityFactory(plan=active_plan),
        title="Bus drivers greet riders by name",
        reported_in="department",
        starts_on=date(active_plan.start_year, 8, 1),
    )
    AssignmentFactory(commitment=commitment, school=None, department=operations)
    page = client_for(staff_member).get(url("priorities:department_load", district, department_id=operations.pk))
    assert "Bus drivers greet riders by name" in page.content.decode()
