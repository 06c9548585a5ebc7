"""The superintendent's dashboard (`/d/<slug>/` for the superintendent, cabinet and partner coaches) and its
drill-downs: priority → its commitments → a commitment's schools → a school's check-ins over cycles.

The heat-map filters are a GET form: with HTMX (`HX-Target: heatmap`) only the `heatmap` partial comes
back and the URL is pushed, so a reload or a bookmark gives the same view. Drill-downs swap the main
region (`HX-Target: main`, partial `drill`) and are full pages otherwise.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from checkins.selectors import cycle_checkins, support_queue
from core import cache_versions
from core.parsing import id_from_query, parse_id
from core.web import render_page
from dashboards import dashboard, homes, summary
from dashboards.dashboard import HeatmapFilters
from dashboards.highlights import highlights_panel
from districts.models import District, Membership
from districts.policy import Action, can, require
from districts.roles import Role
from districts.web import district_view
from plans.models import StrategicPlan
from plans.selectors import active_plan

SECTION = "home"
LATE_SHOWN = 10
REQUESTS_SHOWN = 5
LOOP_CYCLES = 6
# What the dashboard's cached sections show: stored roll-ups, metric values and targets, names.
DASHBOARD_TOPICS = [cache_versions.CHECKIN_ROLLUPS, cache_versions.METRIC_ROLLUPS, cache_versions.NAMES]
# The whole page also shows the highlights panel (drafts and published ones).
WHOLE_PAGE_TOPICS = [*DASHBOARD_TOPICS, cache_versions.PUBLISHED]


def _target(request: HttpRequest) -> str | None:
    """The element an HTMX request will swap; None for a plain request or a Back that restores a whole page."""
    htmx = getattr(request, "htmx", None)
    return htmx.target if htmx and not htmx.history_restore_request else None


def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The dashboard; called by the home dispatcher (dashboards.views.homes), hence not decorated itself.

    Its sections (the priority cards; completion, heat map, alerts, support requests and loop times) are
    rendered once per change of what they show and kept in the cache under the district's roll-up and
    names versions (core.cache_versions.cached_html), per filter, page and language; the body also per
    hour, for the days late and days open it counts. The greeting and the highlights panel (the
    superintendent's drafts, with forms) are rendered per reader: the whole page is then kept for that
    reader too (_whole_page_key), under the same versions and the published highlights' as well.
    """
    require(request.membership, Action.VIEW_DASHBOARD)
    key = _whole_page_key(request)
    if key is None:
        return _dashboard(request)
    html = cache_versions.cached_html(
        request.district.pk, WHOLE_PAGE_TOPICS, {key: lambda: _dashboard(request).content.decode()}
    )
    return _html_response(html[key])


def _whole_page_key(request: HttpRequest) -> str | None:
    """The cache key of the reader's whole dashboard page; None when it must be rendered.

    Rendered every time: an HTMX request (a partial), a page with messages to show once, a cabinet
    member's (their department's check-in panel changes with every edit), and a first visit without a
    CSRF cookie. The page's forms carry CSRF tokens made from the reader's secret (the cookie, rotated
    at every log-in), so the key has a digest of it: a token on a cached page is always the reader's own.
    """
    membership, secret = request.membership, request.META.get("CSRF_COOKIE")
    if getattr(request, "htmx", None) or not secret or membership.role == Role.CABINET:
        return None
    if len(messages.get_messages(request)):  # len() reads them without using them up
        return None
    reader = hashlib.sha256(f"{secret}|{request.get_full_path()}".encode()).hexdigest()[:24]
    hour = timezone.localtime().strftime("%Y%m%d%H")
    return f"dashboard-page:{membership.pk}:{translation.get_language()}:{hour}:{reader}"


def _dashboard(request: HttpRequest) -> HttpResponse:
    district, membership = request.district, request.membership
    filters = HeatmapFilters.from_query(request.GET)
    page = request.GET.get("page", "1")
    can_export = can(membership, Action.EXPORT_DATA)
    if _target(request) == "heatmap":
        html = _heatmap_partial(request, filters, page, can_export)
        if html is not None:
            return _html_response(html)
    plan = active_plan(district=district)
    context = _heatmap_context(plan, filters, can_export)
    if plan is not None:
        variant = f"{plan.pk}:{translation.get_language()}:{filters.cache_key}:{page[:12]}:{int(can_export)}"

        def with_heatmap() -> dict[str, Any]:
            heatmap = dashboard.heatmap(district=district, plan=plan, filters=filters, page=page)
            return {**context, "heatmap": heatmap}

        hour = timezone.localtime().strftime("%Y%m%d%H")
        cards = summary.priority_cards
        html = cache_versions.cached_html(
            district.pk,
            DASHBOARD_TOPICS,
            {
                f"dashboard-cards:{plan.pk}:{translation.get_language()}": lambda: _section(
                    request, "cards", {**context, "cards": cards(district=district, plan=plan)}
                ),
                f"dashboard-body:{variant}:{hour}": lambda: _section(
                    request, "body", _body_context(district, membership, plan, with_heatmap())
                ),
            },
        )
        context["cards_html"], context["body_html"] = html.values()
    context["highlights_panel"] = highlights_panel(district=district, actor=membership, plan=plan)
    context["place_home"] = homes.place_home(actor=membership) if membership.role == Role.CABINET else None
    return render_page(request, "dashboards/dashboard.html", context)


