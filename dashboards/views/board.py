"""The board progress pages: read-only, published and aggregate content only (dashboards.board).

The progress page is the same for every board member: it is rendered once per change of what it shows
(published highlights, roll-ups, metric values, names: the public page's topics) and language, and
kept in the cache (core.cache_versions.cached_html), so a board member's visit reads no roll-up.
"""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from core import cache_versions
from core.web import render_page
from districts.policy import Action, can
from districts.web import district_view

from .. import board as selectors
from ..public_cache import PUBLIC_TOPICS

SECTION = "board"


@district_view(Action.VIEW_BOARD, section=SECTION)
def board_page(request: HttpRequest) -> HttpResponse:
    district = request.district
    context = {"can_see_reports": can(request.membership, Action.VIEW_BOARD_REPORTS)}

    @cache  # read once, only when a section is not cached
    def board() -> selectors.BoardPage:
        return selectors.board_page(district=district)

    def section(name: str) -> str:
        return render_to_string(f"dashboards/board.html#{name}", {**context, "board": board()}, request=request)

    variant = f"{translation.get_language()}:{int(context['can_see_reports'])}"
    html = cache_versions.cached_html(
        district.pk,
        PUBLIC_TOPICS,
        {f"board-header:{variant}": lambda: section("header"), f"board-sections:{variant}": lambda: section("board")},
    )
    context["header_html"], context["board_html"] = html.values()
    return render_page(request, "dashboards/board.html", context, partial="board_cached")


@district_view(Action.VIEW_BOARD, section=SECTION)
def board_priority(request: HttpRequest, priority_id: int) -> HttpResponse:
    page = selectors.board_priority(district=request.district, priority_id=priority_id)
    return render_page(request, "dashboards/board_priority.html", {"page": page})
