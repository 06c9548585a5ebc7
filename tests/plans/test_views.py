"""Plan pages as people use them: the plan page, the focus guard, state changes, starting from an earlier plan."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from districts.roles import Role
from districts.tenancy import district_context
from plans.models import PlanState, StrategicPlan
from tests.factories import SchoolFactory
from tests.plans.factories import (
    AssignmentFactory,
    CommitmentFactory,
    CompetencyFactory,
    PlanFactory,
    PriorityFactory,
)


def url(name, district, **kwargs):
    return reverse(name, kwargs={"district_slug": district.slug, **kwargs})


def plan_page(client, plan, **params):
    return client.get(url("plans:plan_detail", plan.district, plan_id=plan.pk), params)


def test_the_plan_page_shows_vision_portrait_priorities_and_commitments(
    district, active_plan, commitment, client_for, staff_member
):
    CompetencyFactory(plan=active_plan, name="Curious learner", description="Asks good questions.")
    page = plan_page(client_for(staff_member), active_plan).content.decode()
    assert active_plan.vision in page
    assert "Curious learner" in page and "Asks good questions." in page
    assert "Every student reads by grade 3" in page
    assert "Principals hold a monthly attendance data meeting" in page
    assert "Asked of <strong>Principals</strong>" in page
    assert "Not assigned yet" in page
    # Staff read; they get no editing controls.
    assert "Move up" not in page and "Add a priority" not in page and "Edit plan" not in page


def test_editors_get_reorder_buttons_named_for_each_priority(district, active_plan, admin_member, client_for):
    first = PriorityFactory(plan=active_plan, title="Readers", position=1)
    PriorityFactory(plan=active_plan, title="Belonging", position=2)
    page = plan_page(client_for(admin_member), active_plan).content.decode()
    assert 'aria-label="Move up: Readers"' in page
    assert re.search(
        rf'id="priority-{first.pk}-up" hx-post="[^"]+" [^>]* disabled[ >]', page
    )  # the first can't move up
    assert not re.search(rf'id="priority-{first.pk}-down" hx-post="[^"]+" [^>]* disabled[ >]', page)


@pytest.mark.parametrize(("count", "warned"), [(5, False), (6, True)])
def test_the_focus_guard_warns_past_five_priorities(district, active_plan, admin_member, client_for, count, warned):
    PriorityFactory.create_batch(count, plan=active_plan)
    page = plan_page(client_for(admin_member), active_plan).content.decode()
    assert ("Focus guard: this plan has 6 priorities." in page) is warned


def test_at_the_hard_cap_the_plan_page_offers_no_add_button(district, active_plan, admin_member, client_for):
    district.priority_hard_cap = 2
    district.save()
    PriorityFactory.create_batch(2, plan=active_plan)
    page = plan_page(client_for(admin_member), active_plan).content.decode()
    assert "reached your district's limit of 2 priorities" in page
    assert 'id="add-priority"' not in page
    assert url("districts:settings", district) in page  # admins can change the limit there


def test_the_plan_page_flags_schools_over_the_load_threshold(district, active_plan, admin_member, client_for):
    district.commitment_load_threshold = 1
    district.save()
    busy = SchoolFactory(district=district, name="Jefferson Middle School")
    for commitment in CommitmentFactory.create_batch(2, priority=PriorityFactory(plan=active_plan)):
        AssignmentFactory(commitment=commitment, school=busy)
    page = plan_page(client_for(admin_member), active_plan).content.decode()
    assert "Initiative load: 1 school is over the threshold" in page
    assert "Jefferson Middle School</a>: 2 active commitments" in page


def test_the_plan_list_hides_drafts_and_archived_plans_from_board_members(
    district, active_plan, board_member, admin_member, client_for
):
    PlanFactory(district=district, title="Secret draft")
    PlanFactory(district=district, title="Old plan", state=PlanState.ARCHIVED)
    board_page = client_for(board_member).get(url("plans:plan_list", district)).content.decode()
    admin_page = client_for(admin_member).get(url("plans:plan_list", district)).content.decode()
    assert active_plan.title in board_page
    assert "Secret draft" not in board_page and "Old plan" not in board_page
    assert "Secret draft" in admin_page and "Old plan" in admin_page


def test_plan_goes_to_the_active_plan_or_the_list(district, client_for, board_member, active_plan):
    client = client_for(board_member)
    assert client.get(url("plans:current", district)).url == url("plans:plan_detail", district, plan_id=active_plan.pk)
    with district_context(district):
        StrategicPlan.objects.filter(pk=active_plan.pk).update(state=PlanState.ARCHIVED)
    assert client.get(url("plans:current", district)).url == url("plans:plan_list", district)


def test_creating_a_plan_by_plain_post(district, superintendent_member, client_for):
    response = client_for(superintendent_member).post(
        url("plans:plan_create", district),
        {"title": "Riverbend 2030", "start_year": "2025", "end_year": "2030", "vision": "V", "mission": "M"},
    )
    with district_context(district):
        plan = StrategicPlan.objects.get(title="Riverbend 2030")
    assert response.url == url("plans:plan_detail", district, plan_id=plan.pk)
    assert plan.state == PlanState.DRAFT


def test_an_empty_plan_form_says_what_each_field_needs(district, admin_member, client_for):
    page = client_for(admin_member).post(url("plans:plan_create", district), {"vision": ""}).content.decode()
    for message in ("Give the plan a title.", "Enter the first year, e.g. 2025.", "Enter the last year, e.g. 2030."):
        assert message in page


def test_bad_plan_input_is_shown_at_the_field_and_kept(district, admin_member, client_for):
    response = client_for(admin_member).post(
        url("plans:plan_create", district),
        {"title": "Riverbend 2030", "start_year": "2030", "end_year": "2025", "vision": "Keep this vision"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_end_year_error"' in page and "must come after the first" in page
    assert "Keep this vision" in page


def test_starting_from_an_earlier_plan_prefills_the_form_and_copies(district, admin_member, client_for, active_plan):
    CommitmentFactory(priority=PriorityFactory(plan=active_plan, title="Readers"))
    client = client_for(admin_member)
    form_page = client.get(url("plans:plan_create", district), {"from": active_plan.pk}).content.decode()
    assert f'<option value="{active_plan.pk}" selected>' in form_page
    assert active_plan.vision in form_page
    response = client.post(
        url("plans:plan_create", district),
        {"title": "Next plan", "start_year": "2030", "end_year": "2035", "copy_from": active_plan.pk},
    )
    with district_context(district):
        plan = StrategicPlan.objects.get(title="Next plan")
        assert list(plan.priorities.values_list("title", flat=True)) == ["Readers"]
    assert response.status_code == 302


def test_activation_asks_first_then_archives_the_previous_plan(district, active_plan, admin_member, client_for):
    draft = PlanFactory(district=district, title="Riverbend 2035")
    PriorityFactory(plan=draft)
    client = client_for(admin_member)
    confirm = client.get(url("plans:plan_activate", district, plan_id=draft.pk)).content.decode()
    assert f"“{active_plan.title}” is active now and will be archived." in confirm
    response = client.post(url("plans:plan_activate", district, plan_id=draft.pk), follow=True)
    assert "“Riverbend 2035” is now the district&#x27;s active plan." in response.content.decode()
    active_plan.refresh_from_db()
    assert active_plan.state == PlanState.ARCHIVED


def test_activation_problems_come_back_as_a_message(district, admin_member, client_for):
    draft = PlanFactory(district=district)
    response = client_for(admin_member).post(url("plans:plan_activate", district, plan_id=draft.pk), follow=True)
    assert "Add at least one priority before activating the plan." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == PlanState.DRAFT


def test_board_members_never_see_a_draft(district, board_member, client_for):
    draft = PlanFactory(district=district)
    priority = PriorityFactory(plan=draft)
    client = client_for(board_member)
    assert client.get(url("plans:plan_detail", district, plan_id=draft.pk)).status_code == 404
    assert client.get(url("priorities:priority_detail", district, priority_id=priority.pk)).status_code == 404


def test_the_portrait_is_edited_and_reordered_without_javascript(district, draft_plan, admin_member, client_for):
    client = client_for(admin_member)
    portrait_url = url("plans:portrait", district, plan_id=draft_plan.pk)
    client.post(portrait_url, {"name": "Curious learner", "description": "Asks questions."})
    client.post(portrait_url, {"name": "Engaged citizen"})
    duplicate = client.post(portrait_url, {"name": "curious learner"}).content.decode()
    assert "The portrait already has" in duplicate
    with district_context(district):
        second = draft_plan.competencies.get(name="Engaged citizen")
    moved = client.post(url("plans:competency_move", district, competency_id=second.pk), {"direction": "up"})
    assert moved.url.endswith(f"#competency-{second.pk}")
    with district_context(district):
        assert list(draft_plan.competencies.values_list("name", flat=True)) == ["Engaged citizen", "Curious learner"]


def test_moving_a_competency_with_htmx_keeps_focus_on_its_button(district, draft_plan, admin_member, client_for):
    first = CompetencyFactory(plan=draft_plan, name="A", position=1)
    second = CompetencyFactory(plan=draft_plan, name="B", position=2)
    response = client_for(admin_member).post(
        url("plans:competency_move", district, competency_id=second.pk), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    fragment = response.content.decode()
    assert "<html" not in fragment
    # B is now first: its "Move up" is disabled, so focus goes to its "Move down".
    assert re.search(rf'id="competency-{second.pk}-up" [^>]* disabled[ >]', fragment)
    assert re.search(rf'id="competency-{second.pk}-down" [^>]* autofocus[ >]', fragment)
    assert fragment.index(f"competency-{second.pk}") < fragment.index(f"competency-{first.pk}")
    assert "Moved “B” up to position 1 of 2." in fragment


def test_deleting_a_draft_asks_first(district, admin_member, client_for):
    draft = PlanFactory(district=district, title="Scratch")
    PriorityFactory(plan=draft)
    client = client_for(admin_member)
    confirm = client.get(url("plans:plan_delete", district, plan_id=draft.pk)).content.decode()
    assert "Its 1 priorities, 0 commitments" in confirm
    client.post(url("plans:plan_delete", district, plan_id=draft.pk))
    with district_context(district):
        assert not StrategicPlan.objects.filter(pk=draft.pk).exists()


def test_cabinet_sees_edit_controls_only_on_priorities_they_own(district, active_plan, make_member, client_for):
    owner = make_member(district, Role.CABINET)
    mine = PriorityFactory(plan=active_plan, owner=owner, title="Mine")
    theirs = PriorityFactory(plan=active_plan, title="Theirs")
    page = plan_page(client_for(owner), active_plan).content.decode()
    assert url("priorities:priority_edit", district, priority_id=mine.pk) in page
    assert url("priorities:priority_edit", district, priority_id=theirs.pk) not in page
    assert url("priorities:commitment_create", district, priority_id=mine.pk) in page
    assert "Move up" not in page  # reordering the plan is for plan managers
