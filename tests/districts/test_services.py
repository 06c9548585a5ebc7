"""District setup services: permission, validation at the field, only what changed, history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from districts import services
from districts.models import Department, Invitation, Membership, School
from districts.roles import Role
from tests.factories import (
    DepartmentFactory,
    InvitationFactory,
    MembershipFactory,
    RoleLabelFactory,
    SchoolFactory,
    UserFactory,
)

from .helpers import count, fresh

NOT_ADMINS = [role for role in Role if role != Role.DISTRICT_ADMIN]


def _field_errors(excinfo: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Every service checks the acting membership ------------------------------------------


@pytest.mark.parametrize("role", NOT_ADMINS, ids=str)
def test_setup_services_are_for_district_admins_only(role, district, make_member, in_district):
    actor = make_member(district, role)
    school = SchoolFactory(district=district)
    department = DepartmentFactory(district=district)
    target = make_member(district, Role.STAFF)
    invitation = InvitationFactory(district=district)
    calls = [
        lambda: services.district_update(district=district, actor=actor, name="X"),
        lambda: services.school_create(district=district, actor=actor, name="X", level="high"),
        lambda: services.school_update(district=district, actor=actor, school=school, name="X"),
        lambda: services.school_delete(district=district, actor=actor, school=school),
        lambda: services.department_create(district=district, actor=actor, name="X"),
        lambda: services.department_update(district=district, actor=actor, department=department, name="X"),
        lambda: services.department_delete(district=district, actor=actor, department=department),
        lambda: services.membership_update(district=district, actor=actor, membership=target, role=Role.BOARD_MEMBER),
        lambda: services.membership_deactivate(district=district, actor=actor, membership=target),
        lambda: services.membership_reactivate(district=district, actor=actor, membership=target),
        lambda: services.invitation_create(district=district, actor=actor, email="x@example.org", role="staff"),
        lambda: services.invitation_resend(district=district, actor=actor, invitation=invitation),
        lambda: services.invitation_revoke(district=district, actor=actor, invitation=invitation),
    ]
    with in_district(district):
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()


def test_an_actor_from_another_district_is_a_bug(district, other_admin, in_district):
    with in_district(district), pytest.raises(ValueError, match="another district"):
        services.school_create(district=district, actor=other_admin, name="X", level="high")


def test_objects_from_another_district_are_refused(district, other_district, admin_member, in_district):
    foreign_school = SchoolFactory(district=other_district)
    target = MembershipFactory(district=district, role=Role.BOARD_MEMBER)
    with in_district(district), pytest.raises(ValueError, match="another district"):
        services.membership_update(
            district=district, actor=admin_member, membership=target, role=Role.PRINCIPAL, school=foreign_school
        )


# --- District settings -------------------------------------------------------------------


def test_district_update_saves_changes_and_marks_review(district, admin_member, in_district):
    with in_district(district):
        services.district_update(
            district=district,
            actor=admin_member,
            name="  Riverbend   Unified ",
            time_zone="America/Phoenix",
            languages=["es", "en"],
            priority_hard_cap=None,
        )
    saved = type(district).objects.get(pk=district.pk)
    assert saved.name == "Riverbend Unified"
    assert saved.time_zone == "America/Phoenix"
    assert saved.languages == ["en", "es"]
    assert saved.settings_reviewed_at is not None
    assert saved.history.first().history_user == admin_member.user


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Europe/Paris"}, "time_zone"),
        ({"languages": []}, "languages"),
        ({"languages": ["fr"]}, "languages"),
        ({"checkin_cadence": "weekly"}, "checkin_cadence"),
        ({"priority_hard_cap": 0}, "priority_hard_cap"),
        ({"commitment_load_threshold": 0}, "commitment_load_threshold"),
        ({"metric_tolerance_percent": 101}, "metric_tolerance_percent"),
        ({"name": "   "}, "name"),
    ],
)
def test_district_update_errors_are_at_the_field(changes, field, district, admin_member, in_district):
    with in_district(district), pytest.raises(ValidationError) as excinfo:
        services.district_update(district=district, actor=admin_member, **changes)
    assert field in _field_errors(excinfo)
    assert type(district).objects.get(pk=district.pk).settings_reviewed_at is None


def test_district_update_refuses_the_slug(district, admin_member, in_district):
    with in_district(district), pytest.raises(ValidationError, match="Unknown district fields: slug"):
        services.district_update(district=district, actor=admin_member, slug="new")


# --- Schools -----------------------------------------------------------------------------


def test_school_create_cleans_and_records_history(district, admin_member, in_district):
    with in_district(district):
        school = services.school_create(
            district=district,
            actor=admin_member,
            name=" Lincoln   High ",
            level="high",
            code=" LH-1 ",
            region=" North ",
        )
    assert (school.name, school.code, school.region) == ("Lincoln High", "LH-1", "North")
    assert school.history.first().history_user == admin_member.user


def test_school_names_are_unique_case_insensitively_and_codes_exactly(district, admin_member, in_district):
    SchoolFactory(district=district, name="Lincoln High", code="LH")
    with in_district(district), pytest.raises(ValidationError) as excinfo:
        services.school_create(district=district, actor=admin_member, name="LINCOLN HIGH", level="high", code="LH")
    assert set(_field_errors(excinfo)) == {"name", "code"}


def test_same_school_name_in_another_district_is_fine(district, other_district, admin_member, in_district):
    theirs = SchoolFactory(district=other_district, name="Lincoln High")
    with in_district(district):
        ours = services.school_create(district=district, actor=admin_member, name="Lincoln High", level="high")
    assert ours.pk != theirs.pk
    assert (fresh(ours).district, fresh(ours).name) == (district, "Lincoln High")
    assert (fresh(theirs).district, fresh(theirs).name) == (other_district, "Lincoln High")
    assert count(School, name="Lincoln High") == 2


def test_school_update_saves_only_what_changed(district, admin_member, in_district):
    school = SchoolFactory(district=district, name="Adams", enrollment=100)
    with in_district(district):
        services.school_update(district=district, actor=admin_member, school=school, name="Adams", enrollment=100)
        assert school.history.count() == 1
        services.school_update(district=district, actor=admin_member, school=school, enrollment=120)
        assert school.history.count() == 2
    assert fresh(school).enrollment == 120


def test_school_update_rejects_unknown_fields_and_bad_level(district, admin_member, in_district):
    school = SchoolFactory(district=district)
    with in_district(district):
        with pytest.raises(ValidationError, match="Unknown school fields"):
            services.school_update(district=district, actor=admin_member, school=school, district_id=5)
        with pytest.raises(ValidationError) as excinfo:
            services.school_update(district=district, actor=admin_member, school=school, level="college")
    assert "level" in _field_errors(excinfo)


def test_school_delete_is_refused_while_anything_refers_to_it(district, admin_member, in_district, make_member):
    school = SchoolFactory(district=district, name="Busy School")
    member = make_member(district, Role.STAFF, school=school)
    InvitationFactory(district=district, role=Role.STAFF, school=school)
    with in_district(district):
        assert services.references_to(school) == ["1 person", "1 invitation"]
        with pytest.raises(ValidationError, match="1 person, 1 invitation"):
            services.school_delete(district=district, actor=admin_member, school=school)
    # A deactivated member still refers to the school: their history needs it.
    member.is_active = False
    member.save()
    with in_district(district), pytest.raises(ValidationError):
        services.school_delete(district=district, actor=admin_member, school=school)
    assert count(School, pk=school.pk) == 1


def test_school_delete_when_unreferenced_keeps_history(district, admin_member, in_district):
    school = SchoolFactory(district=district)
    school_id = school.pk
    with in_district(district):
        services.school_delete(district=district, actor=admin_member, school=school)
    assert count(School, pk=school_id) == 0
    deleted = School.history.model.objects.get(id=school_id, history_type="-")
    assert deleted.history_user == admin_member.user


# --- Departments -------------------------------------------------------------------------


def test_department_create_update_and_unique_names(district, admin_member, in_district):
    with in_district(district):
        department = services.department_create(district=district, actor=admin_member, name=" Operations ")
        with pytest.raises(ValidationError) as excinfo:
            services.department_create(district=district, actor=admin_member, name="operations")
        assert "name" in _field_errors(excinfo)
        services.department_update(district=district, actor=admin_member, department=department, description=" x ")
    assert fresh(department).description == "x"
    assert fresh(department).name == "Operations"


def test_department_delete(district, admin_member, in_district, make_member):
    used = make_member(district, Role.CABINET).department
    empty = DepartmentFactory(district=district)
    with in_district(district):
        with pytest.raises(ValidationError):
            services.department_delete(district=district, actor=admin_member, department=used)
        services.department_delete(district=district, actor=admin_member, department=empty)
    assert count(Department, pk=used.pk) == 1
    assert count(Department, pk=empty.pk) == 0


# --- Roles and places --------------------------------------------------------------------

SCHOOL, DEPARTMENT, BOTH, NEITHER = "school", "department", "both", "neither"
PLACE_RULES = {
    Role.DISTRICT_ADMIN: {NEITHER},
    Role.SUPERINTENDENT: {NEITHER},
    Role.BOARD_MEMBER: {NEITHER},
    Role.PARTNER_COACH: {NEITHER},
    Role.PRINCIPAL: {SCHOOL},
    Role.CABINET: {DEPARTMENT},
    Role.STAFF: {SCHOOL, DEPARTMENT},
}


@pytest.mark.parametrize("place", [SCHOOL, DEPARTMENT, BOTH, NEITHER])
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_and_place_rules(role, place, district, admin_member, in_district):
    target = MembershipFactory(district=district, role=Role.BOARD_MEMBER)
    school = SchoolFactory(district=district) if place in (SCHOOL, BOTH) else None
    department = DepartmentFactory(district=district) if place in (DEPARTMENT, BOTH) else None

    def update() -> None:
        services.membership_update(
            district=district, actor=admin_member, membership=target, role=role, school=school, department=department
        )

    with in_district(district):
        if place in PLACE_RULES[role]:
            update()
            assert fresh(target).role == role
        else:
            with pytest.raises(ValidationError) as excinfo:
                update()
            assert set(_field_errors(excinfo)) <= {"school", "department"}
            assert fresh(target).role == Role.BOARD_MEMBER


def test_membership_update_saves_label_and_title_with_history(district, admin_member, in_district):
    target = MembershipFactory(district=district, role=Role.STAFF)
    label = RoleLabelFactory(district=district, name="Teachers")
    with in_district(district):
        services.membership_update(
            district=district,
            actor=admin_member,
            membership=target,
            role=Role.STAFF,
            school=target.school,
            role_label=label,
            title="  Grade 7   math ",
        )
    saved = fresh(target)
    assert (saved.role_label, saved.title) == (label, "Grade 7 math")
    assert saved.history.first().history_user == admin_member.user


def test_unknown_role_is_a_field_error(district, admin_member, in_district):
    target = MembershipFactory(district=district, role=Role.BOARD_MEMBER)
    with in_district(district), pytest.raises(ValidationError) as excinfo:
        services.membership_update(district=district, actor=admin_member, membership=target, role="wizard")
    assert "role" in _field_errors(excinfo)


def test_admin_cannot_change_own_role_but_can_change_own_title(district, admin_member, in_district):
    with in_district(district):
        with pytest.raises(ValidationError) as excinfo:
            services.membership_update(
                district=district, actor=admin_member, membership=admin_member, role=Role.SUPERINTENDENT
            )
        assert "role" in _field_errors(excinfo)
        services.membership_update(
            district=district, actor=admin_member, membership=admin_member, role=Role.DISTRICT_ADMIN, title="Director"
        )
    assert fresh(admin_member).title == "Director"


def test_the_last_active_admin_cannot_be_removed(district, make_member, in_district):
    first = make_member(district, Role.DISTRICT_ADMIN)
    second = make_member(district, Role.DISTRICT_ADMIN)
    stale_second = Membership._base_manager.get(pk=second.pk)
    with in_district(district):
        services.membership_deactivate(district=district, actor=first, membership=second)
        # The second admin's request started before they were deactivated: the lock sees the truth.
        with pytest.raises(ValidationError, match="last active district admin"):
            services.membership_deactivate(district=district, actor=stale_second, membership=first)
        with pytest.raises(ValidationError) as excinfo:
            services.membership_update(
                district=district, actor=stale_second, membership=first, role=Role.SUPERINTENDENT
            )
    assert "last active district admin" in _field_errors(excinfo)["role"][0]
    assert fresh(first).is_active and fresh(first).role == Role.DISTRICT_ADMIN


def test_admins_can_demote_another_admin_while_one_remains(district, make_member, in_district):
    first = make_member(district, Role.DISTRICT_ADMIN)
    second = make_member(district, Role.DISTRICT_ADMIN)
    with in_district(district):
        services.membership_update(district=district, actor=first, membership=second, role=Role.SUPERINTENDENT)
    assert fresh(second).role == Role.SUPERINTENDENT


def test_deactivate_and_reactivate(district, admin_member, in_district, make_member):
    target = make_member(district, Role.PRINCIPAL)
    with in_district(district):
        services.membership_deactivate(district=district, actor=admin_member, membership=target)
        services.membership_deactivate(district=district, actor=admin_member, membership=target)  # no-op
        saved = fresh(target)
        assert not saved.is_active and saved.deactivated_at is not None
        assert saved.school_id == target.school_id
        services.membership_reactivate(district=district, actor=admin_member, membership=saved)
    saved = fresh(target)
    assert saved.is_active and saved.deactivated_at is None
    assert [h.is_active for h in saved.history.order_by("history_date")] == [True, False, True]


def test_cannot_deactivate_yourself(district, admin_member, in_district):
    with in_district(district), pytest.raises(ValidationError, match="yourself"):
        services.membership_deactivate(district=district, actor=admin_member, membership=admin_member)


# --- Invitations ---------------------------------------------------------------------------


def test_invitation_create_normalizes_and_emails_after_commit(
    district, admin_member, in_district, run_on_commit, mailoutbox
):
    school = SchoolFactory(district=district)
    with run_on_commit(), in_district(district):
        invitation = services.invitation_create(
            district=district,
            actor=admin_member,
            email="  Grace.Okafor@Example.ORG ",
            role=Role.PRINCIPAL,
            school=school,
            full_name=" Grace  Okafor ",
        )
        assert mailoutbox == []  # not before the commit
    assert invitation.email == "grace.okafor@example.org"
    assert invitation.full_name == "Grace Okafor"
    assert invitation.invited_by == admin_member
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["grace.okafor@example.org"]


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [
        ("nope", Role.BOARD_MEMBER, "email"),
        ("", Role.BOARD_MEMBER, "email"),
        ("ok@example.org", Role.PRINCIPAL, "school"),
        ("ok@example.org", "wizard", "role"),
    ],
)
def test_invitation_create_field_errors(email, role, field, district, admin_member, in_district):
    with in_district(district), pytest.raises(ValidationError) as excinfo:
        services.invitation_create(district=district, actor=admin_member, email=email, role=role)
    assert field in _field_errors(excinfo)


def test_invitation_for_active_member_or_open_invitation_is_refused(district, admin_member, in_district, make_member):
    member = make_member(district, Role.STAFF)
    InvitationFactory(district=district, email="pending@example.org")
    with in_district(district):
        with pytest.raises(ValidationError, match="already an active member"):
            services.invitation_create(
                district=district, actor=admin_member, email=member.user.email.upper(), role=Role.BOARD_MEMBER
            )
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_create(
                district=district, actor=admin_member, email="Pending@example.org", role=Role.BOARD_MEMBER
            )
    assert excinfo.value.error_dict["email"][0].code == "already_invited"


def test_an_expired_invitation_is_still_open_and_must_be_resent(district, admin_member, in_district):
    InvitationFactory(district=district, email="late@example.org", expires_at=timezone.now() - timedelta(days=1))
    with in_district(district), pytest.raises(ValidationError):
        services.invitation_create(district=district, actor=admin_member, email="late@example.org", role="board_member")


def test_a_deactivated_member_can_be_invited_back(district, admin_member, in_district, make_member):
    former = make_member(district, Role.STAFF, is_active=False)
    with in_district(district):
        services.invitation_create(
            district=district, actor=admin_member, email=former.user.email, role=Role.BOARD_MEMBER
        )
    assert count(Invitation, district=district, email=former.user.email) == 1


def test_resend_rotates_the_nonce_and_extends_expiry(district, admin_member, in_district):
    invitation = InvitationFactory(district=district, expires_at=timezone.now() - timedelta(days=1))
    with in_district(district):
        resent = services.invitation_resend(district=district, actor=admin_member, invitation=invitation)
    assert resent.nonce != invitation.nonce
    assert resent.expires_at > timezone.now() + timedelta(days=6)
    assert fresh(invitation).state == Invitation.State.PENDING


def test_revoke_rotates_the_nonce_and_is_idempotent(district, admin_member, in_district):
    invitation = InvitationFactory(district=district)
    with in_district(district):
        revoked = services.invitation_revoke(district=district, actor=admin_member, invitation=invitation)
        again = services.invitation_revoke(district=district, actor=admin_member, invitation=invitation)
        with pytest.raises(ValidationError, match="revoked"):
            services.invitation_resend(district=district, actor=admin_member, invitation=invitation)
    assert revoked.nonce != invitation.nonce
    assert again.revoked_at == revoked.revoked_at


def test_accept_creates_the_membership_with_the_invited_role(district, in_district):
    school = SchoolFactory(district=district)
    label = RoleLabelFactory(district=district)
    invitation = InvitationFactory(
        district=district, email="p@example.org", role=Role.PRINCIPAL, school=school, role_label=label, title="Head"
    )
    user = UserFactory(email="p@example.org", full_name="")
    with in_district(district):
        membership = services.invitation_accept(
            district=district, invitation=invitation, user=user, nonce=invitation.nonce
        )
        again = services.invitation_accept(district=district, invitation=invitation, user=user, nonce=invitation.nonce)
    assert again.pk == membership.pk
    assert (membership.role, membership.school, membership.role_label, membership.title) == (
        Role.PRINCIPAL,
        school,
        label,
        "Head",
    )
    saved = fresh(invitation)
    assert saved.accepted_at is not None and saved.accepted_membership_id == membership.pk
    assert fresh(user).full_name == invitation.full_name
    assert count(Membership, district=district, user=user) == 1


def test_accept_reactivates_an_inactive_membership_with_the_invited_role(district, in_district, make_member):
    former = make_member(district, Role.STAFF, is_active=False)
    invitation = InvitationFactory(district=district, email=former.user.email, role=Role.BOARD_MEMBER)
    with in_district(district):
        membership = services.invitation_accept(
            district=district, invitation=invitation, user=former.user, nonce=invitation.nonce
        )
    assert membership.pk == former.pk
    saved = fresh(former)
    assert saved.is_active and saved.role == Role.BOARD_MEMBER and saved.school is None


def test_accept_refuses_the_wrong_user_and_dead_invitations(district, in_district):
    invitation = InvitationFactory(district=district, email="right@example.org")
    expired = InvitationFactory(district=district, email="late@example.org", expires_at=timezone.now())
    with in_district(district):
        with pytest.raises(ValidationError, match=r"right@example\.org"):
            services.invitation_accept(
                district=district, invitation=invitation, user=UserFactory(), nonce=invitation.nonce
            )
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_accept(
                district=district, invitation=expired, user=UserFactory(email="late@example.org"), nonce=expired.nonce
            )
    assert excinfo.value.code == "expired"
    assert fresh(invitation).accepted_at is None


def test_accept_as_new_user_refuses_an_existing_account(district, in_district):
    invitation = InvitationFactory(district=district, email="taken@example.org")
    UserFactory(email="taken@example.org")
    with in_district(district), pytest.raises(ValidationError, match="Log in"):
        services.invitation_accept_as_new_user(
            district=district,
            invitation=invitation,
            full_name="X",
            password="a-long-password-1",
            nonce=invitation.nonce,
        )
