"""The invitation link: accept as a new or existing user; expired, revoked, re-sent and forged links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.utils import timezone

from districts import services
from districts.invitations import TOKEN_SALT, invitation_link, make_token, read_token
from districts.models import Invitation, Membership
from districts.roles import Role
from tests.factories import SchoolFactory, UserFactory

from .helpers import count, fresh, link_path

NEW_PASSWORD = "plum-orchard-lantern-42"


@pytest.fixture
def invited(district, admin_member, in_district, run_on_commit, mailoutbox):
    """A principal invited through the service; returns (invitation, link path from the email)."""
    school = SchoolFactory(district=district, name="Jefferson Middle")
    with run_on_commit(), in_district(district):
        invitation = services.invitation_create(
            district=district,
            actor=admin_member,
            email="grace@example.org",
            full_name="Grace Okafor",
            role=Role.PRINCIPAL,
            school=school,
        )
    return invitation, link_path(mailoutbox[-1])


def _sign_up(client: Client, path: str, **overrides: str):
    data = {"full_name": "Grace Okafor", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **overrides}
    return client.post(path, data)


def test_the_email_names_the_district_role_inviter_and_expiry(district, admin_member, invited, mailoutbox):
    message = mailoutbox[-1]
    assert district.name in message.subject
    assert "principal at Jefferson Middle" in message.body
    assert admin_member.user.get_full_name() in message.body
    assert "The link works until" in message.body


def test_a_token_names_district_invitation_and_nonce(invited):
    invitation, path = invited
    parsed = read_token(path.removeprefix("/accounts/invitations/").rstrip("/"))
    assert (parsed.district_id, parsed.invitation_id, parsed.nonce) == (
        invitation.district_id,
        invitation.pk,
        invitation.nonce,
    )
    # The link is signed with the time it is made (a second may have passed): it names the same invitation.
    link = invitation_link(invitation).removeprefix(settings.SITE_URL.rstrip("/"))
    again = read_token(link.removeprefix("/accounts/invitations/").rstrip("/"))
    assert link.startswith("/accounts/invitations/") and again == parsed


def test_new_user_sets_a_password_and_lands_in_the_district(client, district, invited):
    invitation, path = invited
    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert district.name in html and "principal" in html and "Jefferson Middle" in html
    assert 'value="Grace Okafor"' in html

    response = _sign_up(client, path)
    assert response.status_code == 302
    assert response.url == f"/d/{district.slug}/"
    home = client.get(response.url)
    assert home.status_code == 200
    membership = home.context["membership"]
    assert (membership.role, membership.school.name) == (Role.PRINCIPAL, "Jefferson Middle")
    assert membership.user.check_password(NEW_PASSWORD)
    saved = fresh(invitation)
    assert saved.accepted_at is not None and saved.accepted_membership_id == membership.pk
    # The link keeps working for them (straight to the district) and is dead for anyone else.
    assert client.get(path).url == f"/d/{district.slug}/"
    other = Client().get(path)
    assert other.status_code == 410
    assert "already used" in other.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something-else-entirely"}, "password2", "don't match"),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "entirely numeric"),
        ({"password1": "grace@example.org", "password2": "grace@example.org"}, "password1", "too similar"),
        ({"full_name": ""}, "full_name", "This field is required."),
    ],
)
def test_sign_up_errors_are_at_the_field(overrides, field, message, client, district, invited):
    invitation, path = invited
    response = _sign_up(client, path, **overrides)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert fresh(invitation).accepted_at is None
    assert count(Membership, district=district, user__email="grace@example.org") == 0


def test_expired_link_explains_who_to_ask(client, district, admin_member, invited):
    invitation, path = invited
    Invitation._base_manager.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 410
    assert "has expired" in html
    assert admin_member.user.email in html
    assert _sign_up(client, path).status_code == 410
    assert fresh(invitation).accepted_at is None


def test_revoked_link_is_dead(client, district, admin_member, invited, in_district):
    invitation, path = invited
    with in_district(district):
        services.invitation_revoke(district=district, actor=admin_member, invitation=invitation)
    response = client.get(path)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert _sign_up(client, path).status_code == 410
    assert count(Membership, district=district, user__email="grace@example.org") == 0


def test_resent_invitation_kills_the_old_link_and_the_new_one_works(
    client, district, admin_member, invited, in_district, run_on_commit, mailoutbox
):
    invitation, old_path = invited
    with run_on_commit(), in_district(district):
        services.invitation_resend(district=district, actor=admin_member, invitation=invitation)
    new_path = link_path(mailoutbox[-1])
    assert new_path != old_path
    old = client.get(old_path)
    assert old.status_code == 410
    assert "newer one" in old.content.decode()
    assert _sign_up(client, old_path).status_code == 410
    assert _sign_up(client, new_path).status_code == 302
    assert fresh(invitation).accepted_at is not None


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps({"d": 1, "i": 1, "n": "x"}, salt="another-salt"),
        signing.dumps({"d": "x"}, salt=TOKEN_SALT),
    ],
    ids=["garbage", "other-salt", "malformed-payload"],
)
def test_forged_or_broken_links_are_404(token, client, invited):
    response = client.get(f"/accounts/invitations/{token}/")
    assert response.status_code == 404
    assert "link doesn't work" in response.content.decode()


def test_a_token_naming_another_district_finds_nothing(client, district, other_district, invited):
    """Even a correctly signed token cannot reach an invitation through another district's context."""
    invitation, _path = invited
    crossed = signing.dumps({"d": other_district.pk, "i": invitation.pk, "n": invitation.nonce}, salt=TOKEN_SALT)
    assert client.get(f"/accounts/invitations/{crossed}/").status_code == 404
    assert client.post(f"/accounts/invitations/{crossed}/", {"password1": "x"}).status_code == 404


