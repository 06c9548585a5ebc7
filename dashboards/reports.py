"""Board reports: requesting one, what it contains, and making its HTML and PDF.

A request (`request_board_report`) saves a queued `BoardReport` and, in the same transaction, a row
of the districts outbox (kind `REPORT_KIND`), so the work survives a broker that is down: the commit
only nudges delivery, and the platform tick re-queues an undelivered row after the outbox's grace
period (districts.outbox). The outbox handler is `make_board_report`: it claims the report with a
conditional UPDATE (queued → running), so a repeated or concurrent delivery makes it once, and it
commits its progress after each step (content 30 %, HTML 60 %, PDF 100 %) for the page to poll.

At most one report per subject is queued or running (a partial unique constraint backs up the check
under races); a second request gets the one already on its way.

Board-safe content only: aggregate roll-ups, metric values, published highlights. No drafts, no
check-in text, no names of staff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from checkins.models import CheckinCycle, CycleState
from core.bilingual import localized, reading_language
from core.calendar import plan_period, school_year_label
from districts import outbox
from districts.models import District, Membership
from districts.policy import Action, require
from districts.tenancy import district_context
from metrics.charts import sparkline
from metrics.formatting import format_value
from metrics.models import MetricRollup
from metrics.periods import add_months
from metrics.selectors import MetricSummary
from plans.models import StrategicPlan
from plans.selectors import active_plan
from priorities.models import Priority

from . import summary
from .models import ACTIVE_REPORT_STATES, BoardReport, ReportState, ReportSubject

logger = logging.getLogger(__name__)

REPORT_KIND = "dashboards.board_report"
# A report running this long belongs to a worker that died; a new delivery may take it over.
STALE_RUNNING = timedelta(minutes=20)
METRIC_PERIODS_SHOWN = 12
TREND_CYCLES = 6
STEP_CONTENT, STEP_HTML, STEP_PDF, STEP_DONE = "content", "html", "pdf", "done"


# --- Subjects: the closed cycles and the quarters of the active plan ---------------------------


@dataclass(frozen=True)
class Quarter:
    first_day: date
    last_day: date
    number: int  # 1-4 within its school year
    school_year: str  # "2026–27"

    @property
    def label(self) -> str:
        return _("Quarter %(number)s of %(year)s (%(first)s to %(last)s)") % {
            "number": self.number,
            "year": self.school_year,
            "first": date_format(self.first_day, "SHORT_YEAR_MONTH_FORMAT"),
            "last": date_format(self.last_day, "SHORT_YEAR_MONTH_FORMAT"),
        }


def plan_quarters(*, district: District, plan: StrategicPlan, today: date | None = None) -> list[Quarter]:
    """The quarters of the plan's school years that have begun, newest first."""
    today = today or timezone.localdate()
    start_month = district.school_year_start_month
    quarters = []
    for year in plan_period(plan.start_year, plan.end_year, start_month).school_years:
        for number in range(1, 5):
            first = add_months(date(year, start_month, 1), 3 * (number - 1))
            if first > today:
                continue
            last = add_months(first, 3) - timedelta(days=1)
            quarters.append(Quarter(first, last, number, school_year_label(year, start_month)))
    return list(reversed(quarters))


def reportable_cycles(*, district: District, plan: StrategicPlan) -> list[CheckinCycle]:
    """The plan's closed cycles, newest first."""
    return list(
        CheckinCycle.objects.filter(district=district, plan=plan, state=CycleState.CLOSED).order_by("-period_start")
    )


def cycle_subject_label(cycle: CheckinCycle) -> str:
    return _("Check-in cycle %(start)s to %(end)s") % {
        "start": date_format(cycle.period_start, "DATE_FORMAT"),
        "end": date_format(cycle.period_end, "DATE_FORMAT"),
    }


def _quarter_of(*, district: District, plan: StrategicPlan, first_day: date) -> Quarter | None:
    return next((q for q in plan_quarters(district=district, plan=plan) if q.first_day == first_day), None)


def subject_label(report: BoardReport) -> str:
    """What a report covers, in the active language."""
    if report.subject == ReportSubject.CYCLE and report.cycle is not None:
        return cycle_subject_label(report.cycle)
    if report.subject == ReportSubject.QUARTER and report.quarter_start is not None:
        quarter = _quarter_of(district=report.district, plan=report.plan, first_day=report.quarter_start)
        if quarter is not None:
            return quarter.label
    return _("A period that no longer exists")


def _subject_window(report: BoardReport) -> tuple[date, date]:
    if report.subject == ReportSubject.CYCLE and report.cycle is not None:
        return report.cycle.period_start, report.cycle.period_end
    first = report.quarter_start
    return first, add_months(first, 3) - timedelta(days=1)


# --- Services ------------------------------------------------------------------------------------


def _active_report(*, district: District, key: str) -> BoardReport | None:
    return BoardReport.objects.filter(district=district, subject_key=key, state__in=ACTIVE_REPORT_STATES).first()


def _enqueue(report: BoardReport) -> None:
    outbox.enqueue(
        district=report.district, kind=REPORT_KIND, key=f"report:{report.pk}", payload={"report_id": report.pk}
    )