def _heatmap_context(plan: StrategicPlan | None, filters: HeatmapFilters, can_export: bool) -> dict[str, Any]:
    return {
        "plan": plan,
        "filters": filters,
        # The heat map as CSV or Excel (dashboards.views.exports), for everyone who may export.
        "export_formats": ["csv", "xlsx"] if can_export else [],
    }


class _NoActivePlanError(Exception):
    """Raised while rendering the heat-map partial of a district without an active plan (nothing is cached)."""


def _heatmap_partial(request: HttpRequest, filters: HeatmapFilters, page: str, can_export: bool) -> str | None:
    """The heat-map partial (a filter or page link), from the cache without reading the plan; None when the
    district has no active plan (the page then says so).

    Its key does not name the plan: activating, archiving or editing one bumps NAMES, which it is kept under.
    """
    district = request.district

    def render() -> str:
        plan = active_plan(district=district)
        if plan is None:
            raise _NoActivePlanError
        heatmap = dashboard.heatmap(district=district, plan=plan, filters=filters, page=page)
        return _section(request, "heatmap", {**_heatmap_context(plan, filters, can_export), "heatmap": heatmap})

    key = f"dashboard-heatmap:{translation.get_language()}:{filters.cache_key}:{page[:12]}:{int(can_export)}"
    try:
        return cache_versions.cached_html(district.pk, DASHBOARD_TOPICS, {key: render})[key]
    except _NoActivePlanError:
        return None


def _body_context(district: District, membership: Membership, plan: StrategicPlan, context: dict[str, Any]) -> dict:
    """What the dashboard's body shows beside the heat map (read only when it is not cached)."""
    current = dashboard.open_cycle(district=district, plan=plan)
    late = cycle_checkins(cycle=current, state="late") if current else None
    return {
        **context,
        "choices": dashboard.filter_choices(district=district, plan=plan),
        "current_cycle": current,
        "current_rollup": late.rollup if late else None,  # the cycle's DISTRICT roll-up
        "late": late,
        "late_shown": LATE_SHOWN,
        "alerts": dashboard.commitments_needing_attention(district=district, plan=plan, cycle=context["heatmap"].cycle),
        "support": support_queue(district=district, actor=membership),
        "requests_shown": REQUESTS_SHOWN,
        "legend": [summary.health_view(code) for code in summary.HEALTH_CODES],
        "loops": summary.loop_times(district=district, plan=plan, limit=LOOP_CYCLES),
    }


def _section(request: HttpRequest, partial: str, context: dict[str, Any]) -> str:
    return render_to_string(f"dashboards/dashboard.html#{partial}", context, request=request)


def _html_response(html: str) -> HttpResponse:
    response = HttpResponse(html)
    response.headers["Vary"] = "HX-Request"  # as core.web.render_page answers
    return response


def _drill(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A drill-down page, or (HTMX, from the dashboard or another drill-down) only its main region."""
    partial = "drill" if _target(request) == "main" else None
    return render_page(request, template, {**context, "in_main": partial is not None}, partial=partial)


def _plan(request: HttpRequest):
    return dashboard.check_plan(active_plan(district=request.district))


@district_view(Action.VIEW_DASHBOARD, section=SECTION)
def priority_drill(request: HttpRequest, priority_id: int) -> HttpResponse:
    drill = dashboard.priority_drill(
        district=request.district,
        plan=_plan(request),
        priority_id=parse_id(priority_id) or 0,
        cycle_id=id_from_query(request.GET, "cycle"),
    )
    return _drill(request, "dashboards/drill_priority.html", {"drill": drill})


@district_view(Action.VIEW_DASHBOARD, section=SECTION)
def commitment_drill(request: HttpRequest, commitment_id: int) -> HttpResponse:
    drill = dashboard.commitment_drill(
        district=request.district,
        plan=_plan(request),
        commitment_id=parse_id(commitment_id) or 0,
        cycle_id=id_from_query(request.GET, "cycle"),
        page=request.GET.get("page"),
    )
    return _drill(request, "dashboards/drill_commitment.html", {"drill": drill})


@district_view(Action.VIEW_DASHBOARD, section=SECTION)
def school_drill(request: HttpRequest, school_id: int) -> HttpResponse:
    drill = dashboard.school_drill(
        district=request.district, plan=_plan(request), school_id=parse_id(school_id) or 0, page=request.GET.get("page")
    )
    return _drill(request, "dashboards/drill_school.html", {"drill": drill})
