"""Regions of the plan page that apps built on plans contribute (plans imports no app above it).

An app registers a region in its AppConfig.ready() with `register_plan_region(PlanRegion(...))`:

* `render(request, plan, focus=)` returns `(template, context)` to show, or None to show nothing
  for this plan or reader. `focus` is the element id the page should focus (`?focus=`).
* A region that HTMX refreshes in place also names its element (`element_id`, the id of the
  element it fills) and `refresh(request, plan, focus=)`, answering the region's HTMX partial.
  The plan page answers an HTMX request aimed at that element with it (any other HTMX request
  with the first refreshable region: the plan page has one in-place region today).

Regions show in the order they registered, below the plan's own parts (vision, mission,
Portrait of a Graduate) and above its history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .models import StrategicPlan


@dataclass(frozen=True)
class PlanRegion:
    render: Callable[..., tuple[str, dict] | None]
    element_id: str = ""
    refresh: Callable[..., HttpResponse] | None = None


plan_page_regions: list[PlanRegion] = []


def register_plan_region(region: PlanRegion) -> PlanRegion:
    if region not in plan_page_regions:
        plan_page_regions.append(region)
    return region


def plan_regions(request: HttpRequest, plan: StrategicPlan, *, focus: str = "") -> list[str]:
    """The registered regions for this plan, rendered (the page's `district` and `plan` given to each)."""
    rendered = []
    for region in plan_page_regions:
        shown = region.render(request, plan, focus=focus)
        if shown is not None:
            template, context = shown
            rendered.append(
                render_to_string(template, {"district": request.district, "plan": plan, **context}, request)
            )
    return rendered


def refreshable_region(target: str | None) -> PlanRegion | None:
    """The region an HTMX request aimed at element `target` refreshes (else the first refreshable one)."""
    refreshable = [region for region in plan_page_regions if region.refresh is not None]
    named = next((region for region in refreshable if target and region.element_id == target), None)
    return named or (refreshable[0] if refreshable else None)
