"""A check-in's follow-up work across real processes: a Celery worker process on a real Redis, not eager mode.

The test process and the worker share the test's PostgreSQL database (the worker connects to it as the
application role, with row-level security, as production's worker does); the broker is a redis-server of
the test's own on its own port (tests/processes.py), so it can be stopped and started again, and no other
test's worker can take our tasks. The test process sends through the same Celery app, pointed at that
Redis instead of the eager mode of config.settings.test.

1. end to end: a submission's outbox rows are nudged after the commit and delivered by the worker;
2. Redis stopped (broker, cache and sessions): a submission through the page still commits (the nudge
   fails and is only logged); after Redis is back, the tick re-queues the undelivered rows and the worker,
   reconnected by itself, delivers each exactly once;
3. Redis gone silent (connections accepted, never answered): the submission is slowed by the timeouts,
   never hung;
4. a worker SIGKILLed mid-delivery leaves nothing committed; after the claim times out, the tick re-queues
   the row and a new worker delivers it once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins import services
from checkins.forms import entry_field
from checkins.models import Checkin, CheckinResponse, CheckinRollup, CheckinState, EntryStatus, RollupScope
from config.celery import app as celery_app
from districts import outbox, tasks, ticks
from districts.models import District, Membership, PendingWork
from districts.roles import Role
from districts.tenancy import dangerously_cross_district, district_context
from tests.conftest import login
from tests.factories import MembershipFactory
from tests.processes import CELERY, RedisServer, Spawner, app_env, session_pids, wait_for

from .conftest import MARCH_OPEN, build_world, cycle_of

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DELIVERY_TIMEOUT = 20  # seconds for a worker to start and deliver
RECONNECT_TIMEOUT = 30  # a worker that lost Redis tries again after 2, 4, 6... seconds
EFFECT_KIND = "tests.effect"  # registered in the worker by tests/checkins/process_worker.py
FAR_FUTURE = timedelta(days=365)


# --- The processes -------------------------------------------------------------------------------


def _worker_database_url() -> str:
    """The test database, as the application role (a login role; the owner's password if it has one)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{settings.DATABASE_APP_ROLE}{password}@{host}:{port}/{db['NAME']}"


def start_worker(spawned: Spawner, tmp_path: Path, redis: RedisServer, *, name: str = "worker", **extra: str):
    env = app_env(
        tmp_path,
        REDIS_URL=redis.url(),
        DATABASE_URL=_worker_database_url(),
        DEBUG="false",
        CONN_MAX_AGE="0",
        **extra,
    )
    hostname = f"{name}-{uuid.uuid4().hex[:8]}@%h"
    command = [CELERY, "-A", "tests.checkins.process_worker", "worker", "--pool=solo", "--loglevel=INFO"]
    return spawned(name, [*command, "-n", hostname, "--without-gossip", "--without-mingle"], env=env)


def _reset_broker_connections() -> None:
    import kombu.pools

    kombu.pools.reset()
    celery_app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        celery_app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def sending_to(url: str) -> Iterator[None]:
    """This process sends its tasks to the Redis at `url`, with production's timeouts (not eagerly, as
    config.settings.test does)."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    celery_app.conf.update(
        task_always_eager=False, broker_url=url, broker_transport_options=dict(settings.REDIS_TIMEOUTS)
    )
    _reset_broker_connections()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _reset_broker_connections()


@pytest.fixture
def broker(redis_server: RedisServer) -> Iterator[RedisServer]:
    with sending_to(redis_server.url()):
        yield redis_server


def use_redis_cache_and_sessions(django_settings, url: str) -> None:
    """The cache and session store of production (REDIS_URL set): Redis at `url`, through core.sessions."""
    django_settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": dict(settings.REDIS_TIMEOUTS),
        }
    }
    django_settings.SESSION_ENGINE = "core.sessions"


@contextlib.contextmanager
def fails_after(seconds: int) -> Iterator[None]:
    """Fail instead of hanging the suite."""

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"still waiting after {seconds} s: a call to Redis hangs")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- The district --------------------------------------------------------------------------------


def open_march_cycle(district: District) -> tuple[Checkin, Membership]:
    """The world of tests/checkins/conftest.py with its March cycle open; a school's check-in and its principal."""
    world = build_world(district)
    ticks.run_district(District.objects.get(pk=district.pk), now=MARCH_OPEN)
    # Nothing else for the tick to do while the test runs (the cycle's later steps are not under test).
    District.objects.filter(pk=district.pk).update(next_tick_at=timezone.now() + FAR_FUTURE)
    school = world.schools[0]
    principal = MembershipFactory(district=district, role=Role.PRINCIPAL, school=school)
    with scopes_disabled():
        checkin = Checkin.objects.get(district=district, cycle=cycle_of(district), school=school)
    return checkin, principal


def submit(checkin: Checkin, principal: Membership) -> Checkin:
    district = checkin.district
    with district_context(district):
        checkin = Checkin.objects.select_related("cycle", "school").get(pk=checkin.pk)
        entries = {
            entry.pk: services.EntryInput(status=EntryStatus.ON_TRACK, note="Walkthroughs weekly.")
            for entry in checkin.entries.all()
        }
        return services.submit_checkin(
            district=district,
            actor=principal,
            checkin=checkin,
            version=checkin.version,
            entries=entries,
            now=MARCH_OPEN + timedelta(days=2),
        )


def work_of(district: District) -> list[PendingWork]:
    with scopes_disabled():
        return list(PendingWork.objects.filter(district=district).order_by("pk"))


def all_done(district: District) -> list[PendingWork] | None:
    rows = work_of(district)
    return rows if rows and all(row.done_at for row in rows) else None


def district_rollup(checkin: Checkin) -> CheckinRollup | None:
    with scopes_disabled():
        return CheckinRollup.objects.filter(
            district=checkin.district, cycle_id=checkin.cycle_id, scope=RollupScope.DISTRICT, key="district"
        ).first()


def back_date(rows: list[PendingWork], **fields: timedelta) -> None:
    """Move the rows' instants back, as if that much time had passed (the grace or the claim timeout)."""
    with scopes_disabled():
        for row in rows:
            PendingWork.objects.filter(pk=row.pk).update(
                **{field: getattr(row, field) - by for field, by in fields.items()}
            )


# --- The tests -----------------------------------------------------------------------------------


def test_a_worker_delivers_a_submitted_check_ins_follow_up_work(district, broker, spawned, tmp_path):
    checkin, principal = open_march_cycle(district)
    start_worker(spawned, tmp_path, broker)

    submitted = submit(checkin, principal)  # commits; the nudges go to Redis after the commit

    rows = wait_for(lambda: all_done(district), timeout=DELIVERY_TIMEOUT, what="the worker to deliver every row")
    assert [(row.attempts, row.failed_at, row.last_error) for row in rows] == [(1, None, "")] * len(rows)
    rollup = wait_for(lambda: district_rollup(submitted), timeout=5, what="the district's roll-up row")
    assert (rollup.checkins_submitted, rollup.checkins_on_time) == (1, 1)
    with scopes_disabled():
        assert Checkin.objects.get(pk=checkin.pk).state == CheckinState.SUBMITTED


def test_with_redis_stopped_a_submission_is_saved_and_its_work_delivered_once_redis_is_back(
    district, broker, spawned, tmp_path, caplog, settings
):
    checkin, principal = open_march_cycle(district)
    start_worker(spawned, tmp_path, broker)
    opened = wait_for(lambda: all_done(district), timeout=DELIVERY_TIMEOUT, what="the opening's work delivered")
    # Production's Redis is the cache and session store too: the page must not need it either.
    use_redis_cache_and_sessions(settings, broker.url(1))
    principal_client = login(Client(), principal)
    data = submission_form(checkin)

    broker.stop()
    with caplog.at_level(logging.ERROR):
        response = principal_client.post(
            reverse("checkins:checkin_submit", kwargs={"district_slug": district.slug, "checkin_id": checkin.pk}), data
        )

    # Submitted and saved, as if Redis were there; its follow-up work waits in the database; the lost nudge
    # (and the session cache) only logged.
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        saved = Checkin.objects.get(pk=checkin.pk)
    assert (saved.state, saved.submitted_by_id) == (CheckinState.SUBMITTED, principal.pk)
    waiting = [row for row in work_of(district) if row.pk not in {done.pk for done in opened}]
    assert waiting and all(row.claimed_at is None and row.done_at is None for row in waiting)
    assert "in on_commit()" in caplog.text
    assert district_rollup(saved).checkins_submitted == 0  # not yet refreshed

    broker.start()  # same port, empty: the nudge never reached it; the worker reconnects by itself
    _reset_broker_connections()
    back_date(waiting, available_at=outbox.DELIVERY_GRACE + timedelta(seconds=5))
    # Beat's tick, twice: each queues every undelivered row, so each row is in the queue twice.
    tasks.platform_tick()
    tasks.platform_tick()

    rows = wait_for(lambda: all_done(district), timeout=RECONNECT_TIMEOUT, what="the worker to deliver every row")
    assert [row.pk for row in rows] == [row.pk for row in [*opened, *waiting]]  # the tick made no row, only re-sent
    assert [(row.attempts, row.failed_at) for row in rows] == [(1, None)] * len(rows)  # each delivered once
    assert district_rollup(saved).checkins_submitted == 1
    assert tasks.queue_undelivered_work() == 0  # nothing left for the next tick


def test_a_redis_that_stops_answering_slows_a_submission_but_never_hangs_it(district, settings, caplog):
    """Redis gone silent (connections accepted, never answered: a failover, a firewall): every call times out."""
    checkin, principal = open_march_cycle(district)  # its work delivered eagerly, before Redis goes silent
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}"
        settings.SESSION_ENGINE = "core.sessions"
        principal_client = login(Client(), principal)
        use_redis_cache_and_sessions(settings, f"{url}/1")
        data = submission_form(checkin)
        with sending_to(f"{url}/0"), fails_after(50), caplog.at_level(logging.ERROR):
            response = principal_client.post(
                reverse("checkins:checkin_submit", kwargs={"district_slug": district.slug, "checkin_id": checkin.pk}),
                data,
            )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        assert Checkin.objects.get(pk=checkin.pk).state == CheckinState.SUBMITTED
    assert "in on_commit()" in caplog.text
    assert [row for row in work_of(district) if row.done_at is None]  # waiting for the tick


