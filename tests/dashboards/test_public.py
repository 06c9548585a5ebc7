"""The public progress page /p/<slug>/: on or off at once, published content only, cacheable and cheap."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkins.models import CheckinEntry, CheckinState, EntryStatus
from checkins.rollups import refresh_cycle
from core import cache_versions
from dashboards import highlights
from dashboards.models import Highlight
from districts.models import District
from districts.services import district_update
from metrics.models import Metric
from priorities.models import Priority
from tests.dashboards.builders import build_district_data
from tests.dashboards.test_board import add_highlights, assert_board_safe, staff_names

pytestmark = pytest.mark.django_db


def _url(district) -> str:
    return reverse("public:progress", kwargs={"district_slug": district.slug})


def _turn_on(district: District, *, languages: list[str] | None = None) -> None:
    District.objects.filter(pk=district.pk).update(public_page_enabled=True, languages=languages or ["en", "es"])


@pytest.fixture
def built(district, in_district):
    data = build_district_data(district, schools=3, priorities=2, commitments=4, cycles=2)
    with in_district(district):
        add_highlights(data)
    _turn_on(district)
    return data


def test_off_by_default_is_not_found(district, client):
    build_district_data(district, schools=1, priorities=1, commitments=1, cycles=1)
    assert client.get(_url(district)).status_code == 404


def test_turning_it_off_is_a_404_at_once(built, district, client, in_district, django_capture_on_commit_callbacks):
    assert client.get(_url(district)).status_code == 200
    with in_district(district), django_capture_on_commit_callbacks(execute=True):
        district.refresh_from_db()
        district_update(district=district, actor=built.admin, public_page_enabled=False)
    assert client.get(_url(district)).status_code == 404
    with in_district(district), django_capture_on_commit_callbacks(execute=True):
        district_update(district=district, actor=built.admin, public_page_enabled=True)
    response = client.get(_url(district))
    assert response.status_code == 200
    etag = response["ETag"]
    with in_district(district), django_capture_on_commit_callbacks(execute=True):
        district_update(district=district, actor=built.admin, name="Riverbend Renamed District")
    renamed = client.get(_url(district))
    assert renamed["ETag"] != etag and "Riverbend Renamed District" in renamed.content.decode()


def test_anonymous_visitors_see_published_content_only(built, district, client, in_district):
    response = client.get(_url(district))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Published story of reading" in html
    for priority in built.priorities:
        assert priority.title in html
    with in_district(district):
        names = [*staff_names(district, except_member=built.board), built.board.user.full_name]
    assert_board_safe(html, names=names)
    assert f"/d/{district.slug}/" not in html  # no links into the signed-in app
    assert "csrfmiddlewaretoken" not in html and "Log out" not in html


def test_a_signed_in_member_gets_the_same_page_without_their_name(built, district, client_for):
    html = client_for(built.superintendent).get(_url(district)).content.decode()
    assert built.superintendent.user.full_name not in html and "Published story of reading" in html


def test_caching_headers_and_not_modified(built, district, client):
    response = client.get(_url(district))
    assert response["Cache-Control"] == "public, max-age=300"
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(_url(district), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    assert client.get(_url(district), HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_etag_changes_with_publishing_rollups_metrics_plan_and_language(
    built, district, client, in_district, django_capture_on_commit_callbacks
):
    def etag(**headers) -> str:
        return client.get(_url(district), **headers)["ETag"]

    seen = [etag()]
    assert etag() == seen[0]  # stable while nothing changes
    with in_district(district):
        draft = Highlight.objects.get(district=district, title="Draft not for the board")

    def publish():
        highlights.highlight_publish(district=district, actor=built.superintendent, highlight=draft)

    def unpublish():
        highlights.highlight_unpublish(district=district, actor=built.superintendent, highlight=draft)

    def rollups():
        entry = CheckinEntry.objects.filter(
            district=district, checkin__cycle=built.cycles[-1], checkin__state=CheckinState.SUBMITTED
        ).first()
        entry.status = EntryStatus.OFF_TRACK if entry.status != EntryStatus.OFF_TRACK else EntryStatus.ON_TRACK
        entry.save(update_fields=["status"])
        assert refresh_cycle(district=district, cycle_id=built.cycles[-1].pk)

    def metrics():
        cache_versions.bump(district.pk, cache_versions.METRIC_ROLLUPS)

    def plan_text():
        # Saved as the priority service saves it: the save bumps the district's NAMES topic.
        priority = Priority.objects.get(pk=built.priorities[0].pk)
        priority.title = "Renamed priority"
        priority.save()

    def metric_definition():
        metric = Metric.objects.get(pk=built.metrics[0].pk)
        metric.name = "Renamed metric"
        metric.save()

    def school_name():
        school = built.schools[0]
        school.name = "Renamed school"
        school.save()

    for change in (publish, unpublish, rollups, metrics, plan_text, metric_definition, school_name):
        with in_district(district), django_capture_on_commit_callbacks(execute=True):
            change()
        seen.append(etag())
        assert seen[-1] != seen[-2], change.__name__
    html = client.get(_url(district)).content.decode()
    assert "Renamed priority" in html and "Renamed metric" in html and "Draft not for the board" not in html
    assert etag(HTTP_ACCEPT_LANGUAGE="es") != seen[-1]


def test_published_then_unpublished_leaves_the_cached_page_at_once(
    built, district, client, in_district, django_capture_on_commit_callbacks
):
    assert "Published story of reading" in client.get(_url(district)).content.decode()
    with in_district(district), django_capture_on_commit_callbacks(execute=True):
        published = Highlight.objects.get(district=district, title="Published story of reading")
        highlights.highlight_unpublish(district=district, actor=built.superintendent, highlight=published)
    assert "Published story of reading" not in client.get(_url(district)).content.decode()


def test_spanish_when_the_district_offers_it(built, district, client):
    response = client.get(_url(district), HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"].startswith("es")
    html = response.content.decode()
    assert '<html lang="es' in html and 'href="?lang=en"' in html
    english = client.get(_url(district) + "?lang=en")
    assert english["Content-Language"] == "en" and 'href="?lang=es"' in english.content.decode()


def test_no_language_switch_for_an_english_only_district(built, district, client):
    _turn_on(district, languages=["en"])
    html = client.get(_url(district)).content.decode()
    assert "?lang=" not in html


def test_another_districts_slug_shows_only_its_own_page(built, district, other_district, client):
    other = build_district_data(other_district, schools=1, priorities=1, commitments=1, cycles=1, seed=4)
    assert client.get(_url(other_district)).status_code == 404  # theirs is off
    _turn_on(other_district)
    html = client.get(_url(other_district)).content.decode()
    assert other.priorities[0].title in html and "Published story of reading" not in html


def _public_queries(client, district, *, cold: bool) -> int:
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(district)).status_code == 200
    # Savepoints are the test's transaction around the request's own; count what the database works on.
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])


def test_query_count_does_not_grow_and_a_cached_hit_is_cheap(district, other_district, client, in_district):
    small = build_district_data(district, schools=2, priorities=2, commitments=2, cycles=2)
    big = build_district_data(other_district, schools=9, priorities=4, commitments=10, cycles=8, seed=2)
    counts = []
    for data in (small, big):
        with in_district(data.district):
            add_highlights(data)
        _turn_on(data.district)
        counts.append(
            (_public_queries(client, data.district, cold=True), _public_queries(client, data.district, cold=False))
        )
    assert counts[0] == counts[1]
    cold, warm = counts[0]
    # A hit is the stored answer (dashboards.public_cache): no database work, nothing rendered.
    assert warm == 0 < cold


def test_with_the_cache_down_the_page_is_rendered_every_time(built, district, client, monkeypatch):
    from dashboards import public_cache
    from dashboards.views import public
    from tests.core.test_cache_versions import BrokenCache

    for module in (public_cache, public, cache_versions):
        monkeypatch.setattr(module, "cache", BrokenCache())
    for _ in range(2):
        response = client.get(_url(district))
        assert response.status_code == 200 and "Published story of reading" in response.content.decode()


def test_a_stored_answer_is_the_views_own_headers_and_body(built, district, client):
    first = client.get(_url(district), HTTP_ACCEPT_LANGUAGE="es")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(_url(district), HTTP_ACCEPT_LANGUAGE="es")
    assert not queries.captured_queries  # served by dashboards.public_cache
    assert again.content == first.content
    for header in ("ETag", "Cache-Control", "Vary", "Content-Language", "Content-Security-Policy"):
        assert again[header] == first[header], header
    # Another language's visitor gets their own answer, not the stored Spanish one.
    assert client.get(_url(district), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
