"""Measures of success for a priority, their values by school and district, and stored roll-ups.

* `Metric`: the definition (unit, direction, baseline, final target, how
  school values roll up). Interim targets per school year are
  `MetricInterimTarget` rows.
* `MetricValue`: one value per (metric, school or district, period). The
  uniqueness is two partial unique constraints, one for school values and
  one for district values (school is null), so it holds on PostgreSQL and
  SQLite alike. A second value for the same key updates the row; the
  history table keeps every earlier value.
* `MetricRollup`: the district value of a metric for a period, with its
  coverage and status, recomputed exactly in the same transaction as the
  value writes (metrics.rollups). Dashboards read these rows and nothing else.

Every row carries its district; every unique constraint and main index starts with it.
"""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from districts.models import DistrictOwned, ImportBatch, Membership, School
from priorities.models import Priority

from .aggregation import district_unit
from .choices import Aggregation, Direction, Frequency, Kind, Level, Source, Status, Unit, ValueSource
from .periods import format_period, period_code, period_end
from .rules import Trajectory, ValueRange, value_range

VALUE_DIGITS = {"max_digits": 18, "decimal_places": 6}
ROLLUP_DIGITS = {"max_digits": 24, "decimal_places": 6}


class Metric(DistrictOwned):
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="metrics")
    name = models.CharField(max_length=200, help_text=_("Short and specific, e.g. “Chronic absenteeism rate”."))
    # District-entered text may carry a Spanish version beside the English (core.bilingual reads it).
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)
    definition = models.TextField(help_text=_("What exactly is measured, of whom, and where the number comes from."))
    definition_es = models.TextField(_("definition in Spanish"), blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.PERCENT)
    decimals = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
        help_text=_("Decimal places shown (values are stored as entered)."),
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.DecimalField(_("baseline"), **VALUE_DIGITS)
    baseline_date = models.DateField(_("baseline date"))
    target_value = models.DecimalField(_("final target"), **VALUE_DIGITS)
    target_date = models.DateField(_("target date"))
    kind = models.CharField(_("leading or lagging"), max_length=10, choices=Kind.choices, default=Kind.LAGGING)
    level = models.CharField(_("reported"), max_length=10, choices=Level.choices, default=Level.SCHOOL)
    school_levels = models.JSONField(
        _("applies to school levels"),
        default=list,
        blank=True,
        help_text=_("Leave empty for every school; e.g. only high schools for a graduation rate."),
    )
    source = models.CharField(_("values come from"), max_length=20, choices=Source.choices, default=Source.IMPORT)
    aggregation = models.CharField(
        _("district value"), max_length=30, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    school_target_value = models.DecimalField(
        _("school target"),
        null=True,
        blank=True,
        **VALUE_DIGITS,
        help_text=_("For “share of schools meeting the school target”: the value each school should reach."),
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    valid_min = models.DecimalField(_("lowest allowed value"), null=True, blank=True, **VALUE_DIGITS)
    valid_max = models.DecimalField(_("highest allowed value"), null=True, blank=True, **VALUE_DIGITS)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                "district",
                "priority",
                Lower("name"),
                name="metric_name_unique_in_priority",
                violation_error_message=_("This priority already has a metric with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(target_date__gt=models.F("baseline_date")),
                name="metric_target_after_baseline",
                violation_error_message=_("The target date must be after the baseline date."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_min__isnull=True)
                | models.Q(valid_max__isnull=True)
                | models.Q(valid_max__gt=models.F("valid_min")),
                name="metric_valid_range_ordered",
                violation_error_message=_("The highest allowed value must be above the lowest."),
            ),
        ]
        indexes = [models.Index(fields=["district", "priority", "position"], name="metric_district_priority")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_school_level(self) -> bool:
        return self.level == Level.SCHOOL

    @property
    def trajectory(self) -> Trajectory:
        return Trajectory(
            baseline_value=self.baseline_value,
            baseline_date=self.baseline_date,
            target_value=self.target_value,
            target_date=self.target_date,
            direction=self.direction,
        )

    @property
    def valid_range(self) -> ValueRange:
        return value_range(self.unit, self.decimals, self.valid_min, self.valid_max)

    @property
    def district_unit(self) -> str:
        """The unit of the district value (a share of schools is a percent)."""
        return district_unit(self.aggregation, self.unit) if self.is_school_level else self.unit

    @property
    def uses_school_target(self) -> bool:
        return self.is_school_level and self.aggregation == Aggregation.SHARE_MEETING_TARGET

    def period_code(self, period: date) -> str:
        return period_code(period, self.frequency)

    def period_label(self, period: date) -> str:
        return format_period(period, self.frequency, self.district.school_year_start_month)

    def period_end(self, period: date) -> date:
        return period_end(period, self.frequency)


class MetricInterimTarget(DistrictOwned):
    """A milestone on the way: the value the district aims for by the end of one school year."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="interim_targets")
    school_year = models.PositiveSmallIntegerField(
        help_text=_("The year the school year starts in: 2025 for 2025–26."),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    value = models.DecimalField(**VALUE_DIGITS)

    history = HistoricalRecords()

    class Meta:
        ordering = ["school_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "metric", "school_year"],
                name="metric_interim_unique_year",
                violation_error_message=_("This school year already has an interim target."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.school_year}: {self.value}"


class MetricValue(DistrictOwned):
    """One value for a metric, a school (or the whole district when `school` is empty) and a period."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="values")
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.DateField(help_text=_("First day of the month, or of the school year."))
    value = models.DecimalField(**VALUE_DIGITS)
    source = models.CharField(max_length=20, choices=ValueSource.choices, default=ValueSource.FORM)
    note = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The value's own judgement (metrics.rollups.value_judgement): kept exact with its roll-up wherever that is
    # recomputed (a value written, a definition, the schools or the tolerance changed), so the metric page reads
    # and sorts it in SQL instead of judging every school on every request. Not history: derived.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NO_DATA, db_default=Status.NO_DATA)
    meets_target = models.BooleanField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["status", "meets_target"])

    class Meta:
        ordering = ["period", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "metric", "school", "period"],
                condition=models.Q(school__isnull=False),
                name="metric_value_unique_school_period",
            ),
            models.UniqueConstraint(
                fields=["district", "metric", "period"],
                condition=models.Q(school__isnull=True),
                name="metric_value_unique_district_period",
            ),
        ]
        indexes = [
            # The roll-up and the metric page read every school's value for a (metric, period).
            models.Index(fields=["district", "metric", "period"], name="metric_value_metric_period"),
            # A school's own values across metrics (principal pages, check-ins).
            models.Index(fields=["district", "school", "period"], name="metric_value_school_period"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.school_id or 'district'} {self.period}: {self.value}"


class MetricRollup(DistrictOwned):
    """The district value of a metric for a period: derived from MetricValue, never edited by hand.

    For a school-level metric, `value` is the roll-up of the schools that
    reported (none missing counted as zero) and `reporting_schools` of
    `total_schools` is its coverage; for a district-only metric it is the
    district value itself. `status` compares it with the target trajectory.
    """

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="rollups")
    period = models.DateField()
    # Exact value truncated at six places (see metrics.formatting.truncate_for_storage).
    value = models.DecimalField(null=True, blank=True, **ROLLUP_DIGITS)
    reporting_schools = models.PositiveIntegerField(default=0)
    total_schools = models.PositiveIntegerField(default=0)
    meeting_target = models.PositiveIntegerField(default=0, help_text=_("Reporting schools that meet their target."))
    expected_value = models.DecimalField(null=True, blank=True, **ROLLUP_DIGITS)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NO_DATA)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["district", "metric", "period"], name="metric_rollup_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.period}: {self.value}"

    @property
    def has_value(self) -> bool:
        return self.value is not None
