"""Roll-ups of school values to a district value, computed exactly.

Only schools that reported count: a missing school is left out, never taken
as zero, and the coverage ("12 of 14 schools reported") says how much of the
district the value covers. Arithmetic is on fractions of the stored
decimals, so a mean of 1/3 is exactly 1/3 until it is stored or shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation, Rounded, localcontext
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import Aggregation, Unit
from .formatting import format_value, plain_number, to_decimal


@dataclass(frozen=True)
class SchoolValue:
    school_id: int
    value: Decimal
    enrollment: int = 0


@dataclass(frozen=True)
class RollupResult:
    value: Fraction | None  # None when no school reported (or no reporting school has enrollment, for weights)
    reporting: int  # schools with a value for the period
    total: int  # schools the metric applies to
    meeting: int  # reporting schools that meet the target (trajectory or school target)
    numerator: Fraction  # sum of values, weighted sum, or meeting count: for the explanation
    denominator: Fraction  # reporting count or total enrollment of reporting schools

    @property
    def missing(self) -> int:
        return max(self.total - self.reporting, 0)


# Sums of stored decimals (at most 18 digits, times enrollments) never need 80 digits;
# the traps turn any rounding into an error instead of a silently wrong roll-up.
EXACT = Context(prec=80, traps=[Inexact, Rounded, InvalidOperation])


def exact_sum(numbers: Iterable[Decimal]) -> Fraction:
    """The exact sum of decimals (decimal addition is exact at enough precision; far faster than fractions)."""
    with localcontext(EXACT):
        return Fraction(sum(numbers, Decimal(0)))


def median_of(values: Iterable[Decimal]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return (Fraction(ordered[middle - 1]) + Fraction(ordered[middle])) / 2


def rollup_of(
    method: str,
    *,
    reporting: int,
    meeting: int,
    total_schools: int,
    total: Callable[[], Fraction],
    weighted: Callable[[], tuple[Fraction, Fraction]],
    median: Callable[[], Fraction],
) -> RollupResult:
    """The district value by `method`, from the reporting schools' sums.

    The sums are asked for only as the method needs them: `total()` the sum of values,
    `weighted()` (sum of value × enrollment, sum of enrollment), `median()` the middle
    value. The stored roll-ups give them from Python (`aggregate`), the metric page's
    explanation from SQL; this is the one place that turns them into a value.
    """
    numerator: Fraction = Fraction(0)
    denominator: Fraction = Fraction(reporting)
    value: Fraction | None = None
    if reporting:
        if method == Aggregation.SUM:
            numerator, denominator = total(), Fraction(1)
            value = numerator
        elif method == Aggregation.MEDIAN:
            value = median()
            numerator, denominator = value, Fraction(1)
        elif method == Aggregation.WEIGHTED_MEAN:
            numerator, denominator = weighted()
            value = numerator / denominator if denominator else None
        elif method == Aggregation.SHARE_MEETING_TARGET:
            numerator = Fraction(meeting)
            value = numerator * 100 / reporting
        else:  # mean
            numerator = total()
            value = numerator / reporting
    return RollupResult(
        value=value,
        reporting=reporting,
        total=total_schools,
        meeting=meeting,
        numerator=numerator,
        denominator=denominator,
    )


def aggregate(
    method: str,
    values: Sequence[SchoolValue],
    *,
    total_schools: int,
    meets: Callable[[Decimal], bool],
) -> RollupResult:
    """The district value of one period from the schools that reported.

    `meets(value)` says whether a school's value meets its target; it feeds
    the share method and the "meeting target" count every roll-up keeps.
    """

    def weighted() -> tuple[Fraction, Fraction]:
        with localcontext(EXACT):
            numerator = exact_sum(v.value * v.enrollment for v in values)
        return numerator, Fraction(sum(v.enrollment for v in values))

    return rollup_of(
        method,
        reporting=len(values),
        meeting=sum(1 for v in values if meets(v.value)),
        total_schools=total_schools,
        total=lambda: exact_sum(v.value for v in values),
        weighted=weighted,
        median=lambda: median_of(v.value for v in values),
    )


def district_unit(method: str, unit: str) -> str:
    """The unit of the district value: a share of schools is a percent whatever the school unit."""
    return Unit.PERCENT if method == Aggregation.SHARE_MEETING_TARGET else unit


def exact_number(number: Fraction) -> str:
    """A sum of decimals written out in full: 1110.500000 → "1,110.5"."""
    normalized = to_decimal(number).normalize()
    return number_format(normalized, use_l10n=True, force_grouping=True)  # every digit, the language's separators


def coverage_text(result: RollupResult) -> str:
    if result.total == 0:
        return _("No schools this metric applies to.")
    return _("%(reporting)s of %(total)s schools reported") % {"reporting": result.reporting, "total": result.total}


def explain(method: str, result: RollupResult, *, unit: str, decimals: int) -> str:
    """How the district value was computed, in words, with the numbers that went in."""
    if result.reporting == 0:
        return _(
            "No school has reported for this period, so there is no district value. "
            "Missing schools never count as zero."
        )
    shown = format_value(result.value, district_unit(method, unit), decimals) if result.value is not None else "—"
    if method == Aggregation.SUM:
        text = _("The sum of the %(n)s reported school values: %(value)s.") % {"n": result.reporting, "value": shown}
    elif method == Aggregation.MEDIAN:
        text = _("The middle value of the %(n)s reported school values: %(value)s.") % {
            "n": result.reporting,
            "value": shown,
        }
    elif method == Aggregation.WEIGHTED_MEAN:
        if result.value is None:
            return _(
                "None of the reporting schools has an enrollment recorded, so the weighted mean can't be computed."
            )
        text = _(
            "Each reported school value is weighted by the school's recorded enrollment: "
            "%(numerator)s ÷ %(students)s students = %(value)s."
        ) % {
            "numerator": exact_number(result.numerator),
            "students": plain_number(result.denominator, 0),
            "value": shown,
        }
    elif method == Aggregation.SHARE_MEETING_TARGET:
        text = _("%(meeting)s of the %(n)s reporting schools met the school target: %(value)s.") % {
            "meeting": result.meeting,
            "n": result.reporting,
            "value": shown,
        }
    else:
        text = _("The mean of the %(n)s reported school values: %(sum)s ÷ %(n)s = %(value)s.") % {
            "n": result.reporting,
            "sum": exact_number(result.numerator),
            "value": shown,
        }
    if result.missing:
        text += " " + ngettext(
            "%(missing)s school without a value is left out, not counted as zero.",
            "%(missing)s schools without a value are left out, not counted as zero.",
            result.missing,
        ) % {"missing": result.missing}
    return text
