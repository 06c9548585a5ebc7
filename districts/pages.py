"""Parts of district pages that apps built on districts contribute (districts imports no app above it).

An app registers a panel for the school page in its AppConfig.ready(): a function of (request, school)
returning (template, context) to show, or None to show nothing for this reader. Panels show in the
order they registered, below the school's own details.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string

from .models import School

SchoolPanel = Callable[[HttpRequest, School], tuple[str, dict] | None]

school_page_panels: list[SchoolPanel] = []


def register_school_panel(panel: SchoolPanel) -> SchoolPanel:
    if panel not in school_page_panels:
        school_page_panels.append(panel)
    return panel


def school_panels(request: HttpRequest, school: School) -> list[str]:
    """The registered panels for this school, rendered (the page's `district` and `school` given to each)."""
    rendered = []
    for panel in school_page_panels:
        shown = panel(request, school)
        if shown is not None:
            template, context = shown
            rendered.append(
                render_to_string(template, {"district": request.district, "school": school, **context}, request)
            )
    return rendered
