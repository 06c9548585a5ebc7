"""Every date and time a user sees is in the district's time zone, not the server's.

The server runs in America/Chicago (settings.TIME_ZONE); the district is in
Pacific/Honolulu, five hours behind in March. The moment used below,
08:00 UTC on 2 March 2026, is 2 March 02:00 in Chicago and 1 March 22:00 in
Honolulu, so both the date and the hour tell the zones apart.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from districts.roles import Role
from districts.tasks import send_invitation_email
from tests.factories import InvitationFactory
from tests.metrics.factories import MetricValueFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PriorityFactory

MOMENT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def honolulu(district, settings):
    settings.TIME_ZONE = "America/Chicago"
    district.time_zone = "Pacific/Honolulu"
    district.save(update_fields=["time_zone"])
    return district


@pytest.fixture
def admin(honolulu, admin_member, client_for):
    return client_for(admin_member)


def page(client, name, **kwargs) -> str:
    response = client.get(reverse(name, kwargs={"district_slug": "riverbend-test", **kwargs}))
    assert response.status_code == 200
    return response.content.decode()


def test_value_page_shows_honolulu_time(honolulu, admin):
    value = MetricValueFactory(district=honolulu)
    with scopes_disabled():
        type(value).objects.filter(pk=value.pk).update(updated_at=MOMENT)
    html = page(admin, "metrics:value_detail", metric_value_id=value.pk)
    assert "March 1, 2026, 10:00 p.m." in html
    assert "March 2, 2026" not in html


def test_commitment_and_assignment_pages_show_the_honolulu_date(honolulu, admin):
    plan = ActivePlanFactory(district=honolulu)
    commitment = CommitmentFactory(priority=PriorityFactory(plan=plan, district=honolulu))
    assignment = AssignmentFactory(commitment=commitment, status_changed_at=MOMENT)
    assert "Mar 1, 2026" in page(admin, "priorities:commitment_detail", commitment_id=commitment.pk)
    html = page(admin, "priorities:assignment_detail", assignment_id=assignment.pk)
    assert "March 1, 2026" in html
    assert "March 2, 2026" not in html


def test_people_and_invitation_pages_show_honolulu_time(honolulu, admin):
    invitation = InvitationFactory(district=honolulu, expires_at=MOMENT, sent_at=MOMENT)
    people = page(admin, "districts:people_list")
    assert "Mar 1, 2026" in people
    assert "Mar 2, 2026" not in people
    html = page(admin, "districts:invitation_detail", invitation_id=invitation.pk)
    assert "Mar 1, 2026, 10:00 p.m." in html


def test_history_entries_show_honolulu_time(honolulu, admin, make_member):
    person = make_member(honolulu, Role.PRINCIPAL)
    with scopes_disabled():
        type(person).objects.filter(pk=person.pk).update(created_at=MOMENT)
    html = page(admin, "districts:person_detail", membership_id=person.pk)
    assert "Member since</dt><dd>Mar 1, 2026" in html


def test_invitation_email_sent_by_the_task_shows_honolulu_time(honolulu, mailoutbox):
    invitation = InvitationFactory(district=honolulu, expires_at=MOMENT.replace(year=2030))
    send_invitation_email(honolulu.pk, invitation.pk)
    assert "March 1, 2030, 10:00 p.m. HST" in mailoutbox[0].body
