"""The few priorities of a plan, the role-specific commitments under them, and
where each commitment is asked of (assignments to schools and departments).

Every row carries its district (copied down from the plan), and every
constraint and main index starts with `district`.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from districts.models import Department, DistrictOwned, Membership, RoleLabel, School
from plans.models import StrategicPlan


class Priority(DistrictOwned):
    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("plan"))
    code = models.CharField(_("short code"), max_length=10, help_text=_("For example: P1."))
    title = models.CharField(pgettext_lazy("of a plan, priority or commitment", "title"), max_length=200)
    # District-entered text may carry a Spanish version beside the English (core.bilingual reads it).
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True)
    success_looks_like = models.TextField(
        _("what success looks like"), help_text=_("How everyone will know this priority has been achieved.")
    )
    success_looks_like_es = models.TextField(_("what success looks like in Spanish"), blank=True)
    owner = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The superintendent or the cabinet member who leads this priority."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(pgettext_lazy("date of", "created"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("date of", "updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = _("priorities")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "plan", "code"],
                name="priority_code_unique_in_plan",
                violation_error_message=_("Another priority in this plan has this code."),
            ),
            models.UniqueConstraint(
                "district",
                "plan",
                Lower("title"),
                name="priority_title_unique_in_plan",
                violation_error_message=_("Another priority in this plan has this title."),
            ),
        ]
        indexes = [models.Index(fields=["district", "plan", "position"], name="priority_district_plan")]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"


class ReportedIn(models.TextChoices):
    SCHOOL = "school", _("School check-ins")
    DEPARTMENT = "department", _("Department check-ins")
    BOTH = "both", _("School and department check-ins")


# Which commitments each kind of check-in asks about.
REPORTED_IN_SCHOOL_CHECKINS = (ReportedIn.SCHOOL, ReportedIn.BOTH)
REPORTED_IN_DEPARTMENT_CHECKINS = (ReportedIn.DEPARTMENT, ReportedIn.BOTH)


class Commitment(DistrictOwned):
    """What one role does for a priority: "Principals hold a monthly attendance data meeting"."""

    priority = models.ForeignKey(
        Priority, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("priority")
    )
    title = models.CharField(
        pgettext_lazy("of a plan, priority or commitment", "title"),
        max_length=200,
        help_text=_("One sentence: who does what, and how often."),
    )
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("What it involves, in plain language."))
    description_es = models.TextField(_("description in Spanish"), blank=True)
    role_label = models.ForeignKey(
        RoleLabel,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked of"),
        help_text=_("The role that does this. It appears on that role's card."),
    )
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead department"),
        help_text=_("The central office team that asks for this and supports it."),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    evidence_expected = models.TextField(
        _("evidence expected"),
        blank=True,
        help_text=_("What shows it happened, e.g. meeting agendas and sign-in sheets."),
    )
    reported_in = models.CharField(
        _("reported in"), max_length=20, choices=ReportedIn.choices, default=ReportedIn.SCHOOL
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # Its reach, stored (priorities.loads.recount_reach, called by the assignment services).
    active_school_count = models.PositiveIntegerField(default=0, editable=False)
    paused_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(pgettext_lazy("date of", "created"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("date of", "updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["active_school_count", "paused_count"])

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="commitment_ends_after_it_starts",
                violation_error_message=_("The end date can't be before the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["district", "priority", "position"], name="commitment_district_priority"),
            models.Index(fields=["district", "role_label"], name="commitment_district_role"),
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("assignment status", "Active")
    PAUSED = "paused", pgettext_lazy("assignment status", "Paused")
    ENDED = "ended", pgettext_lazy("assignment status", "Ended")


class Assignment(DistrictOwned):
    """A commitment asked of one school or one department. Never deleted: paused or ended instead."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="assignments")
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="commitment_assignments"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="commitment_assignments"
    )
    owner = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who answers for it there: by default the school's principal or the department's lead."),
    )
    status = models.CharField(max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["school__name", "department__name"]
        constraints = [
            models.CheckConstraint(
                name="assignment_has_one_place",
                condition=models.Q(school__isnull=False, department__isnull=True)
                | models.Q(school__isnull=True, department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["district", "commitment", "school"],
                condition=models.Q(school__isnull=False),
                name="assignment_unique_school",
                violation_error_message=_("This commitment is already assigned to this school."),
            ),
            models.UniqueConstraint(
                fields=["district", "commitment", "department"],
                condition=models.Q(department__isnull=False),
                name="assignment_unique_department",
                violation_error_message=_("This commitment is already assigned to this department."),
            ),
        ]
        indexes = [
            models.Index(fields=["district", "school", "status"], name="assignment_district_school"),
            models.Index(fields=["district", "department", "status"], name="assignment_district_department"),
            models.Index(fields=["district", "commitment", "status"], name="assignment_district_commitment"),
            # A commitment's reach (the plan page): its active school assignments, counted from the index alone.
            models.Index(
                fields=["district", "commitment"],
                condition=models.Q(status=AssignmentStatus.ACTIVE, school__isnull=False),
                name="assignment_active_school_reach",
            ),
            # A commitment's departments (the plan page): the few department assignments, without the schools'.
            models.Index(
                fields=["district", "commitment"],
                condition=models.Q(department__isnull=False),
                name="assignment_department_reach",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} at {self.place}"

    @property
    def place(self) -> School | Department | None:
        return self.school or self.department


class SchoolLoad(DistrictOwned):
    """Stored: a school's active assignments in the district's active plan, per commitment end date.

    A school's load on a day is the sum of its rows ending on or after it (priorities.loads keeps
    them exact; the plan page's busiest schools and the load page's over-threshold count read them).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    ends_on = models.DateField()
    active = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "school", "ends_on"], name="school_load_unique"),
        ]
        indexes = [models.Index(fields=["district", "ends_on"], name="school_load_district_ends")]

    def __str__(self) -> str:
        return f"{self.school_id}: {self.active} ending {self.ends_on}"
