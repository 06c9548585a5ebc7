"""Invitation links: the signed token, the absolute link and the email that carries it.

The token signs {district id, invitation id, nonce} with the "invitation" salt.
It has no expiry of its own: `Invitation.expires_at` decides, so a re-send can
extend it. Re-sending or revoking rotates the nonce, which kills every older
link: the accept page compares the token's nonce with the stored one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import District, Invitation, User

TOKEN_SALT = "invitation"


@dataclass(frozen=True)
class InvitationToken:
    district_id: int
    invitation_id: int
    nonce: str


def make_token(invitation: Invitation, *, nonce: str | None = None) -> str:
    payload = {"d": invitation.district_id, "i": invitation.pk, "n": nonce or invitation.nonce}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(token: str) -> InvitationToken | None:
    """The token's contents, or None when it was not signed by us or is malformed."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
        return InvitationToken(district_id=int(payload["d"]), invitation_id=int(payload["i"]), nonce=str(payload["n"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def site_url() -> str:
    """Where links in emails point: tasks run outside any request."""
    return settings.SITE_URL.rstrip("/")


def invitation_link(invitation: Invitation, *, nonce: str | None = None) -> str:
    return site_url() + reverse("invitation_accept", kwargs={"token": make_token(invitation, nonce=nonce)})


def invitation_language(invitation: Invitation, *, district: District) -> str:
    """The language an invitation is written in: the invitee's own, if they already have an account and
    the district offers it, else the district's first language.

    Never the inviting admin's: the email is read by someone else, later, and an admin browsing in
    Spanish may well invite a colleague who reads English. The district's first language is also the
    one its invitation page opens in for a browser that asks for none of its languages.
    """
    from .languages import choose_language, offered_languages  # languages reads tokens from this module

    account = User.objects.filter(email=invitation.email.strip().lower()).only("language").first()  # stored lower-cased
    return choose_language(offered=offered_languages(district), chosen=account.language if account else "")


def invitation_email(invitation: Invitation, *, district: District, nonce: str) -> EmailMessage:
    """The email for one link (the one carrying `nonce`), in the invitee's language and the district's time zone."""
    inviter = invitation.invited_by.user if invitation.invited_by_id and invitation.invited_by else None
    context = {
        "invitation": invitation,
        "district": district,
        "inviter": inviter,
        "link": invitation_link(invitation, nonce=nonce),
    }
    with translation.override(invitation_language(invitation, district=district)), timezone.override(district.tzinfo):
        subject = render_to_string("districts/email/invitation_subject.txt", context).strip()
        body = render_to_string("districts/email/invitation_body.txt", context)
    return EmailMessage(subject=subject, body=body, to=[invitation.email])
