"""The outbox: follow-up work recorded with its change, delivered once, retried, caught up by the tick."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from districts import outbox
from districts.models import District, PendingWork
from districts.tasks import deliver_pending_work, platform_tick, queue_undelivered_work
from districts.tenancy import dangerously_cross_district, district_context

pytestmark = pytest.mark.django_db

KIND = "tests.count"


@pytest.fixture
def calls(monkeypatch):
    """A registered test kind whose handler records the district and payload of every delivery."""
    seen: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def handler(*, district, payload):
        with lock:
            seen.append((district.pk, payload))

    monkeypatch.setitem(outbox._handlers, KIND, handler)
    return seen


@pytest.fixture
def failing(monkeypatch):
    def handler(*, district, payload):
        raise RuntimeError("the mail server said no")

    monkeypatch.setitem(outbox._handlers, KIND, handler)


def _enqueue(district, key="", payload=None) -> PendingWork:
    with district_context(district):
        return outbox.enqueue(district=district, kind=KIND, key=key, payload=payload)


def _row(item) -> PendingWork:
    with dangerously_cross_district():
        return PendingWork.objects.get(pk=item.pk)


def _make_due(item, by=timedelta(minutes=30)) -> None:
    """Move a row back in time: its nudge or its back-off lies that far in the past."""
    with dangerously_cross_district():
        PendingWork.objects.filter(pk=item.pk).update(available_at=timezone.now() - by)


def test_enqueue_nudges_delivery_after_the_commit(district, calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = _enqueue(district, payload={"n": 1})
    assert calls == [(district.pk, {"n": 1})]
    assert _row(item).done_at is not None


def test_work_rolled_back_with_its_change_is_not_recorded(district, calls):
    with pytest.raises(RuntimeError), district_context(district):
        outbox.enqueue(district=district, kind=KIND)
        raise RuntimeError("the change failed")
    with dangerously_cross_district():
        assert not PendingWork.objects.exists()


def test_waiting_work_of_one_key_coalesces(district, calls):
    items = {_enqueue(district, key="a", payload={"n": n}).pk for n in range(10)}
    other = _enqueue(district, key="b")
    assert len(items) == 1 and other.pk not in items
    with dangerously_cross_district():
        assert PendingWork.objects.count() == 2
        assert PendingWork.objects.get(pk=items.pop()).payload == {"n": 9}  # the newest payload


def test_work_enqueued_while_a_delivery_runs_is_a_new_row(district, monkeypatch):
    """The running delivery may have read the old state, so a change during it is delivered again."""
    later: list[PendingWork] = []

    def handler(*, district, payload):
        if not later:
            later.append(_enqueue(district))

    monkeypatch.setitem(outbox._handlers, KIND, handler)
    first = _enqueue(district)
    assert outbox.deliver(district=district, item_id=first.pk)
    assert later[0].pk != first.pk
    assert _row(later[0]).done_at is None
    assert outbox.deliver(district=district, item_id=later[0].pk)


def test_unknown_kinds_are_refused_at_enqueue(district):
    with pytest.raises(ValueError, match="No handler"), district_context(district):
        outbox.enqueue(district=district, kind="nobody.handles.this")


def test_delivering_twice_runs_the_handler_once(district, calls):
    item = _enqueue(district)
    assert deliver_pending_work(district.pk, item.pk) is True
    assert deliver_pending_work(district.pk, item.pk) is False
    assert len(calls) == 1


def test_a_task_for_another_districts_item_does_nothing(district, other_district, calls):
    item = _enqueue(district)
    assert deliver_pending_work(other_district.pk, item.pk) is False
    assert calls == []
    row = _row(item)
    assert (row.claimed_at, row.done_at, row.attempts) == (None, None, 0)  # still waiting for its own district


def test_a_task_for_a_gone_item_or_district_is_quiet(district, calls):
    item = _enqueue(district)
    assert deliver_pending_work(district.pk, 987654) is False
    assert deliver_pending_work(987654, item.pk) is False
    assert calls == []


def test_a_failing_handler_backs_off_then_gives_up(district, failing):
    item = _enqueue(district)
    backoffs = []
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        before = timezone.now()
        assert deliver_pending_work(district.pk, item.pk) is False
        row = _row(item)
        assert row.attempts == attempt and row.claimed_at is None and row.failed_at is None
        assert "the mail server said no" in row.last_error
        backoffs.append(round((row.available_at - before).total_seconds() / 60))
        assert deliver_pending_work(district.pk, item.pk) is False  # not due again yet
        assert _row(item).attempts == attempt
        _make_due(item)
    assert backoffs == [1, 2, 4, 8]

    assert deliver_pending_work(district.pk, item.pk) is False
    row = _row(item)
    assert row.attempts == outbox.MAX_ATTEMPTS and row.failed_at is not None and row.done_at is None
    _make_due(item)
    assert queue_undelivered_work() == 0  # given up: kept, visible, no longer retried


def test_a_retry_after_a_failure_delivers(district, monkeypatch):
    outcomes = [RuntimeError("timeout"), None]

    def handler(*, district, payload):
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome

    monkeypatch.setitem(outbox._handlers, KIND, handler)
    item = _enqueue(district)
    assert deliver_pending_work(district.pk, item.pk) is False
    _make_due(item)
    assert queue_undelivered_work() == 1  # the tick retries it (eager in tests)
    row = _row(item)
    assert row.done_at is not None and row.attempts == 2 and row.last_error == ""


def test_the_tick_delivers_work_whose_nudge_was_lost(district, other_district, calls):
    lost = [_enqueue(district), _enqueue(other_district)]
    fresh = _enqueue(district, key="fresh")  # its nudge may still be on its way
    for item in lost:
        _make_due(item, by=outbox.DELIVERY_GRACE + timedelta(seconds=1))
    platform_tick()
    assert sorted(d for d, _payload in calls) == sorted([district.pk, other_district.pk])
    assert _row(fresh).done_at is None


def test_the_tick_takes_back_work_from_a_worker_that_died(district, calls):
    item = _enqueue(district)
    with dangerously_cross_district():
        PendingWork.objects.filter(pk=item.pk).update(
            claimed_at=timezone.now() - outbox.CLAIM_TIMEOUT - timedelta(minutes=1),
            available_at=timezone.now() - timedelta(hours=1),
            attempts=1,
        )
    assert queue_undelivered_work() == 1
    assert len(calls) == 1 and _row(item).done_at is not None


def _tick_queries() -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        queue_undelivered_work()
    return [q["sql"] for q in queries]


def test_the_tick_costs_the_same_queries_for_1000_districts_with_nothing_due(district, calls):
    done = _enqueue(district)
    outbox.deliver(district=district, item_id=done.pk)
    _make_due(_enqueue(district, key="fresh"), by=timedelta(0))
    few = _tick_queries()
    District.objects.bulk_create(District(name=f"Bulk {n}", slug=f"bulk-{n}", languages=["en"]) for n in range(1000))
    many = _tick_queries()
    assert len(many) == len(few)
    (catch_up,) = [q for q in many if 'FROM "districts_pendingwork"' in q]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + catch_up)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "pendingwork_undelivered" in plan, plan
    assert calls == [(district.pk, {})]  # only the first, delivered directly


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_from_two_connections_run_the_handler_once(district, calls, monkeypatch):
    monkeypatch.setattr(outbox, "_nudge", lambda item: None)  # committed at once here: no delivery yet
    item = _enqueue(district)
    start = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def deliver():
        try:
            fresh = District.objects.get(pk=district.pk)
            start.wait(timeout=10)
            results.append(deliver_pending_work(fresh.pk, item.pk))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(results) == [False, True]
    assert len(calls) == 1
    assert _row(item).done_at is not None


def test_enqueue_inside_an_outer_transaction_waits_for_its_commit(district, calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _enqueue(district)
        assert calls == []  # not before the change commits
    assert len(calls) == 1


@pytest.mark.postgres
def test_the_application_role_finds_and_delivers_every_districts_due_work(district, other_district, calls):
    """Row-level security hides outbox rows without a district; the tick's cross-district read sees them all."""
    from tests.test_row_level_security import as_app_role, count_rows

    items = [_enqueue(district), _enqueue(other_district)]
    for item in items:
        _make_due(item)
    with connection.cursor() as cursor:  # the fixtures' district contexts share this test's transaction
        cursor.execute("SELECT set_config('app.district_id', '', true)")
    as_app_role()  # for the rest of this test's transaction
    assert count_rows("districts_pendingwork") == 0
    assert queue_undelivered_work() == 2
    assert sorted(d for d, _payload in calls) == sorted([district.pk, other_district.pk])
    assert all(_row(item).done_at is not None for item in items)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enqueues_of_one_key_make_one_row(district, calls, monkeypatch):
    monkeypatch.setattr(outbox, "_nudge", lambda item: None)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def enqueue():
        try:
            fresh = District.objects.get(pk=district.pk)
            start.wait(timeout=10)
            with district_context(fresh):
                outbox.enqueue(district=fresh, kind=KIND, key="same")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enqueue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    with dangerously_cross_district():
        assert PendingWork.objects.filter(district=district, kind=KIND, key="same").count() == 1
