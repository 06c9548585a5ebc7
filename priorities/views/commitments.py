"""Commitment pages: a commitment's own page (its assignments, paged) and creating, editing,
reordering and deleting commitments, in place on the plan page with HTMX or as plain posts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.history import HistorySource, history_entries
from core.web import (
    Confirmation,
    confirm_then,
    form_page,
    in_place_id,
    posted,
    render_page,
)
from districts.policy import Action, can, require
from districts.web import district_view
from plans.models import StrategicPlan
from plans.web import plan_url
from priorities import selectors, services
from priorities.access import access_commitment, access_priority
from priorities.forms import (
    AssignmentStatusForm,
    CommitmentForm,
)
from priorities.models import AssignmentStatus, Commitment, Priority
from priorities.plan_page import after_priorities_change

from ._common import move_in_place, save_in_place
from ._common import url as _url

ASSIGNMENTS_PER_PAGE = 100


def _service_fields(form: CommitmentForm) -> dict[str, Any]:
    return form.service_fields


def _default_dates(request: HttpRequest, plan: StrategicPlan) -> tuple[date, date]:
    """A new commitment runs from today (or the plan's start) to the end of the plan's last school year."""
    district = request.district
    starts = plan.period.clamp(timezone.localdate(timezone=district.tzinfo))
    return starts, plan.last_day


def _commitment_form_context(request: HttpRequest, priority: Priority, form: CommitmentForm, **extra: Any) -> dict:
    return {
        "plan": priority.plan,
        "priority": priority,
        "form": form,
        "school_total": selectors.school_count(district=request.district),
        "can_manage_roles": can(request.membership, Action.MANAGE_ROLE_LABELS),
        **extra,
    }


def _after_commitment_saved(request: HttpRequest, commitment: Commitment, *, message: str, next_url: str):
    return after_priorities_change(
        request,
        commitment.priority.plan,
        message=message,
        anchor=f"commitment-{commitment.pk}",
        focus=f"commitment-{commitment.pk}-title",
        next_url=next_url,
    )


@district_view(Action.EDIT_COMMITMENT, section="plans")
def commitment_create(request: HttpRequest, priority_id: int) -> HttpResponse:
    priority = access_priority(actor=request.membership, priority_id=priority_id)
    plan = priority.plan
    require(request.membership, Action.EDIT_COMMITMENT, priority)
    starts, ends = _default_dates(request, plan)
    form = CommitmentForm(
        posted(request),
        initial={"starts_on": starts, "ends_on": ends},
        district=request.district,
        creating=True,
        auto_id=in_place_id(f"new-commitment-{priority.pk}"),
    )

    def added(commitment: Commitment) -> HttpResponse:
        if form.service_fields["assign_every_school"]:
            message = _("Added “%(title)s” and asked it of every school.") % {"title": commitment.title}
            next_url = _url("commitment_detail", request, commitment_id=commitment.pk)
        else:
            message = _("Added “%(title)s”. Choose the schools or departments it is asked of.") % {
                "title": commitment.title
            }
            next_url = _url("commitment_assign", request, commitment_id=commitment.pk)
        return _after_commitment_saved(request, commitment, message=message, next_url=next_url)

    saved = save_in_place(
        request, form, services.commitment_create, answer=added, data=_service_fields, priority=priority
    )
    if saved is not None:
        return saved
    context = _commitment_form_context(
        request,
        priority,
        form,
        commitment=None,
        container=f"new-commitment-{priority.pk}",
        action=_url("commitment_create", request, priority_id=priority.pk),
        cancel_url=plan_url(plan, f"priority-{priority.pk}"),
    )
    return form_page(request, "priorities/commitment_form.html", context)


@district_view(Action.EDIT_COMMITMENT, section="plans")
def commitment_edit(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = access_commitment(actor=request.membership, commitment_id=commitment_id)
    require(request.membership, Action.EDIT_COMMITMENT, commitment)
    priority, plan = commitment.priority, commitment.priority.plan
    if plan.is_archived:
        messages.info(request, _("This plan is archived and can no longer be changed."))
        return redirect(_url("commitment_detail", request, commitment_id=commitment.pk))
    initial = {name: getattr(commitment, name) for name in CommitmentForm.Meta.fields}
    initial |= {"role_label": commitment.role_label_id, "lead_department": commitment.lead_department_id}
    form = CommitmentForm(
        posted(request),
        initial=initial,
        district=request.district,
        creating=False,
        auto_id=in_place_id(f"commitment-{commitment.pk}"),
    )
    saved = save_in_place(
        request,
        form,
        services.commitment_update,
        answer=lambda updated: _after_commitment_saved(
            request,
            commitment,
            message=_("Saved “%(name)s”.") % {"name": updated.title},
            next_url=_url("commitment_detail", request, commitment_id=commitment.pk),
        ),
        data=_service_fields,
        commitment=commitment,
    )
    if saved is not None:
        return saved
    context = _commitment_form_context(
        request,
        priority,
        form,
        commitment=commitment,
        container=f"commitment-{commitment.pk}",
        action=_url("commitment_edit", request, commitment_id=commitment.pk),
        cancel_url=_url("commitment_detail", request, commitment_id=commitment.pk),
    )
    return form_page(request, "priorities/commitment_form.html", context)


@require_POST
@district_view(Action.EDIT_PRIORITY, section="plans")
def commitment_move(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = access_commitment(actor=request.membership, commitment_id=commitment_id)
    priority = commitment.priority
    require(request.membership, Action.EDIT_PRIORITY, priority)
    return move_in_place(
        request,
        priority.plan,
        commitment,
        prefix="commitment",
        name=f"“{commitment.title}”",
        move=lambda d: services.commitment_move(
            district=request.district, actor=request.membership, commitment=commitment, direction=d
        ),
        total=priority.commitments.count,
        under=priority.code,
    )


@district_view(Action.EDIT_COMMITMENT, section="plans")
def commitment_delete(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = access_commitment(actor=request.membership, commitment_id=commitment_id)
    require(request.membership, Action.EDIT_COMMITMENT, commitment)
    detail_url = _url("commitment_detail", request, commitment_id=commitment.pk)
    return confirm_then(
        request,
        confirmation=lambda: Confirmation(
            heading=_("Delete “%(title)s”?") % {"title": commitment.title},
            points=[
                _("It leaves every role card and school it was asked of."),
                _("The deletion is kept in the history."),
            ],
            action_label=_("Delete commitment"),
            cancel_url=detail_url,
            plan=commitment.priority.plan,
            priority=commitment.priority,
            commitment=commitment,
        ),
        run=lambda: services.commitment_delete(
            district=request.district, actor=request.membership, commitment=commitment
        ),
        success=lambda result: _("Deleted “%(title)s”.") % {"title": commitment.title},
        done_url=_url("priority_detail", request, priority_id=commitment.priority_id),
        failed_url=detail_url,
    )


@district_view(Action.VIEW_PLAN, section="plans")
def commitment_detail(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = access_commitment(actor=request.membership, commitment_id=commitment_id)
    plan = commitment.priority.plan
    status = request.GET.get("status", "")
    page = Paginator(selectors.assignments_of_commitment(commitment=commitment, status=status), ASSIGNMENTS_PER_PAGE)
    can_edit = not plan.is_archived and can(request.membership, Action.EDIT_COMMITMENT, commitment)
    context = {
        "plan": plan,
        "priority": commitment.priority,
        "commitment": commitment,
        "summary": selectors.assignment_summary(commitment=commitment),
        "assignments": page.get_page(request.GET.get("page")),
        "status_filter": status if status in AssignmentStatus.values else "",
        "statuses": AssignmentStatus.choices,
        "can_edit": can_edit,
        "status_form": AssignmentStatusForm(auto_id="id_everywhere_%s"),
        "history": history_entries(
            HistorySource(Commitment.history.filter(id=commitment.pk), lambda r: _("the commitment"))
        ),
    }
    return render_page(request, "priorities/commitment_detail.html", context, partial="assignments")
