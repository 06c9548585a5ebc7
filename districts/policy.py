"""The one policy module: which role may do what, used by views, API and services alike.

`can(actor, action, obj)` answers; `require(...)` raises PermissionDenied (403).
A role's table entry grants an action; an object rule may narrow it for one
object (a principal acts only for their own school; a cabinet member edits
only the priorities they own). Objects from another district never reach
here: access helpers turn them into 404s first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .roles import Role


class Action(StrEnum):
    # Foundation
    VIEW_DISTRICT = "district.view"  # district home, schools, departments
    MANAGE_DISTRICT = "district.manage"  # settings, schools, departments, imports
    VIEW_PEOPLE = "people.view"
    MANAGE_PEOPLE = "people.manage"  # invite, change roles, deactivate, import
    # Clarity: plans, priorities, commitments, role cards
    VIEW_PLAN = "plan.view"  # the active plan
    VIEW_DRAFT_PLANS = "plan.view_drafts"  # drafts and archived plans
    MANAGE_PLANS = "plan.manage"  # create, edit, activate, archive, copy
    CREATE_PRIORITY = "priority.create"
    EDIT_PRIORITY = "priority.edit"  # object: the priority
    EDIT_COMMITMENT = "commitment.edit"  # object: the commitment's priority
    MANAGE_ROLE_LABELS = "role_label.manage"
    VIEW_LOAD = "load.view"  # initiative load per school / department
    # Metrics
    VIEW_METRICS = "metric.view"
    DEFINE_METRIC = "metric.define"  # object: the metric's priority
    IMPORT_METRIC_VALUES = "metric.import"  # object: the metric's priority
    ENTER_METRIC_VALUE = "metric_value.enter"  # object: a MetricValueTarget (metric + school, or None)
    # Feedback loop: check-ins and responses
    VIEW_CHECKINS = "checkin.view"  # object: a check-in (a principal sees only their school's)
    EDIT_CHECKIN = "checkin.edit"  # fill in and submit; object: the check-in (own school / department)
    VIEW_CHECKIN_QUEUE = "checkin.queue"  # a cycle's check-ins, the support-request queue
    RESPOND_CHECKIN = "checkin.respond"  # acknowledge, return; object: the check-in
    COMMENT = "comment"  # object: a check-in entry (or a check-in)
    RESOLVE_SUPPORT = "checkin.resolve_support"  # object: a check-in entry
    # Dashboards, board pages, reports and exports
    VIEW_DASHBOARD = "dashboard.view"  # the superintendent dashboard, its heat map and drill-downs
    VIEW_BOARD = "board.view"  # the board progress pages (published, aggregate content only)
    MANAGE_HIGHLIGHTS = "highlight.manage"  # write, publish and unpublish highlights
    VIEW_BOARD_REPORTS = "board_report.view"  # board reports (HTML and PDF)
    REQUEST_BOARD_REPORT = "board_report.request"
    EXPORT_DATA = "export"  # CSV / Excel of the heat map, check-in statuses and metric values


_ALL = frozenset(Action)
_READ = frozenset(
    {
        Action.VIEW_DISTRICT,
        Action.VIEW_PLAN,
        Action.VIEW_METRICS,
        Action.VIEW_LOAD,
        Action.VIEW_BOARD,
        Action.VIEW_BOARD_REPORTS,
    }
)
_PLAN_EDITING = frozenset(
    {
        Action.VIEW_DRAFT_PLANS,
        Action.MANAGE_PLANS,
        Action.CREATE_PRIORITY,
        Action.EDIT_PRIORITY,
        Action.EDIT_COMMITMENT,
        Action.MANAGE_ROLE_LABELS,
        Action.DEFINE_METRIC,
        Action.IMPORT_METRIC_VALUES,
        Action.ENTER_METRIC_VALUE,
    }
)

# Seeing every check-in of the district and the queues.
_REVIEWING = frozenset({Action.VIEW_CHECKINS, Action.VIEW_CHECKIN_QUEUE, Action.VIEW_DASHBOARD, Action.EXPORT_DATA})
_RESPONDING = frozenset({Action.RESPOND_CHECKIN, Action.COMMENT, Action.RESOLVE_SUPPORT})

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.DISTRICT_ADMIN: _ALL - _RESPONDING - {Action.EDIT_CHECKIN, Action.MANAGE_HIGHLIGHTS},
    Role.SUPERINTENDENT: _READ
    | _PLAN_EDITING
    | _REVIEWING
    | _RESPONDING
    | {Action.VIEW_PEOPLE, Action.MANAGE_HIGHLIGHTS, Action.REQUEST_BOARD_REPORT},
    Role.CABINET: _READ
    | {
        Action.VIEW_PEOPLE,
        Action.VIEW_DRAFT_PLANS,
        Action.EDIT_PRIORITY,
        Action.EDIT_COMMITMENT,
        Action.DEFINE_METRIC,
        Action.IMPORT_METRIC_VALUES,
        Action.ENTER_METRIC_VALUE,
        Action.EDIT_CHECKIN,
        Action.REQUEST_BOARD_REPORT,
    }
    | _REVIEWING
    | _RESPONDING,
    Role.PRINCIPAL: _READ | {Action.ENTER_METRIC_VALUE, Action.VIEW_CHECKINS, Action.EDIT_CHECKIN},
    Role.STAFF: _READ,
    # Board members never see individual check-ins (only the board pages' aggregates).
    Role.BOARD_MEMBER: _READ,
    Role.PARTNER_COACH: _READ | _REVIEWING | {Action.VIEW_DRAFT_PLANS, Action.COMMENT},
}


def _owns_priority(actor: Any, priority: Any) -> bool:
    return priority is not None and priority.owner_id == actor.pk


def _priority_of(obj: Any) -> Any:
    """The priority an object hangs from: itself, or its .priority (commitment, metric)."""
    if obj is None:
        return None
    if hasattr(obj, "priority_id"):
        return obj.priority
    return obj


def _cabinet_priority_rule(actor: Any, obj: Any) -> bool:
    # Cabinet members act only under priorities they own.
    return _owns_priority(actor, _priority_of(obj))


def _cabinet_commitment_rule(actor: Any, obj: Any) -> bool:
    # obj is a commitment (or, when adding one, its priority): cabinet members act
    # under priorities they own, and on commitments their department leads.
    lead_department_id = getattr(obj, "lead_department_id", None)
    if lead_department_id is not None and lead_department_id == actor.department_id:
        return True
    return _cabinet_priority_rule(actor, obj)


@dataclass(frozen=True)
class MetricValueTarget:
    """What ENTER_METRIC_VALUE is checked against: the metric and the school (None: the district value)."""

    metric: Any
    school: Any = None


def _own_school_value_rule(actor: Any, target: MetricValueTarget) -> bool:
    # A principal enters values only for their own school, never district-level ones.
    return target.school is not None and target.school.pk == actor.school_id


def _cabinet_value_rule(actor: Any, target: MetricValueTarget) -> bool:
    # Cabinet enters values (any school's, or the district's) under priorities they own.
    return _owns_priority(actor, _priority_of(target.metric))


ObjectRule = Callable[[Any, Any], bool]
OBJECT_RULES: dict[tuple[Role, Action], ObjectRule] = {
    (Role.CABINET, Action.EDIT_PRIORITY): _cabinet_priority_rule,
    (Role.CABINET, Action.EDIT_COMMITMENT): _cabinet_commitment_rule,
    (Role.CABINET, Action.DEFINE_METRIC): _cabinet_priority_rule,
    (Role.CABINET, Action.IMPORT_METRIC_VALUES): _cabinet_priority_rule,
    (Role.CABINET, Action.ENTER_METRIC_VALUE): _cabinet_value_rule,
    (Role.PRINCIPAL, Action.ENTER_METRIC_VALUE): _own_school_value_rule,
}


def register_object_rule(role: Role, action: Action, rule: ObjectRule) -> None:
    """An app above districts adds the object rule for one of its actions (from its AppConfig.ready()):
    the rule needs that app's models, which this module may not import."""
    existing = OBJECT_RULES.get((role, action))
    if existing is not None and existing is not rule:
        raise ValueError(f"{role} / {action} already has an object rule: {existing!r}.")
    OBJECT_RULES[(role, action)] = rule


def can(actor: Any, action: Action, obj: Any = None) -> bool:
    """May this membership do this action (on this object)?

    Without an object, answers "could they, on some object": used to show or
    hide a button. With an object, applies the role's object rule too.
    """
    if actor is None or not actor.is_active:
        return False
    role = Role(actor.role)
    if action not in ROLE_ACTIONS[role]:
        return False
    rule = OBJECT_RULES.get((role, action))
    if rule is None or obj is None:
        return True
    return rule(actor, obj)


def require(actor: Any, action: Action, obj: Any = None) -> None:
    if not can(actor, action, obj):
        raise PermissionDenied(_("Your role cannot do this (%(action)s).") % {"action": action})
