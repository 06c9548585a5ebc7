"""The district home `/d/<slug>/`: each role lands on the page it opens Throughline for.

`district_home` picks the page by role: the superintendent, cabinet and partner coaches get the
dashboard (dashboards.views.dashboard), board members the board progress pages, principals, staff
and district admins their homes below (composed on top of every app they summarise)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.web import render_page
from dashboards import homes
from districts import selectors
from districts.policy import Action, can
from districts.roles import Role
from districts.web import district_view
from priorities.selectors import plan_at_a_glance, role_card

from .dashboard import dashboard_page

# They review the whole district (a cabinet member also finds their department's panel at the top).
DASHBOARD_ROLES = frozenset({Role.SUPERINTENDENT, Role.CABINET, Role.PARTNER_COACH})


@district_view(section="home")
def district_home(request: HttpRequest) -> HttpResponse:
    return role_home(request)


def role_home(request: HttpRequest) -> HttpResponse:
    """The page of the reader's role."""
    role = request.membership.role
    if role in DASHBOARD_ROLES:
        return dashboard_page(request)
    if role == Role.PRINCIPAL:
        return principal_home(request)
    if role == Role.STAFF:
        return staff_home(request)
    if role == Role.BOARD_MEMBER:
        return redirect("dashboards:board", district_slug=request.district.slug)
    if role == Role.DISTRICT_ADMIN:
        return admin_home(request)
    return staff_home(request)  # the plan and a role card: what any other role may see


def _plan_context(request: HttpRequest, *, with_card: bool) -> dict[str, Any]:
    """The plan at a glance (and, for those who carry it out, their own role card's commitments)."""
    district, membership = request.district, request.membership
    summary = plan_at_a_glance(district=district, membership=membership) if can(membership, Action.VIEW_PLAN) else None
    card = None
    if with_card and summary is not None and summary.own_card is not None:
        card = role_card(district=district, plan=summary.plan, role_label=summary.own_card)
    # Only the admin home has a checklist; the key is always there so every home reads the same.
    return {"plan_summary": summary, "role_card": card, "checklist": None}


def principal_home(request: HttpRequest) -> HttpResponse:
    context = {**_plan_context(request, with_card=True), "place_home": homes.place_home(actor=request.membership)}
    return render_page(request, "dashboards/home_principal.html", context)


def staff_home(request: HttpRequest) -> HttpResponse:
    return render_page(request, "dashboards/home_staff.html", _plan_context(request, with_card=True))


def admin_home(request: HttpRequest) -> HttpResponse:
    district, membership = request.district, request.membership
    counts = selectors.home_counts(district=district, actor=membership)
    checklist = selectors.setup_checklist(district=district, counts=counts)
    context = {
        **_plan_context(request, with_card=False),
        "can_manage": True,
        "can_view_people": True,
        "school_count": counts["schools"],
        "department_count": counts["departments"],
        # Shown until every step is done.
        "checklist": checklist if not all(item.done for item in checklist) else None,
        "cycle_health": homes.cycle_health(district=district),
    }
    return render_page(request, "dashboards/home_admin.html", context)