def test_existing_user_logs_in_then_accepts_with_one_click(
    district, other_district, admin_member, in_district, make_member, client_for
):
    """A partner coach in another district joins this one with the same login."""
    coach = make_member(other_district, Role.PARTNER_COACH)
    with in_district(district):
        invitation = services.invitation_create(
            district=district, actor=admin_member, email=coach.user.email, role=Role.PARTNER_COACH
        )
    path = f"/accounts/invitations/{make_token(invitation)}/"

    anonymous = Client().get(path)
    assert "Log in to accept" in anonymous.content.decode()
    assert f"/accounts/login/?next={path}" in anonymous.content.decode().replace("%3A", ":").replace("%2F", "/")
    assert (
        Client().post(path, {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 200
    )
    assert count(Membership, district=district, user=coach.user) == 0

    client = client_for(coach)
    confirm = client.get(path)
    assert "Accept and open" in confirm.content.decode()
    assert count(Membership, district=district, user=coach.user) == 0
    response = client.post(path)
    assert response.url == f"/d/{district.slug}/"
    assert client.get(f"/d/{district.slug}/").status_code == 200
    picker = client.get("/")
    assert picker.status_code == 200
    assert len(picker.context["memberships"]) == 2


def test_logged_in_as_someone_else(district, invited, make_member, client_for):
    _invitation, path = invited
    stranger = client_for(make_member(district, Role.STAFF))
    response = stranger.get(path)
    assert response.status_code == 403
    assert "logged in as" in response.content.decode()
    assert stranger.post(path).status_code == 403


def test_accepting_reactivates_a_former_member(district, admin_member, in_district, make_member, client_for):
    former = make_member(district, Role.STAFF, is_active=False)
    with in_district(district):
        invitation = services.invitation_create(
            district=district, actor=admin_member, email=former.user.email, role=Role.BOARD_MEMBER
        )
    client = client_for(former)
    assert client.get(f"/d/{district.slug}/").status_code == 404
    client.post(f"/accounts/invitations/{make_token(invitation)}/")
    assert client.get(f"/d/{district.slug}/", follow=True).status_code == 200  # a board member's home: the board
    assert fresh(former).role == Role.BOARD_MEMBER


def test_accept_page_for_a_new_user_is_not_a_district_page(client, invited):
    """No membership yet: no district navigation, and no login required to see it."""
    _invitation, path = invited
    response = client.get(path)
    assert response.context["nav_items"] == []


def test_the_user_who_accepted_but_was_deactivated_sees_used(district, admin_member, invited, in_district):
    invitation, path = invited
    user = UserFactory(email="grace@example.org")
    with in_district(district):
        membership = services.invitation_accept(
            district=district, invitation=invitation, user=user, nonce=invitation.nonce
        )
        services.membership_deactivate(district=district, actor=admin_member, membership=membership)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(path).status_code == 410


# --- A direct change of access ends older invitations (issue 7, item 1) --------------------


def test_an_invitation_made_before_a_reactivation_cannot_bring_a_deactivated_member_back(
    district, admin_member, make_member, in_district, client_for
):
    """Deactivate → invite as admin → reactivate directly → deactivate → the old link stays dead."""
    member = make_member(district, Role.STAFF)
    with in_district(district):
        services.membership_deactivate(district=district, actor=admin_member, membership=member)
        invitation = services.invitation_create(
            district=district, actor=admin_member, email=member.user.email, role=Role.DISTRICT_ADMIN
        )
        path = f"/accounts/invitations/{make_token(invitation)}/"
        services.membership_reactivate(district=district, actor=admin_member, membership=fresh(member))
        services.membership_deactivate(district=district, actor=admin_member, membership=fresh(member))
    client = client_for(member)

    response = client.post(path)

    assert response.status_code == 410
    assert "withdrew this invitation" in response.content.decode()
    saved = fresh(member)
    assert (saved.is_active, saved.role) == (False, Role.STAFF)
    assert client.get(f"/d/{district.slug}/").status_code == 404
    assert fresh(invitation).revoked_at is not None


@pytest.mark.parametrize("change", ["membership_deactivate", "membership_reactivate"])
def test_changing_someones_access_directly_ends_their_open_invitations(
    change, district, admin_member, make_member, in_district
):
    member = make_member(district, Role.STAFF, is_active=change == "membership_deactivate")
    stranger_invitation = None
    with in_district(district):
        invitation = (
            services.invitation_create(
                district=district, actor=admin_member, email=member.user.email.upper(), role=Role.BOARD_MEMBER
            )
            if change == "membership_reactivate"
            else None
        )
        if invitation is None:
            # An active member can't be invited; one made earlier (e.g. by an import) still counts.
            invitation = Invitation.objects.create(
                district=district,
                email=member.user.email,
                role=Role.BOARD_MEMBER,
                expires_at=timezone.now() + timedelta(days=3),
            )
        stranger_invitation = services.invitation_create(
            district=district, actor=admin_member, email="someone.else@example.org", role=Role.BOARD_MEMBER
        )
        getattr(services, change)(district=district, actor=admin_member, membership=member)
    ended = fresh(invitation)
    assert ended.revoked_at is not None and ended.nonce != invitation.nonce
    assert fresh(stranger_invitation).revoked_at is None


def test_accepting_refuses_an_invitation_older_than_the_last_deactivation(
    district, make_member, in_district, client_for
):
    member = make_member(district, Role.STAFF, is_active=False, deactivated_at=timezone.now())
    with in_district(district):
        invitation = Invitation.objects.create(
            district=district,
            email=member.user.email,
            role=Role.DISTRICT_ADMIN,
            expires_at=timezone.now() + timedelta(days=3),
        )
        Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=1))
    client = client_for(member)

    response = client.post(f"/accounts/invitations/{make_token(invitation)}/")

    assert response.status_code == 410
    assert "was changed after this invitation was sent" in response.content.decode()
    saved = fresh(member)
    assert (saved.is_active, saved.role) == (False, Role.STAFF)
    assert fresh(invitation).accepted_at is None


