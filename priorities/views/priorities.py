"""Priority pages: a priority's own page and creating, editing, reordering and deleting priorities.

Forms render in place on the plan page with HTMX and answer a save with the plan page's priorities
region; every action is also a plain form post that redirects back.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from plans.access import access_plan
from plans.models import StrategicPlan
from plans.web import plan_url
from priorities import selectors, services
from priorities.access import access_priority
from priorities.forms import (
    PriorityForm,
)
from priorities.models import Commitment, Priority
from priorities.pages import priority_panels
from priorities.plan_page import after_priorities_change

from ._common import move_in_place, save_in_place
from ._common import url as _url


def _after_priority_saved(request: HttpRequest, plan: StrategicPlan, priority: Priority, *, message: str):
    return after_priorities_change(
        request, plan, message=message, anchor=f"priority-{priority.pk}", focus=f"priority-{priority.pk}-title"
    )


@district_view(Action.VIEW_PLAN, section="plans")
def priority_detail(request: HttpRequest, priority_id: int) -> HttpResponse:
    priority = access_priority(actor=request.membership, priority_id=priority_id)
    plan, membership = priority.plan, request.membership
    editable = not plan.is_archived
    commitments = selectors.commitments_of_priority(priority=priority)
    for commitment in commitments:
        commitment.can_edit = editable and can(membership, Action.EDIT_COMMITMENT, commitment)
    context = {
        "plan": plan,
        "priority": priority,
        "commitments": commitments,
        "can_edit": editable and can(membership, Action.EDIT_PRIORITY, priority),
        "can_delete": editable and can(membership, Action.MANAGE_PLANS),
        "can_add_commitment": editable and can(membership, Action.EDIT_COMMITMENT, priority),
        # What apps built on priorities show here (priorities.pages: metrics' measures of success).
        "panels": priority_panels(request, priority, editable=editable),
        "history": history_entries(
            HistorySource(Priority.history.filter(id=priority.pk), lambda r: _("the priority")),
            HistorySource(
                Commitment.history.filter(priority_id=priority.pk, district_id=priority.district_id),
                lambda r: _("commitment “%(title)s”") % {"title": r.title},
            ),
        ),
    }
    return render_page(request, "priorities/priority_detail.html", context)


def _priority_form_context(request: HttpRequest, plan: StrategicPlan, form: PriorityForm, **extra: Any) -> dict:
    priorities_count = plan.priorities.count()
    return {
        "plan": plan,
        "form": form,
        "focus": selectors.focus_guard(district=request.district, count=priorities_count),
        "cancel_url": plan_url(plan, "priorities"),
        **extra,
    }


@district_view(Action.CREATE_PRIORITY, section="plans")
def priority_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.membership, plan_id=plan_id)
    form = PriorityForm(posted(request), district=request.district, auto_id=in_place_id("new-priority"))
    saved = save_in_place(
        request,
        form,
        services.priority_create,
        answer=lambda priority: _after_priority_saved(
            request, plan, priority, message=_("Added priority %(priority)s.") % {"priority": priority}
        ),
        plan=plan,
    )
    if saved is not None:
        return saved
    context = _priority_form_context(
        request,
        plan,
        form,
        priority=None,
        action=_url("priority_create", request, plan_id=plan.pk),
        container="new-priority",
    )
    return form_page(request, "priorities/priority_form.html", context)


@district_view(Action.EDIT_PRIORITY, section="plans")
def priority_edit(request: HttpRequest, priority_id: int) -> HttpResponse:
    priority = access_priority(actor=request.membership, priority_id=priority_id)
    plan = priority.plan
    require(request.membership, Action.EDIT_PRIORITY, priority)
    if plan.is_archived:
        messages.info(request, _("This plan is archived and can no longer be changed."))
        return redirect(plan_url(plan))
    form = PriorityForm(
        posted(request),
        initial={name: getattr(priority, name) for name in PriorityForm.Meta.fields} | {"owner": priority.owner_id},
        district=request.district,
        can_change_owner=can(request.membership, Action.MANAGE_PLANS),
        auto_id=in_place_id(f"priority-{priority.pk}"),
    )
    saved = save_in_place(
        request,
        form,
        services.priority_update,
        answer=lambda updated: _after_priority_saved(
            request, plan, updated, message=_("Saved priority %(priority)s.") % {"priority": updated}
        ),
        priority=priority,
    )
    if saved is not None:
        return saved
    context = _priority_form_context(
        request,
        plan,
        form,
        priority=priority,
        action=_url("priority_edit", request, priority_id=priority.pk),
        container=f"priority-{priority.pk}",
    )
    return form_page(request, "priorities/priority_form.html", context)


@require_POST
@district_view(Action.MANAGE_PLANS, section="plans")
def priority_move(request: HttpRequest, priority_id: int) -> HttpResponse:
    priority = access_priority(actor=request.membership, priority_id=priority_id)
    return move_in_place(
        request,
        priority.plan,
        priority,
        prefix="priority",
        name=f"{priority.code} “{priority.title}”",
        move=lambda d: services.priority_move(
            district=request.district, actor=request.membership, priority=priority, direction=d
        ),
        total=priority.plan.priorities.count,
    )


@district_view(Action.MANAGE_PLANS, section="plans")
def priority_delete(request: HttpRequest, priority_id: int) -> HttpResponse:
    priority = access_priority(actor=request.membership, priority_id=priority_id)
    detail_url = _url("priority_detail", request, priority_id=priority.pk)

    def confirmation() -> Confirmation:
        count = priority.commitments.count()
        return Confirmation(
            heading=_("Delete priority %(priority)s?") % {"priority": priority},
            points=[
                ngettext(
                    "Its %(count)s commitment and its assignments go with it.",
                    "Its %(count)s commitments and their assignments go with it.",
                    count,
                )
                % {"count": count}
                if count
                else _("It has no commitments."),
                _("The deletion is kept in the plan's history."),
            ],
            action_label=_("Delete priority"),
            cancel_url=detail_url,
            plan=priority.plan,
            priority=priority,
        )

    name = str(priority)
    return confirm_then(
        request,
        confirmation=confirmation,
        run=lambda: services.priority_delete(district=request.district, actor=request.membership, priority=priority),
        success=lambda result: _("Deleted priority %(priority)s.") % {"priority": name},
        done_url=plan_url(priority.plan, "priorities"),
        failed_url=detail_url,
    )
