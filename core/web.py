"""Page helpers every app's views use: rendering a page or its HTMX partial, form posts and
service errors, confirmation pages, in-place forms and Move up / Move down."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from .forms import MoveForm
from .ordering import MoveDirection

T = TypeVar("T")


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the page, or only its named partial for an HTMX request.

    Both come from one template; the partial is a `{% partialdef %}` in it.
    HTMX restoring history after Back asks for the whole page, so it gets it.
    """
    htmx = getattr(request, "htmx", None)
    wants_partial = bool(htmx) and not htmx.history_restore_request
    name = f"{template}#{partial}" if partial and wants_partial else template
    response = render(request, name, context, status=status)
    response.headers["Vary"] = "HX-Request"
    return response


def posted(request: HttpRequest) -> QueryDict | None:
    """A form's data: the POST body of a submission, None for a GET (an unbound form).

    Unlike `request.POST or None`, an empty submission still binds the form, so it shows its errors.
    """
    return request.POST if request.method == "POST" else None


def call_service(form: forms.Form, service: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Call a service; put its ValidationError on the form's fields and return None.

    Fields the form does not have get the message as a form-wide error, so no
    message is ever lost.
    """
    try:
        return service(**kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


def submit_form(
    request: HttpRequest,
    form: forms.Form,
    service: Callable[..., T],
    /,
    *,
    success: Callable[[T], str],
    next_url: Callable[[T], str],
    **kwargs: Any,
) -> HttpResponse | None:
    """Handle a form page's POST: call the service with the request's district and actor and the form's data.

    Returns the redirect after a success (with `success(result)` as the message),
    or None when the page should be shown (a GET, or errors now on the form's fields).
    `kwargs` go to the service and may replace `district`.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    arguments = {"district": request.district, "actor": request.membership, **kwargs, **form.cleaned_data}
    result = call_service(form, service, **arguments)
    if result is None:
        return None
    messages.success(request, success(result))
    return redirect(next_url(result))


def service_error(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal of an action that has no form (a button), as a message on the next page."""
    for message in error.messages:
        messages.error(request, message)


@dataclass(frozen=True)
class Confirmation:
    """What `core/confirm.html` asks before a state change or a deletion."""

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
        return render_page(request, "core/confirm.html", asdict(confirmation()))
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


def run_move(request: HttpRequest, move: Callable[[MoveDirection], bool]) -> tuple[str, bool]:
    """Read the Move up / Move down form and make the move: (direction, whether anything moved)."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return "", False
    try:
        return form.direction_value, move(form.direction_value)
    except ValidationError as error:
        service_error(request, error)
        return form.direction_value, False


def moved_message(name: str, *, moved: bool, direction: str, position: int, total: int, under: str = "") -> str:
    """What a screen reader hears after a move, and the plain-post page shows (one whole sentence per case).

    `under` names the list's parent (a priority's code) when the list is one of several.
    """
    values = {"name": name, "position": position, "total": total, "under": under}
    up = direction == "up"
    if moved:
        if under:
            if up:
                return gettext("Moved %(name)s up to position %(position)s of %(total)s under %(under)s.") % values
            return gettext("Moved %(name)s down to position %(position)s of %(total)s under %(under)s.") % values
        if up:
            return gettext("Moved %(name)s up to position %(position)s of %(total)s.") % values
        return gettext("Moved %(name)s down to position %(position)s of %(total)s.") % values
    values["name"] = f"{name[:1].upper()}{name[1:]}"
    if under:
        if up:
            return gettext("%(name)s is already first under %(under)s.") % values
        return gettext("%(name)s is already last under %(under)s.") % values
    if up:
        return gettext("%(name)s is already first.") % values
    return gettext("%(name)s is already last.") % values
