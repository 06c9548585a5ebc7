"""Status against target on both directions and at the boundaries; valid ranges."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from metrics.choices import Aggregation, Direction, Status, Unit
from metrics.rules import Trajectory, describe_rule, meets_bar, range_settings_problems, value_range

D = Decimal  # short for readable tables of numbers

# 366 days from baseline to target (2024 is a leap year) and a change of 366:
# the trajectory gains exactly one unit a day, so expected values are easy to check.
BASELINE_DAY = date(2024, 1, 1)
TARGET_DAY = date(2025, 1, 1)
HALFWAY = BASELINE_DAY + timedelta(days=183)  # expected 183 (higher) / 183 (lower)
TEN_PERCENT = D("10")  # tolerance band: 36.6


def rising() -> Trajectory:
    return Trajectory(D("0"), BASELINE_DAY, D("366"), TARGET_DAY, Direction.HIGHER)


def falling() -> Trajectory:
    return Trajectory(D("366"), BASELINE_DAY, D("0"), TARGET_DAY, Direction.LOWER)


def test_trajectory_is_a_straight_line_clamped_at_both_ends():
    line = rising()
    assert line.expected_at(BASELINE_DAY - timedelta(days=30)) == 0
    assert line.expected_at(BASELINE_DAY) == 0
    assert line.expected_at(BASELINE_DAY + timedelta(days=1)) == 1
    assert line.expected_at(HALFWAY) == 183
    assert line.expected_at(TARGET_DAY) == 366
    assert line.expected_at(TARGET_DAY + timedelta(days=400)) == 366


def test_trajectory_is_exact_not_float():
    line = Trajectory(D("0"), date(2024, 1, 1), D("1"), date(2024, 1, 4), Direction.HIGHER)
    assert line.expected_at(date(2024, 1, 2)) == Fraction(1, 3)


@pytest.mark.parametrize(
    "value, status",
    [
        (D("400"), Status.ON_TRACK),
        (D("183"), Status.ON_TRACK),  # exactly on the line: on track
        (D("182.99"), Status.AT_RISK),
        (D("146.4"), Status.AT_RISK),  # exactly the tolerance below: still at risk
        (D("146.39"), Status.OFF_TRACK),
        (D("0"), Status.OFF_TRACK),
        (None, Status.NO_DATA),
    ],
)
def test_status_when_higher_is_better(value, status):
    assert rising().status(value, HALFWAY, TEN_PERCENT) == status


@pytest.mark.parametrize(
    "value, status",
    [
        (D("0"), Status.ON_TRACK),
        (D("183"), Status.ON_TRACK),  # exactly on the line
        (D("183.01"), Status.AT_RISK),
        (D("219.6"), Status.AT_RISK),  # exactly the tolerance above
        (D("219.61"), Status.OFF_TRACK),
        (D("366"), Status.OFF_TRACK),
    ],
)
def test_status_when_lower_is_better(value, status):
    assert falling().status(value, HALFWAY, TEN_PERCENT) == status


def test_status_after_the_target_date_compares_with_the_target():
    line = rising()
    later = TARGET_DAY + timedelta(days=90)
    assert line.status(D("366"), later, TEN_PERCENT) == Status.ON_TRACK
    assert line.status(D("365"), later, TEN_PERCENT) == Status.AT_RISK


def test_zero_tolerance_has_no_at_risk_band():
    assert rising().status(D("182.999"), HALFWAY, D("0")) == Status.OFF_TRACK
    assert rising().status(D("183"), HALFWAY, D("0")) == Status.ON_TRACK


def test_a_school_bar_respects_direction():
    assert meets_bar(D("90"), D("90"), Direction.HIGHER)
    assert not meets_bar(D("89.9"), D("90"), Direction.HIGHER)
    assert meets_bar(D("10"), D("10"), Direction.LOWER)
    assert not meets_bar(D("10.1"), D("10"), Direction.LOWER)


def test_the_rule_in_words_names_the_numbers():
    line = Trajectory(D("62"), date(2024, 6, 30), D("75"), date(2028, 6, 30), Direction.HIGHER)
    rule = describe_rule(trajectory=line, unit=Unit.PERCENT, decimals=1, tolerance_percent=D("10"))
    text = " ".join(rule.sentences)
    assert "62.0% on June 30, 2024" in text
    assert "75.0% by June 30, 2028" in text
    assert "at or above the line" in text
    assert "no more than 1.3 percentage points (10% of the planned change)" in text
    lower = describe_rule(
        trajectory=Trajectory(D("20"), date(2024, 6, 30), D("10"), date(2028, 6, 30), Direction.LOWER),
        unit=Unit.PERCENT,
        decimals=0,
        tolerance_percent=D("10"),
        district_unit=Unit.PERCENT,
        aggregation=Aggregation.SHARE_MEETING_TARGET,
        school_target_value=D("12"),
    )
    assert lower.on_track == "At or below the line (lower is better)."
    assert "On track: at or below the line (lower is better)." in lower.sentences
    assert "12% or lower" in lower.school_bar


# --- Valid ranges -------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit, value, fragment",
    [
        (Unit.PERCENT, D("100.5"), "100.5 is outside the allowed range for this metric: 0.0% to 100.0%."),
        (Unit.PERCENT, D("-1"), "-1 is outside the allowed range for this metric: 0.0% to 100.0%."),
        (Unit.COUNT, D("-3"), "-3 is outside the allowed range for this metric: whole numbers, 0.0 or more."),
        (Unit.COUNT, D("2.5"), "2.5 isn't allowed: this metric counts whole numbers"),
        (Unit.DAYS, D("-0.5"), "-0.5 is outside the allowed range for this metric: 0.0 days or more."),
        (Unit.SCORE, D("1.0000001"), "more than 6 decimal places"),
        (Unit.CURRENCY, D("1e13"), "too large"),
    ],
)
def test_values_outside_the_unit_range_are_refused_naming_value_and_range(unit, value, fragment):
    problem = value_range(unit, 1, None, None).problem(value)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    "unit, value",
    [
        (Unit.PERCENT, D("0")),
        (Unit.PERCENT, D("100")),
        (Unit.COUNT, D("0")),
        (Unit.COUNT, D("12.000")),
        (Unit.SCORE, D("-40")),
        (Unit.CURRENCY, D("-1500.25")),
        (Unit.DAYS, D("3.5")),
    ],
)
def test_values_inside_the_unit_range_are_accepted(unit, value):
    assert value_range(unit, 1, None, None).problem(value) is None


def test_a_metric_narrows_the_range_of_its_unit():
    scores = value_range(Unit.SCORE, 0, D("100"), D("300"))
    assert scores.problem(D("100")) is None and scores.problem(D("300")) is None
    assert scores.problem(D("301")) == "301 is outside the allowed range for this metric: 100 to 300."
    percent = value_range(Unit.PERCENT, 0, None, D("50"))
    assert percent.describe() == "0% to 50%"


def test_range_settings_must_agree_with_the_unit_and_each_other():
    assert range_settings_problems(Unit.PERCENT, 0, D("-5"), D("120")) == {
        "valid_min": "The lowest allowed value must be within 0% to 100% for percent.",
        "valid_max": "The highest allowed value must be within 0% to 100% for percent.",
    }
    assert range_settings_problems(Unit.SCORE, 0, D("300"), D("100")) == {
        "valid_max": "The highest allowed value must be above the lowest (300)."
    }
    assert range_settings_problems(Unit.COUNT, 0, D("0"), None) == {}
