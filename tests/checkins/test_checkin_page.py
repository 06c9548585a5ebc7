"""The check-in page: a principal fills in their school's check-in (autosave, Save draft, Submit), sees
what is wrong beside each field, never loses what was typed (stale save, closed cycle, expired session),
and reviewers see it read-only; everyone else gets a 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins.forms import entry_field, value_field
from checkins.models import Checkin, CheckinCycle, CheckinEntry, CheckinMetricValue, CheckinState, CycleState
from districts import ticks
from districts.models import District
from districts.roles import Role
from metrics.choices import Frequency, Source
from metrics.models import MetricValue
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory
from tests.plans.factories import AssignmentFactory, CommitmentFactory

from .conftest import MARCH_OPEN, build_world, cycle_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


class Clock:
    """timezone.now() for the test: the check-in's services, auto_now fields and the page read it."""

    def __init__(self, monkeypatch) -> None:
        self.now = MARCH_OPEN + timedelta(hours=1)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def move_to(self, when) -> None:
        self.now = when


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def opened(world, clock):
    ticks.run_district(District.objects.get(pk=world.district.pk), now=MARCH_OPEN)
    return world


@pytest.fixture
def school(opened):
    return opened.schools[0]


@pytest.fixture
def principal(opened, school, make_member):
    return make_member(opened.district, Role.PRINCIPAL, school=school)


@pytest.fixture
def metric(opened):
    return MetricFactory(
        district=opened.district,
        priority=opened.commitments[0].priority,
        name="Attendance rate",
        source=Source.CHECKINS,
        frequency=Frequency.MONTHLY,
        valid_min=Decimal("0"),
        valid_max=Decimal("100"),
    )


def checkin_of(district, school) -> Checkin:
    with scopes_disabled():
        return Checkin.objects.get(district=district, school=school, cycle=cycle_of(district))


def entries_of(checkin) -> list[CheckinEntry]:
    with scopes_disabled():
        return list(CheckinEntry.objects.filter(checkin=checkin, set_aside=False).order_by("pk"))


def url(checkin: Checkin, name: str = "checkins:checkin_detail") -> str:
    with scopes_disabled():
        slug = District.objects.get(pk=checkin.district_id).slug
    return reverse(name, kwargs={"district_slug": slug, "checkin_id": checkin.pk})


def form_data(checkin: Checkin, version: int | None = None, **overrides) -> dict[str, str]:
    data: dict[str, str] = {"version": str(version or checkin.version)}
    for entry in entries_of(checkin):
        data[entry_field(entry.pk, "status")] = "on_track"
        data[entry_field(entry.pk, "note")] = "Going well"
    data.update(overrides)
    return data


def test_the_principal_sees_a_form_with_each_entry_and_the_metric_values(opened, school, principal, metric, client_for):
    checkin = checkin_of(opened.district, school)
    response = client_for(principal).get(url(checkin))
    assert response.status_code == 200
    html = response.content.decode()
    for entry in entries_of(checkin):
        assert entry_field(entry.pk, "status") in html
    assert value_field(metric.pk) in html and "Attendance rate" in html
    assert "Allowed:" in html
    assert "Required when at risk or off track." in html
    assert 'hx-trigger="input changed delay:1500ms' in html
    assert 'role="status"' in html


