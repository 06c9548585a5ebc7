"""A member's history on the person page: core.history's entries and box, newest first, only the newest read."""

from __future__ import annotations

from django.db.models.signals import post_init
from django.urls import reverse

from districts import selectors, services
from districts.models import Membership
from districts.roles import Role
from districts.tenancy import district_context
from tests.factories import InvitationFactory, SchoolFactory, UserFactory


def test_joining_by_invitation_and_coming_back_read_as_joining(district, admin_member, make_member):
    school = SchoolFactory(district=district, name="Jefferson Middle")
    user = UserFactory(full_name="Grace Okafor", email="grace@example.org")
    first = InvitationFactory(district=district, email=user.email, role=Role.PRINCIPAL, school=school)
    with district_context(district):
        person = services.invitation_accept(district=district, invitation=first, user=user, nonce=first.nonce)
        services.membership_deactivate(district=district, actor=admin_member, membership=person)
        again = InvitationFactory(district=district, email=user.email, role=Role.BOARD_MEMBER)
        services.invitation_accept(district=district, invitation=again, user=user, nonce=again.nonce)
        entries = selectors.membership_history(membership=Membership.objects.get(pk=person.pk))

    admin = admin_member.user.get_full_name()
    assert [e.line for e in entries] == [
        "<strong>Grace Okafor</strong> rejoined the district",
        f"<strong>{admin}</strong> deactivated Grace Okafor",
        "<strong>Grace Okafor</strong> joined the district",
    ]
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [
        ("Role", "Principal", "Board member"),
        ("School", "Jefferson Middle", "—"),
    ]
    assert ("School", "—", "Jefferson Middle") in [(c.label, c.old, c.new) for c in entries[2].changes]


def test_a_long_membership_history_reads_only_the_newest_page(district, admin_member, make_member, client_for):
    person = make_member(district, Role.STAFF, school=SchoolFactory(district=district))
    with district_context(district):
        for number in range(60):
            services.membership_update(
                district=district,
                actor=admin_member,
                membership=person,
                role=Role.STAFF,
                school=person.school,
                title=f"Title {number}",
            )
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, sender=Membership.history.model, weak=False)
    try:
        url = reverse("districts:person_detail", kwargs={"district_slug": district.slug, "membership_id": person.pk})
        page = client_for(admin_member).get(url).content.decode()
    finally:
        post_init.disconnect(count, sender=Membership.history.model)

    assert len(built) <= 32  # a page of 30, one more to know there is more, and the record before the oldest
    assert "Showing the 30 most recent changes." in page
    assert "<ins>Title 59</ins>" in page and "<ins>Title 30</ins>" in page and "<ins>Title 29</ins>" not in page
    assert page.index("Title 59") < page.index("Title 58")
