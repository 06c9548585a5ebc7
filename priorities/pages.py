"""Panels of the priority page that apps built on priorities contribute (priorities imports no app above it).

An app registers a panel in its AppConfig.ready() with `register_priority_panel(fn)`: `fn(request,
priority, editable=)` returns `(template, context)` to show, or None to show nothing for this reader
(`editable`: the priority's plan is not archived). Panels show in the order they registered, between
the priority's own details and its commitments (metrics adds "Measures of success",
metrics.priority_panels).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string

from .models import Priority

PriorityPanel = Callable[..., tuple[str, dict] | None]

priority_page_panels: list[PriorityPanel] = []


def register_priority_panel(panel: PriorityPanel) -> PriorityPanel:
    if panel not in priority_page_panels:
        priority_page_panels.append(panel)
    return panel


def priority_panels(request: HttpRequest, priority: Priority, *, editable: bool) -> list[str]:
    """The registered panels for this priority, rendered (the page's `district`, `plan`, `priority` given to each)."""
    rendered = []
    for panel in priority_page_panels:
        shown = panel(request, priority, editable=editable)
        if shown is not None:
            template, context = shown
            base = {"district": request.district, "plan": priority.plan, "priority": priority}
            rendered.append(render_to_string(template, {**base, **context}, request))
    return rendered