# --- The link is checked on the locked row (issue 7, item 13b) -----------------------------


def test_accepting_with_a_link_replaced_a_moment_ago_is_refused(district, admin_member, invited, in_district):
    invitation, _path = invited
    old_nonce = invitation.nonce
    user = UserFactory(email="grace@example.org")
    with in_district(district):
        services.invitation_resend(district=district, actor=admin_member, invitation=invitation)
        with pytest.raises(services.ValidationError) as refused:
            services.invitation_accept(district=district, invitation=invitation, user=user, nonce=old_nonce)
        with pytest.raises(services.ValidationError):
            services.invitation_accept_as_new_user(
                district=district, invitation=invitation, full_name="G", password=NEW_PASSWORD, nonce=old_nonce
            )
    assert refused.value.code == "replaced"
    assert fresh(invitation).accepted_at is None
    assert count(Membership, district=district, user=user) == 0


def test_a_resend_between_reading_the_link_and_accepting_wins(
    district, admin_member, invited, in_district, monkeypatch
):
    """The view's unlocked read sees the old link as current; the re-send commits before the accept runs."""
    invitation, path = invited
    user = UserFactory(email="grace@example.org")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    real_accept = services.invitation_accept

    def resend_first(**kwargs):
        services.invitation_resend(district=district, actor=admin_member, invitation=invitation)
        return real_accept(**kwargs)

    monkeypatch.setattr(services, "invitation_accept", resend_first)

    response = client.post(path)

    assert response.status_code == 410
    assert "replaced by a newer one" in response.content.decode()
    assert fresh(invitation).accepted_at is None
    assert count(Membership, district=district, user=user) == 0


