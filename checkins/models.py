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
from django.utils import timezone
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
            # The support-request queue (and the dashboard's oldest requests): a few open requests among
            # millions of entries, found without scanning the district's entries.
            models.Index(
                fields=["district", "checkin"],
                condition=models.Q(support_requested=True, support_resolved_at__isnull=True, set_aside=False),
                name="checkin_entry_open_support",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} in {self.checkin_id}"


class CheckinMetricValue(DistrictOwned):
    """A value a check-in asks of its school for a metric whose values come from check-ins.

    What was typed is kept as text (a draft may hold "12,5" or nothing yet), so nothing is lost to a
    validation error; submitting writes it through `metrics.services` (roll-ups exact, history says who)
    and remembers the MetricValue it wrote.
    """

    checkin = models.ForeignKey(Checkin, on_delete=models.CASCADE, related_name="metric_values")
    metric = models.ForeignKey("metrics.Metric", on_delete=models.CASCADE, related_name="+")
    # The metric period the value is for (a first of the month).
    period = models.DateField()
    value_text = models.CharField(_("value"), max_length=50, blank=True)
    written_value = models.ForeignKey(
        "metrics.MetricValue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "checkin", "metric"], name="checkin_metric_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} in {self.checkin_id}: {self.value_text}"


class ResponseKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("check-in response", "Acknowledged")
    COMMENT = "comment", pgettext_lazy("check-in response", "Comment")
    RETURNED = "returned", pgettext_lazy("check-in response", "Returned for revision")
    SUPPORT_RESOLVED = "support_resolved", pgettext_lazy("check-in response", "Support request resolved")


class CheckinResponse(DistrictOwned):
    """The district's answer to a check-in: acknowledged, returned with a comment, a comment on an entry
    (or on the whole check-in), or a support request resolved. Never edited; the thread is the record."""

    checkin = models.ForeignKey(Checkin, on_delete=models.CASCADE, related_name="responses")
    # The entry commented on or whose support request was resolved; empty for the whole check-in.
    entry = models.ForeignKey(CheckinEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="responses")
    kind = models.CharField(max_length=20, choices=ResponseKind.choices)
    author = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["district", "checkin", "created_at"], name="checkin_response_checkin"),
            # A principal's home: responses to their school's check-ins, newest first.
            models.Index(fields=["district", "created_at"], name="checkin_response_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.checkin_id}"


class NotificationKind(models.TextChoices):
    CYCLE_OPENED = "cycle_opened", pgettext_lazy("notification", "Cycle opened")
    REMINDER = "reminder", pgettext_lazy("notification", "Reminder")
    LATE = "late", pgettext_lazy("notification", "Check-in late")
    ESCALATION = "escalation", pgettext_lazy("notification", "Late check-ins escalated")
    RETURNED = "returned", pgettext_lazy("notification", "Returned for revision")
    RESPONSE = "response", pgettext_lazy("notification", "Response received")
    DIGEST = "digest", pgettext_lazy("notification", "Cycle digest")


class NotificationState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("notification state", "Waiting to be sent")
    SENT = "sent", pgettext_lazy("notification state", "Sent")
    SKIPPED = "skipped", pgettext_lazy("notification state", "Not sent (turned off)")
    FAILED = "failed", pgettext_lazy("notification state", "Failed")


class Notification(DistrictOwned):
    """One email of one event to one person, claimed in the database before it is sent.

    The unique (district, kind, event_key, recipient) is what makes an email impossible to send twice:
    a repeated or concurrent delivery finds the row already there and sends nothing; a send that failed
    leaves the row pending with its error, to be retried with back-off (checkins.notifications).
    """

    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    # The event: "cycle:12", "reminder:40", "checkin:7:returned:3", "response:88" …
    event_key = models.CharField(max_length=100)
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=NotificationState.choices, default=NotificationState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind", "event_key", "recipient"], name="notification_once_per_event"
            ),
        ]
        indexes = [models.Index(fields=["district", "state", "created_at"], name="notification_district_state")]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_key} → {self.recipient_id}"


class RollupScope(models.TextChoices):
    DISTRICT = "district", pgettext_lazy("roll-up scope", "District")
    PRIORITY = "priority", pgettext_lazy("roll-up scope", "Priority")
    COMMITMENT = "commitment", pgettext_lazy("roll-up scope", "Commitment")
    SCHOOL = "school", pgettext_lazy("roll-up scope", "School")
    DEPARTMENT = "department", pgettext_lazy("roll-up scope", "Department")
    SCHOOL_PRIORITY = "school_priority", pgettext_lazy("roll-up scope", "School and priority")
    DEPARTMENT_PRIORITY = "department_priority", pgettext_lazy("roll-up scope", "Department and priority")


class CheckinRollup(DistrictOwned):
    """Counts of one cycle for one scope (the district, a priority, a commitment, a school, a department,
    a school × priority cell): derived from check-ins by checkins.rollups, never edited by hand, so the
    dashboards read these rows instead of counting entries.

    `key` names the scope in one string ("district", "p:3", "s:7:p:3" …) so the unique constraint holds
    with empty foreign keys on every database.
    """

    cycle = models.ForeignKey(CheckinCycle, on_delete=models.CASCADE, related_name="rollups")
    scope = models.CharField(max_length=20, choices=RollupScope.choices)
    key = models.CharField(max_length=60)
    priority = models.ForeignKey("priorities.Priority", on_delete=models.CASCADE, null=True, related_name="+")
    commitment = models.ForeignKey("priorities.Commitment", on_delete=models.CASCADE, null=True, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, related_name="+")
    # Entries asked for (not set aside) and, of those in submitted or acknowledged check-ins, by status.
    entries_expected = models.PositiveIntegerField(default=0)
    entries_reported = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    on_track = models.PositiveIntegerField(default=0)
    at_risk = models.PositiveIntegerField(default=0)
    off_track = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Check-ins with at least one entry in the scope.
    checkins_expected = models.PositiveIntegerField(default=0)
    checkins_submitted = models.PositiveIntegerField(default=0)  # submitted or acknowledged
    checkins_on_time = models.PositiveIntegerField(default=0)  # of those, not late
    checkins_late = models.PositiveIntegerField(default=0)  # late, submitted or not
    checkins_returned = models.PositiveIntegerField(default=0)
    checkins_acknowledged = models.PositiveIntegerField(default=0)
    support_requested = models.PositiveIntegerField(default=0)
    support_open = models.PositiveIntegerField(default=0)
    # The feedback loop: submitted check-ins with a first response, and submission → first response.
    responded = models.PositiveIntegerField(default=0)
    loop_seconds_median = models.PositiveBigIntegerField(null=True)
    loop_seconds_max = models.PositiveBigIntegerField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "cycle", "key"], name="checkin_rollup_unique")]
        indexes = [models.Index(fields=["district", "cycle", "scope"], name="checkin_rollup_scope")]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.key}"