def submission_form(checkin: Checkin) -> dict[str, str]:
    """The check-in page's form, filled in and ready to submit."""
    with scopes_disabled():
        current = Checkin.objects.get(pk=checkin.pk)
        entry_ids = list(current.entries.values_list("pk", flat=True))
    data = {"version": str(current.version)}
    for pk in entry_ids:
        data[entry_field(pk, "status")] = EntryStatus.ON_TRACK
        data[entry_field(pk, "note")] = "Walkthroughs weekly."
    return data


def test_a_worker_killed_mid_task_is_re_run_once_with_nothing_doubled(district, broker, spawned, tmp_path):
    checkin, _principal = open_march_cycle(district)
    marker = tmp_path / "slow-once"
    worker = start_worker(spawned, tmp_path, broker, THROUGHLINE_TEST_SLOW_MARKER=str(marker))

    # Follow-up work whose handler (tests/checkins/process_worker.py) adds one comment, then, the first time,
    # sleeps before its transaction commits. This process only records it: the worker runs it.
    with mock.patch.dict(outbox._handlers, {EFFECT_KIND: lambda **kwargs: None}), district_context(district):
        item = outbox.enqueue(
            district=district,
            kind=EFFECT_KIND,
            key=f"checkin:{checkin.pk}",
            payload={"checkin_id": checkin.pk, "body": "once"},
        )
    wait_for(marker.exists, timeout=DELIVERY_TIMEOUT, what="the worker to start the slow delivery")

    for pid in session_pids(worker.pid):  # SIGKILL: no clean-up, no ack, the transaction left open
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)

    claimed = fresh(item)
    assert (claimed.attempts, claimed.done_at, claimed.failed_at) == (1, None, None) and claimed.claimed_at
    assert effects(checkin) == 0  # the comment died with the worker's transaction: nothing half-done
    back_date([claimed], available_at=outbox.DELIVERY_GRACE + timedelta(seconds=5))
    assert item.pk not in undelivered_ids()  # a claim this recent may still be running: not taken from it
    back_date([fresh(item)], claimed_at=outbox.CLAIM_TIMEOUT + timedelta(seconds=5))
    assert item.pk in undelivered_ids()  # the claim timed out: the worker is presumed dead

    start_worker(spawned, tmp_path, broker, name="second-worker", THROUGHLINE_TEST_SLOW_MARKER=str(marker))
    tasks.platform_tick()

    done = wait_for(lambda: (row := fresh(item)).done_at and row, timeout=DELIVERY_TIMEOUT, what="the re-run")
    assert (done.attempts, done.failed_at, done.last_error) == (2, None, "")
    assert effects(checkin) == 1
    # The killed worker's message, redelivered by Redis later, or any repeated delivery, does nothing.
    assert outbox.deliver(district=District.objects.get(pk=district.pk), item_id=item.pk) is False
    assert effects(checkin) == 1


def fresh(item: PendingWork) -> PendingWork:
    with scopes_disabled():
        return PendingWork.objects.get(pk=item.pk)


def effects(checkin: Checkin) -> int:
    with scopes_disabled():
        return CheckinResponse.objects.filter(district=checkin.district, checkin=checkin, body="once").count()


def undelivered_ids() -> set[int]:
    with dangerously_cross_district():
        return {item_id for _district_id, item_id in outbox.undelivered_due(limit=1000)}


def test_the_celery_settings_acknowledge_late_and_requeue_a_task_whose_worker_was_lost():
    """What a killed worker relies on: its message stays in the broker until the task has finished."""
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
