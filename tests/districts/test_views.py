"""District setup pages: success paths and messages at the field (the role matrix: test_permissions.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from districts.models import Department, District, Invitation, Membership, School
from districts.roles import Role
from districts.selectors import PeopleStatus
from tests.factories import DepartmentFactory, InvitationFactory, MembershipFactory, SchoolFactory, UserFactory

from .helpers import count, fresh

# The role matrix of these pages is tests/districts/test_permissions.py.


# --- Navigation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.DISTRICT_ADMIN, ["Departments", "People", "Settings"], []),
        (Role.SUPERINTENDENT, ["Departments", "People"], ["Settings"]),
        (Role.CABINET, ["Departments", "People"], ["Settings"]),
        (Role.PRINCIPAL, ["Departments"], ["People", "Settings"]),
        (Role.BOARD_MEMBER, ["Departments"], ["People", "Settings"]),
        (Role.PARTNER_COACH, ["Departments"], ["People", "Settings"]),
    ],
)
def test_navigation_follows_the_role(role, shown, hidden, district, make_member, client_for):
    response = client_for(make_member(district, role)).get(f"/d/{district.slug}/", follow=True)  # board: the board
    labels = [item["label"] for item in response.context["nav_items"]]
    assert set(shown) <= set(labels)
    assert not set(hidden) & set(labels)


def test_people_page_marks_its_menu_item_current(district, admin_client):
    items = admin_client.get(f"/d/{district.slug}/people/").context["nav_items"]
    assert [item["label"] for item in items if item["current"]] == ["People"]


# --- District home: the setup checklist --------------------------------------------------


def test_checklist_shows_what_is_left_for_admins(district, admin_client):
    response = admin_client.get(f"/d/{district.slug}/")
    checklist = {item.key: item.done for item in response.context["checklist"]}
    assert checklist == {"settings": False, "schools": False, "departments": False, "people": False}
    assert "Set up your district" in response.content.decode()


def test_checklist_ticks_off_as_the_district_fills_then_goes_away(district, admin_member, admin_client):
    SchoolFactory(district=district)
    DepartmentFactory(district=district)
    checklist = admin_client.get(f"/d/{district.slug}/").context["checklist"]
    assert [item.key for item in checklist if not item.done] == ["settings", "people"]
    InvitationFactory(district=district)
    admin_client.post(f"/d/{district.slug}/settings/", _settings_data(district))
    response = admin_client.get(f"/d/{district.slug}/")
    assert response.context["checklist"] is None
    assert "Set up your district" not in response.content.decode()


def test_checklist_is_only_for_admins(district, principal_member, client_for):
    response = client_for(principal_member).get(f"/d/{district.slug}/")
    assert response.context["checklist"] is None
    assert "Set up your district" not in response.content.decode()


# --- Settings ------------------------------------------------------------------------------


def _settings_data(district: District, **overrides: object) -> dict[str, object]:
    data = {
        "name": district.name,
        "time_zone": "America/Denver",
        "school_year_start_month": "7",
        "languages": ["en", "es"],
        "public_page_enabled": "on",
        "checkin_cadence": "quarterly",
        "checkin_open_day": "20",
        "checkin_due_days": "7",
        "checkin_reminder_days": "3, 0",
        "checkin_escalation_days": "3",
        "checkin_close_days": "14",
        "priority_hard_cap": "",
        "commitment_load_threshold": "6",
        "metric_tolerance_percent": "12.5",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_save(district, admin_client):
    response = admin_client.post(f"/d/{district.slug}/settings/", _settings_data(district, priority_hard_cap="4"))
    assert response.status_code == 302
    saved = District.objects.get(pk=district.pk)
    assert saved.time_zone == "America/Denver"
    assert saved.school_year_start_month == 7
    assert saved.languages == ["en", "es"]
    assert saved.public_page_enabled is True
    assert saved.checkin_cadence == "quarterly"
    assert saved.priority_hard_cap == 4
    assert saved.commitment_load_threshold == 6
    assert str(saved.metric_tolerance_percent) == "12.50"
    assert saved.settings_reviewed_at is not None
    assert saved.slug == district.slug


def test_settings_blank_cap_means_none_and_slug_is_read_only(district, admin_client):
    response = admin_client.post(
        f"/d/{district.slug}/settings/", {**_settings_data(district), "slug": "hijacked", "priority_hard_cap": ""}
    )
    assert response.status_code == 302
    saved = District.objects.get(pk=district.pk)
    assert saved.priority_hard_cap is None
    assert saved.slug == district.slug


def test_settings_page_explains_the_focus_guard_and_fixed_address(district, admin_client):
    html = admin_client.get(f"/d/{district.slug}/settings/").content.decode()
    assert "more than 5 priorities" in html
    assert f"/d/{district.slug}/" in html
    assert 'name="slug"' not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Europe/Paris", "Select a valid choice"),
        ("languages", None, "Choose at least one language."),
        ("priority_hard_cap", "0", "greater than or equal to 1"),
        ("commitment_load_threshold", "lots", "Enter a whole number."),
        ("metric_tolerance_percent", "150", "less than or equal to 100"),
        ("name", "", "This field is required."),
    ],
)
def test_settings_errors_are_at_the_field_and_nothing_is_lost(field, value, message, district, admin_client):
    data = _settings_data(district, name="Renamed District")
    data[field] = value
    data = {k: v for k, v in data.items() if v is not None}
    response = admin_client.post(f"/d/{district.slug}/settings/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    if field != "name":
        assert 'value="Renamed District"' in html  # what was typed is still there
    assert District.objects.get(pk=district.pk).name == district.name  # nothing saved


# --- Schools ---------------------------------------------------------------------------------


def test_school_create_and_duplicate_name_message(district, admin_client):
    url = f"/d/{district.slug}/schools/new/"
    response = admin_client.post(url, {"name": "Lincoln High", "code": "LH", "level": "high", "enrollment": "900"})
    assert response.status_code == 302
    response = admin_client.post(url, {"name": "lincoln high", "code": "LH", "level": "high", "enrollment": "1"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Another school is already called" in errors["name"][0]
    assert "already uses the code LH" in errors["code"][0]
    assert count(School, district=district) == 1


def test_school_edit_keeps_input_on_error(district, admin_client):
    school = SchoolFactory(district=district, name="Adams", code="A1")
    SchoolFactory(district=district, name="Birch", code="B1")
    url = f"/d/{district.slug}/schools/{school.pk}/edit/"
    response = admin_client.post(url, {"name": "Birch", "code": "A1", "level": "middle", "enrollment": "321"})
    assert response.status_code == 200
    assert "Another school is already called" in response.context["form"].errors["name"][0]
    assert 'value="321"' in response.content.decode()
    assert response.context["school"].name == "Adams"
    assert fresh(school).level == "elementary"


def test_school_list_paginates_and_shows_principals(district, admin_client, make_member):
    principal = make_member(district, Role.PRINCIPAL, user__full_name="Pat Principal")
    for n in range(55):
        SchoolFactory(district=district, name=f"Paged school {n:03d}", code=f"PG{n:03d}")
    response = admin_client.get(f"/d/{district.slug}/schools/")
    assert len(response.context["schools"]) == 50
    assert "Next page" in response.content.decode()
    second = admin_client.get(f"/d/{district.slug}/schools/?page=2")
    assert len(second.context["schools"]) == 6
    rows = response.context["schools"] + second.context["schools"]
    assert [row.principals for row in rows if row.school == principal.school] == [[principal.user.get_full_name()]]
    page = response.content.decode() + second.content.decode()
    school_url = f"/d/{district.slug}/schools/{principal.school.pk}/"
    assert f'<a href="{school_url}">{principal.school.name}</a>' in page
    assert principal.user.get_full_name() in page


def test_school_list_htmx_gets_the_partial_and_history_restore_the_page(district, admin_client):
    SchoolFactory(district=district, name="Cedar Grove")
    partial = admin_client.get(f"/d/{district.slug}/schools/?q=cedar", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert "Cedar Grove" in partial.content.decode()
    assert "HX-Request" in partial["Vary"]
    restore = admin_client.get(
        f"/d/{district.slug}/schools/?q=cedar",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_school_delete_only_when_nothing_refers_to_it(district, admin_client, make_member):
    empty = SchoolFactory(district=district, name="Closed School")
    used = make_member(district, Role.PRINCIPAL).school
    response = admin_client.get(f"/d/{district.slug}/schools/{used.pk}/delete/")
    assert "1 person" in response.content.decode()
    response = admin_client.post(f"/d/{district.slug}/schools/{used.pk}/delete/")
    assert response.status_code == 409
    assert "can't be deleted" in response.content.decode()
    assert count(School, pk=used.pk) == 1
    response = admin_client.post(f"/d/{district.slug}/schools/{empty.pk}/delete/")
    assert response.status_code == 302
    assert count(School, pk=empty.pk) == 0


def test_school_detail_links_to_its_people_for_people_viewers(district, make_member, client_for):
    school = SchoolFactory(district=district)
    make_member(district, Role.STAFF, school=school)
    admin_html = client_for(make_member(district, Role.DISTRICT_ADMIN)).get(f"/d/{district.slug}/schools/{school.pk}/")
    assert f"?place=school:{school.pk}" in admin_html.content.decode()
    assert admin_html.context["member_count"] == 1
    staff_html = client_for(make_member(district, Role.STAFF)).get(f"/d/{district.slug}/schools/{school.pk}/")
    assert "?place=school:" not in staff_html.content.decode()


# --- Departments ------------------------------------------------------------------------------


def test_department_list_shows_leads_and_member_counts_in_few_queries(
    district, admin_client, make_member, django_assert_max_num_queries
):
    departments = [DepartmentFactory(district=district, name=f"Dept {n}") for n in range(5)]
    for department in departments:
        make_member(district, Role.CABINET, department=department)
        make_member(district, Role.STAFF, school=None, department=department)
    make_member(district, Role.STAFF, school=None, department=departments[0], is_active=False)
    with django_assert_max_num_queries(12):
        response = admin_client.get(f"/d/{district.slug}/departments/")
    rows = response.context["departments"]
    assert [d.member_count for d, _leads in rows] == [2, 2, 2, 2, 2]
    assert all(len(leads) == 1 for _d, leads in rows)


def test_department_create_edit_and_duplicate(district, admin_client):
    response = admin_client.post(f"/d/{district.slug}/departments/new/", {"name": "Operations", "description": ""})
    assert response.status_code == 302
    assert count(Department, district=district, name="Operations") == 1
    response = admin_client.post(f"/d/{district.slug}/departments/new/", {"name": " operations ", "description": ""})
    assert "Another department is already called" in response.context["form"].errors["name"][0]
    with_scope = DepartmentFactory(district=district, name="Finance")
    response = admin_client.post(
        f"/d/{district.slug}/departments/{with_scope.pk}/edit/", {"name": "Finance and Budget", "description": "Money"}
    )
    assert response.status_code == 302
    assert fresh(with_scope).name == "Finance and Budget"


def test_department_delete_blocked_by_members(district, admin_client, make_member):
    lead = make_member(district, Role.CABINET)
    response = admin_client.post(f"/d/{district.slug}/departments/{lead.department_id}/delete/")
    assert response.status_code == 409
    assert count(Department, pk=lead.department_id) == 1


# --- People -----------------------------------------------------------------------------------


@pytest.fixture
def people(district, make_member):
    school = SchoolFactory(district=district, name="Jefferson Middle")
    department = DepartmentFactory(district=district, name="Operations")
    return {
        "principal": make_member(district, Role.PRINCIPAL, school=school, user=UserFactory(full_name="Grace Okafor")),
        "driver": make_member(
            district, Role.STAFF, school=None, department=department, user=UserFactory(full_name="Earl Jenkins")
        ),
        "former": make_member(district, Role.BOARD_MEMBER, is_active=False, user=UserFactory(full_name="Ex Member")),
        "pending": InvitationFactory(district=district, email="new.teacher@example.org", role=Role.BOARD_MEMBER),
        "revoked": InvitationFactory(district=district, email="gone@example.org", revoked_at=timezone.now()),
        "school": school,
        "department": department,
    }


def _people(client, district, **query):
    response = client.get(f"/d/{district.slug}/people/", query)
    members = response.context["members"]
    invitations = response.context["invitations"]
    return (
        response,
        [m.user.full_name for m in members] if members is not None else None,
        [i.email for i in invitations] if invitations is not None else None,
    )


def test_people_list_shows_members_and_open_invitations(district, admin_member, admin_client, people):
    response, members, invitations = _people(admin_client, district)
    assert {"Grace Okafor", "Earl Jenkins", "Ex Member"} <= set(members)
    assert invitations == ["new.teacher@example.org"]
    html = response.content.decode()
    assert "Pending" in html and "Deactivated" in html


@pytest.mark.parametrize(
    ("query", "expected_members", "expected_invitations"),
    [
        ({"role": Role.PRINCIPAL}, ["Grace Okafor"], []),
        ({"q": "jenk"}, ["Earl Jenkins"], []),
        ({"q": "teacher"}, [], ["new.teacher@example.org"]),
        ({"status": PeopleStatus.INACTIVE}, ["Ex Member"], None),
        ({"status": PeopleStatus.INVITED}, None, ["new.teacher@example.org", "gone@example.org"]),
    ],
)
def test_people_filters(query, expected_members, expected_invitations, district, admin_client, people):
    _response, members, invitations = _people(admin_client, district, **query)
    assert members == expected_members
    assert invitations == expected_invitations


def test_people_filter_by_place(district, admin_client, people):
    _r, members, _i = _people(admin_client, district, place=f"school:{people['school'].pk}")
    assert members == ["Grace Okafor"]
    _r, members, _i = _people(admin_client, district, place=f"department:{people['department'].pk}")
    assert members == ["Earl Jenkins"]
    _r, members, _i = _people(admin_client, district, place="nonsense", role="nonsense", status="nonsense")
    assert len(members) == 4


def test_people_list_htmx_partial_and_states(district, admin_client, people):
    response = admin_client.get(f"/d/{district.slug}/people/", {"status": "invited"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "Revoked" in html and "Pending" in html


def test_people_list_queries_do_not_grow_with_rows(district, admin_client, make_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            admin_client.get(f"/d/{district.slug}/people/")
        return len(context.captured_queries)

    make_member(district, Role.STAFF)
    InvitationFactory(district=district)
    few = queries()
    for _ in range(30):
        make_member(district, Role.STAFF)
        InvitationFactory(district=district)
    assert queries() == few


def test_person_detail_shows_history_of_role_changes(district, admin_member, admin_client, people):
    principal = people["principal"]
    new_school = SchoolFactory(district=district, name="Lincoln High")
    admin_client.post(
        f"/d/{district.slug}/people/{principal.pk}/edit/",
        {"role": Role.PRINCIPAL, "school": new_school.pk, "title": "Principal"},
    )
    admin_client.post(f"/d/{district.slug}/people/{principal.pk}/deactivate/")
    response = admin_client.get(f"/d/{district.slug}/people/{principal.pk}/")
    history = response.context["history"]
    assert (history[0].who, history[0].verb) == (admin_member.user.get_full_name(), "deactivated")
    assert ("School", "Jefferson Middle", "Lincoln High") in [(c.label, c.old, c.new) for c in history[1].changes]
    html = response.content.decode()
    assert f"<strong>{admin_member.user.get_full_name()}</strong> deactivated Grace Okafor" in html
    assert "<del>Jefferson Middle</del>" in html and "<ins>Lincoln High</ins>" in html


def test_person_edit_place_rule_message_at_the_field(district, admin_client, people):
    driver = people["driver"]
    response = admin_client.post(f"/d/{district.slug}/people/{driver.pk}/edit/", {"role": Role.PRINCIPAL})
    assert response.status_code == 200
    assert response.context["form"].errors["school"] == ["A principal needs a school."]
    assert 'id="id_school_error"' in response.content.decode()
    assert fresh(driver).role == Role.STAFF


def test_admin_cannot_change_own_role(district, admin_member, admin_client):
    response = admin_client.post(f"/d/{district.slug}/people/{admin_member.pk}/edit/", {"role": Role.BOARD_MEMBER})
    assert "can't change your own role" in response.context["form"].errors["role"][0]
    assert fresh(admin_member).role == Role.DISTRICT_ADMIN


def test_deactivate_needs_a_confirmation_step(district, admin_client, people):
    driver = people["driver"]
    response = admin_client.get(f"/d/{district.slug}/people/{driver.pk}/deactivate/")
    assert "loses access" in response.content.decode()
    assert fresh(driver).is_active
    response = admin_client.post(f"/d/{district.slug}/people/{driver.pk}/deactivate/")
    assert response.status_code == 302
    assert not fresh(driver).is_active


def test_admin_cannot_deactivate_themselves(district, admin_member, admin_client):
    response = admin_client.post(f"/d/{district.slug}/people/{admin_member.pk}/deactivate/")
    assert response.status_code == 409
    assert "can't deactivate yourself" in response.context["error"]
    assert fresh(admin_member).is_active


def test_deactivated_person_gets_404_at_once_and_reactivation_restores(district, admin_client, client_for, people):
    driver = people["driver"]
    driver_client = client_for(driver)
    assert driver_client.get(f"/d/{district.slug}/").status_code == 200
    admin_client.post(f"/d/{district.slug}/people/{driver.pk}/deactivate/")
    assert driver_client.get(f"/d/{district.slug}/").status_code == 404
    assert driver_client.get(f"/d/{district.slug}/schools/").status_code == 404
    assert count(Membership, pk=driver.pk) == 1
    assert fresh(driver).history.count() >= 2
    admin_client.post(f"/d/{district.slug}/people/{driver.pk}/reactivate/")
    assert driver_client.get(f"/d/{district.slug}/").status_code == 200


# --- Invite -----------------------------------------------------------------------------------


def test_invite_creates_an_invitation(district, admin_client, run_on_commit, mailoutbox):
    school = SchoolFactory(district=district)
    with run_on_commit():
        response = admin_client.post(
            f"/d/{district.slug}/people/invite/",
            {"email": " New.Person@Example.org ", "full_name": "New", "role": Role.PRINCIPAL, "school": school.pk},
        )
    assert response.status_code == 302
    invitation = Invitation._base_manager.get(district=district)
    assert invitation.email == "new.person@example.org"
    assert invitation.school == school
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "role": Role.BOARD_MEMBER}, "email", "Enter a valid email address."),
        ({"email": "a@example.org", "role": Role.PRINCIPAL}, "school", "A principal needs a school."),
        ({"email": "a@example.org", "role": Role.CABINET}, "department", "needs a department"),
        ({"email": "a@example.org", "role": ""}, "role", "This field is required."),
    ],
)
def test_invite_errors_at_the_field(data, field, message, district, admin_client):
    response = admin_client.post(f"/d/{district.slug}/people/invite/", {**data, "full_name": "Kept Name"})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert 'value="Kept Name"' in response.content.decode()
    assert count(Invitation, district=district) == 0


def test_invite_an_active_member_is_refused_with_every_problem_at_once(district, admin_client, people):
    email = people["principal"].user.email
    response = admin_client.post(f"/d/{district.slug}/people/invite/", {"email": email, "role": Role.STAFF})
    errors = response.context["form"].errors
    assert "already an active member" in errors["email"][0]
    assert errors["school"] == ["Staff belong to exactly one school or one department."]


def test_invite_an_already_invited_address_offers_resend(district, admin_client, people):
    pending = people["pending"]
    response = admin_client.post(
        f"/d/{district.slug}/people/invite/", {"email": "NEW.teacher@example.org", "role": Role.BOARD_MEMBER}
    )
    assert response.status_code == 200
    assert response.context["open_invitation"] == pending
    html = response.content.decode()
    assert "Re-send the invitation" in html
    assert f"/people/invitations/{pending.pk}/resend/" in html


def test_invitation_detail_resend_and_revoke(district, admin_client, people, run_on_commit, mailoutbox):
    pending = people["pending"]
    old_nonce = pending.nonce
    with run_on_commit():
        response = admin_client.post(f"/d/{district.slug}/people/invitations/{pending.pk}/resend/")
    assert response.status_code == 302
    assert fresh(pending).nonce != old_nonce
    assert len(mailoutbox) == 1
    response = admin_client.get(f"/d/{district.slug}/people/invitations/{pending.pk}/revoke/")
    assert "stops working" in response.content.decode()
    admin_client.post(f"/d/{district.slug}/people/invitations/{pending.pk}/revoke/")
    assert fresh(pending).revoked_at is not None
    response = admin_client.post(f"/d/{district.slug}/people/invitations/{pending.pk}/resend/", follow=True)
    assert "was revoked" in response.content.decode()


def test_reading_people_is_not_managing_them(district, superintendent_member, client_for, people):
    client = client_for(superintendent_member)
    html = client.get(f"/d/{district.slug}/people/").content.decode()
    assert "Invite a person" not in html
    html = client.get(f"/d/{district.slug}/people/{people['principal'].pk}/").content.decode()
    assert "Deactivate" not in html and "Change role" not in html


def test_cross_district_people_are_not_listed(district, other_district, admin_client):
    MembershipFactory(district=other_district, user=UserFactory(full_name="Elsewhere Person"))
    assert "Elsewhere Person" not in admin_client.get(f"/d/{district.slug}/people/").content.decode()
