"""Priority, commitment, assignment, role card and initiative load pages.

Creating, editing and reordering priorities and commitments happens in place
on the plan page with HTMX (each form view renders its `form` partial there
and answers a successful save with the plan page's priorities region); every
action is also a plain form post that redirects back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.calendar import school_year_label, school_year_months, school_year_of
from core.history import HistorySource, history_entries
from core.web import (
    Confirmation,
    call_service,
    confirm_then,
    form_page,
    in_place_id,
    move_focus,
    moved_message,
    posted,
    render_page,
    run_move,
    service_error,
)
from districts.access import access_department, access_role_label, access_school
from districts.models import Department, SchoolLevel
from districts.policy import Action, can, require
from districts.selectors import SchoolFilters, school_list, school_regions
from districts.web import district_view
from metrics.selectors import priority_metric_summaries
from plans.access import access_plan
from plans.models import StrategicPlan
from plans.selectors import active_plan
from plans.views import after_priorities_change, plan_url

from . import selectors, services
from .access import access_assignment, access_commitment, access_priority, access_role_label_by_slug
from .forms import (
    AssignmentOwnerForm,
    AssignmentStatusForm,
    AssignPlacesForm,
    CommitmentForm,
    PriorityForm,
    RoleLabelForm,
)
from .models import Assignment, AssignmentStatus, Commitment, Priority

ASSIGNMENTS_PER_PAGE = 100
SCHOOLS_PER_LOAD_PAGE = 100


def _url(name: str, request: HttpRequest, **kwargs: Any) -> str:
    return reverse(f"priorities:{name}", kwargs={"district_slug": request.district.slug, **kwargs})


# --- Priorities -------------------------------------------------------------------------------


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
        # Measures of success (templates/metrics/_priority_metrics.html).
        "metric_summaries": priority_metric_summaries(district=request.district, priorities=[priority])[priority.pk],
        "can_define_metric": editable and can(membership, Action.DEFINE_METRIC, priority),
        "history": history_entries(
            HistorySource(Priority.history.filter(id=priority.pk), lambda r: "the priority"),
            HistorySource(
                Commitment.history.filter(priority_id=priority.pk, district_id=priority.district_id),
                lambda r: f"commitment “{r.title}”",
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
    if request.method == "POST" and form.is_valid():
        priority = call_service(
            form,
            services.priority_create,
            district=request.district,
            actor=request.membership,
            plan=plan,
            **form.cleaned_data,
        )
        if priority is not None:
            return after_priorities_change(
                request,
                plan,
                message=f"Added priority {priority}.",
                anchor=f"priority-{priority.pk}",
                focus=f"priority-{priority.pk}-title",
            )
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
        messages.info(request, "This plan is archived and can no longer be changed.")
        return redirect(plan_url(plan))
    form = PriorityForm(
        posted(request),
        initial={name: getattr(priority, name) for name in ("code", "title", "success_looks_like")}
        | {"owner": priority.owner_id},
        district=request.district,
        can_change_owner=can(request.membership, Action.MANAGE_PLANS),
        auto_id=in_place_id(f"priority-{priority.pk}"),
    )
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.priority_update,
            district=request.district,
            actor=request.membership,
            priority=priority,
            **form.cleaned_data,
        )
        if updated is not None:
            return after_priorities_change(
                request,
                plan,
                message=f"Saved priority {updated}.",
                anchor=f"priority-{priority.pk}",
                focus=f"priority-{priority.pk}-title",
            )
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
    direction, moved = run_move(
        request,
        lambda d: services.priority_move(
            district=request.district, actor=request.membership, priority=priority, direction=d
        ),
    )
    total = priority.plan.priorities.count()
    return after_priorities_change(
        request,
        priority.plan,
        message=moved_message(
            f"{priority.code} “{priority.title}”",
            moved=moved,
            direction=direction,
            position=priority.position,
            total=total,
        ),
        anchor=f"priority-{priority.pk}",
        focus=move_focus("priority", priority, direction, total),
    )


@district_view(Action.MANAGE_PLANS, section="plans")
def priority_delete(request: HttpRequest, priority_id: int) -> HttpResponse:
    priority = access_priority(actor=request.membership, priority_id=priority_id)
    detail_url = _url("priority_detail", request, priority_id=priority.pk)

    def confirmation() -> Confirmation:
        count = priority.commitments.count()
        return Confirmation(
            heading=f"Delete priority {priority}?",
            points=[
                f"Its {count} commitment{'s' if count != 1 else ''} and their assignments go with it."
                if count
                else "It has no commitments.",
                "The deletion is kept in the plan's history.",
            ],
            action_label="Delete priority",
            cancel_url=detail_url,
            plan=priority.plan,
            priority=priority,
        )

    name = str(priority)
    return confirm_then(
        request,
        confirmation=confirmation,
        run=lambda: services.priority_delete(district=request.district, actor=request.membership, priority=priority),
        success=lambda _: f"Deleted priority {name}.",
        done_url=plan_url(priority.plan, "priorities"),
        failed_url=detail_url,
    )


# --- Commitments -----------------------------------------------------------------------------


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
    if request.method == "POST" and form.is_valid():
        commitment = call_service(
            form,
            services.commitment_create,
            district=request.district,
            actor=request.membership,
            priority=priority,
            **form.service_fields,
        )
        if commitment is not None:
            if form.service_fields["assign_every_school"]:
                message = f"Added “{commitment.title}” and asked it of every school."
                next_url = _url("commitment_detail", request, commitment_id=commitment.pk)
            else:
                message = f"Added “{commitment.title}”. Choose the schools or departments it is asked of."
                next_url = _url("commitment_assign", request, commitment_id=commitment.pk)
            return _after_commitment_saved(request, commitment, message=message, next_url=next_url)
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
        messages.info(request, "This plan is archived and can no longer be changed.")
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
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.commitment_update,
            district=request.district,
            actor=request.membership,
            commitment=commitment,
            **form.service_fields,
        )
        if updated is not None:
            return _after_commitment_saved(
                request,
                commitment,
                message=f"Saved “{updated.title}”.",
                next_url=_url("commitment_detail", request, commitment_id=commitment.pk),
            )
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
    direction, moved = run_move(
        request,
        lambda d: services.commitment_move(
            district=request.district, actor=request.membership, commitment=commitment, direction=d
        ),
    )
    total = priority.commitments.count()
    return after_priorities_change(
        request,
        priority.plan,
        message=moved_message(
            f"“{commitment.title}”",
            moved=moved,
            direction=direction,
            position=commitment.position,
            total=total,
            where=f" under {priority.code}",
        ),
        anchor=f"commitment-{commitment.pk}",
        focus=move_focus("commitment", commitment, direction, total),
    )


@district_view(Action.EDIT_COMMITMENT, section="plans")
def commitment_delete(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = access_commitment(actor=request.membership, commitment_id=commitment_id)
    require(request.membership, Action.EDIT_COMMITMENT, commitment)
    detail_url = _url("commitment_detail", request, commitment_id=commitment.pk)
    return confirm_then(
        request,
        confirmation=lambda: Confirmation(
            heading=f"Delete “{commitment.title}”?",
            points=["It leaves every role card and school it was asked of.", "The deletion is kept in the history."],
            action_label="Delete commitment",
            cancel_url=detail_url,
            plan=commitment.priority.plan,
            priority=commitment.priority,
            commitment=commitment,
        ),
        run=lambda: services.commitment_delete(
            district=request.district, actor=request.membership, commitment=commitment
        ),
        success=lambda _: f"Deleted “{commitment.title}”.",
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
            HistorySource(Commitment.history.filter(id=commitment.pk), lambda r: "the commitment")
        ),
    }
    return render_page(request, "priorities/commitment_detail.html", context, partial="assignments")


# --- Assignments ------------------------------------------------------------------------------


def _assignment_message(result: services.AssignmentResult) -> str:
    parts = [f"Assigned to {result.created} new place{'s' if result.created != 1 else ''}."]
    if result.already:
        parts.append(f"{result.already} already had it and were left as they were.")
    if result.without_owner:
        parts.append(f"{result.without_owner} have no principal or lead yet, so no owner: choose one on each.")
    return " ".join(parts)


@district_view(Action.EDIT_COMMITMENT, section="plans")
def commitment_assign(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """Ask a commitment of every school, of chosen schools (filtered by level and region), or of departments."""
    commitment = access_commitment(actor=request.membership, commitment_id=commitment_id)
    require(request.membership, Action.EDIT_COMMITMENT, commitment)
    district = request.district
    detail_url = _url("commitment_detail", request, commitment_id=commitment.pk)
    if commitment.priority.plan.is_archived:
        messages.info(request, "This plan is archived and can no longer be changed.")
        return redirect(detail_url)
    form = AssignPlacesForm(posted(request), district=district)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = data["target"]
        result = call_service(
            form,
            services.assignments_create,
            district=district,
            actor=request.membership,
            commitment=commitment,
            every_school=target == "every_school",
            schools=data["schools"] if target == "schools" else (),
            departments=data["departments"] if target == "departments" else (),
        )
        if result is not None:
            messages.success(request, _assignment_message(result))
            return redirect(detail_url)
    filters = SchoolFilters.from_query(request.GET)
    schools = list(school_list(district=district, filters=filters))
    assigned_schools, assigned_departments = selectors.assigned_place_ids(commitment=commitment)
    principals, leads = selectors.default_owners(district=district, school_ids=[s.pk for s in schools])
    chosen = {str(pk) for pk in form["schools"].value() or []}
    school_rows = [
        {
            "school": school,
            "status": assigned_schools.get(school.pk),
            "owner": principals.get(school.pk),
            "checked": str(school.pk) in chosen,
        }
        for school in schools
    ]
    context = {
        "plan": commitment.priority.plan,
        "priority": commitment.priority,
        "commitment": commitment,
        "form": form,
        "filters": filters,
        "levels": SchoolLevel.choices,
        "regions": school_regions(district=district),
        "schools": school_rows,
        "unassigned_count": sum(1 for row in school_rows if not row["status"]),
        "departments": [
            {"department": d, "status": assigned_departments.get(d.pk), "owner": leads.get(d.pk)}
            for d in Department.objects.filter(district=district).order_by("name")
        ],
        "summary": selectors.assignment_summary(commitment=commitment),
    }
    return render_page(request, "priorities/commitment_assign.html", context, partial="school-choices")


EVERYWHERE_VERBS = {
    AssignmentStatus.ACTIVE: "Resumed",
    AssignmentStatus.PAUSED: "Paused",
    AssignmentStatus.ENDED: "Ended",
}


@require_POST
@district_view(Action.EDIT_COMMITMENT, section="plans")
def commitment_status(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """Pause, resume or end a commitment at every place at once (each assignment keeps its history)."""
    commitment = access_commitment(actor=request.membership, commitment_id=commitment_id)
    require(request.membership, Action.EDIT_COMMITMENT, commitment)
    form = AssignmentStatusForm(request.POST)
    if form.is_valid():
        try:
            count = services.commitment_set_status_everywhere(
                district=request.district, actor=request.membership, commitment=commitment, **form.cleaned_data
            )
        except ValidationError as error:
            service_error(request, error)
        else:
            verb = EVERYWHERE_VERBS[AssignmentStatus(form.cleaned_data["status"])]
            messages.success(request, f"{verb} “{commitment.title}” at {count} place{'s' if count != 1 else ''}.")
    else:
        messages.error(request, "Choose active, paused or ended; a note is at most 100 characters.")
    return redirect(_url("commitment_detail", request, commitment_id=commitment.pk))


@district_view(Action.VIEW_PLAN, section="plans")
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(actor=request.membership, assignment_id=assignment_id)
    commitment = assignment.commitment
    plan = commitment.priority.plan
    can_edit = not plan.is_archived and can(request.membership, Action.EDIT_COMMITMENT, commitment)
    form = AssignmentOwnerForm(posted(request), initial={"owner": assignment.owner_id}, assignment=assignment)
    if request.method == "POST":
        require(request.membership, Action.EDIT_COMMITMENT, commitment)
        if form.is_valid():
            updated = call_service(
                form,
                services.assignment_update_owner,
                district=request.district,
                actor=request.membership,
                assignment=assignment,
                owner=form.cleaned_data["owner"],
            )
            if updated is not None:
                owner = updated.owner.user.get_full_name() if updated.owner else "nobody"
                messages.success(request, f"{assignment.place}'s owner for this commitment is now {owner}.")
                return redirect(_url("assignment_detail", request, assignment_id=assignment.pk))
    context = {
        "plan": plan,
        "priority": commitment.priority,
        "commitment": commitment,
        "assignment": assignment,
        "form": form,
        "status_form": AssignmentStatusForm(),
        "can_edit": can_edit,
        "history": history_entries(
            HistorySource(Assignment.history.filter(id=assignment.pk), lambda r: "the assignment")
        ),
    }
    return render_page(request, "priorities/assignment_detail.html", context)


STATUS_VERBS = {
    AssignmentStatus.ACTIVE: "resumed",
    AssignmentStatus.PAUSED: "paused",
    AssignmentStatus.ENDED: "ended",
}


@require_POST
@district_view(Action.EDIT_COMMITMENT, section="plans")
def assignment_status(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(actor=request.membership, assignment_id=assignment_id)
    require(request.membership, Action.EDIT_COMMITMENT, assignment.commitment)
    form = AssignmentStatusForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_set_status(
                district=request.district, actor=request.membership, assignment=assignment, **form.cleaned_data
            )
        except ValidationError as error:
            service_error(request, error)
        else:
            verb = STATUS_VERBS[AssignmentStatus(assignment.status)]
            messages.success(
                request,
                f"“{assignment.commitment.title}” is {verb} at {assignment.place}. The history keeps the change.",
            )
    else:
        messages.error(request, "Choose active, paused or ended; a note is at most 100 characters.")
    return redirect(_url("assignment_detail", request, assignment_id=assignment.pk))


# --- Role cards and role labels ---------------------------------------------------------------


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
            messages.success(request, f"Added the role “{label.name}”. Commitments can now ask something of it.")
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
            messages.success(request, f"Saved “{updated.name}”.")
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
            heading=f"Delete the role “{label.name}”?",
            points=[
                "Its role card goes away. Members who had it as their card keep their membership, without a card.",
                "A role that commitments ask something of can't be deleted: change those commitments first.",
            ],
            action_label="Delete role",
            cancel_url=list_url,
        ),
        run=lambda: services.role_label_delete(district=request.district, actor=request.membership, role_label=label),
        success=lambda _: f"Deleted the role “{label.name}”.",
        done_url=list_url,
    )


# --- Initiative load -------------------------------------------------------------------------------


def _school_year(request: HttpRequest, plan: StrategicPlan | None) -> int:
    """The school year to show: ?year= within the plan's period, else the current one."""
    district = request.district
    today = timezone.localdate(timezone=district.tzinfo)
    if plan is None:
        return school_year_of(today, district.school_year_start_month)
    try:
        wanted = int(request.GET.get("year", ""))
    except ValueError:
        wanted = None
    return wanted if wanted in plan.period.school_years else plan.period.school_year_containing(today)


