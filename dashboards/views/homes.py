"""The district home `/d/<slug>/`: each role lands on the page it opens Throughline for.

`district_home` picks the page by role: the superintendent and cabinet get the dashboard
(dashboards.views.dashboard), board members the board progress pages, everyone else their role's
home below (composed on top of every app it summarises)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from checkins.selectors import home_panel
from core.web import render_page
from districts import selectors
from districts.policy import Action, can
from districts.web import district_view
from priorities.selectors import plan_at_a_glance


@district_view(section="home")
def district_home(request: HttpRequest) -> HttpResponse:
    return role_home(request)


def role_home(request: HttpRequest) -> HttpResponse:
    """The home of the roles that have no page of their own yet (replaced role by role)."""
    district, membership = request.district, request.membership
    can_manage = can(membership, Action.MANAGE_DISTRICT)
    counts = selectors.home_counts(district=district, actor=membership)
    checklist = selectors.setup_checklist(district=district, counts=counts) if can_manage else []
    context = {
        "can_manage": can_manage,
        "can_view_people": can(membership, Action.VIEW_PEOPLE),
        "school_count": counts["schools"],
        "department_count": counts["departments"],
        # Shown to admins until every step is done.
        "checklist": checklist if not all(item.done for item in checklist) else None,
        "plan_summary": plan_at_a_glance(district=district, membership=membership)
        if can(membership, Action.VIEW_PLAN)
        else None,
        # A principal's or department lead's check-in and the responses waiting for them.
        "checkin_panel": home_panel(actor=membership),
    }
    return render_page(request, "dashboards/home.html", context)
