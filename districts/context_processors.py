"""Navigation shaped by the acting membership's role."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .policy import Action, can


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: Action
    section: str  # marks the current item: request.resolver_match.app_name or url_name prefix


# Order is the order in the menu. An item shows when the role may take its action.
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Home"), "dashboards:home", Action.VIEW_DISTRICT, "home"),
    NavItem(_("Plan"), "plans:current", Action.VIEW_PLAN, "plans"),
    NavItem(_("Role cards"), "priorities:role_list", Action.VIEW_PLAN, "roles"),
    NavItem(_("Initiative load"), "priorities:load", Action.VIEW_LOAD, "load"),
    NavItem(_("Metrics"), "metrics:metric_list", Action.VIEW_METRICS, "metrics"),
    NavItem(_("Board"), "dashboards:board", Action.VIEW_BOARD, "board"),  # board pages and reports
    # Reviewers get the cycles; a principal or department lead (only) their own check-ins.
    NavItem(_("Check-ins"), "checkins:cycle_list", Action.VIEW_CHECKIN_QUEUE, "checkins"),
    NavItem(_("Check-ins"), "checkins:my_checkins", Action.VIEW_CHECKINS, "checkins"),
    NavItem(_("Schools"), "districts:school_list", Action.VIEW_DISTRICT, "schools"),
    NavItem(_("Departments"), "districts:department_list", Action.VIEW_DISTRICT, "departments"),
    NavItem(_("People"), "districts:people_list", Action.VIEW_PEOPLE, "people"),
    NavItem(_("Settings"), "districts:settings", Action.MANAGE_DISTRICT, "settings"),
)


def district_navigation(request: HttpRequest) -> dict[str, object]:
    district = getattr(request, "district", None)
    membership = getattr(request, "membership", None)
    if district is None or membership is None:
        return {"district": district, "membership": membership, "nav_items": []}
    match = getattr(request, "resolver_match", None)
    current_section = getattr(match, "url_name", "") or ""
    section_of_view = getattr(getattr(match, "func", None), "nav_section", None)
    items = []
    sections: set[str] = set()
    for item in NAV_ITEMS:
        if item.section in sections or not can(membership, item.action):
            continue  # one item per section: the first the role may use
        sections.add(item.section)
        items.append(
            {
                "label": item.label,
                "url": reverse(item.url_name, kwargs={"district_slug": district.slug}),
                "current": item.section == (section_of_view or current_section),
            }
        )
    return {"district": district, "membership": membership, "nav_items": items}
