"""The check-in schedule on the district settings page, and a school's principal supervisor on the school form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from districts import services
from districts.models import District, School
from districts.roles import Role
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def settings_data(district: District, **overrides: object) -> dict[str, object]:
    data = {
        "name": district.name,
        "time_zone": "America/Phoenix",
        "school_year_start_month": "8",
        "languages": ["en"],
        "checkin_cadence": "monthly",
        "checkin_open_day": "15",
        "checkin_due_days": "5",
        "checkin_reminder_days": "2, 0",
        "checkin_escalation_days": "2",
        "checkin_close_days": "10",
        "commitment_load_threshold": "8",
        "metric_tolerance_percent": "10",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(admin_member, client_for):
    return client_for(admin_member)


def test_new_districts_get_the_default_schedule(district):
    assert (
        district.checkin_cadence,
        district.checkin_open_day,
        district.checkin_due_days,
        district.checkin_reminder_days,
        district.checkin_escalation_days,
        district.checkin_close_days,
    ) == ("monthly", 20, 7, [3, 0], 3, 14)


def test_the_settings_page_shows_and_saves_the_schedule_and_the_tick_replans(district, admin_client):
    html = admin_client.get(f"/d/{district.slug}/settings/").content.decode()
    assert "Check-in schedule" in html
    assert 'name="checkin_reminder_days" value="3, 0"' in html
    District.objects.filter(pk=district.pk).update(next_tick_at=timezone.now() + timezone.timedelta(days=1))
    response = admin_client.post(f"/d/{district.slug}/settings/", settings_data(district))
    assert response.status_code == 302
    saved = District.objects.get(pk=district.pk)
    assert (
        saved.checkin_open_day,
        saved.checkin_due_days,
        saved.checkin_reminder_days,
        saved.checkin_escalation_days,
        saved.checkin_close_days,
    ) == (15, 5, [2, 0], 2, 10)
    assert saved.next_tick_at <= timezone.now()  # the next tick replans cycles not yet open


def test_saving_unchanged_settings_does_not_nudge_the_tick(district, admin_client):
    admin_client.post(f"/d/{district.slug}/settings/", settings_data(district))
    later = timezone.now() + timezone.timedelta(days=1)
    District.objects.filter(pk=district.pk).update(next_tick_at=later)
    admin_client.post(f"/d/{district.slug}/settings/", settings_data(district))
    assert District.objects.get(pk=district.pk).next_tick_at == later


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"checkin_open_day": "31"}, "checkin_open_day", "less than or equal to 28"),
        ({"checkin_due_days": "0"}, "checkin_due_days", "greater than or equal to 1"),
        ({"checkin_close_days": "6"}, "checkin_close_days", "at least 7 days"),
        ({"checkin_close_days": "30"}, "checkin_close_days", "at most 27 days with this cadence"),
        ({"checkin_reminder_days": "5"}, "checkin_reminder_days", "from 0 to 4 days before it"),
        ({"checkin_reminder_days": "three"}, "checkin_reminder_days", "Enter whole numbers of days"),
        ({"checkin_reminder_days": "4, 3, 2, 1, 0, 0, 1"}, "checkin_reminder_days", None),
        ({"checkin_reminder_days": "1, 2, 3, 4, 0, 1, 2"}, "checkin_reminder_days", None),
    ],
)
def test_a_schedule_that_cannot_run_is_refused_at_its_field_and_what_was_typed_stays(
    overrides, field, message, district, admin_client
):
    data = settings_data(district, name="Renamed District", **overrides)
    response = admin_client.post(f"/d/{district.slug}/settings/", data)
    if message is None:  # duplicates collapse: at most five distinct days is fine
        assert response.status_code == 302
        assert District.objects.get(pk=district.pk).checkin_reminder_days == [4, 3, 2, 1, 0]
        return
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'value="Renamed District"' in html
    assert District.objects.get(pk=district.pk).name == district.name


def test_a_quarterly_cadence_allows_a_longer_cycle(district, admin_client):
    response = admin_client.post(
        f"/d/{district.slug}/settings/", settings_data(district, checkin_cadence="quarterly", checkin_close_days="60")
    )
    assert response.status_code == 302
    assert District.objects.get(pk=district.pk).checkin_close_days == 60


def test_the_service_checks_the_schedule_as_it_would_be_after_the_change(district, admin_member):
    # Only the due days change, but with the stored close days (14) and escalation (3) they can't be 12.
    with pytest.raises(ValidationError) as refused:
        services.district_update(district=district, actor=admin_member, checkin_due_days=12)
    assert "checkin_close_days" in refused.value.message_dict


# --- A school's principal supervisor ---------------------------------------------------------------


def test_the_school_form_offers_only_this_district_s_active_cabinet_members(
    district, other_district, make_member, admin_client
):
    school = SchoolFactory(district=district)
    lead = make_member(district, Role.CABINET, title="Chief Academic Officer")
    gone = make_member(district, Role.CABINET, is_active=False)
    principal = make_member(district, Role.PRINCIPAL)
    theirs = make_member(other_district, Role.CABINET)
    response = admin_client.get(f"/d/{district.slug}/schools/{school.pk}/edit/")
    choices = {value for value, _label in response.context["form"].fields["principal_supervisor"].choices if value}
    assert {int(str(value)) for value in choices} == {lead.pk}
    assert f"{lead.user.get_full_name()} — Chief Academic Officer" in response.content.decode()
    for refused in (gone, principal, theirs):
        data = {"name": school.name, "code": school.code, "level": school.level, "enrollment": "400"}
        response = admin_client.post(
            f"/d/{district.slug}/schools/{school.pk}/edit/", {**data, "principal_supervisor": refused.pk}
        )
        assert response.status_code == 200
        assert "principal_supervisor" in response.context["form"].errors
    with scopes_disabled():
        assert School.objects.get(pk=school.pk).principal_supervisor is None


def test_an_admin_names_and_clears_a_school_s_supervisor(district, make_member, admin_client):
    school = SchoolFactory(district=district)
    lead = make_member(district, Role.CABINET)
    data = {"name": school.name, "code": school.code, "level": school.level, "enrollment": "400"}
    response = admin_client.post(
        f"/d/{district.slug}/schools/{school.pk}/edit/", {**data, "principal_supervisor": lead.pk}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert School.objects.get(pk=school.pk).principal_supervisor == lead
        assert School.history.filter(id=school.pk).first().principal_supervisor_id == lead.pk
    admin_client.post(f"/d/{district.slug}/schools/{school.pk}/edit/", {**data, "principal_supervisor": ""})
    with scopes_disabled():
        assert School.objects.get(pk=school.pk).principal_supervisor is None


def test_a_new_school_can_name_its_supervisor(district, make_member, admin_client):
    lead = make_member(district, Role.CABINET)
    response = admin_client.post(
        f"/d/{district.slug}/schools/new/",
        {"name": "Cedar Elementary", "level": "elementary", "enrollment": "300", "principal_supervisor": lead.pk},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert School.objects.get(district=district, name="Cedar Elementary").principal_supervisor == lead


def test_the_service_refuses_a_supervisor_who_is_not_a_cabinet_member(district, admin_member, make_member):
    school = SchoolFactory(district=district)
    with scopes_disabled(), pytest.raises(ValidationError) as refused:
        services.school_update(
            district=district, actor=admin_member, school=school, principal_supervisor=make_member(district, Role.STAFF)
        )
    assert "principal_supervisor" in refused.value.message_dict
