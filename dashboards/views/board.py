"""The board progress pages: read-only, published and aggregate content only (dashboards.board)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.web import render_page
from districts.policy import Action, can
from districts.web import district_view

from .. import board as selectors

SECTION = "board"


@district_view(Action.VIEW_BOARD, section=SECTION)
def board_page(request: HttpRequest) -> HttpResponse:
    context = {
        "board": selectors.board_page(district=request.district),
        "can_see_reports": can(request.membership, Action.VIEW_BOARD_REPORTS),
    }
    return render_page(request, "dashboards/board.html", context, partial="board")


@district_view(Action.VIEW_BOARD, section=SECTION)
def board_priority(request: HttpRequest, priority_id: int) -> HttpResponse:
    page = selectors.board_priority(district=request.district, priority_id=priority_id)
    return render_page(request, "dashboards/board_priority.html", {"page": page})
