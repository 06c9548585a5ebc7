"""The Riverbend demo plans: realistic, complete, and safe to seed twice."""

from __future__ import annotations

from districts import demo as district_demo
from districts.models import District
from districts.tenancy import district_context
from plans.models import PlanState, StrategicPlan
from priorities import demo, selectors
from priorities.models import Assignment, Commitment, Priority


def counts(district):
    with district_context(district):
        return {
            "plans": StrategicPlan.objects.count(),
            "priorities": Priority.objects.count(),
            "commitments": Commitment.objects.count(),
            "assignments": Assignment.objects.count(),
            "history": Assignment.history.count() + Commitment.history.count() + StrategicPlan.history.count(),
        }


def test_riverbend_gets_an_active_plan_and_an_archived_one_and_a_second_seed_changes_nothing(db):
    district_demo.seed()
    demo.seed()
    riverbend = District.objects.get(slug="riverbend")
    first = counts(riverbend)
    district_demo.seed()
    demo.seed()
    assert counts(riverbend) == first

    with district_context(riverbend):
        active = StrategicPlan.objects.get(state=PlanState.ACTIVE)
        archived = StrategicPlan.objects.get(state=PlanState.ARCHIVED)
        assert (active.start_year, active.end_year) == (2025, 2030)
        assert (archived.start_year, archived.end_year) == (2019, 2024)
        assert active.competencies.count() == 5
        assert [p.title for p in active.priorities.order_by("position")] == [
            "Every student reads by grade 3",
            "Attendance and belonging",
            "College, career and life ready",
            "Great people in every role",
        ]
        commitments = Commitment.objects.filter(priority__plan=active)
        assert 12 <= commitments.count() <= 20
        assert all(c.priority.owner is not None for c in commitments)
        assignments = Assignment.objects.filter(commitment__priority__plan=active)
        assert assignments.filter(department__isnull=False).exists()
        school_total = selectors.school_count(district=riverbend)
        per_commitment = {c.pk: c.assignments.filter(school__isnull=False).count() for c in commitments}
        assert school_total in per_commitment.values()  # some asked of every school
        assert any(0 < n < school_total for n in per_commitment.values())  # some of chosen schools
        assert not assignments.filter(owner__isnull=True).exists()  # every place has its principal or lead
        over = selectors.schools_over_threshold(district=riverbend)
        assert [row.place.name for row in over] == ["Jefferson Middle School"]