# --- The email's language: the invitee's, never the inviting admin's page language -----------------


def test_an_admin_browsing_in_spanish_invites_into_an_english_district_in_english(
    district, admin_member, client_for, run_on_commit, mailoutbox
):
    district.languages = ["en", "es"]
    district.save(update_fields=["languages"])
    admin_member.user.language = "es"
    admin_member.user.save(update_fields=["language"])
    client = client_for(admin_member)
    with run_on_commit():
        response = client.post(
            f"/d/{district.slug}/people/invite/", {"email": "new@example.org", "role": Role.BOARD_MEMBER}
        )
    assert response.status_code == 302 and response.headers["Content-Language"] == "es"  # the admin's page
    message = mailoutbox[-1]
    assert message.subject == f"You're invited to {district.name} on Throughline"
    assert "Accept the invitation here:" in message.body and "Acepte" not in message.body


def test_a_spanish_page_language_does_not_leak_into_an_english_only_districts_email(
    district, admin_member, in_district, run_on_commit, mailoutbox
):
    from django.utils import translation

    with translation.override("es"), run_on_commit(), in_district(district):
        services.invitation_create(
            district=district, actor=admin_member, email="someone@example.org", role=Role.BOARD_MEMBER
        )
    assert mailoutbox[-1].subject == f"You're invited to {district.name} on Throughline"
    assert "The link works until" in mailoutbox[-1].body


def test_an_invitee_whose_account_reads_spanish_gets_the_email_in_spanish(
    district, admin_member, in_district, run_on_commit, mailoutbox
):
    district.languages = ["en", "es"]
    district.save(update_fields=["languages"])
    UserFactory(email="lucia@example.org", full_name="Lucía Torres", language="es")
    with run_on_commit(), in_district(district):
        services.invitation_create(
            district=district,
            actor=admin_member,
            email="lucia@example.org",
            full_name="Lucía Torres",
            role=Role.BOARD_MEMBER,
        )
    message = mailoutbox[-1]
    assert message.subject == f"Invitación a {district.name} en Throughline"
    assert "Acepte la invitación aquí:" in message.body and "El enlace funciona hasta el" in message.body
    assert "Accept the invitation" not in message.body


def test_the_email_gives_the_expiry_in_the_districts_time_zone(district, admin_member, mailoutbox):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from districts.invitations import invitation_email
    from tests.factories import InvitationFactory

    district.time_zone = "America/Los_Angeles"
    invitation = InvitationFactory(
        district=district, expires_at=datetime(2026, 12, 9, 20, 0, tzinfo=ZoneInfo("UTC")), invited_by=admin_member
    )
    body = invitation_email(invitation, district=district, nonce=invitation.nonce).body
    assert "12:00 p.m. PST" in body  # 20:00 UTC, said in Pacific time
