"""The rules of a metric, free of the database: valid ranges, the target trajectory, status.

Status against target (shown to users in words by `status_rule_text`):

* The trajectory is the straight line from the baseline (value, date) to the
  final target (value, date); before the baseline date it is the baseline,
  after the target date the target.
* A value is judged at the last day of its period. It is **on track** when it
  meets the trajectory there (at or above it when higher is better, at or
  below when lower is better); **at risk** when it misses by no more than the
  district's tolerance, a share of the whole planned change
  |target − baseline|; **off track** when it misses by more. Both boundaries
  belong to the better status.

All comparisons are exact (fractions of decimals), never floats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .choices import Aggregation, Direction, Status, Unit
from .formatting import format_difference, format_value

# --- Valid ranges ---------------------------------------------------------------

# The widest range each unit allows; a metric may narrow it with valid_min / valid_max.
UNIT_LIMITS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    Unit.PERCENT: (Decimal(0), Decimal(100)),
    Unit.COUNT: (Decimal(0), None),
    Unit.DAYS: (Decimal(0), None),
    Unit.SCORE: (None, None),
    Unit.CURRENCY: (None, None),
}
WHOLE_NUMBER_UNITS = frozenset({Unit.COUNT})
# What a stored value can hold (DecimalField max_digits=18, decimal_places=6).
MAX_ABS_VALUE = Decimal("999999999999.999999")
MAX_VALUE_PLACES = 6


@dataclass(frozen=True)
class ValueRange:
    minimum: Decimal | None
    maximum: Decimal | None
    whole_numbers: bool
    unit: str
    decimals: int

    def contains(self, value: Decimal) -> bool:
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)

    def describe(self) -> str:
        low = format_value(self.minimum, self.unit, self.decimals) if self.minimum is not None else None
        high = format_value(self.maximum, self.unit, self.decimals) if self.maximum is not None else None
        if low is not None and high is not None:
            text = _("%(low)s to %(high)s") % {"low": low, "high": high}
        elif low is not None:
            text = _("%(low)s or more") % {"low": low}
        elif high is not None:
            text = _("%(high)s or less") % {"high": high}
        else:
            text = _("any number")
        if self.whole_numbers:
            text = _("whole numbers, %(range)s") % {"range": text}
        return text

    def problem(self, value: Decimal) -> str | None:
        """A message naming the value and the allowed range, or None when the value is allowed."""
        if not value.is_finite():
            return _("“%(value)s” isn't a number.") % {"value": value}
        if abs(value) > MAX_ABS_VALUE:
            return _("%(value)s is too large to store.") % {"value": value}
        if value != value.quantize(Decimal(1).scaleb(-MAX_VALUE_PLACES)):
            return _("%(value)s has more than %(places)s decimal places.") % {
                "value": value,
                "places": MAX_VALUE_PLACES,
            }
        if self.whole_numbers and value != value.to_integral_value():
            return _("%(value)s isn't allowed: this metric counts whole numbers (%(range)s).") % {
                "value": _plain(value),
                "range": self.describe(),
            }
        if not self.contains(value):
            return _("%(value)s is outside the allowed range for this metric: %(range)s.") % {
                "value": _plain(value),
                "range": self.describe(),
            }
        return None


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return text


def unit_limits(unit: str) -> tuple[Decimal | None, Decimal | None]:
    return UNIT_LIMITS.get(unit, (None, None))


def value_range(unit: str, decimals: int, valid_min: Decimal | None, valid_max: Decimal | None) -> ValueRange:
    """The range a metric accepts: its own limits within the unit's."""
    low, high = unit_limits(unit)
    if valid_min is not None:
        low = valid_min if low is None else max(low, valid_min)
    if valid_max is not None:
        high = valid_max if high is None else min(high, valid_max)
    return ValueRange(minimum=low, maximum=high, whole_numbers=unit in WHOLE_NUMBER_UNITS, unit=unit, decimals=decimals)


def range_settings_problems(
    unit: str, decimals: int, valid_min: Decimal | None, valid_max: Decimal | None
) -> dict[str, str]:
    """Field messages when a metric's own limits contradict its unit or each other."""
    problems: dict[str, str] = {}
    low, high = unit_limits(unit)
    widest = ValueRange(low, high, False, unit, decimals).describe()
    unit_label = Unit(unit).label if unit in Unit.values else unit
    if valid_min is not None and ((low is not None and valid_min < low) or (high is not None and valid_min > high)):
        problems["valid_min"] = _("The lowest allowed value must be within %(range)s for %(unit)s.") % {
            "range": widest,
            "unit": str(unit_label).lower(),
        }
    if valid_max is not None and ((low is not None and valid_max < low) or (high is not None and valid_max > high)):
        problems["valid_max"] = _("The highest allowed value must be within %(range)s for %(unit)s.") % {
            "range": widest,
            "unit": str(unit_label).lower(),
        }
    if valid_min is not None and valid_max is not None and valid_min >= valid_max and "valid_max" not in problems:
        problems["valid_max"] = _("The highest allowed value must be above the lowest (%(low)s).") % {
            "low": format_value(valid_min, unit, decimals)
        }
    return problems


# --- Trajectory and status ---------------------------------------------------------


