"""Check-in cycles, the check-ins of schools and departments, and their entries (issue 9).

A cycle is one period of the district's cadence with open, due, escalation and close instants
(computed by checkins.schedule in the district's zone, stored when the cycle is planned, so what was
announced is what happens). The platform tick (checkins.cycles) plans, opens, marks late, escalates
and closes cycles; every step is a conditional UPDATE or an insert guarded by a unique constraint, so
a repeated or concurrent tick changes nothing twice.

Every row carries its district, and every unique constraint and main index starts with it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from districts.models import Department, DistrictOwned, Membership, School
from plans.models import StrategicPlan
from priorities.models import Assignment


class CycleState(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("check-in cycle state", "Scheduled")
    OPEN = "open", pgettext_lazy("check-in cycle state", "Open")
    CLOSED = "closed", pgettext_lazy("check-in cycle state", "Closed")


class CheckinCycle(DistrictOwned):
    """One period of the district's cadence: scheduled → open → closed."""

    plan = models.ForeignKey(StrategicPlan, on_delete=models.PROTECT, related_name="+")
    # The days the check-ins report on (inside the plan's window, core.calendar.PlanPeriod).
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    opens_at = models.DateTimeField(_("opens"))
    due_at = models.DateTimeField(_("due"))
    # Check-ins still not submitted at this instant escalate to the school's principal supervisor.
    escalates_at = models.DateTimeField(_("escalates"))
    closes_at = models.DateTimeField(_("closes"))
    state = models.CharField(max_length=20, choices=CycleState.choices, default=CycleState.SCHEDULED)
    # When the tick actually did each step (it may run late after an outage).
    opened_at = models.DateTimeField(null=True, blank=True)
    late_marked_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("check-in cycle")
        constraints = [
            models.UniqueConstraint(fields=["district", "period_start"], name="cycle_one_per_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="cycle_period_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("opens_at"))
                & models.Q(escalates_at__gt=models.F("due_at"))
                & models.Q(closes_at__gte=models.F("escalates_at")),
                name="cycle_instants_in_order",
            ),
        ]
        indexes = [models.Index(fields=["district", "state", "opens_at"], name="cycle_district_state")]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class ReminderState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("reminder state", "Pending")
    DONE = "done", pgettext_lazy("reminder state", "Done")
    SKIPPED = "skipped", pgettext_lazy("reminder state", "Skipped")


class CycleReminder(DistrictOwned):
    """A reminder instant of a cycle (the district's offsets before the due day, at 07:00 local).

    The tick claims a due reminder (pending → done) in one conditional UPDATE and hands it to
    `checkins.cycles.reminder_due`, the hook where the notification emails will hang; a reminder
    whose cycle is already past due when the tick reaches it is skipped instead.
    """

    cycle = models.ForeignKey(CheckinCycle, on_delete=models.CASCADE, related_name="reminders")
    at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=ReminderState.choices, default=ReminderState.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["district", "cycle", "at"], name="cycle_reminder_unique")]
        indexes = [models.Index(fields=["district", "state", "at"], name="cycle_reminder_pending")]

    def __str__(self) -> str:
        return f"{self.cycle_id} @ {self.at:%Y-%m-%d %H:%M}"


class CheckinState(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("check-in state", "Not started")
    DRAFT = "draft", pgettext_lazy("check-in state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("check-in state", "Submitted")
    RETURNED = "returned", pgettext_lazy("check-in state", "Returned for revision")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("check-in state", "Acknowledged")


# Check-ins their school or department is still working on: the tick may add or set aside entries.
EDITABLE_CHECKIN_STATES = (CheckinState.NOT_STARTED, CheckinState.DRAFT, CheckinState.RETURNED)


class Checkin(DistrictOwned):
    """One school's or one department's report for a cycle."""

    cycle = models.ForeignKey(CheckinCycle, on_delete=models.CASCADE, related_name="checkins")
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=20, choices=CheckinState.choices, default=CheckinState.NOT_STARTED)
    # Not submitted by the due instant: set by the tick at due, or by a submission after it. Stays once set.
    late = models.BooleanField(default=False)
    # The tick escalated it (late and still not submitted at the cycle's escalation instant).
    escalated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The feedback loop: the first response after the (latest) submission.
    first_response_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every save; a save naming an older version is refused (two people editing at once).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "school__name", "department__name"]
        verbose_name = _("check-in")
        constraints = [
            models.CheckConstraint(
                name="checkin_has_one_place",
                condition=models.Q(school__isnull=False, department__isnull=True)
                | models.Q(school__isnull=True, department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["district", "cycle", "school"],
                condition=models.Q(school__isnull=False),
                name="checkin_one_per_school",
            ),
            models.UniqueConstraint(
                fields=["district", "cycle", "department"],
                condition=models.Q(department__isnull=False),
                name="checkin_one_per_department",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "cycle", "state"], name="checkin_district_cycle_state"),
            models.Index(fields=["district", "school", "cycle"], name="checkin_district_school"),
            models.Index(fields=["district", "department", "cycle"], name="checkin_district_department"),
        ]

    def __str__(self) -> str:
        return f"{self.school or self.department} ({self.cycle})"

    @property
    def place(self) -> School | Department | None:
        return self.school or self.department


class EntryStatus(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("commitment status", "Not started")
    ON_TRACK = "on_track", pgettext_lazy("commitment status", "On track")
    AT_RISK = "at_risk", pgettext_lazy("commitment status", "At risk")
    OFF_TRACK = "off_track", pgettext_lazy("commitment status", "Off track")
    DONE = "done", pgettext_lazy("commitment status", "Done")


# A note is required with these statuses (the check-in form says so beside the field).
STATUSES_NEEDING_A_NOTE = (EntryStatus.AT_RISK, EntryStatus.OFF_TRACK)


class CheckinEntry(DistrictOwned):
    """A check-in's report on one assignment (one commitment asked of that school or department)."""

    checkin = models.ForeignKey(Checkin, on_delete=models.CASCADE, related_name="entries")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.NOT_STARTED)
    note = models.TextField(_("note"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    blocker = models.TextField(_("blocker"), blank=True)
    support_requested = models.BooleanField(_("support requested"), default=False)
    support_needed = models.TextField(_("what support is needed"), blank=True)
    support_resolved_at = models.DateTimeField(null=True, blank=True)
    support_resolved_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Its assignment was paused or ended while the cycle was open: kept with what was typed, but no
    # longer asked for and not counted. Cleared if the assignment is active again before the cycle closes.
    set_aside = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("check-in entry")
        verbose_name_plural = _("check-in entries")
        constraints = [
            models.UniqueConstraint(fields=["district", "checkin", "assignment"], name="checkin_entry_unique"),
        ]
        indexes = [
            # An assignment's entries across cycles, and the tick's "which assignments have no entry yet".
            models.Index(fields=["district", "assignment"], name="checkin_entry_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} in {self.checkin_id}"