def request_board_report(
    *,
    district: District,
    actor: Membership,
    subject: str,
    cycle: CheckinCycle | None = None,
    quarter_start: date | None = None,
) -> BoardReport:
    """Queue a report of a closed cycle or a begun quarter of the active plan, or return the one on its way."""
    require(actor, Action.REQUEST_BOARD_REPORT)
    plan = active_plan(district=district)
    if plan is None:
        raise ValidationError(_("A report needs an active plan."))
    if subject == ReportSubject.CYCLE:
        if cycle is None or cycle.district_id != district.pk or cycle.plan_id != plan.pk:
            raise ValidationError({"cycle": _("Choose a check-in cycle of the active plan.")})
        if cycle.state != CycleState.CLOSED:
            raise ValidationError({"cycle": _("Choose a cycle that has closed.")})
        key, quarter_start = f"cycle:{cycle.pk}", None
    elif subject == ReportSubject.QUARTER:
        if quarter_start is None or _quarter_of(district=district, plan=plan, first_day=quarter_start) is None:
            raise ValidationError({"quarter": _("Choose a quarter of the active plan that has begun.")})
        key, cycle = f"quarter:{quarter_start.isoformat()}", None
    else:
        raise ValidationError(_("Choose a cycle or a quarter."))
    existing = _active_report(district=district, key=key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = BoardReport.objects.create(
                district=district,
                plan=plan,
                subject=subject,
                subject_key=key,
                cycle=cycle,
                quarter_start=quarter_start,
                language=reading_language(),
                requested_by=actor,
            )
            _enqueue(report)
    except IntegrityError:  # a concurrent request queued the same subject first
        existing = _active_report(district=district, key=key)
        if existing is None:
            raise
        return existing
    return report


def board_report_retry(*, district: District, actor: Membership, report: BoardReport) -> BoardReport:
    """Queue a failed report again (the same row); the report of its subject already on its way otherwise."""
    require(actor, Action.REQUEST_BOARD_REPORT)
    if report.district_id != district.pk:
        raise ValidationError(_("That report is not in this district."))
    try:
        with transaction.atomic():
            queued = BoardReport.objects.filter(pk=report.pk, district=district, state=ReportState.FAILED).update(
                state=ReportState.QUEUED, progress=0, step="", error="", started_at=None, finished_at=None
            )
            if queued:
                _enqueue(report)
    except IntegrityError:  # another report of the subject is queued or running: that one is the answer
        return _active_report(district=district, key=report.subject_key) or report
    report.refresh_from_db()
    return report


# --- Content -------------------------------------------------------------------------------------


@dataclass
class ReportMetric:
    summary: MetricSummary
    rows: list[MetricRollup]  # the last periods up to the report's end, oldest first
    chart: SafeString

    @property
    def latest(self) -> MetricRollup | None:
        return next((r for r in reversed(self.rows) if r.value is not None), None)

    @property
    def health(self) -> summary.HealthView:
        latest = self.latest
        return summary.health_view(latest.status if latest else summary.HEALTH_NO_DATA)

    @property
    def latest_text(self) -> str:
        latest = self.latest
        return self.text(latest.value if latest else None)

    def text(self, number: object) -> str:
        metric = self.summary.metric
        return format_value(number, metric.district_unit, metric.decimals)

    @property
    def table(self) -> list[tuple[str, str, str, summary.HealthView]]:
        """(period, district value, target line, status) per row, formatted for the table."""
        metric = self.summary.metric
        return [
            (
                metric.period_label(r.period),
                self.text(r.value),
                self.text(r.expected_value),
                summary.health_view(r.status),
            )
            for r in self.rows
        ]


@dataclass
class ReportPriority:
    priority: Priority
    health: summary.HealthView  # in the report's last cycle
    trend: list[summary.TrendPoint]  # up to the report's end, oldest first
    chart: SafeString
    metrics: list[ReportMetric]

    @property
    def trend_rows(self) -> list[tuple[summary.TrendPoint, summary.HealthView]]:
        return [(point, summary.health_view(point.health)) for point in self.trend]


@dataclass
class ReportContent:
    district: District
    plan: StrategicPlan
    subject_label: str
    first_day: date
    last_day: date
    made_at: datetime
    priorities: list[ReportPriority]
    completion: list[summary.CycleCompletion]  # the cycles inside the report's period
    highlights: list


def _metric(summary_row: MetricSummary, last_day: date) -> ReportMetric:
    rows = [r for r in summary_row.rollups if r.period <= last_day][-METRIC_PERIODS_SHOWN:]
    latest = next((r for r in reversed(rows) if r.value is not None), None)
    name = localized(summary_row.metric, "name")
    label = _("%(name)s: district value and, dashed, the target line. The table lists every value.") % {"name": name}
    chart = sparkline(
        [r.value for r in rows],
        label=label,
        expected=[r.expected_value for r in rows],
        last_status=latest.status if latest else "no_data",
    )
    return ReportMetric(summary=summary_row, rows=rows, chart=chart)


def report_content(*, report: BoardReport, made_at: datetime) -> ReportContent:
    """What the report shows; a fixed number of queries, whatever the number of schools or cycles."""
    from .highlights import published_highlights  # the board pages' layer, beside this one

    district, plan = report.district, report.plan
    first_day, last_day = _subject_window(report)
    # The trend ends at the report's period: skip the closed cycles after it.
    later = CheckinCycle.objects.filter(
        district=district, plan=plan, state=CycleState.CLOSED, period_start__gt=last_day
    ).count()
    cards = summary.priority_cards(district=district, plan=plan, cycles=later + TREND_CYCLES)
    priorities = []
    for card in cards:
        trend = [p for p in card.trend if p.cycle.period_start <= last_day][-TREND_CYCLES:]
        inside = [p for p in trend if p.cycle.period_start >= first_day]
        health = inside[-1].health if inside else summary.HEALTH_NO_DATA
        label = _("Share of commitments reported on track or done, per cycle. The table lists every value.")
        chart = sparkline([p.share_on_track for p in trend], label=label, last_status=health)
        priorities.append(
            ReportPriority(
                priority=card.priority,
                health=summary.health_view(health),
                trend=trend,
                chart=chart,
                metrics=[_metric(m, last_day) for m in card.metrics],
            )
        )
    completion = [
        row
        for row in summary.completion_by_cycle(district=district, plan=plan, limit=later + TREND_CYCLES)
        if first_day <= row.cycle.period_start <= last_day
    ]
    return ReportContent(
        district=district,
        plan=plan,
        subject_label=subject_label(report),
        first_day=first_day,
        last_day=last_day,
        made_at=made_at,
        priorities=priorities,
        completion=completion,
        highlights=list(published_highlights(district=district, plan=plan)),
    )


# --- Making it (the outbox handler) --------------------------------------------------------------


def _progress(district: District, report_id: int, progress: int, step: str) -> None:
    with district_context(district):
        BoardReport.objects.filter(pk=report_id, district=district, state=ReportState.RUNNING).update(
            progress=progress, step=step
        )


def render_report_html(content: ReportContent, *, language: str) -> str:
    return render_to_string(
        "dashboards/report_document.html",
        {"content": content, "report_language": language, "district": content.district},
    )


def render_report_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy; only the worker needs it

    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def make_board_report(*, district: District, report_id: int) -> bool:
    """Make a queued report (HTML, then PDF) and store it; False if there was nothing to claim.

    A ready or failed report is left alone; another district's or an unknown id does nothing.
    """
    now = timezone.now()
    with district_context(district):
        claimable = BoardReport.objects.filter(pk=report_id, district=district)
        claimed = claimable.filter(state=ReportState.QUEUED).update(
            state=ReportState.RUNNING, started_at=now, progress=5, step=STEP_CONTENT
        ) or claimable.filter(state=ReportState.RUNNING, started_at__lt=now - STALE_RUNNING).update(
            started_at=now, progress=5, step=STEP_CONTENT
        )
        if not claimed:
            return False
        report = BoardReport.objects.select_related("district", "plan", "cycle").get(pk=report_id)
    step = STEP_CONTENT
    try:
        with translation.override(report.language):
            with district_context(district):  # also the district's time zone for every date shown
                content = report_content(report=report, made_at=now)
            _progress(district, report_id, 30, STEP_HTML)
            step = STEP_HTML
            with district_context(district):
                html = render_report_html(content, language=report.language)
            _progress(district, report_id, 60, STEP_PDF)
            step = STEP_PDF
            pdf = render_report_pdf(html)
    except Exception:
        logger.exception("Board report %s failed at %s", report_id, step)
        with district_context(district), translation.override(report.language):
            BoardReport.objects.filter(pk=report_id, district=district, state=ReportState.RUNNING).update(
                state=ReportState.FAILED, error=failure_message(step), finished_at=timezone.now()
            )
        return False
    with district_context(district):
        BoardReport.objects.filter(pk=report_id, district=district, state=ReportState.RUNNING).update(
            state=ReportState.READY, progress=100, step=STEP_DONE, html=html, pdf=pdf, finished_at=timezone.now()
        )
    return True


def failure_message(step: str) -> str:
    if step == STEP_PDF:
        return _("The PDF could not be made. Try again; if it fails again, tell your district administrator.")
    return _(
        "The report's content could not be gathered. Try again; if it fails again, tell your district administrator."
    )


def deliver_report(*, district: District, payload: dict) -> None:
    """The outbox handler of REPORT_KIND (registered in DashboardsConfig.ready)."""
    make_board_report(district=district, report_id=int(payload["report_id"]))


def pdf_filename(report: BoardReport) -> str:
    """ "<district slug>-board-report-cycle-2026-09-01.pdf": ASCII only, safe in a header."""
    if report.subject == ReportSubject.CYCLE and report.cycle is not None:
        subject = f"cycle-{report.cycle.period_start.isoformat()}"
    elif report.quarter_start is not None:
        subject = f"quarter-{report.quarter_start.isoformat()}"
    else:
        subject = f"report-{report.pk}"
    return f"{report.district.slug}-board-report-{subject}.pdf"
