"""Board report pages: the list with its request form, a report's progress, the HTML report and its PDF.

The progress partial polls itself every 2 seconds (HTMX) while the report is queued or running and
stops once it is ready or failed; without JavaScript the page offers a refresh link instead.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.web import render_page, service_error
from districts.access import access_in_district
from districts.models import Membership
from districts.policy import Action, can, require
from districts.web import district_view
from plans.selectors import active_plan

from .. import reports
from ..models import ACTIVE_REPORT_STATES, BoardReport, ReportState, ReportSubject

SECTION = "board"
REPORTS_LISTED = 50
STYLE_TAG = re.compile(r"<style>")


def access_report(*, actor: Membership, report_id: object) -> BoardReport:
    return access_in_district(
        BoardReport.objects.select_related("district", "plan", "cycle"), actor=actor, pk=report_id
    )


def _detail_url(report: BoardReport) -> str:
    return reverse("dashboards:report_detail", kwargs={"district_slug": report.district.slug, "report_id": report.pk})


def step_text(report: BoardReport) -> str:
    """What the report is doing, in words beside the progress bar."""
    if report.state == ReportState.QUEUED:
        return _("Waiting for a worker to start it.")
    if report.state == ReportState.FAILED:
        return report.error
    return {
        reports.STEP_CONTENT: _("Gathering priorities, metrics, completion and highlights."),
        reports.STEP_HTML: _("Writing the report."),
        reports.STEP_PDF: _("Making the PDF."),
        reports.STEP_DONE: _("Done."),
    }.get(report.step, "")


def _subject_arguments(request: HttpRequest) -> dict[str, Any] | None:
    """The request form's one choice ("cycle:<id>" or "quarter:<first day>") as the service's arguments."""
    kind, _sep, rest = request.POST.get("subject", "").partition(":")
    if kind == ReportSubject.CYCLE and rest.isdigit():
        plan = active_plan(district=request.district)
        cycles = reports.reportable_cycles(district=request.district, plan=plan) if plan else []
        cycle = next((c for c in cycles if c.pk == int(rest)), None)
        return {"subject": ReportSubject.CYCLE, "cycle": cycle} if cycle else None
    if kind == ReportSubject.QUARTER:
        try:
            return {"subject": ReportSubject.QUARTER, "quarter_start": date.fromisoformat(rest)}
        except ValueError:
            return None
    return None


@district_view(Action.VIEW_BOARD_REPORTS, section=SECTION)
def report_list(request: HttpRequest) -> HttpResponse:
    """The district's reports, newest first; POST (those who may request one): queue a report."""
    district, actor = request.district, request.membership
    error = ""
    if request.method == "POST":
        require(actor, Action.REQUEST_BOARD_REPORT)
        arguments = _subject_arguments(request)
        if arguments is None:
            error = _("Choose a closed check-in cycle or a quarter of the active plan.")
        else:
            try:
                report = reports.request_board_report(district=district, actor=actor, **arguments)
            except ValidationError as refusal:
                error = refusal.messages[0]
            else:
                messages.success(request, _("The report is on its way; this page shows its progress."))
                return redirect(_detail_url(report))
    may_request = can(actor, Action.REQUEST_BOARD_REPORT)
    plan = active_plan(district=district) if may_request else None
    listed = BoardReport.objects.filter(district=district).select_related("district", "plan", "cycle")
    context = {
        "rows": [(report, reports.subject_label(report)) for report in listed[:REPORTS_LISTED]],
        "may_request": may_request,
        "plan": plan,
        "cycle_choices": [
            (f"cycle:{c.pk}", reports.cycle_subject_label(c))
            for c in (reports.reportable_cycles(district=district, plan=plan) if plan else [])
        ],
        "quarter_choices": [
            (f"quarter:{q.first_day.isoformat()}", q.label)
            for q in (reports.plan_quarters(district=district, plan=plan) if plan else [])
        ],
        "chosen": request.POST.get("subject", ""),
        "request_error": error,
    }
    return render_page(request, "dashboards/report_list.html", context)


@district_view(Action.VIEW_BOARD_REPORTS, section=SECTION)
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report's state and progress; the HTMX poll gets only the `progress` partial."""
    report = access_report(actor=request.membership, report_id=report_id)
    context = {
        "report": report,
        "subject": reports.subject_label(report),
        "step_text": step_text(report),
        "active": report.state in ACTIVE_REPORT_STATES,
        "may_request": can(request.membership, Action.REQUEST_BOARD_REPORT),
    }
    return render_page(request, "dashboards/report_detail.html", context, partial="progress")


@district_view(Action.REQUEST_BOARD_REPORT, section=SECTION)
def report_retry(request: HttpRequest, report_id: int) -> HttpResponse:
    """POST: queue a failed report again; its page shows the progress."""
    report = access_report(actor=request.membership, report_id=report_id)
    if request.method == "POST":
        try:
            report = reports.board_report_retry(district=request.district, actor=request.membership, report=report)
        except ValidationError as error:
            service_error(request, error)
    return redirect(_detail_url(report))


def _ready_report(request: HttpRequest, report_id: int) -> BoardReport:
    report = access_report(actor=request.membership, report_id=report_id)
    if report.state != ReportState.READY:
        raise Http404("The report is not ready.")
    return report


@csp_update({"style-src": [NONCE]})
@district_view(Action.VIEW_BOARD_REPORTS, section=SECTION)
def report_view(request: HttpRequest, report_id: int) -> HttpResponse:
    """The stored HTML report, as made (the PDF was made from the same document).

    Its one <style> element gets this response's CSP nonce: the page allows no other inline style.
    """
    report = _ready_report(request, report_id)
    html = STYLE_TAG.sub(f'<style nonce="{request.csp_nonce}">', report.html, count=1)
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@district_view(Action.VIEW_BOARD_REPORTS, section=SECTION)
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _ready_report(request, report_id)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{reports.pdf_filename(report)}"'
    return response
