"""Factories for plans and priorities. Children are created in their parent's district."""

from __future__ import annotations

from datetime import date

import factory
from django.db import transaction
from django_scopes import scopes_disabled

from districts.roles import Role
from plans.models import Competency, PlanState, StrategicPlan
from priorities.loads import after_assignments_changed
from priorities.models import Assignment, Commitment, Priority, ReportedIn
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    RoleLabelFactory,
    SchoolFactory,
    ScopeFreeFactory,
)

# Plans span today, so "active" and "past its end date" mean the same whenever the tests run.
THIS_YEAR = date.today().year
# Every other test date is built from these (never a fixed calendar year), so the suite passes in any year.
PLAN_START_YEAR = THIS_YEAR - 1
PLAN_END_YEAR = THIS_YEAR + 4
SCHOOL_YEAR_START_MONTH = 8  # the test districts' school years start in August


def school_year(n: int) -> int:
    """The start year of the factory plan's school year `n`: 0 is its first, -1 the year before, 4 its last."""
    return PLAN_START_YEAR + n


def school_year_label(n: int, dash: str = "–") -> str:
    """How school year `n` reads on a page: "2025–26" for the first year of a 2025–2030 plan
    (dash="-" for how a CSV file spells it)."""
    year = school_year(n)
    return f"{year}{dash}{(year + 1) % 100:02d}"


def csv_school_year(n: int) -> str:
    """School year `n` as a CSV file spells it: "2025-26"."""
    return school_year_label(n, dash="-")


def in_school_year(n: int, month: int = SCHOOL_YEAR_START_MONTH, day: int = 1) -> date:
    """The day `month`/`day` inside school year `n` (August to July): in_school_year(0) is its first day."""
    year = school_year(n) if month >= SCHOOL_YEAR_START_MONTH else school_year(n) + 1
    return date(year, month, day)


class PlanFactory(ScopeFreeFactory):
    class Meta:
        model = StrategicPlan

    district = factory.SubFactory(DistrictFactory)
    title = factory.Sequence(lambda n: f"Strategic plan {n}")
    start_year = PLAN_START_YEAR
    end_year = PLAN_END_YEAR
    vision = "Every student graduates ready for college, career and life."
    mission = "We partner with families to provide rigorous, joyful learning."
    state = PlanState.DRAFT


class CompetencyFactory(ScopeFreeFactory):
    class Meta:
        model = Competency

    plan = factory.SubFactory(PlanFactory)
    district = factory.SelfAttribute("plan.district")
    name = factory.Sequence(lambda n: f"Competency {n}")
    description = "Shows it every day."
    position = factory.Sequence(lambda n: n + 1)


class PriorityFactory(ScopeFreeFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(PlanFactory)
    district = factory.SelfAttribute("plan.district")
    code = factory.Sequence(lambda n: f"P{n + 1}")
    title = factory.Sequence(lambda n: f"Priority {n}")
    success_looks_like = "Measurable gains for every student group."
    owner = factory.SubFactory(MembershipFactory, district=factory.SelfAttribute("..district"), role=Role.CABINET)
    position = factory.Sequence(lambda n: n + 1)


class CommitmentFactory(ScopeFreeFactory):
    class Meta:
        model = Commitment

    priority = factory.SubFactory(PriorityFactory)
    district = factory.SelfAttribute("priority.district")
    title = factory.Sequence(lambda n: f"Commitment {n}")
    role_label = factory.SubFactory(RoleLabelFactory, district=factory.SelfAttribute("..district"))
    starts_on = factory.LazyAttribute(lambda o: date(o.priority.plan.start_year, 8, 1))
    ends_on = factory.LazyAttribute(lambda o: date(o.priority.plan.end_year, 6, 30))  # in the plan's last school year
    evidence_expected = "Agendas and sign-in sheets."
    reported_in = ReportedIn.SCHOOL
    position = factory.Sequence(lambda n: n + 1)


class ActivePlanFactory(PlanFactory):
    state = PlanState.ACTIVE


class AssignmentFactory(ScopeFreeFactory):
    class Meta:
        model = Assignment

    commitment = factory.SubFactory(CommitmentFactory)
    district = factory.SelfAttribute("commitment.district")
    school = factory.SubFactory(SchoolFactory, district=factory.SelfAttribute("..district"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Keep the stored reach and school load exact, as the assignment services do."""
        assignment = super()._create(model_class, *args, **kwargs)
        with scopes_disabled(), transaction.atomic():
            after_assignments_changed(
                district=assignment.district,
                commitment=assignment.commitment,
                school_ids=[assignment.school_id] if assignment.school_id else [],
            )
        return assignment
