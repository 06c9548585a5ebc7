"""Assignment pages: assigning a commitment to schools and departments, a commitment's status
everywhere at once, and an assignment's own page and status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
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
    parts = [
        ngettext("Assigned to %(count)s new place.", "Assigned to %(count)s new places.", result.created)
        % {"count": result.created}
    ]
    if result.already:
        parts.append(
            ngettext(
                "%(count)s already had it and was left as it was.",
                "%(count)s already had it and were left as they were.",
                result.already,
            )
            % {"count": result.already}
        )
    if result.without_owner:
        parts.append(
            ngettext(
                "%(count)s has no principal or lead yet, so no owner: choose one on it.",
                "%(count)s have no principal or lead yet, so no owner: choose one on each.",
                result.without_owner,
            )
            % {"count": result.without_owner}
        )
    return " ".join(parts)


@district_view(Action.EDIT_COMMITMENT, section="plans")
def commitment_assign(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """Ask a commitment of every school, of chosen schools (filtered by level and region), or of departments."""
    commitment = access_commitment(actor=request.membership, commitment_id=commitment_id)
    require(request.membership, Action.EDIT_COMMITMENT, commitment)
    district = request.district
    detail_url = _url("commitment_detail", request, commitment_id=commitment.pk)
    if commitment.priority.plan.is_archived:
        messages.info(request, _("This plan is archived and can no longer be changed."))
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


def _everywhere_message(status: AssignmentStatus, *, title: str, count: int) -> str:
    if status == AssignmentStatus.ACTIVE:
        text = ngettext("Resumed “%(title)s” at %(count)s place.", "Resumed “%(title)s” at %(count)s places.", count)
    elif status == AssignmentStatus.PAUSED:
        text = ngettext("Paused “%(title)s” at %(count)s place.", "Paused “%(title)s” at %(count)s places.", count)
    else:
        text = ngettext("Ended “%(title)s” at %(count)s place.", "Ended “%(title)s” at %(count)s places.", count)
    return text % {"title": title, "count": count}


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
            status = AssignmentStatus(form.cleaned_data["status"])
            messages.success(request, _everywhere_message(status, title=commitment.title, count=count))
    else:
        messages.error(request, _("Choose active, paused or ended; a note is at most 100 characters."))
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
                if updated.owner:
                    message = _("%(place)s's owner for this commitment is now %(owner)s.") % {
                        "place": assignment.place,
                        "owner": updated.owner.user.get_full_name(),
                    }
                else:
                    message = _("%(place)s's owner for this commitment is now nobody.") % {"place": assignment.place}
                messages.success(request, message)
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
            HistorySource(Assignment.history.filter(id=assignment.pk), lambda r: _("the assignment"))
        ),
    }
    return render_page(request, "priorities/assignment_detail.html", context)


STATUS_MESSAGES = {
    AssignmentStatus.ACTIVE: gettext_lazy("“%(title)s” is resumed at %(place)s. The history keeps the change."),
    AssignmentStatus.PAUSED: gettext_lazy("“%(title)s” is paused at %(place)s. The history keeps the change."),
    AssignmentStatus.ENDED: gettext_lazy("“%(title)s” is ended at %(place)s. The history keeps the change."),
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
            messages.success(
                request,
                STATUS_MESSAGES[AssignmentStatus(assignment.status)]
                % {"title": assignment.commitment.title, "place": assignment.place},
            )
    else:
        messages.error(request, _("Choose active, paused or ended; a note is at most 100 characters."))
    return redirect(_url("assignment_detail", request, assignment_id=assignment.pk))
