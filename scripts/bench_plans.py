"""Benchmark: the plan and its reach in a 1,800-school district.

Builds, through the services a district admin's clicks call, an active plan
with 4 priorities and 20 commitments, each asked of every school (36,000
assignments with history), then times the pages that read it: the plan page,
the initiative-load page (every school's load, month by month), a role card,
a commitment page and one school's load. Registered in scripts/bench.py as
"plans".
"""

from __future__ import annotations

from datetime import date
from typing import Any

PRIORITIES = 4
COMMITMENTS_PER_PRIORITY = 5


def build_plan(district: Any, admin: Any) -> tuple[Any, Any]:
    """An active plan whose every commitment is asked of every school; returns (plan, a commitment)."""
    from districts.models import RoleLabel
    from districts.tenancy import district_context
    from plans import services as plan_services
    from priorities import services as priority_services

    today = date.today()
    with district_context(district):
        teachers = RoleLabel.objects.get(district=district, slug="teachers")
        plan = plan_services.plan_create(
            district=district,
            actor=admin,
            title="Metro 2030",
            start_year=today.year - 1,
            end_year=today.year + 4,
            vision="Every student known, challenged and ready.",
        )
        commitment = None
        for p in range(PRIORITIES):
            priority = priority_services.priority_create(
                district=district, actor=admin, plan=plan, title=f"Priority {p + 1}", success_looks_like="Gains."
            )
            for c in range(COMMITMENTS_PER_PRIORITY):
                commitment = priority_services.commitment_create(
                    district=district,
                    actor=admin,
                    priority=priority,
                    title=f"Commitment {p + 1}.{c + 1}",
                    role_label=teachers,
                    starts_on=date(today.year - 1, 8, 1),
                    ends_on=date(today.year + 4, 6, 30),
                    assign_every_school=True,
                )
        plan_services.plan_activate(district=district, actor=admin, plan=plan)
    return plan, commitment


def run(bench: Any, big_district: tuple[Any, Any]) -> None:
    from django.urls import reverse

    district, admin = big_district
    schools = district_school_count(district)
    plan, commitment = bench.timed(
        f"build plan: {PRIORITIES * COMMITMENTS_PER_PRIORITY} commitments x {schools:,} schools (services)",
        lambda: build_plan(district, admin),
    )
    slug = {"district_slug": district.slug}
    some_school = first_school_id(district)
    bench.pages(
        admin,
        {
            "plan page": reverse("plans:plan_detail", kwargs={**slug, "plan_id": plan.pk}),
            "initiative load, every school": reverse("priorities:load", kwargs=slug),
            "role card (Teachers)": reverse("priorities:role_card", kwargs={**slug, "role_slug": "teachers"}),
            "commitment page": reverse("priorities:commitment_detail", kwargs={**slug, "commitment_id": commitment.pk}),
            "one school's load": reverse("priorities:school_load", kwargs={**slug, "school_id": some_school}),
            "school page": reverse("districts:school_detail", kwargs={**slug, "school_id": some_school}),
        },
    )


def district_school_count(district: Any) -> int:
    from districts.models import School
    from districts.tenancy import district_context

    with district_context(district):
        return School.objects.filter(district=district).count()


def first_school_id(district: Any) -> int:
    from districts.models import School
    from districts.tenancy import district_context

    with district_context(district):
        return School.objects.filter(district=district).order_by("pk").values_list("pk", flat=True)[0]
