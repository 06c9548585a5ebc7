"""Strategic plans and their Portrait of a Graduate.

A plan moves draft → active → archived. At most one plan per district is
active: a partial unique index enforces it, and `plan_activate` takes a lock on
the district row so two people activating at once archive each other's plan in
turn instead of tripping the index.
"""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.calendar import PlanPeriod, plan_period
from districts.models import DistrictOwned

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class PlanState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("plan state", "Draft")
    ACTIVE = "active", pgettext_lazy("plan state", "Active")
    ARCHIVED = "archived", pgettext_lazy("plan state", "Archived")


class StrategicPlan(DistrictOwned):
    title = models.CharField(
        pgettext_lazy("of a plan, priority or commitment", "title"),
        max_length=200,
        help_text=_("For example: Riverbend 2030."),
    )
    start_year = models.PositiveSmallIntegerField(_("first year"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("last year"), validators=YEAR_VALIDATORS)
    vision = models.TextField(
        _("vision"), blank=True, help_text=_("Where the district is headed, in a sentence or two.")
    )
    # District-entered text may carry a Spanish version beside the English (core.bilingual reads it).
    vision_es = models.TextField(_("vision in Spanish"), blank=True)
    mission = models.TextField(_("mission"), blank=True, help_text=_("What the district does every day to get there."))
    mission_es = models.TextField(_("mission in Spanish"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("started from")
    )
    activated_at = models.DateTimeField(pgettext_lazy("date of", "activated"), null=True, blank=True)
    archived_at = models.DateTimeField(pgettext_lazy("date of", "archived"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("date of", "created"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("date of", "updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_year", "title"]
        verbose_name = _("strategic plan")
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                condition=models.Q(state=PlanState.ACTIVE),
                name="plan_one_active_per_district",
                violation_error_message=_("This district already has an active plan."),
            ),
            models.UniqueConstraint(
                "district",
                Lower("title"),
                name="plan_title_unique_in_district",
                violation_error_message=_("Another plan already has this title."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="plan_period_ends_after_it_starts",
                violation_error_message=_("The last year can't be before the first year."),
            ),
        ]
        indexes = [models.Index(fields=["district", "state"], name="plan_district_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    @property
    def period(self) -> PlanPeriod:
        """When the plan runs: from the school year starting in `start_year` to the one ending in `end_year`."""
        return plan_period(self.start_year, self.end_year, self.district.school_year_start_month)

    @property
    def first_day(self) -> date:
        return self.period.first_day

    @property
    def last_day(self) -> date:
        return self.period.last_day

    @property
    def is_draft(self) -> bool:
        return self.state == PlanState.DRAFT

    @property
    def is_active(self) -> bool:
        return self.state == PlanState.ACTIVE

    @property
    def is_archived(self) -> bool:
        return self.state == PlanState.ARCHIVED


class Competency(DistrictOwned):
    """One competency of the plan's Portrait of a Graduate, in the plan's order."""

    plan = models.ForeignKey(
        StrategicPlan, on_delete=models.CASCADE, related_name="competencies", verbose_name=_("plan")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("For example: Collaborative problem-solver."))
    name_es = models.CharField(_("name in Spanish"), max_length=100, blank=True)
    description = models.CharField(
        _("description"), max_length=300, blank=True, help_text=_("One sentence on what this looks like in a graduate.")
    )
    description_es = models.CharField(_("description in Spanish"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint(
                "district",
                "plan",
                Lower("name"),
                name="competency_name_unique_in_plan",
                violation_error_message=_("The portrait already has a competency with this name."),
            ),
        ]
        indexes = [models.Index(fields=["district", "plan", "position"], name="competency_district_plan")]

    def __str__(self) -> str:
        return self.name
