"""Fetch one check-in the actor may see, or 404: another district's, another school's (for a principal),
another department's (for a department lead who isn't a reviewer), and any for staff and board members
look the same as a missing one."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import Http404

from districts.access import access_in_district
from districts.models import Membership
from districts.policy import Action, can

from .models import Checkin

# What the check-in's pages show of it; an autosave needs only its cycle (is it open?).
PAGE_RELATED = ("cycle", "school", "department", "submitted_by__user", "updated_by__user", "district")


def access_checkin(*, actor: Membership, checkin_id: object, related: Sequence[str] = PAGE_RELATED) -> Checkin:
    checkin = access_in_district(Checkin.objects.select_related(*related), actor=actor, pk=checkin_id)
    if not (can(actor, Action.VIEW_CHECKINS, checkin) or can(actor, Action.EDIT_CHECKIN, checkin)):
        raise Http404("No such check-in.")
    return checkin
