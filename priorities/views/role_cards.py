"""Role cards (what each role does under the plan) and the district's role labels."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import (
    Confirmation,
    call_service,
    confirm_then,
    move_focus,
    moved_message,
    posted,
    render_page,
    run_move,
)
from districts.access import access_role_label
from districts.policy import Action, can
from districts.web import district_view
from plans.access import access_plan
from plans.models import StrategicPlan
from plans.selectors import active_plan
from priorities import selectors, services
from priorities.access import access_role_label_by_slug
from priorities.forms import (
    RoleLabelForm,
)

from ._common import url as _url


def _card_plan(request: HttpRequest) -> StrategicPlan | None:
    """The active plan, or (for those who may see drafts) the plan named in ?plan=."""
    plan_id = request.GET.get("plan")
    if plan_id and can(request.membership, Action.VIEW_DRAFT_PLANS):
        return access_plan(actor=request.membership, plan_id=plan_id)
    return active_plan(district=request.district)


@district_view(Action.VIEW_PLAN, section="roles")
def role_list(request: HttpRequest) -> HttpResponse:
    plan = _card_plan(request)
    labels = selectors.role_labels_with_counts(district=request.district, plan=plan)
    context = {
        "plan": plan,
        "labels": labels,
        "own_label": selectors.own_role_label(membership=request.membership, labels=labels),
        "can_manage": can(request.membership, Action.MANAGE_ROLE_LABELS),
        "preview": plan is not None and not plan.is_active,
        "plan_query": f"?plan={plan.pk}" if plan is not None and not plan.is_active else "",
    }
    return render_page(request, "priorities/role_list.html", context, partial="labels")


@district_view(Action.VIEW_PLAN, section="roles")
def role_card(request: HttpRequest, role_slug: str) -> HttpResponse:
    label = access_role_label_by_slug(actor=request.membership, slug=role_slug)
    plan = _card_plan(request)
    context = {
        "label": label,
        "plan": plan,
        "card": selectors.role_card(district=request.district, plan=plan, role_label=label) if plan else None,
        "competencies": list(plan.competencies.all()) if plan else [],
        "preview": plan is not None and not plan.is_active,
        "is_own": selectors.own_role_label(membership=request.membership, labels=[label]) is not None,
    }
    return render_page(request, "priorities/role_card.html", context)


@district_view(Action.MANAGE_ROLE_LABELS, section="roles")
def role_label_create(request: HttpRequest) -> HttpResponse:
    form = RoleLabelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        label = call_service(
            form, services.role_label_create, district=request.district, actor=request.membership, **form.cleaned_data
        )
        if label is not None:
            messages.success(
                request, _("Added the role “%(name)s”. Commitments can now ask something of it.") % {"name": label.name}
            )
            return redirect(_url("role_list", request))
    return render_page(request, "priorities/role_label_form.html", {"form": form, "label": None})


@district_view(Action.MANAGE_ROLE_LABELS, section="roles")
def role_label_edit(request: HttpRequest, role_label_id: int) -> HttpResponse:
    label = access_role_label(actor=request.membership, role_label_id=role_label_id)
    form = RoleLabelForm(posted(request), initial={f: getattr(label, f) for f in RoleLabelForm.Meta.fields})
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.role_label_update,
            district=request.district,
            actor=request.membership,
            role_label=label,
            **form.cleaned_data,
        )
        if updated is not None:
            messages.success(request, _("Saved “%(name)s”.") % {"name": updated.name})
            return redirect(_url("role_list", request))
    return render_page(request, "priorities/role_label_form.html", {"form": form, "label": label})


@require_POST
@district_view(Action.MANAGE_ROLE_LABELS, section="roles")
def role_label_move(request: HttpRequest, role_label_id: int) -> HttpResponse:
    label = access_role_label(actor=request.membership, role_label_id=role_label_id)
    direction, moved = run_move(
        request,
        lambda d: services.role_label_move(
            district=request.district, actor=request.membership, role_label=label, direction=d
        ),
    )
    plan = _card_plan(request)
    labels = selectors.role_labels_with_counts(district=request.district, plan=plan)
    message = moved_message(
        f"“{label.name}”", moved=moved, direction=direction, position=label.position, total=len(labels)
    )
    if request.htmx:
        context = {
            "plan": plan,
            "labels": labels,
            "own_label": selectors.own_role_label(membership=request.membership, labels=labels),
            "can_manage": True,
            "preview": plan is not None and not plan.is_active,
            "plan_query": f"?plan={plan.pk}" if plan is not None and not plan.is_active else "",
            "focus_target": move_focus("role-label", label, direction, len(labels)),
            "status_message": message,
        }
        return render_page(request, "priorities/role_list.html", context, partial="labels")
    messages.success(request, message)
    return redirect(f"{_url('role_list', request)}#role-{label.pk}")


@district_view(Action.MANAGE_ROLE_LABELS, section="roles")
def role_label_delete(request: HttpRequest, role_label_id: int) -> HttpResponse:
    label = access_role_label(actor=request.membership, role_label_id=role_label_id)
    list_url = _url("role_list", request)
    return confirm_then(
        request,
        confirmation=lambda: Confirmation(
            heading=_("Delete the role “%(name)s”?") % {"name": label.name},
            points=[
                _("Its role card goes away. Members who had it as their card keep their membership, without a card."),
                _("A role that commitments ask something of can't be deleted: change those commitments first."),
            ],
            action_label=_("Delete role"),
            cancel_url=list_url,
        ),
        run=lambda: services.role_label_delete(district=request.district, actor=request.membership, role_label=label),
        success=lambda result: _("Deleted the role “%(name)s”.") % {"name": label.name},
        done_url=list_url,
    )
