"""Each role lands on its own home at /d/<slug>/: the principal's school panel, the staff member's role card,
the district admin's checklist and cycle health; every home takes as many queries at two sizes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins.models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinResponse,
    CheckinRollup,
    CheckinState,
    CycleState,
    EntryStatus,
    Notification,
    NotificationKind,
    NotificationState,
    ResponseKind,
    RollupScope,
)
from checkins.rollups import REFRESH_KIND
from dashboards.summary import health_of, health_view
from districts.models import PendingWork
from districts.roles import Role
from tests.dashboards.builders import build_district_data
from tests.factories import RoleLabelFactory
from tests.plans.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def home_url(district) -> str:
    return reverse("dashboards:home", kwargs={"district_slug": district.slug})


def open_checkin(built, **place) -> Checkin:
    with scopes_disabled():
        return Checkin.objects.get(district=built.district, cycle=built.open_cycle, **place)


def set_entries(checkin: Checkin, *statuses: tuple[str, str]) -> None:
    """Give the check-in's entries, in order, these (status, note); the rest stay not started."""
    with scopes_disabled():
        Checkin.objects.filter(pk=checkin.pk).update(state=CheckinState.DRAFT)
        entries = list(CheckinEntry.objects.filter(checkin=checkin, set_aside=False).order_by("pk"))
        for entry, (status, note) in zip(entries, statuses, strict=False):
            entry.status, entry.note = status, note
        for entry in entries[len(statuses) :]:
            entry.status, entry.note = EntryStatus.NOT_STARTED, ""
        CheckinEntry.objects.bulk_update(entries, ["status", "note"])


@pytest.fixture
def built(district):
    return build_district_data(district, schools=3, priorities=2, commitments=4, cycles=3)


# --- Principal --------------------------------------------------------------------------------------


def test_the_principal_sees_what_is_left_on_their_checkin_and_when_it_is_due(built, client_for):
    checkin = open_checkin(built, school=built.schools[0])
    set_entries(checkin, (EntryStatus.ON_TRACK, "Fine"), (EntryStatus.AT_RISK, "  "))

    response = client_for(built.principal).get(home_url(built.district))

    assert response.templates[0].name == "dashboards/home_principal.html"
    html = response.content.decode()
    assert "Your check-in" in html and built.schools[0].name in html
    assert "2 of 3 entries filled in." in html
    assert "1 commitment has no status yet." in html
    assert "1 commitment at risk or off track needs a note." in html
    assert "Continue the check-in" in html
    # The due instant in the district's zone (Chicago), not UTC.
    due = timezone.localtime(built.open_cycle.due_at, built.district.tzinfo)
    assert f"{due:%B} {due.day}, {due.year}, {due.hour % 12 or 12}:{due:%M}" in html


def test_a_complete_draft_is_ready_to_submit(built, client_for):
    checkin = open_checkin(built, school=built.schools[0])
    set_entries(checkin, *[(EntryStatus.ON_TRACK, "")] * 3)

    html = client_for(built.principal).get(home_url(built.district)).content.decode()

    assert "Ready to submit" in html and "have no status yet" not in html


def test_the_principal_sees_their_schools_status_by_priority_over_the_closed_cycles(built, client_for):
    response = client_for(built.principal).get(home_url(built.district))

    history = response.context["place_home"].history
    assert [c.pk for c in history.cycles] == [c.pk for c in built.cycles]
    assert [row.priority.pk for row in history.rows] == [p.pk for p in built.priorities]
    with scopes_disabled():
        stored = {
            (r.cycle_id, r.priority_id): r
            for r in CheckinRollup.objects.filter(
                district=built.district, scope=RollupScope.SCHOOL_PRIORITY, school=built.schools[0]
            )
        }
    expected = [
        [health_of(stored.get((cycle.pk, priority.pk))) for cycle in built.cycles] for priority in built.priorities
    ]
    assert [[cell.code for cell in row.cells] for row in history.rows] == expected
    html = response.content.decode()
    # Status in words with its glyph, never colour alone.
    view = health_view(expected[0][-1])
    assert (
        f'<span class="{view.css}"><span class="health-icon" aria-hidden="true">{view.icon}</span> {view.label}' in html
    )
    assert built.priorities[0].title in html


