"""Big districts: the load page pages its schools; the plan page names the ten busiest and counts the rest."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import SchoolFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PriorityFactory


def test_load_page_shows_fifty_schools_a_page(district, admin_member, client_for):
    ActivePlanFactory(district=district)
    for n in range(55):
        SchoolFactory(district=district, name=f"Load school {n:03d}", code=f"LS{n:03d}")
    client = client_for(admin_member)
    url = reverse("priorities:load", kwargs={"district_slug": district.slug})

    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()

    assert first.count("Load school ") == 50 and "Next page" in first
    assert second.count("Load school ") == 5 and "Previous page" in second
    assert "Load school 054" in second and "Load school 054" not in first


def test_plan_page_lists_ten_busiest_schools_and_counts_the_rest(district, admin_member, client_for):
    district.commitment_load_threshold = 1
    district.save()
    plan = ActivePlanFactory(district=district)
    priority = PriorityFactory(plan=plan, district=district)
    commitments = [CommitmentFactory(priority=priority, district=district) for _ in range(2)]
    for n in range(12):
        school = SchoolFactory(district=district, name=f"Busy school {n:02d}", code=f"BS{n:02d}")
        for commitment in commitments:
            AssignmentFactory(commitment=commitment, district=district, school=school)

    page = client_for(admin_member).get(
        reverse("plans:plan_detail", kwargs={"district_slug": district.slug, "plan_id": plan.pk})
    )
    text = page.content.decode()

    assert "12 schools are over the threshold" in text
    assert text.count("Busy school ") == 10
    assert "and 2 more." in text
    assert reverse("priorities:load", kwargs={"district_slug": district.slug}) + "?over=1" in text
