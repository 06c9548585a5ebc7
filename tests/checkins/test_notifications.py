"""Check-in emails (checkins.notifications): who gets which email, in their language and the district's
time zone, each at most once per event and person, retried when a send fails, never across districts."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins import events, notifications
from checkins.models import (
    Checkin,
    CheckinResponse,
    CheckinState,
    Notification,
    NotificationKind,
    NotificationState,
    ResponseKind,
)
from districts import outbox, ticks
from districts.models import District, PendingWork
from districts.roles import Role
from districts.tenancy import dangerously_cross_district, district_context
from tests.factories import DepartmentFactory

from .conftest import MARCH_OPEN, chicago, cycle_of

pytestmark = pytest.mark.django_db

REMINDER_DAY = chicago(2026, 3, 24, 7, 30)
AFTER_DUE = chicago(2026, 3, 28, 1)
AFTER_ESCALATION = chicago(2026, 3, 30, 8)
AFTER_CLOSE = chicago(2026, 4, 4, 1)
SITE = "http://localhost:8000"


class People:
    def __init__(self, world, make_member):
        district = world.district
        district.languages = ["en", "es"]
        district.save(update_fields=["languages"])
        self.principals = [make_member(district, Role.PRINCIPAL, school=school) for school in world.schools]
        self.spanish = self.principals[1]
        self.spanish.user.language = "es"
        self.spanish.user.save(update_fields=["language"])
        self.lead = make_member(district, Role.CABINET, department=world.department)
        self.supervisor = make_member(district, Role.CABINET, department=DepartmentFactory(district=district))
        self.superintendent = make_member(district, Role.SUPERINTENDENT)
        school = world.schools[0]
        school.principal_supervisor = self.supervisor
        with scopes_disabled():
            school.save(update_fields=["principal_supervisor"])


@pytest.fixture
def people(world, make_member) -> People:
    return People(world, make_member)


def tick(district: District, now, capture) -> None:
    """Run the tick at `now` and deliver what it recorded after the commit (Celery runs eagerly)."""
    with capture(execute=True):
        ticks.run_district(District.objects.get(pk=district.pk), now=now)


def to(address: str) -> list[EmailMultiAlternatives]:
    return [message for message in mail.outbox if message.to == [address]]


def only_to(member) -> EmailMultiAlternatives:
    messages = to(member.user.email)
    assert len(messages) == 1, [m.subject for m in messages]
    return messages[0]


def html(message: EmailMultiAlternatives) -> str:
    ((body, kind),) = message.alternatives
    assert kind == "text/html"
    return body


def checkin_of(district, place) -> Checkin:
    field = "school" if place.__class__.__name__ == "School" else "department"
    with scopes_disabled():
        return Checkin.objects.get(district=district, cycle=cycle_of(district), **{field: place})


def rows(district, kind=None) -> list[Notification]:
    with scopes_disabled():
        found = Notification.objects.filter(district=district)
        return list(found.filter(kind=kind) if kind else found)


# --- What each email says -------------------------------------------------------------------------


def test_a_cycle_opening_emails_each_principal_and_department_lead_a_link_to_their_checkin(
    world, people, django_capture_on_commit_callbacks
):
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    expected = [m.user.email for m in (*people.principals, people.lead)]
    assert recipients == sorted(expected)  # not the supervisor, the superintendent, nor the paused school

    school = world.schools[0]
    message = only_to(people.principals[0])
    checkin = checkin_of(world.district, school)
    link = f"{SITE}/d/{world.district.slug}/checkins/{checkin.pk}/"
    assert message.subject == f"The check-in for {school.name} is open"
    assert link in message.body and f'href="{link}"' in html(message)
    # The due instant in the district's zone (27 March 23:59 in Chicago; 28 March 04:59 UTC).
    assert "due March 27, 2026, 11:59 p.m. (America/Chicago)" in message.body
    assert "March 1, 2026 to March 31, 2026" in message.body
    assert '<html lang="en">' in html(message)
    assert f"Hello {people.principals[0].user.get_full_name()}," in message.body
    assert "/accounts/settings/" in message.body  # an optional kind says where to turn it off

    lead = only_to(people.lead)
    assert f"/checkins/{checkin_of(world.district, world.department).pk}/" in lead.body


def test_an_email_is_in_the_recipients_language_with_dates_read_their_way(
    world, people, django_capture_on_commit_callbacks
):
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    message = only_to(people.spanish)
    assert '<html lang="es">' in html(message)
    assert "27 de marzo de 2026, 11:59 p.m." in message.body
    english = only_to(people.principals[0])
    assert '<html lang="en">' in html(english) and "marzo" not in english.body


def test_a_spanish_reader_gets_english_where_the_district_offers_only_english(
    world, people, django_capture_on_commit_callbacks
):
    world.district.languages = ["en"]
    world.district.save(update_fields=["languages"])
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    assert '<html lang="en">' in html(only_to(people.spanish))


def test_a_reminder_goes_only_to_checkins_not_yet_submitted_and_says_when_they_are_due(
    world, people, django_capture_on_commit_callbacks
):
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    submitted = checkin_of(world.district, world.schools[2])
    with scopes_disabled():
        Checkin.objects.filter(pk=submitted.pk).update(state=CheckinState.SUBMITTED, submitted_at=REMINDER_DAY)
    mail.outbox.clear()
    tick(world.district, REMINDER_DAY, django_capture_on_commit_callbacks)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(m.user.email for m in (people.principals[0], people.principals[1], people.lead))
    message = only_to(people.principals[0])
    assert message.subject == f"Reminder: the check-in for {world.schools[0].name} is due March 27, 2026, 11:59 p.m."
    assert "is not submitted yet. It is due March 27, 2026, 11:59 p.m. (America/Chicago)." in message.body


def test_late_and_escalation_emails_go_to_the_place_then_to_the_supervisor_or_superintendent(
    world, people, django_capture_on_commit_callbacks
):
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    tick(world.district, AFTER_DUE, django_capture_on_commit_callbacks)
    late = only_to(people.principals[0])
    assert late.subject == f"The check-in for {world.schools[0].name} is late"
    assert "was due March 27, 2026, 11:59 p.m. (America/Chicago)" in late.body
    assert "always sent" in late.body
    assert len(mail.outbox) == 4

    mail.outbox.clear()
    tick(world.district, AFTER_ESCALATION, django_capture_on_commit_callbacks)
    cycle = cycle_of(world.district)
    cycle_link = f"{SITE}/d/{world.district.slug}/checkins/cycles/{cycle.pk}/"
    supervised = only_to(people.supervisor)
    assert supervised.subject == "A late check-in needs your attention"
    assert world.schools[0].name in supervised.body and world.schools[1].name not in supervised.body
    assert cycle_link in supervised.body and f'href="{cycle_link}"' in html(supervised)
    first = checkin_of(world.district, world.schools[0])
    assert f"/checkins/{first.pk}/" in supervised.body
    # Schools without a supervisor, and the department, go to the superintendent: one email listing them.
    rest = only_to(people.superintendent)
    assert rest.subject == "3 late check-ins need your attention"
    for place in (world.schools[1], world.schools[2], world.department):
        assert place.name in rest.body and f"/checkins/{checkin_of(world.district, place).pk}/" in rest.body
    assert world.schools[0].name not in rest.body
    assert len(mail.outbox) == 2


def test_after_a_cycle_closes_the_superintendent_gets_the_digest(world, people, django_capture_on_commit_callbacks):
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    first = checkin_of(world.district, world.schools[0])
    with scopes_disabled():
        Checkin.objects.filter(pk=first.pk).update(
            state=CheckinState.SUBMITTED,
            submitted_at=MARCH_OPEN + timedelta(days=1),
            first_response_at=MARCH_OPEN + timedelta(days=1, hours=5),
        )
    mail.outbox.clear()
    tick(world.district, AFTER_CLOSE, django_capture_on_commit_callbacks)
    # The same tick escalated the late check-ins too: one email of each kind.
    (digest,) = [m for m in to(people.superintendent.user.email) if m.subject.startswith("How the check-ins")]
    assert digest.subject == "How the check-ins for March 1, 2026 to March 31, 2026 went"
    assert "Submitted: 1 of 4 check-ins (25%)." in digest.body
    assert "Late: 3." in digest.body
    assert "Median time from a submission to its first response: 5 hours." in digest.body
    cycle = cycle_of(world.district)
    assert f'href="{SITE}/d/{world.district.slug}/checkins/cycles/{cycle.pk}/"' in html(digest)
    assert "<li>Late: 3.</li>" in html(digest)


def _respond(district, checkin, *, kind, author, body="", event=events.response_added) -> CheckinResponse:
    with district_context(district):
        response = CheckinResponse.objects.create(
            district=district, checkin=checkin, kind=kind, author=author, body=body
        )
        checkin = Checkin.objects.select_related("district").get(pk=checkin.pk)
        event(checkin, response=response)
    return response


def test_a_returned_checkin_emails_its_place_with_the_comment_and_a_link(
    world, people, django_capture_on_commit_callbacks
):
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    checkin = checkin_of(world.district, world.schools[0])
    with django_capture_on_commit_callbacks(execute=True):
        _respond(
            world.district,
            checkin,
            kind=ResponseKind.RETURNED,
            author=people.supervisor,
            body="Please add the attendance numbers <b>for March</b>.",
            event=events.checkin_returned,
        )
    message = only_to(people.principals[0])
    assert message.subject == f"The check-in for {world.schools[0].name} was returned for revision"
    name = people.supervisor.user.get_full_name()
    assert f"{name} returned the check-in" in message.body
    assert "Please add the attendance numbers <b>for March</b>." in message.body
    assert "&lt;b&gt;for March&lt;/b&gt;" in html(message)  # escaped in the HTML
    assert f"/checkins/{checkin.pk}/" in message.body
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        (ResponseKind.ACKNOWLEDGED, "acknowledged the check-in for"),
        (ResponseKind.COMMENT, "commented on the check-in for"),
        (ResponseKind.SUPPORT_RESOLVED, "resolved a support request in the check-in for"),
    ],
)
def test_a_response_emails_the_place_but_not_its_author(
    world, people, make_member, kind, says, django_capture_on_commit_callbacks
):
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    second_principal = make_member(world.district, Role.PRINCIPAL, school=world.schools[0])
    mail.outbox.clear()
    checkin = checkin_of(world.district, world.schools[0])
    with django_capture_on_commit_callbacks(execute=True):
        _respond(world.district, checkin, kind=kind, author=second_principal, body="Thanks, noted.")
    message = only_to(people.principals[0])
    assert message.subject == f"{second_principal.user.get_full_name()} {says} {world.schools[0].name}"
    assert "Thanks, noted." in message.body and f"/checkins/{checkin.pk}/" in message.body
    assert to(second_principal.user.email) == []
    assert len(mail.outbox) == 1


# --- Preferences ----------------------------------------------------------------------------------


def test_an_optional_kind_turned_off_is_skipped_but_essential_ones_are_always_sent(
    world, people, django_capture_on_commit_callbacks
):
    user = people.principals[0].user
    user.email_opt_out = ["cycle_opened", "reminder", "late", "escalation", "returned"]
    user.save(update_fields=["email_opt_out"])
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    assert to(user.email) == []
    (skipped,) = [
        n for n in rows(world.district, NotificationKind.CYCLE_OPENED) if n.recipient_id == people.principals[0].pk
    ]
    assert skipped.state == NotificationState.SKIPPED and skipped.sent_at is None
    tick(world.district, REMINDER_DAY, django_capture_on_commit_callbacks)
    assert to(user.email) == []
    tick(world.district, AFTER_DUE, django_capture_on_commit_callbacks)
    assert [m.subject for m in to(user.email)] == [f"The check-in for {world.schools[0].name} is late"]


def test_an_inactive_member_or_account_gets_nothing(world, people, django_capture_on_commit_callbacks):
    people.principals[0].is_active = False
    with scopes_disabled():
        people.principals[0].save(update_fields=["is_active"])
    people.lead.user.is_active = False
    people.lead.user.save(update_fields=["is_active"])
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    assert to(people.principals[0].user.email) == [] and to(people.lead.user.email) == []
    assert len(mail.outbox) == 2


def test_a_member_deactivated_before_delivery_is_skipped(world, people):
    cycle = cycle_of_opened(world)
    people.principals[0].is_active = False
    with scopes_disabled():
        people.principals[0].save(update_fields=["is_active"])
    # The rows already exist (an earlier run created them, then the member left).
    with district_context(world.district):
        Notification.objects.create(
            district=world.district,
            kind="cycle_opened",
            event_key=f"cycle:{cycle.pk}:opened",
            recipient=people.principals[0],
        )
    payload = {"kind": "cycle_opened", "event_key": f"cycle:{cycle.pk}:opened", "cycle_id": cycle.pk}
    notifications.deliver(district=world.district, payload=payload)
    assert to(people.principals[0].user.email) == []
    (row,) = [n for n in rows(world.district) if n.recipient_id == people.principals[0].pk]
    assert row.state == NotificationState.SKIPPED


def cycle_of_opened(world):
    """Open the March cycle without delivering anything (the outbox rows stay undelivered)."""
    ticks.run_district(District.objects.get(pk=world.district.pk), now=MARCH_OPEN)
    return cycle_of(world.district)


# --- Once each ------------------------------------------------------------------------------------


def _opened_payload(cycle) -> dict:
    return {"kind": "cycle_opened", "event_key": f"cycle:{cycle.pk}:opened", "cycle_id": cycle.pk}


def test_running_the_handler_again_sends_nothing_twice(world, people):
    cycle = cycle_of_opened(world)
    assert notifications.deliver(district=world.district, payload=_opened_payload(cycle)) == 4
    assert notifications.deliver(district=world.district, payload=_opened_payload(cycle)) == 0
    assert len(mail.outbox) == 4
    assert {n.state for n in rows(world.district)} == {NotificationState.SENT}


def test_the_same_event_notified_twice_sends_one_email_each(world, people, django_capture_on_commit_callbacks):
    tick(world.district, MARCH_OPEN, django_capture_on_commit_callbacks)
    cycle = cycle_of(world.district)
    with django_capture_on_commit_callbacks(execute=True), district_context(world.district):
        cycle.district = world.district
        notifications.notify_cycle_opened(cycle)
        notifications.notify_cycle_opened(cycle)
    assert len(mail.outbox) == 4
    assert len(rows(world.district, NotificationKind.CYCLE_OPENED)) == 4


def test_a_row_claimed_by_a_running_delivery_is_left_to_it(world, people):
    cycle = cycle_of_opened(world)
    with district_context(world.district):
        Notification.objects.create(
            district=world.district,
            kind="cycle_opened",
            event_key=f"cycle:{cycle.pk}:opened",
            recipient=people.principals[0],
            claimed_at=timezone.now(),
        )
    assert notifications.deliver(district=world.district, payload=_opened_payload(cycle)) == 3
    assert to(people.principals[0].user.email) == []


def test_a_failed_send_is_retried_by_the_outbox_and_nobody_gets_it_twice(world, people):
    cycle_of_opened(world)
    failing = people.principals[0].user.email
    real_send = EmailMultiAlternatives.send
    calls = {"failed": 0}

    def send_once_failing(message, *args, **kwargs):
        if message.to == [failing] and not calls["failed"]:
            calls["failed"] += 1
            raise ConnectionRefusedError("the mail server is down")
        return real_send(message, *args, **kwargs)

    with dangerously_cross_district():
        item = PendingWork.objects.get(district=world.district, kind=notifications.NOTIFY_KIND, key__contains="opened")
    with mock.patch.object(EmailMultiAlternatives, "send", send_once_failing):
        assert outbox.deliver(district=world.district, item_id=item.pk) is False
        assert len(mail.outbox) == 3 and to(failing) == []
        (row,) = [n for n in rows(world.district) if n.recipient_id == people.principals[0].pk]
        assert (row.state, row.attempts, row.claimed_at) == (NotificationState.PENDING, 1, None)
        assert "mail server is down" in row.last_error
        with dangerously_cross_district():
            item.refresh_from_db()
            assert "mail server is down" in item.last_error and item.done_at is None
            PendingWork.objects.filter(pk=item.pk).update(available_at=timezone.now() - timedelta(minutes=5))
        assert outbox.deliver(district=world.district, item_id=item.pk) is True
    assert len(mail.outbox) == 4 and len(to(failing)) == 1
    row = next(n for n in rows(world.district) if n.recipient_id == people.principals[0].pk)
    assert (row.state, row.attempts) == (NotificationState.SENT, 2)


def test_a_send_that_keeps_failing_is_marked_failed_when_the_outbox_gives_up(world, people):
    cycle = cycle_of_opened(world)
    failing = people.principals[0].user.email
    real_send = EmailMultiAlternatives.send

    def send(message, *args, **kwargs):
        if message.to == [failing]:
            raise ConnectionRefusedError("no")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMultiAlternatives, "send", send):
        for _attempt in range(notifications.MAX_SEND_ATTEMPTS):
            with pytest.raises(notifications.NotificationSendError):
                notifications.deliver(district=world.district, payload=_opened_payload(cycle))
        assert notifications.deliver(district=world.district, payload=_opened_payload(cycle)) == 0
    row = next(n for n in rows(world.district) if n.recipient_id == people.principals[0].pk)
    assert (row.state, row.attempts) == (NotificationState.FAILED, notifications.MAX_SEND_ATTEMPTS)
    assert len(mail.outbox) == 3


# --- Never across districts -----------------------------------------------------------------------


def test_the_handler_given_another_districts_ids_does_nothing(world, people, other_district):
    cycle = cycle_of_opened(world)
    with district_context(world.district):
        checkin = Checkin.objects.filter(cycle=cycle).first()
        response = CheckinResponse.objects.create(
            district=world.district, checkin=checkin, kind=ResponseKind.COMMENT, author=people.supervisor, body="x"
        )
    for payload in (
        _opened_payload(cycle),
        {"kind": "reminder", "event_key": "reminder:1", "cycle_id": cycle.pk, "reminder_id": 1},
        {"kind": "late", "event_key": "x", "cycle_id": cycle.pk},
        {"kind": "escalation", "event_key": "x", "cycle_id": cycle.pk, "at": MARCH_OPEN.isoformat()},
        {"kind": "digest", "event_key": "x", "cycle_id": cycle.pk},
        {"kind": "response", "event_key": "x", "checkin_id": checkin.pk, "response_id": response.pk},
        {"kind": "returned", "event_key": "x", "checkin_id": checkin.pk, "response_id": response.pk},
    ):
        assert notifications.deliver(district=other_district, payload=payload) == 0
    assert mail.outbox == []
    with dangerously_cross_district():
        assert not Notification.objects.exists()
