"""The check-in actions' object rules, added to the one policy module (districts.policy) at start-up.

A principal sees and fills in only their school's check-ins; a department lead fills in only their
department's; a cabinet member responds only where the check-in reports on a priority they own.
"""

from __future__ import annotations

from typing import Any

from districts.policy import Action, register_object_rule
from districts.roles import Role

from .models import Checkin, CheckinEntry


def _own_school(actor: Any, checkin: Checkin) -> bool:
    return checkin.school_id is not None and checkin.school_id == actor.school_id


def _own_department(actor: Any, checkin: Checkin) -> bool:
    return checkin.department_id is not None and checkin.department_id == actor.department_id


def _reports_on_owned_priority(actor: Any, checkin: Checkin) -> bool:
    return CheckinEntry.objects.filter(
        district_id=checkin.district_id, checkin=checkin, assignment__commitment__priority__owner_id=actor.pk
    ).exists()


def _entry_under_owned_priority(actor: Any, obj: Checkin | CheckinEntry) -> bool:
    if isinstance(obj, Checkin):
        return _reports_on_owned_priority(actor, obj)
    return obj.assignment.commitment.priority.owner_id == actor.pk


def register_rules() -> None:
    register_object_rule(Role.PRINCIPAL, Action.VIEW_CHECKINS, _own_school)
    register_object_rule(Role.PRINCIPAL, Action.EDIT_CHECKIN, _own_school)
    register_object_rule(Role.CABINET, Action.EDIT_CHECKIN, _own_department)
    register_object_rule(Role.CABINET, Action.RESPOND_CHECKIN, _reports_on_owned_priority)
    register_object_rule(Role.CABINET, Action.COMMENT, _entry_under_owned_priority)
    register_object_rule(Role.CABINET, Action.RESOLVE_SUPPORT, _entry_under_owned_priority)
