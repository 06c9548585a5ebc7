"""Small helpers every district page uses: the view decorator, page/partial rendering, service errors on forms."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from .policy import Action, require

T = TypeVar("T")


def district_view(action: Action | None = Action.VIEW_DISTRICT, *, section: str | None = None) -> Callable:
    """Decorate a view under /d/<district_slug>/.

    The middleware has resolved `request.district` and `request.membership`;
    this drops the slug from the view's arguments, checks the role may take
    `action` (403 otherwise) and records which menu item the page belongs to.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, district_slug: str, **kwargs: Any) -> HttpResponse:
            if getattr(request, "membership", None) is None:
                raise Http404("No such district.")
            if action is not None:
                require(request.membership, action)
            return view(request, *args, **kwargs)

        wrapped.nav_section = section  # type: ignore[attr-defined]
        return wrapped

    return decorator


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
