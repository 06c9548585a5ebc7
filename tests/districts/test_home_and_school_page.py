"""The district home shows the active plan and the reader's own role card; a school's page shows its load."""

from __future__ import annotations

from django.urls import reverse

from districts.roles import Role
from tests.factories import RoleLabelFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PlanFactory, PriorityFactory


def test_home_shows_active_plan_priorities_and_my_role_card(district, make_member, client_for):
    principals = RoleLabelFactory(district=district, name="Principals", slug="principals", system_role=Role.PRINCIPAL)
    plan = ActivePlanFactory(district=district, title="Riverbend Rising", vision="Every student known by name.")
    PriorityFactory(plan=plan, district=district, code="P1", title="Early literacy")
    PriorityFactory(plan=plan, district=district, code="P2", title="Attendance and belonging")
    PlanFactory(district=district, title="Secret draft")
    principal = make_member(district, Role.PRINCIPAL)

    page = (
        client_for(principal).get(reverse("dashboards:home", kwargs={"district_slug": district.slug})).content.decode()
    )

    assert "Riverbend Rising" in page
    assert "Every student known by name." in page
    assert "P1 · Early literacy" in page and "P2 · Attendance and belonging" in page
    assert "Our 2 priorities" in page
    assert "Secret draft" not in page
    card_url = reverse("priorities:role_card", kwargs={"district_slug": district.slug, "role_slug": principals.slug})
    assert card_url in page
    assert "My part in the plan: Principals" in page


def test_home_without_an_active_plan_points_admins_to_plans(district, admin_member, board_member, client_for):
    PlanFactory(district=district, title="Only a draft")
    url = reverse("dashboards:home", kwargs={"district_slug": district.slug})
    admin_page = client_for(admin_member).get(url).content.decode()
    assert "No plan is active yet" in admin_page
    assert "Only a draft" not in admin_page
    assert "No plan is active yet" not in client_for(board_member).get(url).content.decode()


def test_school_page_flags_a_school_over_the_load_threshold(district, staff_member, client_for):
    district.commitment_load_threshold = 2
    district.save()
    school = staff_member.school
    plan = ActivePlanFactory(district=district)
    for _ in range(3):
        AssignmentFactory(
            commitment=CommitmentFactory(priority=PriorityFactory(plan=plan, district=district)), school=school
        )
    url = reverse("districts:school_detail", kwargs={"district_slug": district.slug, "school_id": school.pk})

    page = client_for(staff_member).get(url).content.decode()

    assert "Over the threshold" in page
    assert "3 <span" in page  # three active commitments
    assert "Asked under 3 priorities." in page
    assert reverse("priorities:school_load", kwargs={"district_slug": district.slug, "school_id": school.pk}) in page


def test_school_page_under_the_threshold_has_no_flag(district, staff_member, client_for):
    school = staff_member.school
    plan = ActivePlanFactory(district=district)
    AssignmentFactory(
        commitment=CommitmentFactory(priority=PriorityFactory(plan=plan, district=district)), school=school
    )
    url = reverse("districts:school_detail", kwargs={"district_slug": district.slug, "school_id": school.pk})
    page = client_for(staff_member).get(url).content.decode()
    assert "Initiative load" in page
    assert "Over the threshold" not in page
