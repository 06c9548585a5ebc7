"""What priorities contributes to district pages (registered in PrioritiesConfig.ready())."""

from __future__ import annotations

from django.http import HttpRequest

from districts.models import School
from districts.policy import Action, can

from .selectors import school_loads


def school_load_panel(request: HttpRequest, school: School) -> tuple[str, dict] | None:
    """Coherence: how much this school is asked to do (flagged over the district's threshold)."""
    if not can(request.membership, Action.VIEW_LOAD):
        return None
    load = school_loads(district=request.district, schools=[school], months=[])[0]
    return "priorities/_school_load_panel.html", {"load": load}