def test_autosave_saves_the_draft_and_says_when(opened, school, principal, metric, client_for):
    checkin = checkin_of(opened.district, school)
    first = entries_of(checkin)[0]
    data = form_data(
        checkin, autosave="1", **{entry_field(first.pk, "note"): "Half done", value_field(metric.pk): "9x"}
    )
    response = client_for(principal).post(url(checkin), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved at 7:30" in html  # 07:30 in Chicago (the district's zone)
    assert 'hx-swap-oob="true"' in html and f'value="{checkin.version + 1}"' in html
    assert "<form" not in html  # only the status is swapped
    with scopes_disabled():
        assert CheckinEntry.objects.get(pk=first.pk).note == "Half done"
        assert CheckinMetricValue.objects.get(checkin=checkin, metric=metric).value_text == "9x"
        assert Checkin.objects.get(pk=checkin.pk).state == CheckinState.DRAFT


def test_a_stale_autosave_is_refused_naming_who_saved_and_the_form_stays(
    opened, school, principal, make_member, client_for
):
    checkin = checkin_of(opened.district, school)
    colleague = make_member(opened.district, Role.PRINCIPAL, school=school)
    client_for(colleague).post(url(checkin), form_data(checkin, autosave="1"), **HTMX)
    first = entries_of(checkin)[0]
    mine = form_data(checkin, autosave="1", **{entry_field(first.pk, "note"): "My words"})
    response = client_for(principal).post(url(checkin), mine, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps it into the status line only
    assert "Not saved:" in html and colleague.user.get_full_name() in html and "Reload the check-in" in html
    assert "hx-swap-oob" not in html
    # Without JavaScript: the page again, with what was typed and the same message.
    response = client_for(principal).post(url(checkin), {**mine, "autosave": ""})
    assert response.status_code == 409
    assert "My words" in response.content.decode() and "Not saved:" in response.content.decode()
    with scopes_disabled():
        assert CheckinEntry.objects.get(pk=first.pk).note == "Going well"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(
            lambda first, other: {entry_field(first.pk, "evidence_url"): "https://x.example/" + "a" * 500},
            id="link too long",
        ),
        pytest.param(lambda first, other: {entry_field(first.pk, "status"): "finished"}, id="unknown status"),
        pytest.param(
            lambda first, other: {entry_field(other.pk, "note"): "Into another school's check-in"},
            id="another check-in's entry",
        ),
        pytest.param(lambda first, other: {"version": "soon"}, id="version not a number"),
    ],
)
def test_an_autosave_out_of_bounds_saves_nothing_and_says_so(opened, school, principal, client_for, bad):
    checkin = checkin_of(opened.district, school)
    first = entries_of(checkin)[0]
    other_school = next(s for s in opened.schools if s.pk != school.pk)
    other = entries_of(checkin_of(opened.district, other_school))[0]
    data = form_data(checkin, autosave="1", **{entry_field(first.pk, "note"): "Typed just now"})
    data.update(bad(first, other))
    response = client_for(principal).post(url(checkin), data, **HTMX)
    assert response.status_code == 200
    assert "Not saved yet" in response.content.decode()
    with scopes_disabled():
        assert CheckinEntry.objects.get(pk=first.pk).note == ""
        assert CheckinEntry.objects.get(pk=other.pk).note == ""
        assert Checkin.objects.get(pk=checkin.pk).version == checkin.version


def test_an_autosave_writes_only_the_entries_posted_and_keeps_an_unchosen_status(opened, school, principal, client_for):
    checkin = checkin_of(opened.district, school)
    first, second = entries_of(checkin)[:2]
    client = client_for(principal)
    client.post(url(checkin), form_data(checkin, autosave="1"), **HTMX)  # every entry on track
    data = {"version": str(checkin.version + 1), "autosave": "1", entry_field(first.pk, "note"): "  Only this  "}
    response = client.post(url(checkin), data, **HTMX)
    assert "Saved at" in response.content.decode()
    with scopes_disabled():
        first, second = CheckinEntry.objects.get(pk=first.pk), CheckinEntry.objects.get(pk=second.pk)
    assert (first.note, first.status) == ("Only this", "on_track")  # stripped as the form would
    assert (second.note, second.status) == ("Going well", "on_track")


def test_save_draft_without_javascript_redirects_back_with_a_message(opened, school, principal, client_for):
    checkin = checkin_of(opened.district, school)
    response = client_for(principal).post(url(checkin), {**form_data(checkin), "action": "save"}, follow=True)
    assert response.redirect_chain[-1][0] == url(checkin)
    assert "Draft saved at 7:30" in response.content.decode()


