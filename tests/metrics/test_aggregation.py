"""Each roll-up method on a hand-computed example, with a missing school and weights."""

from decimal import Decimal
from fractions import Fraction

import pytest

from metrics.aggregation import SchoolValue, aggregate, coverage_text, explain
from metrics.choices import Aggregation, Direction, Unit
from metrics.formatting import format_value, round_to, truncate_for_storage
from metrics.rules import meets_bar

D = Decimal  # short for readable tables of numbers

# Five schools; E (enrollment 2,000) has not reported. Counting it as zero would
# drag every method down, so each expected value below would be wrong.
REPORTED = [
    SchoolValue(school_id=1, value=D("90.0"), enrollment=400),  # A
    SchoolValue(school_id=2, value=D("80.0"), enrollment=100),  # B
    SchoolValue(school_id=3, value=D("85.0"), enrollment=500),  # C
    SchoolValue(school_id=4, value=D("60.0"), enrollment=1000),  # D
]
TOTAL_SCHOOLS = 5


def meets_80(value):
    return meets_bar(value, D("80"), Direction.HIGHER)


def run(method, values=REPORTED):
    return aggregate(method, values, total_schools=TOTAL_SCHOOLS, meets=meets_80)


def test_mean_of_reporting_schools_only():
    result = run(Aggregation.MEAN)
    assert result.value == Fraction(315, 4) == Fraction("78.75")  # (90 + 80 + 85 + 60) / 4, not / 5
    assert (result.reporting, result.total, result.missing) == (4, 5, 1)


def test_enrollment_weighted_mean_uses_recorded_enrollment():
    # (90×400 + 80×100 + 85×500 + 60×1000) / (400 + 100 + 500 + 1000) = 146500 / 2000
    result = run(Aggregation.WEIGHTED_MEAN)
    assert result.value == Fraction("73.25")
    assert result.numerator == 146500 and result.denominator == 2000


def test_weighted_mean_without_any_enrollment_has_no_value():
    result = run(Aggregation.WEIGHTED_MEAN, [SchoolValue(1, D("50"), 0)])
    assert result.value is None and result.reporting == 1
    assert "enrollment" in explain(Aggregation.WEIGHTED_MEAN, result, unit=Unit.PERCENT, decimals=1)


def test_sum_of_reporting_schools():
    assert run(Aggregation.SUM).value == 315


def test_median_even_and_odd():
    assert run(Aggregation.MEDIAN).value == Fraction("82.5")  # 60, 80 | 85, 90
    assert run(Aggregation.MEDIAN, REPORTED[:3]).value == 85  # 80, 85, 90


def test_share_of_schools_meeting_target():
    result = run(Aggregation.SHARE_MEETING_TARGET)
    assert result.meeting == 3  # A 90, B 80 (at the bar), C 85; D 60 misses
    assert result.value == 75  # 3 of 4 reporting, not 3 of 5


def test_nobody_reported():
    result = run(Aggregation.MEAN, [])
    assert result.value is None and result.reporting == 0 and result.missing == 5
    assert "never count as zero" in explain(Aggregation.MEAN, result, unit=Unit.PERCENT, decimals=1)


def test_exact_until_stored_then_truncated_so_display_rounding_matches_the_exact_value():
    third = run(Aggregation.MEAN, [SchoolValue(1, D("1"), 0), SchoolValue(2, D("0"), 0), SchoolValue(3, D("0"), 0)])
    assert third.value == Fraction(1, 3)
    assert truncate_for_storage(third.value) == D("0.333333")
    # 86.2149996… rounds to 86.21; rounding to 6 places first would have said 86.22.
    tricky = Fraction(862149996, 10**7)
    assert round_to(truncate_for_storage(tricky), 2) == round_to(tricky, 2) == D("86.21")
    assert round_to(truncate_for_storage(-tricky), 2) == D("-86.21")
    assert round_to(Fraction("86.215"), 2) == D("86.22")


@pytest.mark.parametrize(
    "method, fragment",
    [
        (Aggregation.MEAN, "The mean of the 4 reported school values: 315 ÷ 4 = 78.8%."),
        (Aggregation.WEIGHTED_MEAN, "146,500 ÷ 2,000 students = 73.3%."),
        (Aggregation.SUM, "The sum of the 4 reported school values: 315.0%."),
        (Aggregation.MEDIAN, "The middle value of the 4 reported school values: 82.5%."),
        (Aggregation.SHARE_MEETING_TARGET, "3 of the 4 reporting schools met the school target: 75.0%."),
    ],
)
def test_every_roll_up_is_explained_with_its_numbers(method, fragment):
    text = explain(method, run(method), unit=Unit.PERCENT, decimals=1)
    assert fragment in text
    assert "1 school without a value is left out, not counted as zero." in text


def test_missing_schools_are_named_in_the_plural_when_more_than_one():
    text = explain(
        Aggregation.MEAN,
        aggregate(Aggregation.MEAN, REPORTED[:2], total_schools=5, meets=meets_80),
        unit=Unit.PERCENT,
        decimals=1,
    )
    assert "3 schools without a value are left out, not counted as zero." in text


def test_coverage_in_words():
    assert coverage_text(run(Aggregation.MEAN)) == "4 of 5 schools reported"


def test_formatting_by_unit():
    assert format_value(D("92.45"), Unit.PERCENT, 1) == "92.5%"
    assert format_value(D("1234"), Unit.COUNT, 0) == "1,234"
    assert format_value(D("-1234.5"), Unit.CURRENCY, 2) == "-$1,234.50"
    assert format_value(D("12.25"), Unit.DAYS, 1) == "12.3 days"
    assert format_value(None, Unit.SCORE, 1) == "—"
    assert format_value(D("-0.01"), Unit.SCORE, 1) == "0.0"
