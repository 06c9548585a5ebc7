"""What the priority and commitment views share: their links, saving an in-place form, and Move up / Move down
answered with the plan page's priorities region (priorities.plan_page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from core.ordering import MoveDirection
from core.web import call_service, move_focus, moved_message, run_move
from plans.models import StrategicPlan
from priorities.plan_page import after_priorities_change

T = TypeVar("T")


def url(name: str, request: HttpRequest, **kwargs: Any) -> str:
    """A priorities page in the request's district: `url("commitment_detail", request, commitment_id=3)`."""
    return reverse(f"priorities:{name}", kwargs={"district_slug": request.district.slug, **kwargs})


def save_in_place(
    request: HttpRequest,
    form: forms.Form,
    service: Callable[..., T],
    /,
    *,
    answer: Callable[[T], HttpResponse],
    data: Callable[[forms.Form], dict[str, Any]] = lambda form: form.cleaned_data,
    **kwargs: Any,
) -> HttpResponse | None:
    """A valid POST: call `service` with the request's district and actor, `kwargs` and the form's `data`,
    and answer with `answer(result)`. None (show the form again, with its errors) otherwise."""
    if request.method != "POST" or not form.is_valid():
        return None
    result = call_service(form, service, district=request.district, actor=request.membership, **kwargs, **data(form))
    return None if result is None else answer(result)


def move_in_place(
    request: HttpRequest,
    plan: StrategicPlan,
    obj: Any,
    *,
    prefix: str,
    name: str,
    move: Callable[[MoveDirection], bool],
    total: Callable[[], int],
    under: str = "",
) -> HttpResponse:
    """Move a priority or commitment up or down, and say where it is now (focus follows it)."""
    direction, moved = run_move(request, move)
    count = total()
    return after_priorities_change(
        request,
        plan,
        message=moved_message(name, moved=moved, direction=direction, position=obj.position, total=count, under=under),
        anchor=f"{prefix}-{obj.pk}",
        focus=move_focus(prefix, obj, direction, count),
    )
