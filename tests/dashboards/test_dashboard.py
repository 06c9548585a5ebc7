"""The superintendent's dashboard: priority cards, this cycle's completion, the school × priority heat map
(cells are the stored roll-ups; filters; grouped by region above 60 schools; paged), the drill-downs
priority → commitment → school → check-in, as HTMX partials and as full pages, in a number of queries
that does not grow with the district."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from checkins.models import CheckinEntry, CheckinRollup, CheckinState, RollupScope
from core import cache_versions
from dashboards import dashboard, highlights
from dashboards.summary import health_of, health_view
from districts.models import School
from districts.roles import Role
from plans.models import PlanState
from tests.conftest import login
from tests.dashboards.builders import build_district_data
from tests.role_matrix import is_exact, outcome_of

pytestmark = pytest.mark.django_db

HX_HEATMAP = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "heatmap"}
HX_MAIN = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "main"}


@pytest.fixture
def built(district):
    return build_district_data(district, schools=6, priorities=3, commitments=4, cycles=3, departments=1, seed=3)


def home_url(district) -> str:
    return reverse("dashboards:home", kwargs={"district_slug": district.slug})


def drill_url(name: str, district, **kwargs) -> str:
    return reverse(f"dashboards:{name}", kwargs={"district_slug": district.slug, **kwargs})


def heat_rows(html: str) -> list[tuple[str, list[str]]]:
    """(school, [cell texts]) for each row of the heat map in the HTML, in order."""
    table = html[html.index('id="heatmap-region"') :]
    table = table[: table.index("</table>")]
    rows = []
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.S):
        school = re.sub(r"<[^>]+>", "", row.split("</th>")[0]).strip()
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows.append((school, cells))
    return rows


def label(code: str) -> str:
    view = health_view(code)
    return f"{view.icon} {view.label}"


# --- What the dashboard shows --------------------------------------------------------------------


def test_heat_map_cells_are_the_school_priority_rollups_of_the_latest_reported_cycle(built, client_for):
    response = client_for(built.superintendent).get(home_url(built.district))
    assert response.status_code == 200
    html = response.content.decode()
    latest = built.cycles[-1]  # the open cycle has reports too, but fewer: the default is the latest with any
    heat = response.context["heatmap"]
    with scopes_disabled():
        reported = CheckinRollup.objects.filter(cycle=built.open_cycle, key="district", entries_reported__gt=0).exists()
        expected_cycle = built.open_cycle if reported else latest
        assert heat.cycle == expected_cycle
        rollups = {
            (r.school_id, r.priority_id): r
            for r in CheckinRollup.objects.filter(cycle=expected_cycle, scope=RollupScope.SCHOOL_PRIORITY)
        }
    schools = sorted(built.schools, key=lambda s: (s.name, s.pk))
    want = [(s.name, [label(health_of(rollups.get((s.pk, p.pk)))) for p in built.priorities]) for s in schools]
    assert heat_rows(html) == want
    # Every health appears somewhere in the builder's mix, in words and glyph, not colour alone.
    assert {code for _, cells in want for code in cells} - {label("no_data")}


def test_the_cycle_filter_shows_that_cycle_and_a_bad_or_foreign_cycle_is_404(built, other_district, client_for):
    client = client_for(built.superintendent)
    first = built.cycles[0]
    response = client.get(home_url(built.district), {"cycle": first.pk})
    assert response.context["heatmap"].cycle == first
    with scopes_disabled():
        rollups = {
            (r.school_id, r.priority_id): r
            for r in CheckinRollup.objects.filter(cycle=first, scope=RollupScope.SCHOOL_PRIORITY)
        }
    school = min(built.schools, key=lambda s: (s.name, s.pk))
    assert heat_rows(response.content.decode())[0] == (
        school.name,
        [label(health_of(rollups.get((school.pk, p.pk)))) for p in built.priorities],
    )
    other = build_district_data(other_district, schools=1, priorities=1, commitments=1, cycles=1, seed=9)
    assert client.get(home_url(built.district), {"cycle": other.cycles[0].pk}).status_code == 404
    assert client.get(home_url(built.district), {"cycle": "12x"}).status_code == 404


def test_filters_by_level_region_and_supervisor_keep_only_those_schools(built, client_for):
    client = client_for(built.superintendent)
    school = built.schools[1]
    cases = [
        ({"level": school.level}, lambda s: s.level == school.level),
        ({"region": school.region}, lambda s: s.region == school.region),
    ]
    supervised = next(s for s in built.schools if s.principal_supervisor_id)
    cases.append(
        (
            {"supervisor": supervised.principal_supervisor_id},
            lambda s: s.principal_supervisor_id == supervised.principal_supervisor_id,
        )
    )
    for query, keep in cases:
        response = client.get(home_url(built.district), query)
        names = [name for name, _ in heat_rows(response.content.decode())]
        expected = sorted(s.name for s in built.schools if keep(s))
        assert names == expected, query
        assert 0 < len(names) < len(built.schools), query
    # A level nobody has shows the empty state, not an error.
    response = client.get(home_url(built.district), {"level": "nonsense"})
    assert len(heat_rows(response.content.decode())) == len(built.schools)  # an unknown level is ignored


def test_the_htmx_partial_and_the_full_page_give_the_same_heat_map(built, client_for):
    client = client_for(built.superintendent)
    query = {"region": built.schools[0].region, "cycle": built.cycles[1].pk}
    partial = client.get(home_url(built.district), query, **HX_HEATMAP)
    full = client.get(home_url(built.district), query)
    partial_html, full_html = partial.content.decode(), full.content.decode()
    assert "<html" not in partial_html and 'id="heatmap"' in partial_html
    assert "Priorities" not in partial_html  # only the heat map, not the cards
    assert partial_html.strip() in full_html  # the very same rows: the partial is a part of the page
    assert heat_rows(partial_html) == heat_rows(full_html) != []
    assert "HX-Request" in partial["Vary"]


def test_more_than_60_schools_are_grouped_by_region_and_paged(district, client_for):
    built = build_district_data(district, schools=61, priorities=1, commitments=1, cycles=1, departments=0, seed=4)
    client = client_for(built.superintendent)
    first = client.get(home_url(built.district))
    heat = first.context["heatmap"]
    assert heat.grouped and heat.school_count == 61
    assert len(heat.rows) == dashboard.ROWS_PER_PAGE
    ordered = sorted(built.schools, key=lambda s: (s.region, s.name, s.pk))
    assert [r.school.pk for r in heat.rows] == [s.pk for s in ordered[: dashboard.ROWS_PER_PAGE]]
    html = first.content.decode()
    for group in heat.groups:
        assert f'<th scope="colgroup" colspan="2">{group.label}</th>' in html
    assert "Page 1 of 2" in html
    second = client.get(home_url(built.district), {"page": "2"}, **HX_HEATMAP)
    assert [r.school.pk for r in second.context["heatmap"].rows] == [s.pk for s in ordered[dashboard.ROWS_PER_PAGE :]]
    # Filtered to one region, the rows stay grouped (the district is large) and fit one page.
    region = ordered[0].region
    narrowed = client.get(home_url(built.district), {"region": region}).context["heatmap"]
    assert [g.label for g in narrowed.groups] == [region]
    assert narrowed.page.paginator.num_pages == 1


def test_a_small_district_is_not_grouped(built, client_for):
    heat = client_for(built.superintendent).get(home_url(built.district)).context["heatmap"]
    assert not heat.grouped and [g.label for g in heat.groups] == [""]


def test_exports_get_every_row_without_a_page(district):
    built = build_district_data(district, schools=61, priorities=2, commitments=2, cycles=1, departments=0, seed=5)
    with scopes_disabled():
        heat = dashboard.heatmap(district=district, plan=built.plan, filters=dashboard.HeatmapFilters(), page=None)
    assert heat.page is None and len(heat.rows) == 61
    assert all(len(row.cells) == 2 for row in heat.rows)


def test_the_dashboard_shows_cards_completion_late_checkins_alerts_requests_and_loop_times(built, client_for):
    html = client_for(built.superintendent).get(home_url(built.district)).content.decode()
    for priority in built.priorities:
        assert priority.title in html
    assert "This cycle&#x27;s check-ins" in html or "This cycle's check-ins" in html
    with scopes_disabled():
        rollup = CheckinRollup.objects.get(cycle=built.open_cycle, key="district")
    assert f"{rollup.checkins_submitted} of {rollup.checkins_expected}" in html
    assert (
        reverse("checkins:cycle_detail", kwargs={"district_slug": built.district.slug, "cycle_id": built.open_cycle.pk})
        in html
    )
    assert reverse("checkins:support_queue", kwargs={"district_slug": built.district.slug}) in html
    assert "Time to first response" in html


def test_commitments_needing_attention_are_those_off_track_or_at_risk(built):
    with scopes_disabled():
        cycle = built.cycles[-1]
        alerts = dashboard.commitments_needing_attention(district=built.district, plan=built.plan, cycle=cycle)
        flagged = {
            r.commitment_id
            for r in CheckinRollup.objects.filter(cycle=cycle, scope=RollupScope.COMMITMENT)
            if health_of(r) in ("at_risk", "off_track")
        }
    assert {a.commitment.pk for a in alerts} == flagged
    codes = [a.health.code for a in alerts]
    assert codes == sorted(codes, key=lambda c: c != "off_track")  # off track first


def test_a_cabinet_member_gets_their_place_panel_at_the_top(built, client_for):
    html = client_for(built.cabinet).get(home_url(built.district)).content.decode()
    assert "Your check-in" in html
    assert html.index("Your check-in") < html.index('id="heatmap"')
    assert "Your check-in" not in client_for(built.superintendent).get(home_url(built.district)).content.decode()


# --- Drill-downs ---------------------------------------------------------------------------------


def test_priority_drill_lists_its_commitments_with_their_rollups(built, client_for):
    priority, cycle = built.priorities[0], built.cycles[-1]
    url = drill_url("priority_drill", built.district, priority_id=priority.pk)
    response = client_for(built.superintendent).get(url, {"cycle": cycle.pk})
    html = response.content.decode()
    assert response.status_code == 200
    with scopes_disabled():
        for commitment in priority.commitments.all():
            rollup = CheckinRollup.objects.get(cycle=cycle, key=f"c:{commitment.pk}")
            assert commitment.title in html
            assert f"{rollup.entries_reported} of {rollup.entries_expected}" in html
            assert (
                drill_url("commitment_drill", built.district, commitment_id=commitment.pk) + f"?cycle={cycle.pk}"
                in html
            )


def test_commitment_drill_lists_each_school_status_in_the_cycle(built, client_for):
    commitment, cycle = built.commitments[0], built.cycles[-1]
    url = drill_url("commitment_drill", built.district, commitment_id=commitment.pk)
    html = client_for(built.superintendent).get(url, {"cycle": cycle.pk}).content.decode()
    with scopes_disabled():
        entries = list(
            CheckinEntry.objects.filter(
                checkin__cycle=cycle, assignment__commitment=commitment, set_aside=False
            ).select_related("checkin__school")
        )
    assert entries
    for entry in entries:
        if entry.checkin.school_id:
            assert drill_url("school_drill", built.district, school_id=entry.checkin.school_id) in html
        shown = (
            entry.get_status_display()
            if entry.checkin.state in (CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED)
            else "Not reported yet"
        )
        assert shown in html
    assert "Private check-in note" not in html  # statuses only, no notes on the drill-down


def test_school_drill_shows_its_checkins_over_cycles_with_links(built, client_for):
    school = built.schools[0]
    html = (
        client_for(built.superintendent)
        .get(drill_url("school_drill", built.district, school_id=school.pk))
        .content.decode()
    )
    with scopes_disabled():
        checkins = list(school_checkins(built, school))
    assert len(checkins) == len(built.cycles) + 1
    for checkin in checkins:
        assert (
            reverse("checkins:checkin_detail", kwargs={"district_slug": built.district.slug, "checkin_id": checkin.pk})
            in html
        )


def school_checkins(built, school):
    from checkins.models import Checkin

    return Checkin.objects.filter(district=built.district, school=school)


@pytest.mark.parametrize(
    "name,argument",
    [("priority_drill", "priority_id"), ("commitment_drill", "commitment_id"), ("school_drill", "school_id")],
)
def test_drill_down_urls_give_the_partial_to_htmx_and_the_same_content_on_a_full_reload(
    built, client_for, name, argument
):
    target = {"priority_id": built.priorities[0], "commitment_id": built.commitments[0], "school_id": built.schools[0]}
    url = drill_url(name, built.district, **{argument: target[argument].pk}) + f"?cycle={built.cycles[-1].pk}"
    client = client_for(built.superintendent)
    partial = client.get(url, **HX_MAIN).content.decode()
    full = client.get(url).content.decode()
    assert "<html" not in partial and "<html" in full
    assert "<title>" in partial  # htmx sets the document title from it
    body = partial.replace(' tabindex="-1" autofocus', "")
    body = re.sub(r"<title>.*?</title>", "", body, flags=re.S).strip()
    assert body in full


DRILL_ROLES = {
    Role.SUPERINTENDENT: 200,
    Role.CABINET: 200,
    Role.PARTNER_COACH: 200,
    Role.DISTRICT_ADMIN: 200,
    Role.PRINCIPAL: 403,
    Role.STAFF: 403,
    Role.BOARD_MEMBER: 403,
}


@pytest.mark.parametrize("name", ["priority_drill", "commitment_drill", "school_drill"])
def test_each_role_gets_exactly_its_status_on_each_drill_down_and_a_get_changes_nothing(
    built, make_member, client_for, name
):
    argument = {"priority_drill": "priority_id", "commitment_drill": "commitment_id", "school_drill": "school_id"}
    target = {"priority_id": built.priorities[0], "commitment_id": built.commitments[0], "school_id": built.schools[0]}
    path = drill_url(name, built.district, **{argument[name]: target[argument[name]].pk})
    wrong = {}
    for role, expected in DRILL_ROLES.items():
        place = {"school": built.schools[0]} if role in (Role.PRINCIPAL, Role.STAFF) else {}
        if role == Role.CABINET:
            place = {"department": built.departments[0]}
        client = client_for(make_member(built.district, role, **place))
        outcome = outcome_of(client, "get", path, district=built.district)
        if not is_exact(outcome, method="get", allowed=expected == 200, expected=expected):
            wrong[role] = str(outcome)
    assert not wrong


def test_another_districts_priority_commitment_or_school_is_404(built, other_district, client_for):
    other = build_district_data(other_district, schools=1, priorities=1, commitments=1, cycles=1, seed=8)
    client = client_for(built.superintendent)
    for url in (
        drill_url("priority_drill", built.district, priority_id=other.priorities[0].pk),
        drill_url("commitment_drill", built.district, commitment_id=other.commitments[0].pk),
        drill_url("school_drill", built.district, school_id=other.schools[0].pk),
    ):
        assert client.get(url).status_code == 404, url


# --- Queries don't grow with schools, commitments or cycles ----------------------------------------


def _queries(client, url: str, **headers) -> int:
    client.get(url, **headers)  # the first request fills the roll-up cache and the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def two_sizes(district, other_district):
    small = build_district_data(district, schools=2, priorities=2, commitments=2, cycles=2, seed=1)
    large = build_district_data(
        other_district, schools=12, priorities=4, commitments=9, cycles=8, departments=2, seed=2
    )
    return small, large


PAGES = {
    "dashboard": lambda b: (home_url(b.district), {}),
    "heatmap": lambda b: (home_url(b.district) + "?page=1", HX_HEATMAP),
    "priority": lambda b: (drill_url("priority_drill", b.district, priority_id=b.priorities[0].pk), HX_MAIN),
    "commitment": lambda b: (drill_url("commitment_drill", b.district, commitment_id=b.commitments[0].pk), {}),
    "school": lambda b: (drill_url("school_drill", b.district, school_id=b.schools[0].pk), {}),
}


@pytest.mark.parametrize("view", list(PAGES))
def test_each_view_takes_as_many_queries_at_two_sizes(two_sizes, client_for, view):
    counts = []
    for built in two_sizes:
        url, headers = PAGES[view](built)
        counts.append(_queries(client_for(built.superintendent), url, **headers))
    assert counts[0] == counts[1]


def test_a_renamed_school_shows_at_once_though_the_sections_are_cached(
    built, client_for, django_capture_on_commit_callbacks
):
    client = client_for(built.superintendent)
    old_name = built.schools[0].name
    for headers in ({}, HX_HEATMAP):  # both cached
        assert old_name in client.get(home_url(built.district), **headers).content.decode()
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        school = School.objects.get(pk=built.schools[0].pk)
        school.name = "Renamed Academy"
        school.save()  # as the school form's service saves it: NAMES is bumped once it commits
    for headers in ({}, HX_HEATMAP):
        html = client.get(home_url(built.district), **headers).content.decode()
        assert "Renamed Academy" in html and old_name not in html


def test_a_warm_dashboard_reads_no_rollup_and_a_rollup_change_shows_at_once(
    built, client_for, django_capture_on_commit_callbacks
):
    client = client_for(built.superintendent)
    url = home_url(built.district)
    client.get(url)  # renders and caches its sections
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert not [q for q in warm.captured_queries if "checkins_checkinrollup" in q["sql"]]
    before = client.get(url, **HX_HEATMAP).content.decode()
    with scopes_disabled():
        CheckinRollup.objects.filter(district=built.district, scope=RollupScope.SCHOOL_PRIORITY).update(
            off_track=F("entries_reported"), at_risk=0, on_track=0, done=0
        )
    with django_capture_on_commit_callbacks(execute=True):
        cache_versions.bump(built.district.pk, cache_versions.CHECKIN_ROLLUPS)  # as refresh_cycle does
    after = client.get(url, **HX_HEATMAP).content.decode()
    assert after != before and "heat-on_track" not in after
    cache.clear()
    assert client.get(url, **HX_HEATMAP).content.decode() == after  # the same as rendered from nothing cached


def test_the_superintendent_gets_the_highlights_panel_and_a_cabinet_member_does_not(built, client_for):
    assert (
        'id="highlights-panel-heading"'
        in client_for(built.superintendent).get(home_url(built.district)).content.decode()
    )
    assert (
        'id="highlights-panel-heading"' not in client_for(built.cabinet).get(home_url(built.district)).content.decode()
    )


def test_back_restoring_the_page_gets_the_whole_dashboard_not_the_partial(built, client_for):
    restore = {**HX_HEATMAP, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    html = client_for(built.superintendent).get(home_url(built.district), {"level": "high"}, **restore).content.decode()
    assert "<html" in html and 'id="priorities-heading"' in html and 'id="heatmap"' in html


def test_the_heat_map_downloads_as_the_view_on_screen(built, client_for):
    client = client_for(built.superintendent)
    school = built.schools[1]
    html = client.get(home_url(built.district), {"region": school.region}).content.decode()
    links = re.findall(r'href="([^"]*/exports/heatmap\.(?:csv|xlsx)[^"]*)"', html)
    assert len(links) == 2
    csv_link = next(link for link in links if ".csv" in link).replace("&amp;", "&")
    assert f"region={school.region}".replace(" ", "%20") in csv_link and "cycle=" in csv_link
    response = client.get(csv_link)
    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    exported = sorted(line.split(",")[0].strip('"') for line in rows[1:])
    assert exported == sorted(s.name for s in built.schools if s.region == school.region)


# --- The whole page, kept per reader ---------------------------------------------------------------


def _middleware_only(queries) -> bool:
    """Only what every district page reads (session, user, district, its setting, the membership)."""
    page_tables = ("plans_", "priorities_", "checkins_", "metrics_", "dashboards_")
    return not [q for q in queries.captured_queries if any(table in q["sql"] for table in page_tables)]


def test_a_readers_second_visit_is_their_stored_page_with_forms_that_still_post(
    built, in_district, django_capture_on_commit_callbacks
):
    client = login(Client(enforce_csrf_checks=True), built.superintendent)
    url = home_url(built.district)
    first = client.get(url).content.decode()  # sets the CSRF cookie
    second = client.get(url).content.decode()  # rendered with it, and kept
    with CaptureQueriesContext(connection) as queries:
        third = client.get(url).content.decode()
    assert third == second
    assert _middleware_only(queries) and len(queries.captured_queries) < 10
    assert "Welcome" in first and built.superintendent.user.get_short_name() in third
    # The stored page's token is the reader's own: a form posted with it passes the CSRF check.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', third).group(1)
    with in_district(built.district), django_capture_on_commit_callbacks(execute=True):
        draft = highlights.highlight_create(
            district=built.district, actor=built.superintendent, plan=built.plan, title="Cached draft", body="Body."
        )
    page = client.get(url).content.decode()
    assert "Cached draft" in page  # a new draft bumps PUBLISHED: the page is rendered again
    publish = reverse(
        "dashboards:highlight_publish", kwargs={"district_slug": built.district.slug, "highlight_id": draft.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(publish, {"csrfmiddlewaretoken": token}).status_code == 302
    # The confirmation message is shown once: that page is rendered, not the stored one.
    shown = client.get(url).content.decode()
    assert 'class="messages"' in shown
    assert 'class="messages"' not in client.get(url).content.decode()


def test_each_reader_gets_their_own_page(built, client_for, make_member):
    coach = make_member(built.district, Role.PARTNER_COACH)
    pages = {}
    for member in (built.superintendent, coach):
        client = client_for(member)
        for _ in range(3):
            pages[member.pk] = client.get(home_url(built.district)).content.decode()
    assert built.superintendent.user.get_short_name() in pages[built.superintendent.pk]
    assert coach.user.get_short_name() in pages[coach.pk]
    assert coach.user.get_short_name() not in pages[built.superintendent.pk]
    assert 'id="highlights-panel-heading"' in pages[built.superintendent.pk]
    assert 'id="highlights-panel-heading"' not in pages[coach.pk]


def test_the_tick_closing_the_open_cycle_shows_at_once(built, client_for, django_capture_on_commit_callbacks):
    from unittest import mock

    from checkins import cycles, rollups
    from checkins.models import CheckinCycle, CycleState

    client = client_for(built.superintendent)
    url = home_url(built.district)
    for _ in range(2):  # rendered, then kept
        assert "No check-in cycle is open right now." not in client.get(url).content.decode()
    cycle = built.open_cycle
    # Closing may change no roll-up row (the refresh then bumps nothing): the state change itself must.
    no_refresh = mock.patch.object(rollups, "schedule_cycle_refresh")
    with scopes_disabled(), no_refresh, django_capture_on_commit_callbacks(execute=True):
        cycles._run_open_cycle(cycle, now=cycle.closes_at)  # as the tick runs it once the cycle may close
        assert CheckinCycle.objects.get(pk=cycle.pk).state == CycleState.CLOSED
    assert "No check-in cycle is open right now." in client.get(url).content.decode()


def test_the_heat_map_partial_follows_the_active_plan_though_it_is_cached_without_naming_it(
    built, client_for, django_capture_on_commit_callbacks
):
    client = client_for(built.superintendent)
    cached = client.get(home_url(built.district), **HX_HEATMAP).content.decode()
    assert 'id="heatmap"' in cached
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        built.plan.state = PlanState.ARCHIVED
        built.plan.save()  # as archiving does: NAMES is bumped once it commits
    html = client.get(home_url(built.district), **HX_HEATMAP).content.decode()
    assert 'id="heatmap"' not in html and built.priorities[0].title not in html
