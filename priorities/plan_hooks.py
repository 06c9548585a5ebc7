"""What priorities adds to plans' own work (registered in PrioritiesConfig.ready(), see plans.extensions):
the check that a plan's years still hold its commitments, copying priorities, commitments and
live assignments when a new plan starts from an old one, and the priorities' part of the plan's history."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from core.history import HistorySource
from districts.models import Membership
from plans.models import StrategicPlan
from plans.services import _fit_in_period, _shift_years

from .loads import recount_reach
from .models import Assignment, AssignmentStatus, Commitment, Priority
from .selectors import default_owners


def commitments_outside_period(plan: StrategicPlan) -> dict[str, str]:
    """Refuse plan years that would leave a commitment of the plan outside them."""
    commitments = Commitment.objects.filter(district_id=plan.district_id, priority__plan=plan)
    early = commitments.filter(starts_on__lt=plan.first_day).count()
    late = commitments.filter(ends_on__gt=plan.last_day).count()
    errors = {}
    if early:
        errors["start_year"] = ngettext(
            "%(count)s commitment in this plan starts before the plan does (%(date)s). Change its dates first.",
            "%(count)s commitments in this plan start before the plan does (%(date)s). Change their dates first.",
            early,
        ) % {"count": early, "date": date_format(plan.first_day, "DATE_FORMAT")}
    if late:
        errors["end_year"] = ngettext(
            "%(count)s commitment in this plan ends after the plan does (%(date)s). Change its dates first.",
            "%(count)s commitments in this plan end after the plan does (%(date)s). Change their dates first.",
            late,
        ) % {"count": late, "date": date_format(plan.last_day, "DATE_FORMAT")}
    return errors


def copy_priorities(*, source: StrategicPlan, target: StrategicPlan, actor: Membership) -> None:
    """Copy the priorities, commitments and their live assignments into the new draft.

    Commitment dates move by the difference between the plans' first years and
    are kept inside the new period. Ended assignments stay behind; owners who
    have left the district are replaced by the place's default owner.
    """
    district, user = target.district, actor.user
    shift = target.start_year - source.start_year
    old_priorities = list(source.priorities.select_related("owner").order_by("position", "pk"))
    new_priorities = bulk_create_with_history(
        [
            Priority(
                district=district,
                plan=target,
                code=p.code,
                title=p.title,
                title_es=p.title_es,
                success_looks_like=p.success_looks_like,
                success_looks_like_es=p.success_looks_like_es,
                owner=p.owner if p.owner and p.owner.is_active else None,
                position=p.position,
            )
            for p in old_priorities
        ],
        Priority,
        default_user=user,
    )
    priority_map = {old.pk: new for old, new in zip(old_priorities, new_priorities, strict=True)}

    old_commitments = list(
        Commitment.objects.filter(district=district, priority__plan=source).order_by("priority_id", "position", "pk")
    )
    copies = []
    for c in old_commitments:
        starts_on = _fit_in_period(_shift_years(c.starts_on, shift), target)
        ends_on = max(_fit_in_period(_shift_years(c.ends_on, shift), target), starts_on)
        copies.append(
            Commitment(
                district=district,
                priority=priority_map[c.priority_id],
                title=c.title,
                title_es=c.title_es,
                description=c.description,
                description_es=c.description_es,
                role_label_id=c.role_label_id,
                lead_department_id=c.lead_department_id,
                starts_on=starts_on,
                ends_on=ends_on,
                evidence_expected=c.evidence_expected,
                reported_in=c.reported_in,
                position=c.position,
            )
        )
    new_commitments = bulk_create_with_history(copies, Commitment, default_user=user)
    commitment_map = {old.pk: new for old, new in zip(old_commitments, new_commitments, strict=True)}

    live = list(
        Assignment.objects.filter(
            district=district,
            commitment__priority__plan=source,
            status__in=[AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED],
        ).select_related("owner")
    )
    principals, leads = default_owners(
        district=district,
        school_ids={a.school_id for a in live if a.school_id},
        department_ids={a.department_id for a in live if a.department_id},
    )
    bulk_create_with_history(
        [
            Assignment(
                district=district,
                commitment=commitment_map[a.commitment_id],
                school_id=a.school_id,
                department_id=a.department_id,
                owner=a.owner
                if a.owner and a.owner.is_active
                else (principals.get(a.school_id) if a.school_id else leads.get(a.department_id)),
                status=a.status,
            )
            for a in live
        ],
        Assignment,
        batch_size=1000,
        default_user=user,
    )
    recount_reach(district=district, commitment_ids=[c.pk for c in new_commitments])


def priority_history(plan: StrategicPlan) -> list[HistorySource]:
    """The plan page's history of its priorities: added, changed, removed."""
    return [
        HistorySource(
            Priority.history.filter(plan_id=plan.pk, district_id=plan.district_id),
            lambda r: _("priority %(code)s “%(title)s”") % {"code": r.code, "title": r.title},
        )
    ]