@dataclass(frozen=True)
class Trajectory:
    baseline_value: Decimal
    baseline_date: date
    target_value: Decimal
    target_date: date
    direction: str

    def expected_at(self, day: date) -> Fraction:
        """The value the straight line from baseline to target reaches on `day` (exact)."""
        start, end = Fraction(self.baseline_value), Fraction(self.target_value)
        if day <= self.baseline_date:
            return start
        if day >= self.target_date:
            return end
        elapsed = day.toordinal() - self.baseline_date.toordinal()
        total = self.target_date.toordinal() - self.baseline_date.toordinal()
        return start + (end - start) * Fraction(elapsed, total)

    @property
    def planned_change(self) -> Fraction:
        return abs(Fraction(self.target_value) - Fraction(self.baseline_value))

    def tolerance(self, tolerance_percent: Decimal) -> Fraction:
        """How far a value may miss the trajectory and still be "at risk" rather than "off track"."""
        return self.planned_change * Fraction(tolerance_percent) / 100

    def status(self, value: Decimal | Fraction | None, day: date, tolerance_percent: Decimal) -> Status:
        return self.judge(day, tolerance_percent)(value)

    def judge(self, day: date, tolerance_percent: Decimal) -> Callable[[Decimal | Fraction | None], Status]:
        """The status of any value on `day`, with the line and the band worked out once (for many schools)."""
        expected = self.expected_at(day)
        band = self.tolerance(tolerance_percent)
        lower = self.direction == Direction.LOWER

        def status(value: Decimal | Fraction | None) -> Status:
            if value is None:
                return Status.NO_DATA
            shortfall = (Fraction(value) - expected) if lower else (expected - Fraction(value))
            if shortfall <= 0:
                return Status.ON_TRACK
            if shortfall <= band:
                return Status.AT_RISK
            return Status.OFF_TRACK

        return status


def meets_bar(value: Decimal | Fraction, bar: Decimal, direction: str) -> bool:
    """Does a school's value reach a fixed bar (the school target of a share metric)?"""
    if direction == Direction.LOWER:
        return Fraction(value) <= Fraction(bar)
    return Fraction(value) >= Fraction(bar)


@dataclass(frozen=True)
class RuleDescription:
    """What a metric's statuses mean, in words, for the page and the chart's text alternative."""

    trajectory: str
    on_track: str  # each status's condition, without its name: "At or above the line (higher is better)."
    at_risk: str  # "" when the district's tolerance leaves no at-risk band
    off_track: str
    school_bar: str  # share metrics: when a school meets its target; "" otherwise

    @property
    def sentences(self) -> list[str]:
        """The whole rule as sentences, each status named in words."""
        labelled = [
            f"{Status(status).label}: {phrase[:1].lower()}{phrase[1:]}"
            for status, phrase in (
                (Status.ON_TRACK, self.on_track),
                (Status.AT_RISK, self.at_risk),
                (Status.OFF_TRACK, self.off_track),
            )
            if phrase
        ]
        return [s for s in (self.trajectory, *labelled, self.school_bar) if s]


def describe_rule(
    *,
    trajectory: Trajectory,
    unit: str,
    decimals: int,
    tolerance_percent: Decimal,
    district_unit: str | None = None,
    aggregation: str = "",
    school_target_value: Decimal | None = None,
) -> RuleDescription:
    """The status rule in words. `district_unit` is the unit of the district value when it differs (share metrics)."""
    shown_unit = district_unit or unit
    higher = trajectory.direction != Direction.LOWER
    baseline = format_value(trajectory.baseline_value, shown_unit, decimals)
    target = format_value(trajectory.target_value, shown_unit, decimals)
    band = trajectory.tolerance(tolerance_percent)
    line = _(
        "The target line runs straight from the baseline, %(baseline)s on %(baseline_date)s, "
        "to the target, %(target)s by %(target_date)s. Each value is compared with the line at the end of its period."
    ) % {
        "baseline": baseline,
        "baseline_date": date_format(trajectory.baseline_date, "DATE_FORMAT"),
        "target": target,
        "target_date": date_format(trajectory.target_date, "DATE_FORMAT"),
    }
    on_track = _("At or above the line (higher is better).") if higher else _("At or below the line (lower is better).")
    if band > 0:
        missed = format_difference(band, shown_unit, decimals)
        share = format_value(tolerance_percent, Unit.PERCENT, 0)
        at_risk = (
            _("Below the line by no more than %(band)s (%(share)s of the planned change).")
            if higher
            else _("Above the line by no more than %(band)s (%(share)s of the planned change).")
        ) % {"band": missed, "share": share}
        off_track = (
            _("Below the line by more than %(band)s.") if higher else _("Above the line by more than %(band)s.")
        ) % {"band": missed}
    else:
        at_risk = ""
        off_track = _("Any value below the line.") if higher else _("Any value above the line.")
    school_bar = ""
    if aggregation == Aggregation.SHARE_MEETING_TARGET and school_target_value is not None:
        bar = format_value(school_target_value, unit, decimals)
        school_bar = (
            _("A school meets the school target when its value is %(bar)s or higher.")
            if higher
            else _("A school meets the school target when its value is %(bar)s or lower.")
        ) % {"bar": bar}
    return RuleDescription(
        trajectory=line, on_track=on_track, at_risk=at_risk, off_track=off_track, school_bar=school_bar
    )
