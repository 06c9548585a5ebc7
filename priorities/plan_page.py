"""What priorities shows on the plan page (registered in PrioritiesConfig.ready(), see plans.pages):
the initiative-load flag, the priorities with their commitments edited in place with HTMX, and
the role cards. Also how a priority or commitment change answers (`after_priorities_change`):
the refreshed region for HTMX, else a redirect with the message.

Not a view module: priorities' views import it; plans never does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import reswap, retarget

from districts.policy import Action, can
from plans.models import StrategicPlan
from plans.pages import PlanRegion
from plans.web import plan_url

from . import selectors

PRIORITIES_ELEMENT = "priorities-region"
PRIORITIES_TEMPLATE = "priorities/_plan_priorities.html"


def priorities_context(request: HttpRequest, plan: StrategicPlan) -> dict[str, Any]:
    """What the priorities region of the plan page needs, with each object's permissions decided here."""
    membership = request.membership
    priorities = selectors.priorities_for_plan(plan=plan)
    editable = not plan.is_archived
    for priority in priorities:
        priority.can_edit = editable and can(membership, Action.EDIT_PRIORITY, priority)
        priority.can_add_commitment = editable and can(membership, Action.EDIT_COMMITMENT, priority)
        for commitment in priority.ordered_commitments:
            commitment.can_edit = editable and can(membership, Action.EDIT_COMMITMENT, commitment)
            commitment.can_move = priority.can_edit
    return {
        "plan": plan,
        "priorities": priorities,
        "focus": selectors.focus_guard(district=request.district, count=len(priorities)),
        "can_reorder": editable and can(membership, Action.MANAGE_PLANS),
        "can_add_priority": editable and can(membership, Action.CREATE_PRIORITY),
        "can_manage_district": can(membership, Action.MANAGE_DISTRICT),
        "in_place": True,
    }


def render_priorities_region(
    request: HttpRequest, plan: StrategicPlan, *, status: str = "", focus: str = ""
) -> HttpResponse:
    """The plan page's priorities partial, swapped into the region whatever element asked for it."""
    context = {
        "district": request.district,
        **priorities_context(request, plan),
        "status_message": status,
        "focus_target": focus,
    }
    response = render(request, f"{PRIORITIES_TEMPLATE}#priorities", context)
    response.headers["Vary"] = "HX-Request"
    return reswap(retarget(response, f"#{PRIORITIES_ELEMENT}"), "innerHTML")


def after_priorities_change(
    request: HttpRequest,
    plan: StrategicPlan,
    *,
    message: str,
    anchor: str,
    focus: str = "",
    next_url: str = "",
) -> HttpResponse:
    """HTMX: the refreshed region, the message read out by screen readers.

    Otherwise (a plain post): the message on `next_url`, by default the item on the plan page.
    """
    if request.htmx:
        return render_priorities_region(request, plan, status=message, focus=focus or anchor)
    messages.success(request, message)
    return redirect(next_url or plan_url(plan, anchor))


# --- The regions (plans.pages) ---------------------------------------------------------------


def load_flag_region(request: HttpRequest, plan: StrategicPlan, *, focus: str = "") -> tuple[str, dict] | None:
    """On the active plan: how many schools carry more than the district's load threshold, the busiest ten."""
    if not plan.is_active:
        return None
    overloaded = selectors.overloaded_schools(district=request.district)
    if not overloaded.count:
        return None
    return "priorities/_plan_load_flag.html", {
        "overloaded": overloaded,
        "can_view_load": can(request.membership, Action.VIEW_LOAD),
    }


def priorities_region(request: HttpRequest, plan: StrategicPlan, *, focus: str = "") -> tuple[str, dict]:
    return PRIORITIES_TEMPLATE, {**priorities_context(request, plan), "focus_target": focus}


def refresh_priorities_region(request: HttpRequest, plan: StrategicPlan, *, focus: str = "") -> HttpResponse:
    return render_priorities_region(request, plan, focus=focus)


def role_cards_region(request: HttpRequest, plan: StrategicPlan, *, focus: str = "") -> tuple[str, dict]:
    return "priorities/_plan_role_cards.html", {
        "role_labels": selectors.role_labels_with_counts(district=request.district, plan=plan)
    }


PLAN_REGIONS = (
    PlanRegion(render=load_flag_region),
    PlanRegion(render=priorities_region, element_id=PRIORITIES_ELEMENT, refresh=refresh_priorities_region),
    PlanRegion(render=role_cards_region),
)