def test_responses_to_the_latest_submitted_checkin_are_waiting(built, client_for):
    with scopes_disabled():
        latest = (
            Checkin.objects.filter(district=built.district, school=built.schools[0], submitted_at__isnull=False)
            .order_by("-cycle__period_start")
            .first()
        )
        CheckinResponse.objects.create(
            district=built.district,
            checkin=latest,
            kind=ResponseKind.COMMENT,
            author=built.superintendent,
            body="Lovely attendance work",
        )

    html = client_for(built.principal).get(home_url(built.district)).content.decode()

    waiting = html.index("Responses waiting for you")
    assert waiting < html.index("Lovely attendance work")
    assert reverse("checkins:checkin_detail", kwargs={"district_slug": built.district.slug, "checkin_id": latest.pk})


def test_a_principal_without_closed_cycles_is_told_when_status_shows(district, client_for):
    built = build_district_data(district, schools=2, priorities=1, commitments=1, cycles=0)

    html = client_for(built.principal).get(home_url(district)).content.decode()

    assert "the status by priority shows here after the first one" in html


# --- Staff ------------------------------------------------------------------------------------------


def test_staff_land_on_their_role_card(built, make_member, client_for):
    teachers = RoleLabelFactory(district=built.district, name="Teachers", slug="teachers", system_role=Role.STAFF)
    CommitmentFactory(priority=built.priorities[0], role_label=teachers, title="Greet every student at the door")
    teacher = make_member(built.district, Role.STAFF, school=built.schools[1])

    response = client_for(teacher).get(home_url(built.district))

    assert response.templates[0].name == "dashboards/home_staff.html"
    html = response.content.decode()
    assert "Greet every student at the door" in html
    assert "My part in the plan: Teachers" in html
    assert "Nothing specific is asked of your role under this priority." in html  # the second priority
    assert "Your check-in" not in html and "Set up your district" not in html


# --- District admin ---------------------------------------------------------------------------------


def test_the_admin_sees_recent_cycles_and_an_all_clear(built, client_for):
    response = client_for(built.admin).get(home_url(built.district))

    assert response.templates[0].name == "dashboards/home_admin.html"
    health = response.context["cycle_health"]
    assert [line.cycle.pk for line in health.cycles] == [built.open_cycle.pk, *[c.pk for c in reversed(built.cycles)]]
    html = response.content.decode()
    assert "Check-in cycles and emails" in html and "All clear" in html
    assert "Open" in html and "Closed" in html


def test_the_admin_sees_a_failed_email_and_failed_and_stuck_work_with_what_to_do(built, client_for):
    now = timezone.now()
    with scopes_disabled():
        Notification.objects.create(
            district=built.district,
            kind=NotificationKind.REMINDER,
            event_key="reminder:1",
            recipient=built.principal,
            state=NotificationState.FAILED,
            attempts=5,
            last_error="Traceback (most recent call last):\n  ...\nSMTPRecipientsRefused: mailbox unavailable",
        )
        Notification.objects.create(
            district=built.district,
            kind=NotificationKind.REMINDER,
            event_key="reminder:1",
            recipient=built.superintendent,
            state=NotificationState.SENT,
        )
        PendingWork.objects.create(
            district=built.district,
            kind=REFRESH_KIND,
            key="cycle:1",
            attempts=5,
            failed_at=now,
            last_error="OperationalError: deadlock detected",
        )
        PendingWork.objects.create(
            district=built.district, kind=REFRESH_KIND, key="cycle:2", available_at=now - timedelta(hours=2)
        )
        PendingWork.objects.create(district=built.district, kind=REFRESH_KIND, key="cycle:3", done_at=now)

    response = client_for(built.admin).get(home_url(built.district))

    health = response.context["cycle_health"]
    assert (health.emails.sent, health.emails.failed) == (1, 1)
    assert sorted(p.failed for p in health.work) == [False, True]
    html = response.content.decode()
    assert "Needs attention" in html
    assert "Reason: SMTPRecipientsRefused: mailbox unavailable" in html and "Traceback" not in html
    assert "Check their email address" in html
    assert "Reason: OperationalError: deadlock detected" in html
    assert "Updating the check-in summaries" in html and "rebuild the check-in roll-ups" in html
    assert "Gave up on" in html and "after 5 attempts" in html
    assert "the background worker has not picked it up" in html


