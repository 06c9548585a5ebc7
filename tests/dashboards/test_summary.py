"""The shared read layer (dashboards.summary): its numbers are the stored roll-ups', at a constant query cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkins.models import CheckinRollup, RollupScope
from core import cache_versions
from dashboards import summary
from tests.dashboards.builders import build_district_data

pytestmark = pytest.mark.django_db


def _rollup(**counts) -> CheckinRollup:
    return CheckinRollup(**counts)


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        ({}, "no_data"),
        ({"entries_reported": 8, "on_track": 8}, "on_track"),
        ({"entries_reported": 8, "on_track": 7, "at_risk": 1}, "on_track"),
        ({"entries_reported": 8, "on_track": 6, "at_risk": 2}, "at_risk"),
        ({"entries_reported": 8, "on_track": 6, "at_risk": 1, "off_track": 1}, "at_risk"),
        ({"entries_reported": 8, "on_track": 6, "off_track": 2}, "off_track"),
        ({"entries_reported": 7, "on_track": 6, "off_track": 1}, "on_track"),
    ],
)
def test_health_thresholds_are_a_quarter_of_reported_entries(counts, code):
    assert summary.health_of(_rollup(**counts)) == code


def test_health_of_nothing_is_no_data_and_views_carry_words_and_a_glyph():
    assert summary.health_of(None) == summary.HEALTH_NO_DATA
    views = {code: summary.health_view(code) for code in summary.HEALTH_CODES}
    assert [v.label for v in views.values()] == ["On track", "At risk", "Off track", "No data"]
    assert len({v.icon for v in views.values()}) == 4
    assert "health-off_track" in views["off_track"].css and "badge-bad" in views["off_track"].css


def test_duration_text():
    assert summary.duration_text(None) == "—"
    assert summary.duration_text(20) == "1 minute"
    assert summary.duration_text(45 * 60) == "45 minutes"
    assert summary.duration_text(3 * 3600 + 100) == "3 hours"
    assert summary.duration_text(5 * 86400) == "5 days"


@pytest.fixture
def built(district):
    return build_district_data(district, schools=5, priorities=3, commitments=6, cycles=4)


def test_completion_and_loops_equal_the_district_rollups(built, district, in_district):
    with in_district(district):
        rows = summary.completion_by_cycle(district=district, plan=built.plan)
        loops = summary.loop_times(district=district, plan=built.plan)
        stored = {r.cycle_id: r for r in CheckinRollup.objects.filter(district=district, scope=RollupScope.DISTRICT)}
    assert [r.cycle for r in rows] == built.cycles  # closed only, oldest first: the open cycle is not in
    for row, loop in zip(rows, loops, strict=True):
        rollup = stored[row.cycle.pk]
        assert (row.expected, row.submitted, row.on_time, row.late) == (
            rollup.checkins_expected,
            rollup.checkins_submitted,
            rollup.checkins_on_time,
            rollup.checkins_late,
        )
        assert row.percent == round(100 * rollup.checkins_submitted / rollup.checkins_expected)
        assert (loop.responded, loop.median_seconds, loop.max_seconds) == (
            rollup.responded,
            rollup.loop_seconds_median,
            rollup.loop_seconds_max,
        )
    assert any(loop.median_seconds for loop in loops)


def test_priority_cards_follow_the_priority_rollups(built, district, in_district):
    with in_district(district):
        cards = summary.priority_cards(district=district, plan=built.plan, cycles=3)
        stored = {
            (r.cycle_id, r.priority_id): r
            for r in CheckinRollup.objects.filter(district=district, scope=RollupScope.PRIORITY)
        }
    assert [c.priority for c in cards] == built.priorities
    for card in cards:
        assert [p.cycle for p in card.trend] == built.cycles[-3:]
        for point in card.trend:
            rollup = stored[(point.cycle.pk, card.priority.pk)]
            assert point.health == summary.health_of(rollup)
            assert point.share_on_track == round(100 * (rollup.on_track + rollup.done) / rollup.entries_reported)
        assert card.health.code == card.trend[-1].health
        assert card.trend_text in card.sparkline and "%" in card.trend_text
        assert [m.metric for m in card.metrics] == [m for m in built.metrics if m.priority_id == card.priority.pk]
    assert {c.health.code for c in cards} - {"no_data"}


def test_cached_numbers_change_when_rollups_are_bumped(
    built, district, in_district, django_capture_on_commit_callbacks
):
    with in_district(district):
        before = summary.completion_by_cycle(district=district, plan=built.plan)[-1]
        CheckinRollup.objects.filter(district=district, scope=RollupScope.DISTRICT, cycle=before.cycle).update(
            checkins_submitted=0
        )
        assert summary.completion_by_cycle(district=district, plan=built.plan)[-1].submitted == before.submitted
        with django_capture_on_commit_callbacks(execute=True):
            cache_versions.bump(district.pk, cache_versions.CHECKIN_ROLLUPS)
        assert summary.completion_by_cycle(district=district, plan=built.plan)[-1].submitted == 0


def _queries(district, plan) -> int:
    with CaptureQueriesContext(connection) as queries:
        summary.priority_cards(district=district, plan=plan)
        summary.completion_by_cycle(district=district, plan=plan)
        summary.loop_times(district=district, plan=plan)
    return len(queries)


def test_query_count_does_not_grow_with_schools_commitments_or_cycles(district, other_district, in_district):
    small = build_district_data(district, schools=2, priorities=2, commitments=2, cycles=2)
    big = build_district_data(other_district, schools=8, priorities=4, commitments=9, cycles=7, seed=2)
    with in_district(district):
        small_count = _queries(district, small.plan)
    with in_district(other_district):
        big_count = _queries(other_district, big.plan)
    assert small_count == big_count
