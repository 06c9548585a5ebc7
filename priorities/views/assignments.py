"""Assignment pages: assigning a commitment to schools and departments, a commitment's status
everywhere at once, and an assignment's own page and status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.history import HistorySource, history_entries
from core.web import (
    call_service,
    posted,
    render_page,
    service_error,
)
from districts.models import Department, SchoolLevel
from districts.policy import Action, can, require
from districts.selectors import SchoolFilters, school_list, school_regions
from districts.web import district_view
from priorities import selectors, services
from priorities.access import access_assignment, access_commitment
from priorities.forms import (
    AssignmentOwnerForm,
    AssignmentStatusForm,
    AssignPlacesForm,
)
from priorities.models import Assignment, AssignmentStatus

from ._common import url as _url


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