def _year_choices(request: HttpRequest, plan: StrategicPlan | None) -> list[tuple[int, str]]:
    if plan is None:
        return []
    start_month = request.district.school_year_start_month
    return [(y, school_year_label(y, start_month)) for y in plan.period.school_years]


@district_view(Action.VIEW_LOAD, section="load")
def load(request: HttpRequest) -> HttpResponse:
    """Initiative load: per school and department, active commitments and reporting asks per month."""
    district, membership = request.district, request.membership
    plan = active_plan(district=district)
    year = _school_year(request, plan)
    months = school_year_months(year, district.school_year_start_month)
    filters = SchoolFilters.from_query(request.GET)
    over_only = request.GET.get("over") == "1"
    schools = school_list(district=district, filters=filters)
    over = selectors.schools_over_threshold_queryset(district=district)
    over_count = schools.filter(pk__in=over).count()
    if over_only:
        schools = schools.filter(pk__in=over)
    # Counted and cut in SQL; the load is grouped for the page's schools only.
    school_page = Paginator(schools, SCHOOLS_PER_LOAD_PAGE).get_page(request.GET.get("page"))
    school_page.object_list = selectors.school_loads(district=district, schools=school_page.object_list, months=months)
    own_school_load = None
    if membership.school_id:
        own_school_load = selectors.school_loads(district=district, schools=[membership.school], months=months)[0]
    context = {
        "plan": plan,
        "year": year,
        "year_label": school_year_label(year, district.school_year_start_month),
        "years": _year_choices(request, plan),
        "months": months,
        "filters": filters,
        "over_only": over_only,
        "levels": SchoolLevel.choices,
        "regions": school_regions(district=district),
        "school_page": school_page,
        "over_count": over_count,
        "department_loads": selectors.department_loads(
            district=district, departments=Department.objects.filter(district=district).order_by("name"), months=months
        ),
        "own_school_load": own_school_load,
        "threshold": district.commitment_load_threshold,
        "can_manage_district": can(membership, Action.MANAGE_DISTRICT),
    }
    return render_page(request, "priorities/load.html", context, partial="results")


