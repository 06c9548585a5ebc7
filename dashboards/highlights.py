"""Highlights: short stories of progress the superintendent writes and publishes to the board and public.

Services take the district and the acting membership, check MANAGE_HIGHLIGHTS and, on every change,
bump the PUBLISHED cache topic (core.cache_versions) so the public page's cached HTML and ETag change
at once. Board, public and report pages read `published_at` live through `published_highlights`, so
unpublishing removes a highlight everywhere on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core import cache_versions
from core.history import delete_with_history, save_with_history
from core.objects import apply_changes, ensure_same_district
from core.text import one_line
from districts.models import District, Membership
from districts.policy import Action, can, require
from districts.services import ensure_actor_in_district
from plans.models import StrategicPlan
from priorities.models import Priority

from .models import Highlight

EDITABLE_FIELDS = ("title", "title_es", "body", "body_es", "priority")
PANEL_PUBLISHED = 3  # the dashboard panel shows the newest few; the list page shows all


def _begin(*, district: District, actor: Membership, highlight: Highlight | None = None) -> None:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_HIGHLIGHTS)
    if highlight is not None:
        ensure_same_district(highlight, district=district)


def _changed(district: District) -> None:
    # After the commit: a page rendered in between must not cache the old content under a new version.
    cache_versions.bump(district.pk, cache_versions.PUBLISHED)


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    for key in ("title", "title_es"):
        if key in changes:
            changes[key] = one_line(changes[key] or "")
    for key in ("body", "body_es"):
        if key in changes:
            changes[key] = (changes[key] or "").strip()
    return changes


def _check_priority(priority: Priority | None, *, plan: StrategicPlan, district: District) -> None:
    ensure_same_district(priority, district=district)
    if priority is not None and priority.plan_id != plan.pk:
        raise ValueError("The priority belongs to another plan.")


@transaction.atomic
def highlight_create(
    *,
    district: District,
    actor: Membership,
    plan: StrategicPlan,
    title: str,
    body: str,
    title_es: str = "",
    body_es: str = "",
    priority: Priority | None = None,
) -> Highlight:
    """A draft highlight of the plan: nobody but the dashboard's readers sees it until it is published."""
    _begin(district=district, actor=actor)
    ensure_same_district(plan, district=district)
    _check_priority(priority, plan=plan, district=district)
    fields = _clean({"title": title, "title_es": title_es, "body": body, "body_es": body_es})
    highlight = Highlight(district=district, plan=plan, priority=priority, created_by=actor, **fields)
    save_with_history(highlight, actor=actor)
    _changed(district)
    return highlight


@transaction.atomic
def highlight_update(*, district: District, actor: Membership, highlight: Highlight, **changes: Any) -> Highlight:
    """Edit a highlight; a published one changes on every page at once."""
    _begin(district=district, actor=actor, highlight=highlight)
    if unknown := set(changes) - set(EDITABLE_FIELDS):
        raise ValueError(f"Unknown highlight fields: {', '.join(sorted(unknown))}")
    if "priority" in changes:
        _check_priority(changes["priority"], plan=highlight.plan, district=district)
    changed = apply_changes(highlight, _clean(changes))
    if changed:
        save_with_history(highlight, actor=actor, update_fields=[*changed, "updated_at"])
        _changed(district)
    return highlight


@transaction.atomic
def highlight_publish(*, district: District, actor: Membership, highlight: Highlight) -> Highlight:
    """Show the highlight on the board pages, the public page and board reports (publishing again is a no-op)."""
    _begin(district=district, actor=actor, highlight=highlight)
    if highlight.published_at is None:
        highlight.published_at = timezone.now()
        highlight.published_by = actor
        save_with_history(highlight, actor=actor, update_fields=["published_at", "published_by", "updated_at"])
        _changed(district)
    return highlight


@transaction.atomic
def highlight_unpublish(*, district: District, actor: Membership, highlight: Highlight) -> Highlight:
    """Take the highlight off every board, public and report page; it stays as a draft."""
    _begin(district=district, actor=actor, highlight=highlight)
    if highlight.published_at is not None:
        highlight.published_at = None
        highlight.published_by = None
        save_with_history(highlight, actor=actor, update_fields=["published_at", "published_by", "updated_at"])
        _changed(district)
    return highlight


@transaction.atomic
def highlight_delete(*, district: District, actor: Membership, highlight: Highlight) -> None:
    _begin(district=district, actor=actor, highlight=highlight)
    delete_with_history(highlight, actor=actor, name=str(highlight))
    _changed(district)


# --- Selectors -----------------------------------------------------------------------------------


def access_highlight(*, district: District, highlight_id: int) -> Highlight:
    """The district's highlight, or 404 (another district's included)."""
    return get_object_or_404(Highlight.objects.select_related("plan", "priority"), district=district, pk=highlight_id)


def published_highlights(*, district: District, plan: StrategicPlan, limit: int | None = None) -> list[Highlight]:
    """The plan's published highlights, newest first, with their priority (one query)."""
    found = (
        Highlight.objects.filter(district=district, plan=plan, published_at__isnull=False)
        .select_related("priority")
        .order_by("-published_at", "-pk")
    )
    return list(found[:limit] if limit else found)


def plan_highlights(*, district: District, plan: StrategicPlan) -> tuple[list[Highlight], list[Highlight]]:
    """(drafts newest first, published newest first) of the plan, in one query."""
    drafts, published = [], []
    for highlight in (
        Highlight.objects.filter(district=district, plan=plan)
        .select_related("priority")
        .order_by("-published_at", "-created_at", "-pk")
    ):
        (published if highlight.is_published else drafts).append(highlight)
    drafts.sort(key=lambda h: (h.created_at, h.pk), reverse=True)
    return drafts, published


@dataclass(frozen=True)
class HighlightsPanel:
    plan: StrategicPlan
    drafts: list[Highlight]
    published: list[Highlight]  # the newest PANEL_PUBLISHED
    published_count: int


def highlights_panel(*, district: District, actor: Membership, plan: StrategicPlan | None) -> HighlightsPanel | None:
    """The dashboard's highlights panel for the active `plan`: drafts and what the board sees; None unless
    the actor manages them."""
    if not can(actor, Action.MANAGE_HIGHLIGHTS):
        return None
    if plan is None:
        return None
    drafts, published = plan_highlights(district=district, plan=plan)
    return HighlightsPanel(
        plan=plan, drafts=drafts, published=published[:PANEL_PUBLISHED], published_count=len(published)
    )
