"""Page helpers shared by the plans and priorities views: confirmations, service messages,
in-place forms and keeping focus on a moved item's button."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from districts.web import render_page

from .forms import MoveForm
from .ordering import Direction


def service_error(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal of an action that has no form (a button), as a message on the next page."""
    for message in error.messages:
        messages.error(request, message)


@dataclass(frozen=True)
class Confirmation:
    """What `plans/confirm.html` asks before a state change or a deletion."""

    heading: str
    points: list[str]
    action_label: str
    cancel_url: str
    danger: bool = True
    # Breadcrumbs: the plan, priority and commitment the page is under (the role list without a plan).
    plan: Any = None
    priority: Any = None
    commitment: Any = None


def confirm_then(
    request: HttpRequest,
    *,
    confirmation: Callable[[], Confirmation],
    run: Callable[[], Any],
    success: Callable[[Any], str],
    done_url: str,
    failed_url: str | None = None,
) -> HttpResponse:
    """GET: the confirmation page. POST: run the service and go on, its refusal shown as a message."""
    if request.method != "POST":
        return render_page(request, "plans/confirm.html", asdict(confirmation()))
    try:
        result = run()
    except ValidationError as error:
        service_error(request, error)
        return redirect(failed_url or done_url)
    messages.success(request, success(result))
    return redirect(done_url)


def in_place_id(container: str) -> str:
    """Field ids unique on the plan page, where several forms can be open at once."""
    return f"id_{container}_%s"


def form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The form's own page, or (HTMX) just its `form` partial, to sit in place on the plan page.

    In place, focus goes to the first field with an error, else the first field.
    """
    if request.htmx:
        form = context["form"]
        names = [name for name in form.fields if name in form.errors] or list(form.fields)
        form.fields[names[0]].widget.attrs["autofocus"] = True
    return render_page(request, template, {**context, "in_place": bool(request.htmx)}, partial="form")


def move_focus(prefix: str, obj: Any, direction: str, total: int) -> str:
    """The id of the move button to keep focus on: the one pressed, unless the item reached that end of the list."""
    if direction == "up" and obj.position <= 1:
        direction = "down"
    elif direction == "down" and obj.position >= total:
        direction = "up"
    return f"{prefix}-{obj.pk}-{direction}"


def run_move(request: HttpRequest, move: Callable[[Direction], bool]) -> tuple[str, bool]:
    """Read the Move up / Move down form and make the move: (direction, whether anything moved)."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return "", False
    try:
        return form.direction_value, move(form.direction_value)
    except ValidationError as error:
        service_error(request, error)
        return form.direction_value, False


def moved_message(name: str, *, moved: bool, direction: str, position: int, total: int, where: str = "") -> str:
    """What a screen reader hears after a move, and the plain-post page shows."""
    if moved:
        return f"Moved {name} {direction} to position {position} of {total}{where}."
    return f"{name[0].upper()}{name[1:]} is already {'first' if direction == 'up' else 'last'}{where}."