def _place_page(request: HttpRequest, *, school=None, department=None) -> HttpResponse:
    district = request.district
    plan = active_plan(district=district)
    year = _school_year(request, plan)
    months = school_year_months(year, district.school_year_start_month)
    if school is not None:
        place_load = selectors.school_loads(district=district, schools=[school], months=months)[0]
    else:
        place_load = selectors.department_loads(district=district, departments=[department], months=months)[0]
    assignments = selectors.place_assignments(district=district, school=school, department=department)
    groups: dict[int, dict] = {}
    for assignment in assignments:
        priority = assignment.commitment.priority
        groups.setdefault(priority.pk, {"priority": priority, "assignments": []})["assignments"].append(assignment)
    membership = request.membership
    context = {
        "plan": plan,
        "place": school or department,
        "is_school": school is not None,
        "load": place_load,
        "months": months,
        "year": year,
        "year_label": school_year_label(year, district.school_year_start_month),
        "years": _year_choices(request, plan),
        "groups": list(groups.values()),
        "threshold": district.commitment_load_threshold,
        "is_own_place": (school is not None and membership.school_id == school.pk)
        or (department is not None and membership.department_id == department.pk),
    }
    return render_page(request, "priorities/place_load.html", context)


@district_view(Action.VIEW_LOAD, section="load")
def school_load(request: HttpRequest, school_id: int) -> HttpResponse:
    return _place_page(request, school=access_school(actor=request.membership, school_id=school_id))


@district_view(Action.VIEW_LOAD, section="load")
def department_load(request: HttpRequest, department_id: int) -> HttpResponse:
    return _place_page(request, department=access_department(actor=request.membership, department_id=department_id))
