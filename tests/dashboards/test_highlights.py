"""Highlights: the superintendent writes drafts, publishes and unpublishes them; every change bumps PUBLISHED."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import cache_versions
from dashboards import highlights
from dashboards.models import Highlight
from districts.roles import Role
from tests.dashboards.builders import build_district_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(district):
    return build_district_data(district, schools=2, priorities=2, commitments=2, cycles=1, open_cycle=False)


def _url(name: str, district, **kwargs) -> str:
    return reverse(f"dashboards:{name}", kwargs={"district_slug": district.slug, **kwargs})


def _draft(built, **fields) -> Highlight:
    return highlights.highlight_create(
        district=built.district,
        actor=built.superintendent,
        plan=built.plan,
        title=fields.pop("title", "Reading gains"),
        body=fields.pop("body", "Third graders read more."),
        **fields,
    )


def _published(district, in_district, plan) -> list[str]:
    with in_district(district):
        return [h.title for h in highlights.published_highlights(district=district, plan=plan)]


def test_services_publish_and_unpublish_and_each_change_bumps_published(
    built, district, in_district, django_capture_on_commit_callbacks
):
    def version() -> str:
        return cache_versions.versions(district.pk, [cache_versions.PUBLISHED])

    with in_district(district):
        before = version()
        with django_capture_on_commit_callbacks(execute=True):
            draft = _draft(built, title="  Reading   gains ", priority=built.priorities[0])
        assert draft.title == "Reading gains" and not draft.is_published and version() != before
        assert _published(district, in_district, built.plan) == []
        steps = [
            lambda: highlights.highlight_publish(district=district, actor=built.superintendent, highlight=draft),
            lambda: highlights.highlight_update(
                district=district, actor=built.superintendent, highlight=draft, title="Reading gains grow"
            ),
            lambda: highlights.highlight_unpublish(district=district, actor=built.superintendent, highlight=draft),
        ]
        seen = [version()]
        for step in steps:
            with django_capture_on_commit_callbacks(execute=True):
                step()
            seen.append(version())
        assert len(set(seen)) == 4
        draft.refresh_from_db()
        assert draft.published_at is None and draft.title == "Reading gains grow"
        with django_capture_on_commit_callbacks(execute=True):
            highlights.highlight_delete(district=district, actor=built.superintendent, highlight=draft)
        assert version() != seen[-1] and not Highlight.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("role", ["cabinet", "admin", "board", "coach", "principal"])
def test_only_the_superintendent_manages_highlights(built, district, in_district, role):
    with in_district(district), pytest.raises(PermissionDenied):
        highlights.highlight_create(district=district, actor=getattr(built, role), plan=built.plan, title="T", body="B")
    with in_district(district):
        assert highlights.highlights_panel(district=district, actor=getattr(built, role), plan=built.plan) is None


def test_panel_lists_drafts_and_published(built, district, in_district):
    with in_district(district):
        first, second = _draft(built, title="First"), _draft(built, title="Second")
        highlights.highlight_publish(district=district, actor=built.superintendent, highlight=second)
        panel = highlights.highlights_panel(district=district, actor=built.superintendent, plan=built.plan)
    assert [h.title for h in panel.drafts] == ["First"] and [h.title for h in panel.published] == ["Second"]
    assert panel.published_count == 1 and first.pk


def test_pages_write_publish_unpublish_and_delete(
    built, district, client_for, in_district, django_capture_on_commit_callbacks
):
    client = client_for(built.superintendent)
    page = client.get(_url("highlight_create", district))
    assert page.status_code == 200 and 'lang="es"' in page.content.decode()
    answer = client.post(
        _url("highlight_create", district),
        {
            "title": "Bus route story",
            "title_es": "Rutas de autobús",
            "body": "Fewer absences.",
            "body_es": "",
            "priority": "",
        },
    )
    assert answer.status_code == 302
    with in_district(district):
        highlight = Highlight.objects.get(district=district, title="Bus route story")
    listing = client.get(_url("highlight_list", district)).content.decode()
    assert "Bus route story" in listing and "Draft" in listing

    with django_capture_on_commit_callbacks(execute=True):  # the cache bump runs once the post commits
        assert client.post(_url("highlight_publish", district, highlight_id=highlight.pk)).status_code == 302
    assert _published(district, in_district, built.plan) == ["Bus route story"]
    board_html = client_for(built.board).get(_url("board", district)).content.decode()
    assert "Bus route story" in board_html

    edit = client.post(
        _url("highlight_edit", district, highlight_id=highlight.pk),
        {"title": "Bus route story told", "title_es": "", "body": "Fewer absences.", "body_es": "", "priority": ""},
    )
    assert edit.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url("highlight_unpublish", district, highlight_id=highlight.pk)).status_code == 302
    assert _published(district, in_district, built.plan) == []
    assert "Bus route" not in client_for(built.board).get(_url("board", district)).content.decode()

    confirm = client.get(_url("highlight_delete", district, highlight_id=highlight.pk))
    assert confirm.status_code == 200 and "Delete highlight" in confirm.content.decode()
    assert client.post(_url("highlight_delete", district, highlight_id=highlight.pk)).status_code == 302
    with in_district(district):
        assert not Highlight.objects.filter(pk=highlight.pk).exists()


def test_empty_form_shows_errors(built, district, client_for):
    answer = client_for(built.superintendent).post(_url("highlight_create", district), {"title": "", "body": ""})
    assert answer.status_code == 200 and "Give the highlight a title." in answer.content.decode()


def test_publish_asks_first_on_get_and_is_for_the_superintendent_only(
    built, district, client_for, in_district, make_member
):
    with in_district(district):
        highlight = _draft(built)
    publish = _url("highlight_publish", district, highlight_id=highlight.pk)
    assert "Check that it names no staff member." in client_for(built.superintendent).get(publish).content.decode()
    for member in (built.board, built.cabinet, built.admin, make_member(district, Role.STAFF, school=built.schools[1])):
        assert client_for(member).post(publish).status_code == 403
        assert client_for(member).get(_url("highlight_list", district)).status_code == 403
        assert client_for(member).get(_url("highlight_create", district)).status_code == 403
    assert client_for(built.superintendent).get(_url("highlight_create", district)).status_code == 200
    assert _published(district, in_district, built.plan) == []


def test_another_districts_highlight_is_not_found(
    built, district, other_district, client_for, make_member, in_district
):
    with in_district(district):
        highlight = _draft(built)
    other = make_member(other_district, Role.SUPERINTENDENT)
    client = client_for(other)
    for name in ("highlight_edit", "highlight_delete"):
        assert client.get(_url(name, other_district, highlight_id=highlight.pk)).status_code == 404
    for name in ("highlight_publish", "highlight_unpublish", "highlight_delete"):
        assert client.post(_url(name, other_district, highlight_id=highlight.pk)).status_code == 404
    assert _published(district, in_district, built.plan) == []


def test_next_only_returns_to_this_districts_pages(built, district, client_for, in_district):
    with in_district(district):
        highlight = _draft(built)
    client = client_for(built.superintendent)
    home = _url("home", district)
    answer = client.post(_url("highlight_publish", district, highlight_id=highlight.pk), {"next": home})
    assert answer["Location"] == home
    answer = client.post(
        _url("highlight_unpublish", district, highlight_id=highlight.pk), {"next": "https://evil.example/"}
    )
    assert answer["Location"] == _url("highlight_list", district)


def test_dashboard_panel_shows_drafts_and_published_to_the_superintendent_only(
    built, district, client_for, in_district
):
    with in_district(district):
        draft = _draft(built, title="Panel draft story")
        published = _draft(built, title="Panel published story")
        highlights.highlight_publish(district=district, actor=built.superintendent, highlight=published)
    home = _url("home", district)
    html = client_for(built.superintendent).get(home).content.decode()
    assert "Highlights for the board" in html and "Panel draft story" in html and "Panel published story" in html
    assert f'name="next" value="{home}"' in html  # its buttons come back to the dashboard
    cabinet_html = client_for(built.cabinet).get(home).content.decode()
    assert "Highlights for the board" not in cabinet_html and "Panel draft story" not in cabinet_html
    assert draft.pk
