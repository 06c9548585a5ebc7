"""Stored counts the plan and load pages read instead of grouping every assignment on each request.

* `SchoolLoad`: per (district, school, commitment end date), the school's active assignments in the
  district's active plan. A school's load today is the sum over end dates not yet passed, so the
  count stays exact as commitments end, without a nightly job.
* `Commitment.active_school_count` / `paused_count`: a commitment's reach.

Kept exact by the services that change what they count, in the same transaction (assignments
created, a status changed here or everywhere, a commitment's end date changed, a plan activated or
archived: `plans.extensions.plan_state_changes`). The migration that added them backfilled them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from districts.models import District
from plans.models import PlanState, StrategicPlan

from .models import Assignment, AssignmentStatus, Commitment, SchoolLoad


def _count(**conditions: object) -> Coalesce:
    rows = (
        Assignment.objects.filter(district_id=OuterRef("district_id"), commitment=OuterRef("pk"), **conditions)
        .order_by()
        .values("commitment")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def recount_reach(*, district: District, commitment_ids: Iterable[int]) -> None:
    """Recount these commitments' reach (active school assignments, paused assignments) in one update."""
    ids = list(commitment_ids)
    if not ids:
        return
    Commitment.objects.filter(district=district, pk__in=ids).update(
        active_school_count=_count(status=AssignmentStatus.ACTIVE, school__isnull=False),
        paused_count=_count(status=AssignmentStatus.PAUSED),
    )


def recount_school_loads(*, district: District, school_ids: Iterable[int] | None = None) -> None:
    """Recount the stored load of these schools (None: every school) from their assignments.

    Writers of one district's loads take turns (a no-key lock on the district row, which still lets
    rows referencing the district be written), so two recounts never insert the same row.
    """
    District.objects.select_for_update(no_key=True).filter(pk=district.pk).exists()
    stored = SchoolLoad.objects.filter(district=district)
    assignments = Assignment.objects.filter(
        district=district,
        status=AssignmentStatus.ACTIVE,
        school__isnull=False,
        commitment__priority__plan__state=PlanState.ACTIVE,
    )
    if school_ids is not None:
        ids = sorted(set(school_ids))
        if not ids:
            return
        stored = stored.filter(school_id__in=ids)
        assignments = assignments.filter(school_id__in=ids)
    stored.delete()
    grouped = assignments.order_by().values("school", "commitment__ends_on").annotate(n=Count("*"))
    SchoolLoad.objects.bulk_create(
        [
            SchoolLoad(district=district, school_id=row["school"], ends_on=row["commitment__ends_on"], active=row["n"])
            for row in grouped
        ],
        batch_size=2000,
    )


def after_assignments_changed(
    *, district: District, commitment: Commitment, school_ids: Iterable[int] | None = None
) -> None:
    """A commitment's assignments were created or changed status: its reach, and those schools' loads."""
    recount_reach(district=district, commitment_ids=[commitment.pk])
    if commitment.priority.plan.is_active:
        ids = (
            school_ids
            if school_ids is not None
            else Assignment.objects.filter(district=district, commitment=commitment, school__isnull=False).values_list(
                "school_id", flat=True
            )
        )
        recount_school_loads(district=district, school_ids=list(ids))


def after_plan_state_change(*, plan: StrategicPlan) -> None:
    """A plan became active or stopped being: which assignments count changed for every school."""
    recount_school_loads(district=plan.district)