def test_submitting_with_problems_shows_them_beside_the_fields_and_keeps_the_draft(
    opened, school, principal, metric, client_for
):
    checkin = checkin_of(opened.district, school)
    first, second = entries_of(checkin)
    data = form_data(
        checkin,
        action="submit",
        **{
            entry_field(first.pk, "status"): "at_risk",
            entry_field(first.pk, "note"): "",
            entry_field(second.pk, "evidence_url"): "javascript:alert(1)",
            entry_field(second.pk, "support_requested"): "on",
            value_field(metric.pk): "140",
        },
    )
    response = client_for(principal).post(url(checkin), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "There are 4 problems" in html
    assert "Add a note: it is required when the commitment is at risk or off track." in html
    assert "Enter a link that starts with http:// or https://." in html
    assert "javascript:alert(1)" in html  # what was typed stays
    assert f'name="version" value="{checkin.version + 1}"' in html
    with scopes_disabled():
        stored = Checkin.objects.get(pk=checkin.pk)
    assert stored.state == CheckinState.DRAFT and stored.version == checkin.version + 1


def test_submitting_writes_the_values_and_the_page_becomes_read_only(opened, school, principal, metric, client_for):
    checkin = checkin_of(opened.district, school)
    client = client_for(principal)
    response = client.post(url(checkin), form_data(checkin, action="submit", **{value_field(metric.pk): "93.5"}))
    assert response.status_code == 302
    with scopes_disabled():
        value = MetricValue.objects.get(metric=metric, school=school)
        assert Checkin.objects.get(pk=checkin.pk).state == CheckinState.SUBMITTED
    assert value.value == Decimal("93.5") and value.entered_by_id == principal.pk
    html = client.get(url(checkin)).content.decode()
    assert '<form method="post" class="form checkin-form"' not in html
    assert "Submitted" in html and principal.user.get_full_name() in html
    # Saving into it now is refused and what was typed is shown again.
    response = client.post(
        url(checkin), form_data(checkin, version=checkin.version + 1, action="save", **{value_field(metric.pk): "50"})
    )
    assert response.status_code == 409
    assert "already submitted" in response.content.decode()


def test_a_late_submission_says_how_late(opened, school, principal, client_for, clock):
    checkin = checkin_of(opened.district, school)
    with scopes_disabled():
        due = CheckinCycle.objects.get(pk=checkin.cycle_id).due_at
    clock.move_to(due + timedelta(days=1, hours=3))
    client = client_for(principal)
    assert client.post(url(checkin, "checkins:checkin_submit"), form_data(checkin)).status_code == 302
    assert "Submitted 2 days late" in client.get(url(checkin)).content.decode()


def test_a_returned_checkin_shows_the_comment_and_is_editable(opened, school, principal, client_for):
    checkin = checkin_of(opened.district, school)
    with scopes_disabled():
        Checkin.objects.filter(pk=checkin.pk).update(state=CheckinState.RETURNED, return_comment="Add the dates")
    html = client_for(principal).get(url(checkin)).content.decode()
    assert "Add the dates" in html and "Returned for revision" in html and "Submit check-in" in html


def test_a_closed_cycle_is_read_only(opened, school, principal, client_for):
    checkin = checkin_of(opened.district, school)
    with scopes_disabled():
        CheckinCycle.objects.filter(pk=checkin.cycle_id).update(state=CycleState.CLOSED)
    client = client_for(principal)
    html = client.get(url(checkin)).content.decode()
    assert "This cycle has closed" in html and "Submit check-in" not in html
    response = client.post(url(checkin), form_data(checkin, action="save", **{"e0-note": "x"}))
    assert response.status_code == 409 and "cycle is closed" in response.content.decode()


def test_an_expired_session_sends_an_autosave_to_log_in_and_back(opened, school):
    checkin = checkin_of(opened.district, school)
    response = Client().post(
        url(checkin), {"autosave": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{url(checkin)}"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert response["HX-Redirect"].endswith(f"?next={url(checkin)}")


@pytest.mark.parametrize("role", [Role.SUPERINTENDENT, Role.CABINET, Role.PARTNER_COACH, Role.DISTRICT_ADMIN])
def test_reviewers_see_it_read_only(opened, school, make_member, client_for, role):
    checkin = checkin_of(opened.district, school)
    client = client_for(make_member(opened.district, role))
    response = client.get(url(checkin))
    assert response.status_code == 200
    assert "Submit check-in" not in response.content.decode()
    assert client.post(url(checkin), form_data(checkin)).status_code == 403


@pytest.mark.parametrize("role", [Role.STAFF, Role.BOARD_MEMBER, Role.PRINCIPAL])
def test_others_get_a_404(opened, school, make_member, client_for, role):
    checkin = checkin_of(opened.district, school)
    fields = {"school": opened.schools[1]} if role == Role.PRINCIPAL else {}
    client = client_for(make_member(opened.district, role, **fields))
    assert client.get(url(checkin)).status_code == 404
    assert client.post(url(checkin), form_data(checkin)).status_code == 404


def test_another_districts_checkin_is_a_404(opened, school, other_district, make_member, client_for):
    checkin = checkin_of(opened.district, school)
    build_world(other_district)
    ticks.run_district(District.objects.get(pk=other_district.pk), now=MARCH_OPEN)
    outsider = make_member(other_district, Role.PRINCIPAL, school=SchoolFactory(district=other_district))
    foreign = reverse(
        "checkins:checkin_detail", kwargs={"district_slug": other_district.slug, "checkin_id": checkin.pk}
    )
    assert client_for(outsider).get(foreign).status_code == 404


def test_my_checkins_lists_the_current_one_first(opened, school, principal, client_for):
    checkin = checkin_of(opened.district, school)
    response = client_for(principal).get(
        reverse("checkins:my_checkins", kwargs={"district_slug": opened.district.slug})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert url(checkin) in html and "This cycle" in html and "Due" in html


def _grow(opened, school, total: int) -> None:
    """Give the school's check-in `total` entries."""
    checkin = checkin_of(opened.district, school)
    with scopes_disabled():
        have = CheckinEntry.objects.filter(checkin=checkin).count()
        for _ in range(total - have):
            assignment = AssignmentFactory(
                commitment=CommitmentFactory(priority=opened.commitments[0].priority), school=school
            )
            CheckinEntry.objects.create(district=opened.district, checkin=checkin, assignment=assignment)


def _queries(opened, school, principal, client_for, data_extra) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    checkin = checkin_of(opened.district, school)
    client = client_for(principal)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url(checkin), form_data(checkin, **data_extra), **HTMX)
    assert response.status_code in (200, 302)
    return len(captured.captured_queries)


@pytest.mark.parametrize("extra", [{"autosave": "1"}, {"action": "submit"}], ids=["autosave", "submit"])
def test_queries_do_not_grow_with_the_number_of_entries(opened, metric, make_member, client_for, extra):
    counts = []
    for school, total in ((opened.schools[0], 5), (opened.schools[1], 20)):
        _grow(opened, school, total)
        principal = make_member(opened.district, Role.PRINCIPAL, school=school)
        extra_data = {**extra, value_field(metric.pk): "90"}
        counts.append(_queries(opened, school, principal, client_for, extra_data))
    assert counts[0] == counts[1]


def test_a_department_lead_fills_in_their_departments_checkin(opened, make_member, client_for):
    with scopes_disabled():
        checkin = Checkin.objects.get(
            district=opened.district, department=opened.department, cycle=cycle_of(opened.district)
        )
    lead = make_member(opened.district, Role.CABINET, department=opened.department)
    client = client_for(lead)
    listing = client.get(reverse("checkins:my_checkins", kwargs={"district_slug": opened.district.slug}))
    assert url(checkin) in listing.content.decode()
    assert "Submit check-in" in client.get(url(checkin)).content.decode()
    response = client.post(url(checkin, "checkins:checkin_submit"), form_data(checkin))
    assert response.status_code == 302
    with scopes_disabled():
        assert Checkin.objects.get(pk=checkin.pk).submitted_by_id == lead.pk
    # Another cabinet member sees it read-only (a reviewer), and may not post to it.
    other = make_member(opened.district, Role.CABINET)
    assert "Submit check-in" not in client_for(other).get(url(checkin)).content.decode()
    assert client_for(other).post(url(checkin), form_data(checkin)).status_code == 403
