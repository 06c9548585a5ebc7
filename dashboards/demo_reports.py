"""Demo part: one ready board report in Riverbend (the latest closed cycle), made in place, not by a worker.

Idempotent: a second seed finds the report ready and changes nothing. Runs after the check-ins demo
(and the board pages' demo, when there is one), so the report has cycles and highlights to show.
"""

from __future__ import annotations

from django.db import transaction

from checkins.models import CheckinCycle, CycleState
from districts.demo import RIVERBEND_SLUG
from districts.models import District, Membership
from districts.tenancy import district_context
from plans.selectors import active_plan

from .models import BoardReport, ReportState, ReportSubject
from .reports import make_board_report, request_board_report


def seed() -> list[str]:
    district = District.objects.get(slug=RIVERBEND_SLUG)
    with district_context(district):
        plan = active_plan(district=district)
        cycle = (
            CheckinCycle.objects.filter(district=district, plan=plan, state=CycleState.CLOSED)
            .order_by("-period_start")
            .first()
            if plan
            else None
        )
        if cycle is None:
            return [f"{district.name}: no closed cycle, no board report"]
        key = f"cycle:{cycle.pk}"
        if BoardReport.objects.filter(district=district, subject_key=key, state=ReportState.READY).exists():
            return [f"{district.name}: the board report is ready already"]
        superintendent = Membership.objects.get(district=district, user__email="superintendent@riverbend.example")
        with transaction.atomic():
            report = request_board_report(
                district=district, actor=superintendent, subject=ReportSubject.CYCLE, cycle=cycle
            )
    # Made here so the demo has a PDF without a worker; the queued delivery later finds it ready.
    make_board_report(district=district, report_id=report.pk)
    with district_context(district):
        state = BoardReport.objects.get(pk=report.pk).get_state_display()
    return [f"{district.name}: board report of the latest closed cycle: {state}"]
