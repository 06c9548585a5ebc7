"""The demo's check-ins: a year of Riverbend cycles made by the tick, the principal's half-filled draft in
the open cycle, open support requests for the superintendent, Lakeside's few cycles; a second seed
changes nothing and no demo email is sent."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins import demo
from checkins.models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinMetricValue,
    CheckinResponse,
    CheckinRollup,
    CheckinState,
    CycleReminder,
    CycleState,
    EntryStatus,
    Notification,
    NotificationState,
    ResponseKind,
)
from districts.models import District, Membership, PendingWork

CHECKIN_MODELS = [
    CheckinCycle,
    CycleReminder,
    Checkin,
    CheckinEntry,
    CheckinMetricValue,
    CheckinResponse,
    Notification,
    CheckinRollup,
]
SUBMITTED = (CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED)


def snapshot() -> dict[str, list[dict]]:
    """Every check-in table's rows with every field (the updated_at stamps included)."""
    with scopes_disabled():
        return {model.__name__: list(model.objects.order_by("pk").values()) for model in CHECKIN_MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        first = snapshot()
        try:
            yield first
        finally:
            call_command("flush", interactive=False, stdout=StringIO())


def riverbend() -> District:
    return District.objects.get(slug="riverbend")


@pytest.mark.django_db
def test_a_second_seed_changes_no_check_in_row(seeded):
    with StringIO() as out:
        call_command("seed_demo", stdout=out)
        assert "already seeded" in out.getvalue()
    assert snapshot() == seeded


@pytest.mark.django_db
def test_the_principal_has_a_half_filled_draft_in_the_open_cycle_with_days_left(seeded):
    now = timezone.now()
    with scopes_disabled():
        principal = Membership.objects.get(district=riverbend(), user__email="principal@riverbend.example")
        cycle = CheckinCycle.objects.get(district=riverbend(), state=CycleState.OPEN)
        assert cycle.opens_at < now < cycle.due_at
        draft = Checkin.objects.get(cycle=cycle, school=principal.school)
        assert draft.state == CheckinState.DRAFT and draft.submitted_at is None and not draft.late
        assert draft.updated_by == principal
        entries = list(draft.entries.filter(set_aside=False))
        written = [e for e in entries if e.status != EntryStatus.NOT_STARTED]
        untouched = [e for e in entries if e.status == EntryStatus.NOT_STARTED and not e.note]
        assert written and untouched, "some entries written, some untouched"
        assert all(e.note for e in written)
        assert any(e.status == EntryStatus.AT_RISK for e in written)
        # The other schools: a mix of submitted, drafts and not started.
        states = set(Checkin.objects.filter(cycle=cycle).exclude(pk=draft.pk).values_list("state", flat=True))
        assert {CheckinState.DRAFT, CheckinState.NOT_STARTED} <= states
        assert states & set(SUBMITTED)


@pytest.mark.django_db
def test_the_superintendent_has_open_support_requests_to_answer(seeded):
    with scopes_disabled():
        open_requests = CheckinEntry.objects.filter(
            district=riverbend(),
            support_requested=True,
            support_resolved_at__isnull=True,
            checkin__state__in=SUBMITTED,
        )
        assert open_requests.filter(checkin__cycle__state=CycleState.OPEN).count() >= 2
        assert open_requests.filter(checkin__cycle__state=CycleState.CLOSED).exists()
        resolved = CheckinEntry.objects.filter(district=riverbend(), support_resolved_at__isnull=False)
        assert resolved.count() > 10
        for entry in resolved[:20]:
            response = entry.responses.get(kind=ResponseKind.SUPPORT_RESOLVED)
            assert response.body and response.created_at == entry.support_resolved_at
            assert entry.support_resolved_by == response.author


@pytest.mark.django_db
def test_a_year_of_closed_cycles_with_late_returned_and_acknowledged_check_ins(seeded):
    now = timezone.now()
    with scopes_disabled():
        district = riverbend()
        closed = CheckinCycle.objects.filter(district=district, state=CycleState.CLOSED)
        assert 11 <= closed.count() <= 13
        assert all(c.closed_at == c.closes_at and c.late_marked_at == c.due_at for c in closed)
        past = Checkin.objects.filter(cycle__in=closed)
        submitted = past.filter(state__in=SUBMITTED)
        assert submitted.count() > 0.8 * past.count()
        late = submitted.filter(late=True)
        assert 0 < late.count() < 0.25 * submitted.count()
        assert all(c.submitted_at >= c.cycle.due_at for c in late)
        assert all(c.submitted_at < c.cycle.due_at for c in submitted.filter(late=False))
        assert past.filter(escalated_at__isnull=False).exists()
        assert past.filter(submitted_at__isnull=True, late=True).exists()  # never submitted
        # One returned for revision, resubmitted and acknowledged.
        returned = past.get(returned_at__isnull=False)
        assert returned.state == CheckinState.ACKNOWLEDGED and returned.return_comment
        assert returned.returned_at < returned.submitted_at < returned.acknowledged_at
        kinds = list(returned.responses.values_list("kind", flat=True))
        assert kinds == [ResponseKind.RETURNED, ResponseKind.ACKNOWLEDGED]
        # Entries at risk and off track explain themselves; statuses vary.
        entries = CheckinEntry.objects.filter(checkin__in=submitted, set_aside=False)
        assert {EntryStatus.ON_TRACK, EntryStatus.AT_RISK, EntryStatus.OFF_TRACK} <= set(
            entries.values_list("status", flat=True)
        )
        needing = entries.filter(status__in=[EntryStatus.AT_RISK, EntryStatus.OFF_TRACK])
        assert not needing.filter(note="").exists()
        notes = set(needing.values_list("note", flat=True))
        assert len(notes) > 20
        assert entries.exclude(evidence_url="").filter(evidence_url__startswith="https://").exists()
        assert entries.exclude(blocker="").exists()
        # Responses from the superintendent and the cabinet; loop times from hours to weeks.
        authors = set(CheckinResponse.objects.filter(checkin__in=past).values_list("author__user__email", flat=True))
        assert {"superintendent@riverbend.example", "cao@riverbend.example"} <= authors
        assert submitted.filter(state=CheckinState.ACKNOWLEDGED).count() > submitted.count() / 2
        loops = [c.first_response_at - c.submitted_at for c in submitted.exclude(first_response_at=None)]
        assert min(loops) < timedelta(hours=12) and max(loops) > timedelta(days=10)
        for checkin in submitted.exclude(first_response_at=None).prefetch_related("responses")[:40]:
            assert checkin.first_response_at == min(
                r.created_at for r in checkin.responses.all() if r.created_at >= checkin.submitted_at
            )
        assert not CheckinResponse.objects.filter(district=district, created_at__gt=now).exists()
        # Values for the check-in metrics, linked to the metric's value.
        assert CheckinMetricValue.objects.filter(checkin__in=submitted, written_value__isnull=False).exists()


@pytest.mark.django_db
def test_the_roll_ups_count_the_seeded_check_ins(seeded):
    with scopes_disabled():
        for cycle in CheckinCycle.objects.filter(district=riverbend()).exclude(state=CycleState.SCHEDULED):
            row = CheckinRollup.objects.get(cycle=cycle, key="district")
            checkins = Checkin.objects.filter(cycle=cycle)
            assert row.checkins_expected == checkins.count()
            assert row.checkins_submitted == checkins.filter(state__in=SUBMITTED).count()
            assert row.checkins_late == checkins.filter(late=True).count()
            assert row.responded == checkins.filter(state__in=SUBMITTED, first_response_at__isnull=False).count()


@pytest.mark.django_db
def test_lakeside_has_a_few_cycles_of_its_own(seeded):
    with scopes_disabled():
        lakeside = District.objects.get(slug="lakeside")
        cycles = CheckinCycle.objects.filter(district=lakeside)
        assert 2 <= cycles.filter(state=CycleState.CLOSED).count() <= 3
        assert cycles.filter(state=CycleState.OPEN).count() == 1
        assert Checkin.objects.filter(district=lakeside, state__in=SUBMITTED).exists()


@pytest.mark.django_db
def test_the_demo_sends_no_email_and_leaves_no_follow_up_work(seeded):
    with scopes_disabled():
        assert not Notification.objects.exclude(state=NotificationState.SKIPPED).exists()
        assert not PendingWork.objects.filter(done_at__isnull=True, failed_at__isnull=True).exists()


def test_the_stories_name_real_demo_schools():
    from districts.demo import LAKESIDE_SCHOOLS, RIVERBEND_SCHOOLS

    names = {row[0] for row in RIVERBEND_SCHOOLS + LAKESIDE_SCHOOLS}
    assert {story.featured_school for story in demo.STORIES.values()} <= names
