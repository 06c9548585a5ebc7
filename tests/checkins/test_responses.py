"""Responses to a check-in (checkins.services, section "Responses"): acknowledge, return for revision,
comment, resolve a support request; who may do each, the states they are allowed in, and the feedback
loop (first_response_at set once after the latest submission)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from checkins import services
from checkins.models import Checkin, CheckinEntry, CheckinResponse, CheckinState, EntryStatus, ResponseKind
from checkins.services import EntryInput
from tests.plans.factories import PriorityFactory

from .conftest import MARCH_OPEN, checkin_of, entries_of

pytestmark = pytest.mark.django_db

SUBMITTED_AT = MARCH_OPEN + timedelta(hours=1)
GOOD = EntryInput(status=EntryStatus.ON_TRACK, note="Going well")
HELP = EntryInput(status=EntryStatus.AT_RISK, note="Behind", support_requested=True, support_needed="A coach")


@pytest.fixture
def submitted(opened, people, in_district) -> Checkin:
    district = opened.district
    checkin = checkin_of(district, opened.schools[0])
    ids = [e.pk for e in entries_of(checkin)]
    with in_district(district):
        return services.submit_checkin(
            district=district,
            actor=people["principal"],
            checkin=checkin,
            version=checkin.version,
            entries={ids[0]: HELP, **dict.fromkeys(ids[1:], GOOD)},
            now=SUBMITTED_AT,
        )


def reload(checkin) -> Checkin:
    with scopes_disabled():
        return Checkin.objects.get(pk=checkin.pk)


def test_acknowledging_sets_the_state_and_closes_the_loop_once(opened, people, submitted, in_district):
    district = opened.district
    later = SUBMITTED_AT + timedelta(hours=3)
    with in_district(district):
        response = services.acknowledge_checkin(
            district=district, actor=people["superintendent"], checkin=submitted, body="Thanks", now=later
        )
        services.comment_on_checkin(
            district=district,
            actor=people["coach"],
            checkin=submitted,
            body="Nice work",
            now=later + timedelta(hours=1),
        )
    stored = reload(submitted)
    assert stored.state == CheckinState.ACKNOWLEDGED and stored.acknowledged_at == later
    assert stored.first_response_at == later  # the later comment doesn't move it
    assert response.kind == ResponseKind.ACKNOWLEDGED and response.body == "Thanks"
    with in_district(district), pytest.raises(ValidationError):
        services.acknowledge_checkin(district=district, actor=people["superintendent"], checkin=submitted)


def test_returning_needs_a_comment_and_makes_the_checkin_editable(opened, people, submitted, in_district):
    district = opened.district
    with in_district(district), pytest.raises(ValidationError) as refused:
        services.return_checkin(district=district, actor=people["owner"], checkin=submitted, comment="  ")
    assert "comment" in refused.value.error_dict
    assert reload(submitted).state == CheckinState.SUBMITTED
    with in_district(district):
        services.return_checkin(district=district, actor=people["owner"], checkin=submitted, comment="More detail")
    stored = reload(submitted)
    assert stored.state == CheckinState.RETURNED and stored.return_comment == "More detail"
    assert stored.first_response_at is not None
    with in_district(district), pytest.raises(ValidationError):  # a returned check-in can't be acknowledged
        services.acknowledge_checkin(district=district, actor=people["owner"], checkin=submitted)
    with in_district(district):  # but it can still be talked about
        services.comment_on_checkin(district=district, actor=people["owner"], checkin=submitted, body="See notes")


def test_a_resubmission_restarts_the_loop(opened, people, submitted, in_district):
    district = opened.district
    with in_district(district):
        services.return_checkin(
            district=district,
            actor=people["superintendent"],
            checkin=submitted,
            comment="Fix it",
            now=SUBMITTED_AT + timedelta(hours=2),
        )
        current = reload(submitted)
        again = services.submit_checkin(
            district=district,
            actor=people["principal"],
            checkin=checkin_of(district, opened.schools[0]),
            version=current.version,
            now=SUBMITTED_AT + timedelta(days=1),
        )
        assert reload(again).first_response_at is None
        services.acknowledge_checkin(
            district=district, actor=people["superintendent"], checkin=again, now=SUBMITTED_AT + timedelta(days=2)
        )
    stored = reload(submitted)
    assert stored.first_response_at - stored.submitted_at == timedelta(days=1)


def test_drafts_get_no_responses(opened, people, in_district):
    district = opened.district
    draft = checkin_of(district, opened.schools[1])
    with in_district(district):
        for call in (
            lambda: services.acknowledge_checkin(district=district, actor=people["superintendent"], checkin=draft),
            lambda: services.return_checkin(
                district=district, actor=people["superintendent"], checkin=draft, comment="No"
            ),
            lambda: services.comment_on_checkin(
                district=district, actor=people["superintendent"], checkin=draft, body="Hi"
            ),
        ):
            with pytest.raises(ValidationError):
                call()
    with scopes_disabled():
        assert not CheckinResponse.objects.filter(checkin=draft).exists()
    assert reload(draft).first_response_at is None


def test_who_may_respond(opened, people, submitted, in_district):
    district = opened.district
    entry = entries_of(submitted)[0]
    with in_district(district):
        for who in ("other_cabinet", "coach", "principal", "admin"):
            with pytest.raises(PermissionDenied):
                services.acknowledge_checkin(district=district, actor=people[who], checkin=submitted)
            with pytest.raises(PermissionDenied):
                services.return_checkin(district=district, actor=people[who], checkin=submitted, comment="x")
            with pytest.raises(PermissionDenied):
                services.resolve_support_request(district=district, actor=people[who], entry=entry)
        for who in ("other_cabinet", "principal", "admin"):
            with pytest.raises(PermissionDenied):
                services.comment_on_checkin(
                    district=district, actor=people[who], checkin=submitted, body="x", entry=entry
                )
        # The partner coach may comment, on an entry or the whole check-in.
        on_entry = services.comment_on_checkin(
            district=district, actor=people["coach"], checkin=submitted, body="Try this", entry=entry
        )
        services.comment_on_checkin(district=district, actor=people["coach"], checkin=submitted, body="Overall")
        # The owner of the priority responds.
        services.acknowledge_checkin(district=district, actor=people["owner"], checkin=submitted)
    assert on_entry.entry_id == entry.pk and on_entry.author_id == people["coach"].pk


def test_a_cabinet_member_of_another_priority_only_answers_their_own(opened, people, submitted, in_district):
    district = opened.district
    with scopes_disabled():
        other = PriorityFactory(plan=opened.commitments[0].priority.plan, owner=people["other_cabinet"])
        assert other.owner_id == people["other_cabinet"].pk
    with in_district(district), pytest.raises(PermissionDenied):
        services.comment_on_checkin(district=district, actor=people["other_cabinet"], checkin=submitted, body="Hello")


def test_resolving_a_support_request_once(opened, people, submitted, in_district):
    district = opened.district
    asking, quiet = entries_of(submitted)[:2]
    when = SUBMITTED_AT + timedelta(days=4)
    with in_district(district):
        response = services.resolve_support_request(
            district=district, actor=people["owner"], entry=asking, body="Coach booked", now=when
        )
        with pytest.raises(ValidationError):
            services.resolve_support_request(district=district, actor=people["owner"], entry=asking)
        with pytest.raises(ValidationError):
            services.resolve_support_request(district=district, actor=people["owner"], entry=quiet)
    with scopes_disabled():
        stored = CheckinEntry.objects.get(pk=asking.pk)
    assert stored.support_resolved_at == when and stored.support_resolved_by_id == people["owner"].pk
    assert response.kind == ResponseKind.SUPPORT_RESOLVED and response.entry_id == asking.pk
    assert reload(submitted).first_response_at == when


def test_an_entry_of_another_checkin_is_refused(opened, people, submitted, in_district):
    district = opened.district
    elsewhere = entries_of(checkin_of(district, opened.schools[1]))[0]
    with in_district(district), pytest.raises(ValidationError):
        services.comment_on_checkin(
            district=district, actor=people["superintendent"], checkin=submitted, body="x", entry=elsewhere
        )


def test_responses_schedule_the_rollups_and_emails(opened, people, submitted, in_district, monkeypatch):
    from checkins import events

    seen = []
    monkeypatch.setattr(events.rollups, "schedule_checkin_refresh", lambda c: seen.append(("rollup", c.pk)))
    monkeypatch.setattr(events.notifications, "notify_returned", lambda c, response: seen.append(("ret", c.pk)))
    monkeypatch.setattr(events.notifications, "notify_response", lambda c, response: seen.append(("resp", c.pk)))
    district = opened.district
    with in_district(district):
        services.comment_on_checkin(district=district, actor=people["coach"], checkin=submitted, body="Hi")
        services.return_checkin(district=district, actor=people["owner"], checkin=submitted, comment="Fix")
    pk = submitted.pk
    assert seen == [("rollup", pk), ("resp", pk), ("rollup", pk), ("ret", pk)]
