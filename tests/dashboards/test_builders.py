"""The dashboards' shared test data (tests/dashboards/builders.py): the sizes asked for, roll-ups exact."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins.models import Checkin, CheckinEntry, CheckinRollup, CheckinState, CycleState, EntryStatus
from checkins.rollups import ROW_FIELDS, compute_cycle_rows
from districts.models import School
from metrics.models import MetricRollup, MetricValue
from priorities.models import Assignment
from tests.dashboards.builders import PRIVATE_NOTE, build_district_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(district):
    return build_district_data(district, schools=6, priorities=3, commitments=7, cycles=4, departments=2)


def test_sizes_and_people_are_what_was_asked(built, district):
    assert (len(built.schools), len(built.priorities), len(built.commitments)) == (6, 3, 7)
    assert len(built.departments) == 2 and len(built.cycles) == 4
    assert [c.period_start for c in built.cycles] == sorted(c.period_start for c in built.cycles)
    assert all(c.state == CycleState.CLOSED and c.closes_at <= timezone.now() for c in built.cycles)
    assert built.open_cycle.state == CycleState.OPEN
    assert built.open_cycle.opens_at < timezone.now() < built.open_cycle.due_at
    assert built.principal.school_id == built.schools[0].pk
    assert built.cabinet.department_id == built.departments[0].pk
    with scopes_disabled():
        # 6 school commitments x 6 schools, the last commitment x 2 departments.
        assert Assignment.objects.filter(district=district).count() == 6 * 6 + 2
        schools = list(School.objects.filter(district=district))
        checkins = Checkin.objects.filter(district=district)
        assert checkins.count() == 5 * (6 + 2)
        assert CheckinEntry.objects.filter(district=district).count() == 5 * (6 * 6 + 2)
        assert MetricValue.objects.filter(district=district).count() == 3 * 4 * 6
        assert MetricRollup.objects.filter(district=district).count() == 3 * 4
    assert {s.region for s in schools} == {"North", "South"}
    assert len({s.level for s in schools}) > 2
    assert any(s.principal_supervisor_id for s in schools) and not all(s.principal_supervisor_id for s in schools)


def test_closed_cycles_have_a_mix_of_what_dashboards_show(built, district):
    closed = [c.pk for c in built.cycles]
    with scopes_disabled():
        checkins = Checkin.objects.filter(district=district, cycle_id__in=closed)
        entries = CheckinEntry.objects.filter(district=district, checkin__cycle_id__in=closed)
        statuses = set(
            entries.filter(checkin__state__in=[CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED]).values_list(
                "status", flat=True
            )
        )
        assert {EntryStatus.ON_TRACK, EntryStatus.AT_RISK, EntryStatus.OFF_TRACK} <= statuses
        assert checkins.filter(state=CheckinState.ACKNOWLEDGED, first_response_at__isnull=False).exists()
        assert checkins.filter(late=True).exists() and checkins.filter(late=False).exists()
        assert entries.filter(note__startswith=PRIVATE_NOTE).exists()
        open_states = set(Checkin.objects.filter(cycle=built.open_cycle).values_list("state", flat=True))
    assert CheckinState.DRAFT in open_states


def test_stored_rollups_equal_a_rebuild_from_source(built, district, in_district):
    for cycle in [*built.cycles, built.open_cycle]:
        with in_district(district):
            wanted = compute_cycle_rows(district=district, cycle=cycle)
            stored = {
                row.pop("key"): row
                for row in CheckinRollup.objects.filter(district=district, cycle=cycle).values("key", *ROW_FIELDS)
            }
        assert stored == wanted
        assert wanted["district"]["entries_expected"] == 6 * 6 + 2


def test_the_same_seed_builds_the_same_data(district, other_district):
    def story(d):
        build_district_data(d, schools=3, priorities=2, commitments=3, cycles=2, seed=7)
        with scopes_disabled():
            return list(
                CheckinEntry.objects.filter(district=d)
                .order_by("checkin__cycle__period_start", "checkin__school__name", "assignment__commitment__position")
                .values_list("status", "support_requested", "checkin__state", "checkin__late")
            )

    assert story(district) == story(other_district)
