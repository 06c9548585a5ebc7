"""How far a metric's dates and its values' periods may reach: tied to the plan the metric belongs to.

A metric measures a plan, so its dates stay near the plan's period (core.calendar, one meaning
everywhere: a 2025–2030 plan runs from the start of school year 2025–26 to the end of 2029–30):

* the baseline date may lie up to `BASELINE_SCHOOL_YEARS` school years before the plan starts
  (a baseline is the last full year of data before a plan, and plans are often adopted a year
  late), and no later than the plan's last day;
* the target date lies within the plan's period;
* every value's period lies in the metric's window: from the start of the earliest school year a
  baseline may fall in to the plan's last day (so the years leading up to the plan can be entered).

The forms, the services and the values import all ask these functions; a plan whose years change
asks `outside_plan_period` (registered in plans.extensions.plan_period_checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.calendar import plan_period, school_year_start

BASELINE_SCHOOL_YEARS = 2  # how many school years before its plan starts a baseline (and a value) may be


@dataclass(frozen=True)
class MetricWindow:
    """The days a metric of a plan may name: `first_day` (earliest baseline or value) to `last_day` (plan end)."""

    first_day: date
    plan_first_day: date
    last_day: date

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def clamp(self, day: date) -> date:
        return min(max(day, self.first_day), self.last_day)


def window_of_plan(plan: object, start_month: int | None = None) -> MetricWindow:
    """The window of every metric of `plan` (a plans.models.StrategicPlan); pass the district's
    `school_year_start_month` when at hand, so the plan's district isn't read."""
    period = (
        plan.period  # type: ignore[attr-defined]
        if start_month is None
        else plan_period(plan.start_year, plan.end_year, start_month)  # type: ignore[attr-defined]
    )
    return MetricWindow(
        first_day=school_year_start(period.start_year - BASELINE_SCHOOL_YEARS, period.start_month),
        plan_first_day=period.first_day,
        last_day=period.last_day,
    )


def _day(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def definition_date_problems(
    window: MetricWindow, *, baseline_date: date | None, target_date: date | None
) -> dict[str, str]:
    """Field messages for a baseline or target date outside the plan's window ({} when both fit)."""
    problems: dict[str, str] = {}
    if baseline_date is not None and not window.contains(baseline_date):
        problems["baseline_date"] = _(
            "The baseline date must fall between %(first)s (up to %(years)s school years before the plan starts) "
            "and the plan's last day, %(last)s."
        ) % {"first": _day(window.first_day), "years": BASELINE_SCHOOL_YEARS, "last": _day(window.last_day)}
    if target_date is not None and not window.plan_first_day <= target_date <= window.last_day:
        problems["target_date"] = _("The target date must fall within the plan: %(first)s to %(last)s.") % {
            "first": _day(window.plan_first_day),
            "last": _day(window.last_day),
        }
    return problems


def period_problem(window: MetricWindow, period: date, label: str) -> str:
    """A message when a value's period (its first day) lies outside the window, else ""."""
    if window.first_day <= period <= window.last_day:
        return ""
    return _("%(period)s is outside this metric's plan: values can be entered from %(first)s to %(last)s.") % {
        "period": label,
        "first": _day(window.first_day),
        "last": _day(window.last_day),
    }


def outside_plan_period(plan: object) -> dict[str, str]:
    """A plan's new years must still hold its metrics' dates and values: field errors naming how many don't.

    Registered in plans.extensions.plan_period_checks (MetricsConfig.ready); the plan is not saved yet.
    """
    from .models import Metric, MetricValue

    window = window_of_plan(plan)
    district_id = plan.district_id  # type: ignore[attr-defined]
    metrics = Metric.objects.filter(district_id=district_id, priority__plan=plan)
    values = MetricValue.objects.filter(district_id=district_id, metric__priority__plan=plan)
    early_metrics = metrics.filter(baseline_date__lt=window.first_day).count()
    early_values = values.filter(period__lt=window.first_day).count()
    late_metrics = metrics.filter(target_date__gt=window.last_day).count()  # the baseline precedes the target
    late_targets = metrics.filter(target_date__lt=window.plan_first_day).count()
    late_values = values.filter(period__gt=window.last_day).count()
    errors: dict[str, list[str]] = {}
    if early_metrics or early_values or late_targets:
        parts = []
        if early_metrics:
            parts.append(
                ngettext(
                    "%(count)s metric has its baseline more than %(years)s school years before the plan would start",
                    "%(count)s metrics have their baselines more than %(years)s school years before the plan would "
                    "start",
                    early_metrics,
                )
                % {"count": early_metrics, "years": BASELINE_SCHOOL_YEARS}
            )
        if late_targets:
            parts.append(
                ngettext(
                    "%(count)s metric has its target date before the plan would start",
                    "%(count)s metrics have their target dates before the plan would start",
                    late_targets,
                )
                % {"count": late_targets}
            )
        if early_values:
            parts.append(
                ngettext(
                    "%(count)s value is for a period before %(first)s",
                    "%(count)s values are for periods before %(first)s",
                    early_values,
                )
                % {"count": number_format(early_values, force_grouping=True), "first": _day(window.first_day)}
            )
        errors["start_year"] = parts
    if late_metrics or late_values:
        parts = []
        if late_metrics:
            parts.append(
                ngettext(
                    "%(count)s metric has its target date after the plan would end (%(last)s)",
                    "%(count)s metrics have their target dates after the plan would end (%(last)s)",
                    late_metrics,
                )
                % {"count": late_metrics, "last": _day(window.last_day)}
            )
        if late_values:
            parts.append(
                ngettext(
                    "%(count)s value is for a period after the plan would end (%(last)s)",
                    "%(count)s values are for periods after the plan would end (%(last)s)",
                    late_values,
                )
                % {"count": number_format(late_values, force_grouping=True), "last": _day(window.last_day)}
            )
        errors["end_year"] = parts
    return {
        name: "; ".join(parts) + ". " + _("Change the metrics' dates, or delete those values, first.")
        for name, parts in errors.items()
    }
