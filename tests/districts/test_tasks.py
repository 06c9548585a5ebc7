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
    Invitation._base_manager.filter(pk__in=[lost.pk, lost_elsewhere.pk]).update(created_at=old)
    assert queue_unsent_invitations() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([lost.email, lost_elsewhere.email])
    platform_tick()
    assert len(mailoutbox) == 2
    assert fresh(just_made).sent_at is None
