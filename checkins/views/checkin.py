"""The check-in page: a school or department fills in and submits its check-in.

One form, saved as a draft while typing (an HTMX post that swaps only the save status) and by its
buttons without JavaScript. A stale or refused save changes nothing on screen but the status line, so
what the person typed stays.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.web import render_page
from districts.policy import Action, can
from districts.roles import Role
from districts.web import district_view

from .. import selectors, services
from ..access import access_checkin
from ..forms import STATUS_CHOICES, CheckinForm, draft_from_post
from ..models import Checkin, CheckinState, CycleState

SECTION = "checkins"
TEMPLATE = "checkins/checkin_detail.html"


def checkin_url(checkin: Checkin) -> str:
    return reverse("checkins:checkin_detail", kwargs={"district_slug": checkin.district.slug, "checkin_id": checkin.pk})


@district_view(Action.VIEW_CHECKINS, section=SECTION)
def my_checkins(request: HttpRequest) -> HttpResponse:
    """The actor's school's or department's check-ins: the open cycle's first, then past cycles."""
    actor = request.membership
    checkins = selectors.place_checkins(actor=actor)
    current = [c for c in checkins if c.cycle.state == CycleState.OPEN]
    past = [c for c in checkins if c.cycle.state != CycleState.OPEN]
    context = {
        "current": current,
        "past": past,
        "place": actor.place if actor.role in (Role.PRINCIPAL, Role.CABINET) else None,
        "cycle_list_url": _cycle_list_url(request) if can(actor, Action.VIEW_CHECKIN_QUEUE) else None,
    }
    return render_page(request, "checkins/my_checkins.html", context)


def _cycle_list_url(request: HttpRequest) -> str:
    return reverse("checkins:cycle_list", kwargs={"district_slug": request.district.slug})


def late_by_days(checkin: Checkin) -> int | None:
    """Whole days (rounded up) a late submission came after the due instant; None when not late."""
    if not checkin.late or checkin.submitted_at is None:
        return None
    overdue = checkin.submitted_at - checkin.cycle.due_at
    return max(1, math.ceil(overdue / timedelta(days=1)))


def _saved_at_text(checkin: Checkin) -> str:
    return formats.time_format(timezone.localtime(checkin.updated_at), "TIME_FORMAT")


def _render(
    request: HttpRequest,
    checkin: Checkin,
    form: CheckinForm,
    *,
    editable: bool,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "checkin": checkin,
        "cycle": checkin.cycle,
        "form": form,
        "entry_rows": form.entry_rows(),
        "value_rows": form.value_rows(),
        "editable": editable,
        "status_labels": dict(STATUS_CHOICES),
        "late_days": late_by_days(checkin),
        "is_returned": checkin.state == CheckinState.RETURNED,
        "cycle_closed": checkin.cycle.state == CycleState.CLOSED,
        "response_panel": selectors.response_panel(checkin=checkin, actor=request.membership),
        **extra,
    }
    return render_page(request, TEMPLATE, context, status=status)


@district_view(Action.VIEW_DISTRICT, section=SECTION)
def checkin_detail(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """GET: the check-in (a form while its place may still change it, else what was saved or submitted).
    POST: save the draft (autosave or "Save draft") or submit it (`action=submit`)."""
    submit = request.method == "POST" and request.POST.get("action") == "submit"
    return _checkin_page(request, checkin_id, submit=submit)


@district_view(Action.VIEW_DISTRICT, section=SECTION)
def checkin_submit(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """POST: save what was typed and submit it (the form's "Submit check-in" may post here too)."""
    if request.method != "POST":
        return redirect(checkin_url(access_checkin(actor=request.membership, checkin_id=checkin_id)))
    return _checkin_page(request, checkin_id, submit=True)


def _checkin_page(request: HttpRequest, checkin_id: int, *, submit: bool) -> HttpResponse:
    district, actor = request.district, request.membership
    autosave = request.method == "POST" and bool(request.htmx) and request.POST.get("autosave") == "1" and not submit
    if autosave:
        checkin = access_checkin(actor=actor, checkin_id=checkin_id, related=("cycle",))
        checkin.district = district
    else:
        checkin = access_checkin(actor=actor, checkin_id=checkin_id)
    may_edit = can(actor, Action.EDIT_CHECKIN, checkin)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied(_("Only the school or department can change its check-in."))
    if autosave:
        return _autosave(request, checkin)
    editable = may_edit and services.checkin_is_editable(checkin)
    page = selectors.checkin_page(checkin=checkin)

    def make_form(data: Any = None) -> CheckinForm:
        return CheckinForm(data, entries=page.entries, values=page.values, version=checkin.version)

    if request.method != "POST":
        return _render(request, checkin, make_form(), editable=editable)
    form = make_form(request.POST)
    if not form.is_valid():
        return _render(request, checkin, form, editable=True, status=422)
    save = services.save_and_submit_checkin if submit else services.save_checkin_draft
    try:
        saved = save(
            district=district,
            actor=actor,
            checkin=checkin,
            version=form.cleaned_data["version"],
            entries=form.typed_entries(),
            values=form.typed_values(),
        )
    except services.StaleCheckin as stale:
        return _refused(request, checkin, form, stale=stale, status=409)
    except services.CheckinNotEditableError as refused:
        return _refused(request, checkin, form, refused=refused, status=409)
    except services.CheckinIncompleteError as incomplete:
        # The draft is saved; show what was typed with the problems, on the new version.
        saved = incomplete.checkin
        data = request.POST.copy()
        data["version"] = str(saved.version)
        form = make_form(data)
        form.is_valid()
        form.add_problems(incomplete.problems)
        return _render(request, saved, form, editable=True, status=422)
    except ValidationError as error:
        form.add_error(None, error)
        return _render(request, checkin, form, editable=True, status=422)
    if submit:
        messages.success(request, _("Check-in submitted. The district can now respond to it."))
    else:
        messages.success(request, _("Draft saved at %(time)s.") % {"time": _saved_at_text(saved)})
    return redirect(checkin_url(checkin))


def _autosave(request: HttpRequest, checkin: Checkin) -> HttpResponse:
    """The HTMX autosave: save the posted fields as the draft and answer with the save status line only.

    htmx swaps only 2xx responses, so a refusal is a status line too and the form stays as typed."""
    draft = draft_from_post(request.POST)
    if draft is None:
        return _save_status(request, checkin, save_problem="invalid")
    try:
        saved = services.save_checkin_draft(
            district=request.district,
            actor=request.membership,
            checkin=checkin,
            version=draft.version,
            entries=draft.entries,
            values=draft.values,
        )
    except services.StaleCheckin as stale:
        return _save_status(request, checkin, stale=stale)
    except services.CheckinNotEditableError as refused:
        return _save_status(request, checkin, refused=refused)
    except ValidationError:
        return _save_status(request, checkin, save_problem="invalid")
    return _save_status(request, saved, saved=True)


def _save_status(request: HttpRequest, checkin: Checkin, **status: Any) -> HttpResponse:
    return render_page(request, TEMPLATE, {"checkin": checkin, **status}, partial="save_status")


def _refused(
    request: HttpRequest,
    checkin: Checkin,
    form: CheckinForm,
    *,
    status: int,
    stale: services.StaleCheckin | None = None,
    refused: services.CheckinNotEditableError | None = None,
) -> HttpResponse:
    """A save that wrote nothing: say why beside the form and keep everything typed on screen."""
    if stale is not None:
        saved_by = stale.saved_by.user.get_full_name() if stale.saved_by else _("Someone")
        form.add_error(
            None,
            _(
                "Not saved: %(name)s saved this check-in at %(time)s, after you opened it. Copy anything you "
                "want to keep, then reload the check-in to see their changes."
            )
            % {"name": saved_by, "time": _saved_at_text(stale.checkin)},
        )
    else:
        form.add_error(None, refused.messages[0] if refused else _("Not saved."))
    return _render(request, checkin, form, editable=False, status=status, stale=stale, refused=refused, kept=True)
