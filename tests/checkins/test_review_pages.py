"""The review pages: responses beside a check-in (HTMX in place, or post and redirect), the return and
resolve forms, a cycle's check-ins, the support-request queue and the principal's home panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from checkins import services
from checkins.models import Checkin, CheckinEntry, CheckinResponse, CheckinState, EntryStatus
from checkins.services import EntryInput
from districts import ticks
from districts.models import District
from districts.roles import Role

from .conftest import MARCH_OPEN, build_world, checkin_of, cycle_of, entries_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SUBMITTED_AT = MARCH_OPEN + timedelta(hours=1)
GOOD = EntryInput(status=EntryStatus.ON_TRACK, note="Going well")
HELP = EntryInput(status=EntryStatus.AT_RISK, note="Behind", support_requested=True, support_needed="A reading coach")


def submit(district, principal, checkin, in_district, now=SUBMITTED_AT) -> Checkin:
    ids = [e.pk for e in entries_of(checkin)]
    with in_district(district):
        return services.submit_checkin(
            district=district,
            actor=principal,
            checkin=checkin,
            version=checkin.version,
            entries={ids[0]: HELP, **dict.fromkeys(ids[1:], GOOD)},
            now=now,
        )


@pytest.fixture
def submitted(opened, people, in_district) -> Checkin:
    return submit(opened.district, people["principal"], checkin_of(opened.district, opened.schools[0]), in_district)


def url(name, district, **kwargs) -> str:
    return reverse(f"checkins:{name}", kwargs={"district_slug": district.slug, **kwargs})


def state_of(checkin) -> str:
    with scopes_disabled():
        return Checkin.objects.get(pk=checkin.pk).state


# --- Responses beside the check-in ---------------------------------------------------------------


def test_the_superintendent_acknowledges_in_place(opened, people, submitted, client_for):
    district = opened.district
    client = client_for(people["superintendent"])
    page = client.get(url("checkin_detail", district, checkin_id=submitted.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="checkin-responses"' in html and "Acknowledge" in html and "Return for revision" in html
    assert "Mark support request resolved" in html  # the entry asking for help
    swapped = client.post(
        url("checkin_acknowledge", district, checkin_id=submitted.pk), {"body": "Thanks, good work"}, **HTMX
    )
    part = swapped.content.decode()
    assert swapped.status_code == 200 and "<html" not in part
    assert "Thanks, good work" in part and "The check-in was acknowledged." in part
    assert "First response" in part
    assert state_of(submitted) == CheckinState.ACKNOWLEDGED


def test_without_javascript_a_response_posts_and_redirects_with_a_message(opened, people, submitted, client_for):
    district = opened.district
    client = client_for(people["owner"])
    entry = entries_of(submitted)[0]
    response = client.post(
        url("checkin_comment", district, checkin_id=submitted.pk), {"body": "Which coach?", "entry": entry.pk}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url("checkin_detail", district, checkin_id=submitted.pk))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Your comment was added." in html and "Which coach?" in html
    with scopes_disabled():
        assert CheckinResponse.objects.get(checkin=submitted).entry_id == entry.pk


def test_an_empty_comment_shows_its_message_beside_the_field(opened, people, submitted, client_for):
    district = opened.district
    response = client_for(people["coach"]).post(
        url("checkin_comment", district, checkin_id=submitted.pk), {"body": " "}, **HTMX
    )
    html = response.content.decode()
    assert 'id="checkin-comment-error"' in html and "Write a comment first." in html


def test_the_coach_comments_but_gets_no_acknowledge_or_return(opened, people, submitted, client_for):
    district = opened.district
    client = client_for(people["coach"])
    html = client.get(url("checkin_detail", district, checkin_id=submitted.pk)).content.decode()
    assert "Comment on the whole check-in" in html and "Comment on this commitment" in html
    assert "Acknowledge" not in html and "Return for revision" not in html
    assert client.post(url("checkin_acknowledge", district, checkin_id=submitted.pk)).status_code == 403
    assert client.get(url("checkin_return", district, checkin_id=submitted.pk)).status_code == 403
    assert state_of(submitted) == CheckinState.SUBMITTED


def test_a_cabinet_member_of_another_priority_gets_no_forms(opened, people, submitted, client_for):
    district = opened.district
    client = client_for(people["other_cabinet"])
    html = client.get(url("checkin_detail", district, checkin_id=submitted.pk)).content.decode()
    assert "Acknowledge" not in html and "Add comment" not in html
    assert client.post(url("checkin_acknowledge", district, checkin_id=submitted.pk)).status_code == 403
    assert client.get(url("checkin_return", district, checkin_id=submitted.pk)).status_code == 403
    assert state_of(submitted) == CheckinState.SUBMITTED


def test_a_draft_shows_reviewers_no_response_forms(opened, people, client_for):
    district = opened.district
    draft = checkin_of(district, opened.schools[1])
    html = client_for(people["superintendent"]).get(url("checkin_detail", district, checkin_id=draft.pk)).content
    assert b"Acknowledge" not in html and b"Add comment" not in html


def test_returning_needs_a_comment_beside_the_field(opened, people, submitted, client_for):
    district = opened.district
    client = client_for(people["owner"])
    path = url("checkin_return", district, checkin_id=submitted.pk)
    assert client.get(path).status_code == 200
    refused = client.post(path, {"comment": ""})
    assert refused.status_code == 400 and b"Say what should be changed" in refused.content
    assert state_of(submitted) == CheckinState.SUBMITTED
    done = client.post(path, {"comment": "Add the reading data"})
    assert done.status_code == 302 and state_of(submitted) == CheckinState.RETURNED
    # The principal sees the comment and the thread on their check-in.
    html = client_for(people["principal"]).get(done["Location"]).content.decode()
    assert "Add the reading data" in html


def test_resolving_a_support_request_from_its_page_and_in_place(opened, people, submitted, client_for):
    district = opened.district
    asking = entries_of(submitted)[0]
    client = client_for(people["owner"])
    path = url("support_resolve", district, entry_id=asking.pk)
    page = client.get(path)
    assert page.status_code == 200 and b"A reading coach" in page.content
    swapped = client.post(path, {"body": "Coach starts Monday"}, **HTMX)
    assert swapped.status_code == 200 and b"Coach starts Monday" in swapped.content
    assert b'id="entry-%d-responses"' % asking.pk in swapped.content
    with scopes_disabled():
        assert CheckinEntry.objects.get(pk=asking.pk).support_resolved_at is not None
    again = client.post(path, {"body": ""})
    assert again.status_code == 400 and b"This support request was resolved" in again.content


def test_another_districts_checkin_and_entry_are_404(
    opened, people, submitted, client_for, other_district, make_member
):
    other = build_world(other_district)
    ticks.run_district(District.objects.get(pk=other_district.pk), now=MARCH_OPEN)
    foreign = checkin_of(other_district, other.schools[0])
    foreign_entry = entries_of(foreign)[0]
    client = client_for(people["superintendent"])
    district = opened.district
    assert client.post(url("checkin_acknowledge", district, checkin_id=foreign.pk)).status_code == 404
    assert client.get(url("checkin_return", district, checkin_id=foreign.pk)).status_code == 404
    assert client.post(url("checkin_comment", district, checkin_id=foreign.pk), {"body": "x"}).status_code == 404
    assert client.get(url("support_resolve", district, entry_id=foreign_entry.pk)).status_code == 404
    # An entry of another check-in named in the comment form
    assert (
        client.post(
            url("checkin_comment", district, checkin_id=submitted.pk), {"body": "x", "entry": foreign_entry.pk}
        ).status_code
        == 404
    )


# --- The cycle list, a cycle's check-ins, the support-request queue ------------------------------


def refresh(district, cycle) -> None:
    from checkins.rollups import refresh_cycle

    refresh_cycle(district=District.objects.get(pk=district.pk), cycle_id=cycle.pk)


def test_the_cycle_list_reads_the_district_rollup(opened, people, submitted, client_for, in_district):
    district = opened.district
    with in_district(district):
        services.acknowledge_checkin(
            district=district,
            actor=people["superintendent"],
            checkin=submitted,
            now=SUBMITTED_AT + timedelta(hours=3),
        )
    refresh(district, submitted.cycle)
    client = client_for(people["superintendent"])
    page = client.get(url("cycle_list", district))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'role="region"' in html and "3 hours" in html
    assert "1 of 4" in html  # three schools and the department; one submitted
    assert url("cycle_detail", district, cycle_id=submitted.cycle_id) in html
    # The nav names the section.
    assert 'aria-current="page">Check-ins' in html


def test_a_cycles_checkins_schools_then_departments_filtered_by_state(
    opened, people, submitted, client_for, in_district
):
    district = opened.district
    late = checkin_of(district, opened.schools[1])
    due = submitted.cycle.due_at
    submit(
        district, _principal_of(district, opened.schools[1]), late, in_district, now=due + timedelta(days=2, hours=1)
    )
    client = client_for(people["superintendent"])
    path = url("cycle_detail", district, cycle_id=submitted.cycle_id)
    html = client.get(path).content.decode()
    schools = [s.name for s in opened.schools]
    positions = [html.index(name) for name in schools] + [html.index(opened.department.name)]
    assert positions == sorted(positions)
    assert "3 days late" in html and "Waiting for a response" in html
    part = client.get(path, {"state": "late"}, **HTMX).content.decode()
    assert "<html" not in part and schools[1] in part and schools[0] not in part
    plain = client.get(path, {"state": "not_started"}).content.decode()
    assert schools[2] in plain and schools[0] not in plain


def _principal_of(district, school):
    from tests.factories import MembershipFactory

    return MembershipFactory(district=district, role=Role.PRINCIPAL, school=school)


def test_the_support_queue_oldest_first_with_ages_and_owners(opened, people, submitted, client_for, in_district):
    district = opened.district
    newer = checkin_of(district, opened.schools[1])
    submit(
        district, _principal_of(district, opened.schools[1]), newer, in_district, now=SUBMITTED_AT + timedelta(days=1)
    )
    client = client_for(people["owner"])
    from django.utils import timezone

    html = client.get(url("support_queue", district)).content.decode()
    first, second = (html.index(s.name) for s in opened.schools[:2])
    assert first < second  # the older request first
    days = (timezone.now() - SUBMITTED_AT).days
    assert f"Open {days} days" in html
    assert people["owner"].user.get_full_name() in html and ">You<" in html
    assert html.count("Resolve<span") == 2
    # The coach sees the queue but can't resolve.
    coach_html = client_for(people["coach"]).get(url("support_queue", district)).content.decode()
    assert "Resolve<span" not in coach_html and opened.schools[0].name in coach_html
    # Mine: the other cabinet member owns none.
    other = client_for(people["other_cabinet"]).get(url("support_queue", district), {"show": "mine"}, **HTMX)
    assert b"No open support requests." in other.content
    # Resolved ones move to the second tab.
    entry = entries_of(submitted)[0]
    with in_district(district):
        services.resolve_support_request(district=district, actor=people["owner"], entry=entry, body="Done")
    resolved = client.get(url("support_queue", district), {"tab": "resolved"}).content.decode()
    assert opened.schools[0].name in resolved and opened.schools[1].name not in resolved


def test_another_districts_cycle_is_404(opened, people, client_for, other_district):
    build_world(other_district)
    ticks.run_district(District.objects.get(pk=other_district.pk), now=MARCH_OPEN)
    foreign = cycle_of(other_district)
    client = client_for(people["superintendent"])
    assert client.get(url("cycle_detail", opened.district, cycle_id=foreign.pk)).status_code == 404


def test_principals_and_staff_dont_get_the_review_lists(opened, people, client_for, make_member):
    district = opened.district
    for member in (people["principal"], make_member(district, Role.STAFF)):
        client = client_for(member)
        for name in ("cycle_list", "support_queue"):
            assert client.get(url(name, district)).status_code == 403


# --- The principal's home panel --------------------------------------------------------------------


def test_the_principals_home_shows_their_checkin_and_responses(opened, people, client_for, in_district):
    district = opened.district
    client = client_for(people["principal"])
    home = reverse("dashboards:home", kwargs={"district_slug": district.slug})
    html = client.get(home).content.decode()
    assert "Your check-in" in html and "0 of 2 entries filled in." in html and "Start the check-in" in html
    checkin = submit(district, people["principal"], checkin_of(district, opened.schools[0]), in_district)
    with in_district(district):
        services.comment_on_checkin(district=district, actor=people["coach"], checkin=checkin, body="Lovely detail")
        services.return_checkin(district=district, actor=people["owner"], checkin=checkin, comment="Add the data")
    html = client.get(home).content.decode()
    assert "Continue the check-in" in html and "2 of 2 entries filled in." in html
    assert html.index("Add the data") < html.index("Lovely detail")  # newest first
    assert url("checkin_detail", district, checkin_id=checkin.pk) in html


def test_other_roles_homes_have_no_checkin_panel(opened, people, client_for):
    home = reverse("dashboards:home", kwargs={"district_slug": opened.district.slug})
    assert b"Your check-in" not in client_for(people["superintendent"]).get(home).content


# --- Queries don't grow with the number of rows -----------------------------------------------------


def _more_submitted_checkins(world, count: int, author) -> None:
    """`count` more schools with a submitted check-in asking for support, each with a comment."""
    from django.utils import timezone

    from checkins.models import ResponseKind
    from tests.factories import SchoolFactory
    from tests.plans.factories import AssignmentFactory

    district = world.district
    cycle = cycle_of(district)
    with scopes_disabled():
        for n in range(count):
            school = SchoolFactory(district=district, name=f"Extra school {n:03d}")
            assignment = AssignmentFactory(commitment=world.commitments[0], school=school)
            checkin = Checkin.objects.create(
                district=district,
                cycle=cycle,
                school=school,
                state=CheckinState.SUBMITTED,
                submitted_at=timezone.now() - timedelta(days=n % 9),
            )
            entry = CheckinEntry.objects.create(
                district=district,
                checkin=checkin,
                assignment=assignment,
                status=EntryStatus.AT_RISK,
                support_requested=True,
                support_needed=f"Help {n}",
            )
            CheckinResponse.objects.create(
                district=district, checkin=checkin, entry=entry, kind=ResponseKind.COMMENT, author=author, body="Hi"
            )


def test_the_review_pages_queries_dont_grow_with_rows(
    opened, people, submitted, client_for, django_assert_max_num_queries, in_district
):
    district = opened.district
    client = client_for(people["superintendent"])
    pages = [
        url("cycle_list", district),
        url("cycle_detail", district, cycle_id=submitted.cycle_id),
        url("support_queue", district),
        url("checkin_detail", district, checkin_id=submitted.pk),
    ]
    entry = entries_of(submitted)[0]
    with in_district(district):
        services.comment_on_checkin(district=district, actor=people["coach"], checkin=submitted, body="One")
    counts = {}
    for page in pages:
        client.get(page)
        with django_assert_max_num_queries(60) as few:
            assert client.get(page).status_code == 200
        counts[page] = len(few.captured_queries)
    _more_submitted_checkins(opened, 30, people["coach"])
    with in_district(district):
        for n in range(10):
            services.comment_on_checkin(
                district=district, actor=people["owner"], checkin=submitted, body=f"More {n}", entry=entry
            )
            services.comment_on_checkin(district=district, actor=people["coach"], checkin=submitted, body=f"All {n}")
    refresh(district, submitted.cycle)
    for page in pages:
        with django_assert_max_num_queries(counts[page]):
            response = client.get(page)
        assert response.status_code == 200, page
    assert b"Extra school 000" in client.get(pages[1]).content
