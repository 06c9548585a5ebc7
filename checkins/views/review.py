"""Review pages: a cycle's check-ins, the support-request queue, and responses to a check-in.

Response forms sit beside the check-in (templates/checkins/_responses.html and _entry_responses.html):
with HTMX a post swaps that part of the page in place; without JavaScript it posts and redirects back to
the check-in with a message. Returning for revision has its own page (the comment is required and its
message sits beside the field), and so does resolving a support request from the queue.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.parsing import parse_id
from core.web import posted, render_page, submit_form
from districts.access import access_in_district
from districts.policy import Action, require
from districts.web import district_view

from .. import selectors, services
from ..access import access_checkin
from ..models import Checkin, CheckinCycle, CheckinEntry, CheckinState
from .checkin import checkin_url

SECTION = "checkins"


def _first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else _("That didn't work.")


def _back_to(request: HttpRequest, fallback: str) -> str:
    """Where a plain post goes back to: a `next` on this site (the queue), else the check-in page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _panel_response(
    request: HttpRequest, checkin: Checkin, *, entry: CheckinEntry | None = None, **extra: Any
) -> HttpResponse:
    """The response partial again (HTMX): the whole-check-in part, or one entry's thread."""
    checkin = access_checkin(actor=request.membership, checkin_id=checkin.pk)
    context = {
        "response_panel": selectors.response_panel(checkin=checkin, actor=request.membership),
        "editable": False,
        **extra,
    }
    if entry is not None:
        context["entry"] = entry
        return render(request, "checkins/_entry_responses.html", context)
    return render(request, "checkins/_responses.html", context)


def _queue_url(request: HttpRequest) -> str | None:
    try:
        return reverse("checkins:support_queue", kwargs={"district_slug": request.district.slug})
    except NoReverseMatch:
        return None


def _access_entry(request: HttpRequest, entry_id: object) -> CheckinEntry:
    entry = access_in_district(
        CheckinEntry.objects.select_related("checkin", "assignment__commitment__priority", "support_resolved_by__user"),
        actor=request.membership,
        pk=entry_id,
    )
    access_checkin(actor=request.membership, checkin_id=entry.checkin_id)  # 404 unless its check-in is visible
    return entry


@district_view(Action.RESPOND_CHECKIN, section=SECTION)
def checkin_acknowledge(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """POST: acknowledge a submitted check-in (with an optional comment)."""
    checkin = access_checkin(actor=request.membership, checkin_id=checkin_id)
    if request.method != "POST":
        return redirect(checkin_url(checkin))
    try:
        services.acknowledge_checkin(
            district=request.district, actor=request.membership, checkin=checkin, body=request.POST.get("body", "")
        )
    except ValidationError as error:
        if request.htmx:
            return _panel_response(request, checkin, response_message=_first_message(error))
        messages.error(request, _first_message(error))
        return redirect(_back_to(request, checkin_url(checkin)))
    done = _("The check-in was acknowledged.")
    if request.htmx:
        return _panel_response(request, checkin, response_message=done)
    messages.success(request, done)
    return redirect(_back_to(request, checkin_url(checkin)))


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What should be changed"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("The school or department sees this comment at the top of the check-in."),
        error_messages={
            "required": gettext_lazy("Say what should be changed: the school or department reads this comment.")
        },
    )


class ResolveForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("How the support request was resolved"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


@district_view(Action.RESPOND_CHECKIN, section=SECTION)
def checkin_return(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """GET: the form to return a check-in for revision. POST: return it (a comment is required)."""
    checkin = access_checkin(actor=request.membership, checkin_id=checkin_id)
    require(request.membership, Action.RESPOND_CHECKIN, checkin)
    form = ReturnForm(posted(request))
    done = submit_form(
        request,
        form,
        services.return_checkin,
        checkin=checkin,
        success=lambda _r: _("The check-in was returned for revision. Its school or department can change it again."),
        next_url=lambda _r: checkin_url(checkin),
    )
    if done:
        return done
    context = {
        "checkin": checkin,
        "cycle": checkin.cycle,
        "form": form,
        "returnable": checkin.state in services.RESPONDABLE_STATES,
    }
    return render_page(request, "checkins/checkin_return.html", context, status=400 if form.errors else 200)


@district_view(Action.COMMENT, section=SECTION)
def checkin_comment(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """POST: a comment on the whole check-in, or on one entry (`entry` field)."""
    checkin = access_checkin(actor=request.membership, checkin_id=checkin_id)
    if request.method != "POST":
        return redirect(checkin_url(checkin))
    entry = None
    if request.POST.get("entry"):
        entry_pk = parse_id(request.POST.get("entry"))
        entry = CheckinEntry.objects.filter(district=request.district, checkin=checkin, pk=entry_pk).first()
        if entry is None:
            raise Http404("No such entry in this check-in.")
    body = request.POST.get("body", "")
    try:
        services.comment_on_checkin(
            district=request.district, actor=request.membership, checkin=checkin, body=body, entry=entry
        )
    except ValidationError as error:
        message = _first_message(error)
        if request.htmx:
            return _panel_response(
                request,
                checkin,
                entry=entry,
                comment_error=message,
                comment_body=body,
                comment_entry=entry.pk if entry else None,
            )
        messages.error(request, message)
        return redirect(_back_to(request, checkin_url(checkin)))
    done = _("Your comment was added.")
    if request.htmx:
        return _panel_response(request, checkin, entry=entry, response_message=done)
    messages.success(request, done)
    return redirect(_back_to(request, checkin_url(checkin)) + (f"#entry-{entry.pk}-responses" if entry else ""))


@district_view(Action.RESOLVE_SUPPORT, section=SECTION)
def support_resolve(request: HttpRequest, entry_id: int) -> HttpResponse:
    """GET: the form to resolve a support request (an optional note). POST: resolve it.

    From the entry's thread with HTMX the post swaps that thread in place."""
    entry = _access_entry(request, entry_id)
    checkin = access_checkin(actor=request.membership, checkin_id=entry.checkin_id)
    require(request.membership, Action.RESOLVE_SUPPORT, entry)
    form = ResolveForm(posted(request))
    if request.method == "POST" and request.htmx and form.is_valid():
        try:
            services.resolve_support_request(
                district=request.district, actor=request.membership, entry=entry, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            return _panel_response(request, checkin, entry=entry, response_message=_first_message(error))
        done = _("The support request was marked resolved.")
        return _panel_response(request, checkin, entry=entry, response_message=done)
    done = submit_form(
        request,
        form,
        services.resolve_support_request,
        entry=entry,
        success=lambda _r: _("The support request was marked resolved."),
        next_url=lambda _r: _back_to(request, checkin_url(checkin)),
    )
    if done:
        return done
    context = {
        "entry": entry,
        "checkin": checkin,
        "cycle": checkin.cycle,
        "form": form,
        "open": entry.support_requested
        and entry.support_resolved_at is None
        and checkin.state in services.SUPPORT_OPEN_STATES,
        "next": _back_to(request, ""),
        "queue_url": _queue_url(request),
    }
    return render_page(request, "checkins/support_resolve.html", context, status=400 if form.errors else 200)


# --- The review lists ----------------------------------------------------------------------------


@district_view(Action.VIEW_CHECKIN_QUEUE, section=SECTION)
def cycle_list(request: HttpRequest) -> HttpResponse:
    """The district's cycles: open first, then closed newest first, and the next one scheduled."""
    listing = selectors.cycle_list(district=request.district, page=request.GET.get("page"))
    context = {
        "listing": listing,
        "page_obj": listing.page,
        "my_checkins_url": reverse("checkins:my_checkins", kwargs={"district_slug": request.district.slug})
        if request.membership.school_id or request.membership.department_id
        else None,
    }
    return render_page(request, "checkins/cycle_list.html", context)


@district_view(Action.VIEW_CHECKIN_QUEUE, section=SECTION)
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """One cycle's check-ins (filter by state; HTMX swaps the table, plain GET works the same)."""
    cycle = access_in_district(CheckinCycle.objects.all(), actor=request.membership, pk=cycle_id)
    state = request.GET.get("state", "")
    listing = selectors.cycle_checkins(cycle=cycle, state=state, page=request.GET.get("page"))
    context = {
        "cycle": cycle,
        "listing": listing,
        "page_obj": listing.page,
        "state_choices": [("late", _("Late")), *CheckinState.choices],
    }
    return render_page(request, "checkins/cycle_detail.html", context, partial="checkins")


@district_view(Action.VIEW_CHECKIN_QUEUE, section=SECTION)
def support_queue(request: HttpRequest) -> HttpResponse:
    """Open support requests, oldest first (or the resolved ones); all, or the ones the reader owns."""
    queue = selectors.support_queue(
        district=request.district,
        actor=request.membership,
        tab=request.GET.get("tab", "open"),
        show=request.GET.get("show", "all"),
        page=request.GET.get("page"),
    )
    context = {"queue": queue, "page_obj": queue.page}
    return render_page(request, "checkins/support_queue.html", context, partial="requests")
