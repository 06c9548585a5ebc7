"""Keeps cached dashboard, board and public pages in step with the names and titles they show.

The pages cache their rendered sections under core.cache_versions topics. Roll-ups and published
highlights bump theirs where they are written; names and titles (a school renamed, a priority retitled,
a metric's target edited, a person's role changed) are edited in many places, so every save and delete
of those models bumps the district's NAMES topic here, once the transaction commits. Bulk writes send
no signals: the importers bump NAMES themselves (districts.importers), and a person's own name change
does in districts.services.sync_sort_names, for every district they belong to.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from core import cache_versions
from districts.models import Department, District, Membership, RoleLabel, School
from metrics.models import Metric, MetricInterimTarget
from plans.models import StrategicPlan
from priorities.models import Commitment, Priority

NAMED_MODELS = (
    School,
    Department,
    RoleLabel,
    Membership,
    StrategicPlan,
    Priority,
    Commitment,
    Metric,
    MetricInterimTarget,
)
# Saves of these fields change nothing a page shows by name (a tick's lease).
UNSHOWN_FIELDS = {District: frozenset({"next_tick_at"})}


def _named_row_changed(sender: type, instance: Any, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    if update_fields is not None and update_fields <= UNSHOWN_FIELDS.get(sender, frozenset()):
        return
    district_id = instance.pk if sender is District else instance.district_id
    if district_id is not None:
        cache_versions.bump(district_id, cache_versions.NAMES)


def connect() -> None:
    """Called once, from DashboardsConfig.ready()."""
    for model in (District, *NAMED_MODELS):
        uid = f"dashboards.names.{model._meta.label_lower}"
        post_save.connect(_named_row_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_named_row_changed, sender=model, dispatch_uid=f"{uid}.delete")
