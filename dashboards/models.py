"""What the dashboards own: highlights the superintendent publishes to the board, and board reports.

Everything else the dashboards show is read from other apps' stored rows (checkins' CheckinRollup,
metrics' MetricRollup); nothing here is derived data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from checkins.models import CheckinCycle
from districts.models import DistrictOwned, Membership
from plans.models import StrategicPlan
from priorities.models import Priority


class Highlight(DistrictOwned):
    """A short story of progress the superintendent writes on the dashboard and may publish.

    Only published highlights appear on the board pages, the public page and board reports;
    unpublishing removes one from all of them at once (they read `published_at`, never a copy).
    """

    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="+")
    priority = models.ForeignKey(
        Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("priority")
    )
    title = models.CharField(_("title"), max_length=200)
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True)
    body = models.TextField(_("text"), help_text=_("A few sentences for the board and the public. No staff names."))
    body_es = models.TextField(_("text in Spanish"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("highlight")
        indexes = [models.Index(fields=["district", "published_at"], name="highlight_district_published")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ReportState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("board report state", "Waiting to start")
    RUNNING = "running", pgettext_lazy("board report state", "Being made")
    READY = "ready", pgettext_lazy("board report state", "Ready")
    FAILED = "failed", pgettext_lazy("board report state", "Failed")


ACTIVE_REPORT_STATES = (ReportState.QUEUED, ReportState.RUNNING)


class ReportSubject(models.TextChoices):
    CYCLE = "cycle", pgettext_lazy("board report of", "A check-in cycle")
    QUARTER = "quarter", pgettext_lazy("board report of", "A quarter")


class BoardReport(DistrictOwned):
    """A board report (HTML and PDF) for one cycle or one quarter, made by a Celery task.

    `subject_key` names what it covers ("cycle:<id>", "quarter:2026-07-01") so that at most one
    report per subject is being made at a time (a partial unique constraint): a second request while
    one runs gets the running one.
    """

    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=10, choices=ReportSubject.choices)
    subject_key = models.CharField(max_length=40)
    cycle = models.ForeignKey(CheckinCycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    quarter_start = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=10, default="en")
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    html = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("board report")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "subject_key"],
                condition=models.Q(state__in=["queued", "running"]),
                name="board_report_one_active_per_subject",
            ),
        ]
        indexes = [models.Index(fields=["district", "requested_at"], name="board_report_district_recent")]

    def __str__(self) -> str:
        return self.subject_key
