"""Which language a page is shown in.

A district offers some of the app's languages (District.languages, in its settings). On every
request, among the languages on offer:

* a signed-in person's own choice (User.language, on their "My settings" page) wins;
* otherwise, and on signed-out pages, the language switch's cookie, then the browser's
  Accept-Language;
* otherwise the district's first language.

On a district's pages the offer is the district's; an invitation link offers its district's
languages (the token names it); other pages outside a district (login, password reset, the
district picker) offer all the app's languages. `<html lang>` follows, as do dates and numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

from .invitations import read_token
from .models import District, User

INVITATION_URL_NAME = "invitation_accept"


def app_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """A language's name in that language ("English", "Español"): how a switch labels it."""
    return dict(settings.LANGUAGES).get(code, code)


def offered_languages(district: District | None) -> list[str]:
    """The languages a page may be shown in, the first being the default."""
    known = app_languages()
    if district is None:
        return known
    offered = [code for code in district.languages or [] if code in known]
    return offered or [settings.LANGUAGE_CODE]


def _primary(code: str) -> str:
    return code.split("-")[0].strip().lower()


def browser_language(request: HttpRequest, offered: Sequence[str]) -> str | None:
    """The switch's cookie, else the first Accept-Language entry on offer; None when neither is."""
    cookie = _primary(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""))
    if cookie in offered:
        return cookie
    for accepted, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if accepted != "*" and _primary(accepted) in offered:
            return _primary(accepted)
    return None


def choose_language(*, offered: Sequence[str], chosen: str = "", browser: str | None = None) -> str:
    """The person's choice if on offer, else the browser's, else the first on offer."""
    if chosen in offered:
        return chosen
    if browser in offered:
        return browser
    return offered[0]


def _district_of(request: HttpRequest) -> District | None:
    """The district whose languages apply: the page's, or the one an invitation link names."""
    district = getattr(request, "district", None)
    if district is not None:
        return district
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.url_name == INVITATION_URL_NAME:
        parsed = read_token(str(match.kwargs.get("token", "")))
        if parsed is not None:
            return District.objects.filter(pk=parsed.district_id).first()
    return None


def request_language(request: HttpRequest) -> tuple[str, list[str]]:
    """(the language to show, the languages on offer) for this request."""
    offered = offered_languages(_district_of(request))
    user = getattr(request, "user", None)
    chosen = user.language if user is not None and user.is_authenticated else ""
    return choose_language(offered=offered, chosen=chosen, browser=browser_language(request, offered)), offered


def activate_request_language(request: HttpRequest) -> str:
    """Activate the request's language (request_language) and note it and the offer on the request."""
    language, offered = request_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    # What the signed-out pages' language switch offers: (code, name), the current one first.
    request.offered_languages = [(code, language_name(code)) for code in offered]
    return language


class LanguageMiddleware:
    """Activates the page's language. Goes after the district middleware (it reads request.district).

    The district middleware's own 404 (no such district, or not a member) is rendered before this runs,
    so it calls activate_request_language itself: that page is outside any district, in the person's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = activate_request_language(request)
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class LanguageForm(forms.Form):
    """A person's own language (the "My settings" page)."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("The language of every page you see. Your district may offer only some of them."),
    )

    def __init__(self, *args: object, offered: Sequence[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("The one my browser asks for"))]
        self.fields["language"].choices = choices + [(code, language_name(code)) for code in offered]


def save_language(user: User, language: str) -> None:
    """Remember a person's language across logins ("" = follow the browser)."""
    if language and language not in app_languages():
        raise ValueError(f"Unknown language code: {language!r}")
    user.language = language
    user.save(update_fields=["language"])
