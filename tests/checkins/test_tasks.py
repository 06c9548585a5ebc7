"""The platform tick's per-district fan-out and the per-district task: only due districts, only their own rows,
and the same cycles, check-ins and entries however often and however concurrently it runs."""

from __future__ import annotations

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins.models import Checkin, CheckinCycle, CheckinEntry
from districts import tasks, ticks
from districts.models import District
from tests.factories import DistrictFactory

from .conftest import MARCH_OPEN, build_world, counts


def set_next_tick(district: District, when) -> None:
    District.objects.filter(pk=district.pk).update(next_tick_at=when)


@pytest.mark.django_db
def test_the_tick_queues_only_districts_whose_step_is_due_each_with_expires(district, other_district):
    now = timezone.now()
    set_next_tick(district, now - timedelta(seconds=1))
    set_next_tick(other_district, now + timedelta(hours=1))
    with mock.patch.object(tasks.run_district_tick, "apply_async") as send:
        tasks.platform_tick()
    send.assert_called_once_with((district.pk,), expires=tasks.DISTRICT_TICK_EXPIRES)
    # Leased: the next tick does not queue it again while its task may still wait in the broker.
    assert District.objects.get(pk=district.pk).next_tick_at > now
    with mock.patch.object(tasks.run_district_tick, "apply_async") as send:
        tasks.platform_tick()
    send.assert_not_called()


@pytest.mark.django_db
def test_a_tick_over_many_districts_with_nothing_due_is_one_query(django_assert_num_queries):
    later = timezone.now() + timedelta(hours=1)
    for _ in range(30):
        set_next_tick(DistrictFactory(), later)
    with django_assert_num_queries(1):
        assert ticks.queue_due() == []


@pytest.mark.django_db
def test_the_district_task_with_one_district_s_id_never_touches_another(district, other_district):
    mine, theirs = build_world(district), build_world(other_district)
    set_next_tick(other_district, MARCH_OPEN - timedelta(days=1))  # due as well
    with mock.patch("django.utils.timezone.now", return_value=MARCH_OPEN):
        tasks.run_district_tick(mine.district.pk)
    assert counts(mine.district) == (2, 4, 7)
    assert counts(theirs.district) == (0, 0, 0)
    assert District.objects.get(pk=other_district.pk).next_tick_at == MARCH_OPEN - timedelta(days=1)


@pytest.mark.django_db
def test_the_district_task_for_a_missing_district_does_nothing(district):
    tasks.run_district_tick(district.pk + 1000)


@pytest.mark.django_db
def test_a_nudge_during_a_run_is_not_overwritten(world):
    """A settings change committed while the district's steps run leaves it due for the next tick."""

    def nudged_step(*, district, now):
        ticks.nudge(district)
        return now + timedelta(days=3)

    with mock.patch.dict(ticks._steps, {"test.nudging": nudged_step}):
        ticks.run_district(world.district, now=MARCH_OPEN)
    assert District.objects.get(pk=world.district.pk).next_tick_at <= timezone.now()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_district_at_once_make_each_row_once(district):
    world = build_world(district)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fresh = District.objects.get(pk=world.district.pk)
            start.wait(timeout=10)
            ticks.run_district(fresh, now=MARCH_OPEN)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert counts(world.district) == (2, 4, 7)
    with scopes_disabled():
        assert CheckinCycle.objects.filter(district=district, opened_at=MARCH_OPEN).count() == 1
        # Each place once, each assignment once.
        places = list(Checkin.objects.filter(district=district).values_list("school_id", "department_id"))
        assert len(places) == len(set(places))
        entries = list(CheckinEntry.objects.filter(district=district).values_list("assignment_id", flat=True))
        assert len(entries) == len(set(entries))