def test_a_cycle_the_tick_did_not_open_is_flagged(built, client_for):
    with scopes_disabled():
        CheckinCycle.objects.filter(pk=built.open_cycle.pk).update(state=CycleState.SCHEDULED, opened_at=None)

    html = client_for(built.admin).get(home_url(built.district)).content.decode()

    assert "Should have opened by now" in html and "Needs attention" in html


def test_the_admin_still_gets_the_setup_checklist(built, client_for):
    html = client_for(built.admin).get(home_url(built.district)).content.decode()

    assert "Set up your district" in html  # the settings were never reviewed


# --- The other roles --------------------------------------------------------------------------------


def test_a_department_lead_sees_their_departments_checkin_and_status(built, client_for):
    response = client_for(built.cabinet).get(home_url(built.district))

    panel = response.context["place_home"]
    assert panel.place == built.departments[0] and not panel.is_school
    assert panel.current.checkin.department_id == built.departments[0].pk
    assert "Your department by priority" in response.content.decode()


def test_the_superintendent_cabinet_and_coaches_land_on_the_dashboard(built, client_for):
    for member in (built.superintendent, built.cabinet, built.coach):
        response = client_for(member).get(home_url(built.district))
        # Its sections are rendered first (to be cached), then the page that prints them.
        assert "dashboards/dashboard.html" in {t.name for t in response.templates}, member.role
    assert "Your check-in" not in client_for(built.superintendent).get(home_url(built.district)).content.decode()


def test_board_members_land_on_the_board_pages(built, client_for):
    response = client_for(built.board).get(home_url(built.district))

    assert response.status_code == 302
    assert response.url == reverse("dashboards:board", kwargs={"district_slug": built.district.slug})


# --- Queries don't grow with schools, commitments or cycles -----------------------------------------


def _queries(client, url: str) -> int:
    client.get(url)  # the first request fills the roll-up cache and the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _staff(built, make_member):
    RoleLabelFactory(district=built.district, name="Teachers", slug="teachers", system_role=Role.STAFF)
    return make_member(built.district, Role.STAFF, school=built.schools[0])


@pytest.mark.parametrize("role", ["principal", "staff", "admin", "cabinet"])
def test_each_home_takes_as_many_queries_at_two_sizes(role, district, other_district, make_member, client_for):
    small = build_district_data(district, schools=2, priorities=2, commitments=2, cycles=2, seed=1)
    large = build_district_data(other_district, schools=9, priorities=4, commitments=9, cycles=8, departments=2, seed=2)
    counts = []
    for built in (small, large):
        member = _staff(built, make_member) if role == "staff" else getattr(built, role)
        if role == "admin":
            with scopes_disabled():
                PendingWork.objects.create(
                    district=built.district, kind=REFRESH_KIND, key="x", failed_at=timezone.now(), attempts=5
                )
        counts.append(_queries(client_for(member), home_url(built.district)))
    assert counts[0] == counts[1]


# --- The demo: each login lands on its home with real data, axe-clean, 390 px wide ------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_demo_homes_have_real_data_pass_axe_and_fit_a_phone(browser, live_server, axe):
    from io import StringIO

    from django.core.management import call_command

    from districts.demo import DEMO_PASSWORD, RIVERBEND_SLUG
    from tests.gates.demo_urls import DEMO_ROLES
    from tests.gates.walk import PHONE, log_in, walk

    call_command("seed_demo", stdout=StringIO())
    try:
        roles = ["district admin", "principal", "staff", "cabinet lead"]
        logins = {role: log_in(browser, live_server.url, DEMO_ROLES[role], DEMO_PASSWORD) for role in roles}
        visits, _ = walk(browser, live_server.url, axe.axe_script, logins, {"dashboards:home": f"/d/{RIVERBEND_SLUG}/"})
        context = browser.new_context(base_url=live_server.url, storage_state=logins["principal"])
        principal_home = context.new_page()
        principal_home.goto(f"/d/{RIVERBEND_SLUG}/")
        cells = principal_home.locator("table.place-history tbody td").all_inner_texts()
        context.close()
    finally:
        call_command("flush", interactive=False, stdout=StringIO())
    assert len(visits) == 2 * len(roles)
    problems = [
        (v.role, v.language, v.status, v.violations, v.scroll_width)
        for v in visits
        if v.status != 200 or v.violations or v.scroll_width > PHONE["width"]
    ]
    assert not problems
    assert cells, "the principal's school has no status history in the demo"
    assert any(health_view(health_of(None)).label not in text for text in cells)  # real statuses, not only "no data"
