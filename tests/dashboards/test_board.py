"""The board progress pages: what the board sees (aggregates and published content only), for whom, at what cost."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckinEntry
from dashboards import highlights
from dashboards.models import Highlight
from districts.models import Membership
from districts.roles import Role
from tests.dashboards.builders import PRIVATE_NOTE, build_district_data
from tests.plans.factories import PlanFactory, PriorityFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name: str, district, **kwargs) -> str:
    return reverse(f"dashboards:{name}", kwargs={"district_slug": district.slug, **kwargs})


def add_highlights(built) -> tuple[Highlight, Highlight]:
    """A published highlight about the first priority and a draft; returns (published, draft)."""
    district, plan = built.district, built.plan
    published = Highlight.objects.create(
        district=district,
        plan=plan,
        priority=built.priorities[0],
        title="Published story of reading",
        body="Reading rose in every school.",
        published_at=timezone.now(),
    )
    draft = Highlight.objects.create(district=district, plan=plan, title="Draft not for the board", body="Secret draft")
    return published, draft


def staff_names(district, *, except_member: Membership) -> list[str]:
    return list(
        Membership.objects.filter(district=district)
        .exclude(pk=except_member.pk)
        .values_list("user__full_name", flat=True)
    )


def assert_board_safe(html: str, *, names: list[str]) -> None:
    """Nothing individual: no check-in note, no draft highlight, no person's name."""
    assert PRIVATE_NOTE not in html
    assert "Draft not for the board" not in html and "Secret draft" not in html
    leaked = [name for name in names if name and name in html]
    assert not leaked, leaked


@pytest.fixture
def built(district, in_district):
    data = build_district_data(district, schools=4, priorities=3, commitments=6, cycles=3)
    with in_district(district):
        add_highlights(data)
    return data


def test_board_member_sees_priorities_metrics_completion_and_published_highlights(built, district, client_for):
    response = client_for(built.board).get(_url("board", district))
    assert response.status_code == 200
    html = response.content.decode()
    for priority in built.priorities:
        assert priority.title in html
    for metric in built.metrics:
        assert metric.name in html
    assert "Published story of reading" in html and "Reading rose in every school." in html
    assert "Check-ins completed, cycle by cycle" in html
    assert "Chart data:" in html  # every chart has its data table
    # Health in words with a glyph, never colour alone.
    assert any(label in html for label in ("On track", "At risk", "Off track"))


def test_board_pages_and_their_partials_show_nothing_individual(built, district, client_for, in_district):
    with in_district(district):
        assert CheckinEntry.objects.filter(district=district, note__startswith=PRIVATE_NOTE).exists()
        names = staff_names(district, except_member=built.board)
    client = client_for(built.board)
    pages = [_url("board", district), _url("board_priority", district, priority_id=built.priorities[0].pk)]
    for url in pages:
        for extra in ({}, HTMX):
            response = client.get(url, **extra)
            assert response.status_code == 200, url
            assert_board_safe(response.content.decode(), names=names)
    partial = client.get(pages[0], **HTMX).content.decode()
    assert "<html" not in partial and "Published story of reading" in partial


def test_a_highlight_unpublished_is_gone_from_the_board_at_once(
    built, district, client_for, in_district, django_capture_on_commit_callbacks
):
    client = client_for(built.board)
    assert "Published story of reading" in client.get(_url("board", district)).content.decode()
    with in_district(district), django_capture_on_commit_callbacks(execute=True):
        for published in Highlight.objects.filter(district=district, published_at__isnull=False):
            highlights.highlight_unpublish(district=district, actor=built.superintendent, highlight=published)
    for url in (_url("board", district), _url("board_priority", district, priority_id=built.priorities[0].pk)):
        assert "Published story of reading" not in client.get(url).content.decode()


def test_priority_page_shows_its_commitments_health_and_highlights(built, district, client_for):
    priority = built.priorities[0]
    html = client_for(built.board).get(_url("board_priority", district, priority_id=priority.pk)).content.decode()
    assert priority.title in html and "Published story of reading" in html
    for commitment in [c for c in built.commitments if c.priority_id == priority.pk]:
        assert commitment.title in html
    assert "Places reported" in html


def test_priority_of_a_plan_not_active_or_of_another_district_is_not_found(
    built, district, other_district, client_for, in_district
):
    with in_district(district):
        draft_priority = PriorityFactory(plan=PlanFactory(district=district), title="Draft plan priority")
    client = client_for(built.board)
    assert client.get(_url("board_priority", district, priority_id=draft_priority.pk)).status_code == 404
    other = build_district_data(other_district, schools=1, priorities=1, commitments=1, cycles=1, seed=3)
    theirs = other.priorities[0].pk
    assert client.get(_url("board_priority", district, priority_id=theirs)).status_code == 404
    assert client.get(_url("board_priority", other_district, priority_id=theirs)).status_code == 404


def test_every_role_may_read_the_board(built, district, client_for, make_member):
    members = [built.admin, built.superintendent, built.cabinet, built.principal, built.board, built.coach]
    members.append(make_member(district, Role.STAFF, school=built.schools[1]))  # the factory's school code may clash
    assert {m.role for m in members} == set(Role)
    priority = built.priorities[0]
    for member in members:
        assert client_for(member).get(_url("board", district)).status_code == 200, member.role
        page = _url("board_priority", district, priority_id=priority.pk)
        assert client_for(member).get(page).status_code == 200, member.role


def test_anonymous_visitors_are_sent_to_log_in(built, district, client):
    response = client.get(_url("board", district))
    assert response.status_code == 302 and "login" in response["Location"]


def test_print_style_is_linked(built, district, client_for):
    html = client_for(built.board).get(_url("board", district)).content.decode()
    assert 'css/print.css" media="print"' in html


def _board_queries(client, url: str) -> int:
    cache.clear()  # the first visit after roll-ups change: nothing cached
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_schools_commitments_or_cycles(
    district, other_district, client_for, in_district
):
    small = build_district_data(district, schools=2, priorities=2, commitments=2, cycles=2)
    big = build_district_data(other_district, schools=9, priorities=4, commitments=10, cycles=8, seed=2)
    for data in (small, big):
        with in_district(data.district):
            add_highlights(data)
    counts = []
    for data in (small, big):
        client = client_for(data.board)
        counts.append(
            (
                _board_queries(client, _url("board", data.district)),
                _board_queries(client, _url("board_priority", data.district, priority_id=data.priorities[0].pk)),
            )
        )
    assert counts[0] == counts[1]
