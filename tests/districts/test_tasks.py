"""The invitation email task: each link once, in the invitation's own district, quiet when there is nothing to do."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from django.utils import timezone

from districts import services
from districts.invitations import read_token
from districts.models import Invitation
from districts.tasks import platform_tick, queue_unsent_invitations, send_invitation_email
from districts.tenancy import district_context
from tests.factories import InvitationFactory

from .helpers import fresh, link_path, token_of


def test_sends_once(district, mailoutbox):
    invitation = InvitationFactory(district=district)
    send_invitation_email(district.pk, invitation.pk)
    assert len(mailoutbox) == 1
    saved = fresh(invitation)
    assert saved.emailed_nonce == saved.nonce
    assert saved.sent_at is not None
    parsed = read_token(token_of(link_path(mailoutbox[0])))
    assert (parsed.district_id, parsed.invitation_id, parsed.nonce) == (district.pk, invitation.pk, invitation.nonce)


def test_running_twice_sends_once(district, mailoutbox):
    invitation = InvitationFactory(district=district)
    send_invitation_email.delay(district.pk, invitation.pk)
    send_invitation_email.delay(district.pk, invitation.pk)
    assert len(mailoutbox) == 1


def test_a_new_nonce_is_a_new_link_to_send(district, admin_member, mailoutbox):
    invitation = InvitationFactory(district=district)
    send_invitation_email(district.pk, invitation.pk)
    with district_context(district):
        services.invitation_resend(district=district, actor=admin_member, invitation=invitation)
    send_invitation_email(district.pk, invitation.pk)
    send_invitation_email(district.pk, invitation.pk)
    assert len(mailoutbox) == 2
    assert link_path(mailoutbox[0]) != link_path(mailoutbox[1])


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"accepted_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(seconds=1)},
    ],
    ids=["revoked", "accepted", "expired"],
)
def test_dead_invitations_are_not_sent(change, district, mailoutbox):
    invitation = InvitationFactory(district=district, **change)
    send_invitation_email(district.pk, invitation.pk)
    assert mailoutbox == []
    assert fresh(invitation).sent_at is None


def test_a_gone_invitation_or_district_is_quiet(district, mailoutbox):
    invitation = InvitationFactory(district=district)
    invitation_id = invitation.pk
    Invitation._base_manager.filter(pk=invitation_id).delete()
    send_invitation_email(district.pk, invitation_id)
    send_invitation_email(999_999, invitation_id)
    assert mailoutbox == []


def test_the_task_enters_the_invitations_own_district(district, other_district, mailoutbox):
    foreign = InvitationFactory(district=other_district)
    # Named with the wrong district, the invitation is not found: nothing is sent.
    send_invitation_email(district.pk, foreign.pk)
    assert mailoutbox == []
    send_invitation_email(other_district.pk, foreign.pk)
    assert len(mailoutbox) == 1
    assert other_district.name in mailoutbox[0].subject
    assert read_token(token_of(link_path(mailoutbox[0]))).district_id == other_district.pk


def test_a_failed_send_releases_the_claim_so_a_retry_sends(district, mailoutbox):
    invitation = InvitationFactory(district=district)
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=SMTPException("down")),
        pytest.raises(SMTPException),
        district_context(district),
    ):
        services.invitation_send_email(district=district, invitation_id=invitation.pk)
    assert fresh(invitation).emailed_nonce == ""
    send_invitation_email(district.pk, invitation.pk)
    assert len(mailoutbox) == 1


def test_the_tick_queues_invitations_whose_email_was_lost(district, other_district, mailoutbox):
    old = timezone.now() - timedelta(minutes=30)
    lost = InvitationFactory(district=district)
    lost_elsewhere = InvitationFactory(district=other_district)
    just_made = InvitationFactory(district=district)
    Invitation._base_manager.filter(pk__in=[lost.pk, lost_elsewhere.pk]).update(created_at=old, link_changed_at=old)
    assert queue_unsent_invitations() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([lost.email, lost_elsewhere.email])
    platform_tick()
    assert len(mailoutbox) == 2
    assert fresh(just_made).sent_at is None


def test_the_tick_sends_a_re_sent_link_whose_email_was_lost(district, admin_member, mailoutbox):
    """The first link was emailed; the re-send's task never ran. The tick sends the new link."""
    invitation = InvitationFactory(district=district)
    send_invitation_email(district.pk, invitation.pk)
    with district_context(district):
        services.invitation_resend(district=district, actor=admin_member, invitation=invitation)  # task lost
    resent = fresh(invitation)
    assert queue_unsent_invitations() == 0, "a link changed a moment ago still has its own task coming"

    Invitation._base_manager.filter(pk=invitation.pk).update(link_changed_at=timezone.now() - timedelta(minutes=30))
    assert queue_unsent_invitations() == 1

    assert len(mailoutbox) == 2
    assert read_token(token_of(link_path(mailoutbox[-1]))).nonce == resent.nonce
    assert fresh(invitation).emailed_nonce == resent.nonce
    assert queue_unsent_invitations() == 0


def test_a_long_lived_invitation_re_sent_late_is_still_caught_up(district, admin_member, mailoutbox):
    """Made long ago (past the original validity), re-sent today: measured from the re-send."""
    invitation = InvitationFactory(district=district)
    send_invitation_email(district.pk, invitation.pk)
    Invitation._base_manager.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=60))
    with district_context(district):
        services.invitation_resend(district=district, actor=admin_member, invitation=invitation)
    Invitation._base_manager.filter(pk=invitation.pk).update(link_changed_at=timezone.now() - timedelta(minutes=10))
    assert queue_unsent_invitations() == 1
    assert len(mailoutbox) == 2


@pytest.mark.postgres
def test_the_catch_up_query_reads_the_partial_index(district):
    """The tick runs every minute over every district: its query must not scan the table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    InvitationFactory.create_batch(3, district=district)
    with CaptureQueriesContext(connection) as queries:
        queue_unsent_invitations()
    (catch_up,) = [q["sql"] for q in queries if 'FROM "districts_invitation"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + catch_up)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "invitation_unsent_link" in plan, plan
