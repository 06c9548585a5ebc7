"""The checks of the cross-district matrix, as functions that raise AssertionError.

tests/test_cross_district.py runs them for every district URL; the mutation
check runs a few of them with an access helper broken, to prove they bite.

District A (`matrix.district`) has a member of every role; district B
(`matrix.other`) holds objects whose names contain MARKER. Each check asks
for B's objects as every role of A — in the URL, in query strings, in POST
bodies (empty and valid ones built from the page's own form), plain and as
an HTMX request — and asserts that A never sees B's data, never gets a 500,
and that nothing in B changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from django import forms
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from districts.models import District
from districts.roles import Role
from districts.tenancy import dangerously_cross_district
from tests.district_state import changes, cross_district_references, district_rows
from tests.tenancy_urls import (
    FORM_DATA,
    OBJECT_MAKERS,
    OBJECT_PARAMETERS,
    PLAIN_PARAMETERS,
    URL_ARGUMENTS,
    DistrictURL,
    url_kwargs,
)

MARKER = "Zanzibarquux"  # in the names of B's objects; a name no real page would contain
OWN = "Ownvalley"  # in the names of A's own objects made for a URL
HTMX = {"HTTP_HX_REQUEST": "true"}
# The order in which roles are tried for the one that renders a form page.
ROLES = [
    Role.DISTRICT_ADMIN,
    Role.SUPERINTENDENT,
    Role.CABINET,
    Role.PRINCIPAL,
    Role.STAFF,
    Role.BOARD_MEMBER,
    Role.PARTNER_COACH,
]


@dataclass
class Matrix:
    district: District  # A: the requests' own district
    other: District  # B: the district whose data must stay out of reach
    clients: dict[Role, Client]


def _content(response) -> str:
    return response.content.decode(errors="replace")


def check_response(response, where: str, allowed: tuple[int, ...]) -> None:
    assert response.status_code != 500, f"{where}: 500, a server error (its traceback is in the captured log)"
    assert response.status_code in allowed, f"{where}: {response.status_code}, expected one of {allowed}"
    assert MARKER not in _content(response), f"{where}: shows another district's data ({MARKER})"


@contextmanager
def b_unchanged(matrix: Matrix, what: str) -> Iterator[None]:
    before = district_rows(matrix.other)
    yield
    changed = changes(before, district_rows(matrix.other))
    assert not changed, f"{what}: changed another district's rows: {changed}"
    references = cross_district_references(matrix.district, matrix.other)
    assert not references, f"{what}: rows of the district now point into another district: {references}"


def path_of(url: DistrictURL, kwargs: dict[str, object]) -> str:
    return reverse(url.name, kwargs=kwargs)


# --- What the views read from the query string and the POST body ------------------------------

_read: set[str] | None = None


class RecordingQueryDict(QueryDict):
    """A request's GET/POST that notes every name a view reads."""

    def _note(self, key: object) -> None:
        if _read is not None and isinstance(key, str):
            _read.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def __contains__(self, key) -> bool:
        self._note(key)
        return super().__contains__(key)


_original_get = WSGIRequest.GET.func
_original_load_post = WSGIRequest._load_post_and_files


def _recording_get(self):
    query = _original_get(self)
    query.__class__ = RecordingQueryDict
    return query


def _recording_load_post(self):
    _original_load_post(self)
    if type(self._post) is QueryDict:
        self._post.__class__ = RecordingQueryDict


@contextmanager
def recording_reads(monkeypatch) -> Iterator[set[str]]:
    """The names the views read from request.GET and request.POST inside the block."""
    global _read
    recorded_get = cached_property(_recording_get)
    recorded_get.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", recorded_get)
    monkeypatch.setattr(WSGIRequest, "_load_post_and_files", _recording_load_post)
    names: set[str] = set()
    _read = names
    try:
        yield names
    finally:
        _read = None


def unregistered(names: set[str]) -> set[str]:
    return {n for n in names if n not in OBJECT_PARAMETERS and n not in PLAIN_PARAMETERS and n != "csrfmiddlewaretoken"}


# --- The page's own forms, as a browser would post them ----------------------------------------


@dataclass
class HtmlField:
    name: str
    kind: str  # the input type, or "select" / "textarea"
    value: str = ""
    required: bool = False
    checked: bool = False
    minimum: str = ""
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)
    disabled: bool = False


@dataclass
class HtmlForm:
    action: str  # the path it posts to
    fields: list[HtmlField] = field(default_factory=list)

    def data(self, required: frozenset[str] = frozenset()) -> dict[str, list[str]]:
        """The body a browser sends, with required fields (`required`, or so marked) that are empty filled in.

        A group of checkboxes with none ticked gets its first ticked, as a person would.
        """
        data: dict[str, list[str]] = {}
        radios_done: set[str] = set()
        submit_done = False
        for f in self.fields:
            if f.disabled:
                continue
            original, f = f, replace(f, required=f.required or f.name in required)
            if f.kind in ("submit", "button", "image"):
                if f.kind == "submit" and f.name and not submit_done:
                    data.setdefault(f.name, []).append(f.value)
                submit_done = submit_done or f.kind == "submit"
                continue
            if f.kind in ("reset", "file") or not f.name:
                continue
            if f.kind == "checkbox":
                group = [g for g in self.fields if g.kind == "checkbox" and g.name == f.name and not g.disabled]
                if f.checked or (original is group[0] and not any(g.checked for g in group)):
                    data.setdefault(f.name, []).append(f.value or "on")
                continue
            if f.kind == "radio":
                group = [g for g in self.fields if g.kind == "radio" and g.name == f.name]
                if f.name not in radios_done:
                    chosen = next((g for g in group if g.checked), group[0] if f.required else None)
                    if chosen is not None:
                        data[f.name] = [chosen.value]
                    radios_done.add(f.name)
                continue
            if f.kind == "select":
                selected = [v for v, s in f.options if s]
                if not selected and not f.multiple and f.options:
                    selected = [f.options[0][0]]
                if f.required and not any(selected):
                    selected = [next((v for v, _s in f.options if v), "")]
                data[f.name] = selected
                continue
            value = f.value
            if f.required and not value:
                value = {
                    "number": f.minimum or "1",
                    "date": date.today().isoformat(),
                    "email": "matrix@example.org",
                    "url": "https://example.org/",
                }.get(f.kind, f"{OWN} text")
            data.setdefault(f.name, []).append(value)
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: HtmlField | None = None
        self._option: list | None = None  # [value or None, selected, text]
        self._textarea: HtmlField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = a.get("hx-post") or (a.get("action") if method == "post" else None)
            if method == "post" or "hx-post" in a:
                self._form = HtmlForm(action=urlsplit(action or "").path)
            return
        if self._form is None:
            return
        name = a.get("name", "")
        required = "required" in a
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.fields.append(
                HtmlField(
                    name,
                    kind,
                    a.get("value", default),
                    required,
                    "checked" in a,
                    a.get("min", ""),
                    disabled="disabled" in a,
                )
            )
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            self._form.fields.append(HtmlField(name, kind, a.get("value", "")))
        elif tag == "select":
            self._select = HtmlField(
                name, "select", required=required, multiple="multiple" in a, disabled="disabled" in a
            )
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea":
            self._textarea = HtmlField(name, "textarea", required=required, disabled="disabled" in a)
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[2] += data
        elif self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options.append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None
        elif tag == "form":
            if self._form is not None:
                self.forms.append(self._form)
            self._form = None


def html_forms(html: str) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def context_forms(response) -> list[forms.BaseForm]:
    """The Django forms a page rendered (from the test client's template contexts)."""
    found: dict[int, forms.BaseForm] = {}
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm):
                found.setdefault(id(value), value)
            elif isinstance(value, forms.BaseFormSet):
                for form in value.forms:
                    found.setdefault(id(form), form)
    return list(found.values())


def _numeric_choices(field: forms.Field) -> bool:
    choices = [c[0] for c in getattr(field, "choices", []) if c[0] not in ("", None)]
    return bool(choices) and all(str(c).isdigit() for c in choices)


@dataclass
class PageForm:
    """One form that posts to the URL, valid as built, and the fields of it that name objects."""

    path: str
    data: dict[str, list[str]]
    object_fields: dict[str, object]  # html name -> the ModelChoiceField's model, or the name itself
    role: Role  # the role that rendered it (and whose post shows it is valid)
    field_names: frozenset[str] = frozenset()  # every field of the form, sent or not


def form_data_overrides(url: DistrictURL, district: District) -> dict[str, list]:
    """FORM_DATA's values for this URL: lists kept, callables called with the district, the rest in a list."""
    overrides = {}
    for name, value in FORM_DATA.get(url.name, {}).items():
        value = value(district) if callable(value) else value
        overrides[name] = value if isinstance(value, list) else [value]
    return overrides


def discover_forms(url: DistrictURL, matrix: Matrix, path: str) -> list[PageForm]:
    """The valid POST bodies of the forms on this URL's page that post to it, for its first role allowed to GET it.

    A URL that answers GET with 405 must have its body in FORM_DATA.
    """
    overrides = form_data_overrides(url, matrix.district)
    for role in ROLES:
        response = matrix.clients[role].get(path)
        if response.status_code == 405:
            assert url.name in FORM_DATA, (
                f"{url.name} answers only POST: add a valid body to tests/tenancy_urls.py FORM_DATA"
            )
            return [PageForm(path, overrides, {}, Role.DISTRICT_ADMIN, frozenset(overrides))]
        if response.status_code != 200:
            continue
        found = []
        django_forms = context_forms(response)
        for page in html_forms(_content(response)):
            if page.action not in ("", path):
                continue
            names = {f.name for f in page.fields if f.name}
            # The Django forms behind this HTML form: those sharing a field with it.
            behind = [form for form in django_forms if names & {form.add_prefix(n) for n in form.fields}]
            required, object_fields = set(), {}
            for form in behind:
                for name, form_field in form.fields.items():
                    html_name = form.add_prefix(name)
                    names.add(html_name)
                    if form_field.required:
                        required.add(html_name)
                    if isinstance(form_field, forms.FileField):
                        names.add(f"{html_name}-clear")  # ClearableFileInput reads it
                    if isinstance(form_field, forms.ModelChoiceField):
                        object_fields[html_name] = form_field.queryset.model
                    elif _numeric_choices(form_field) and html_name not in PLAIN_PARAMETERS | set(OBJECT_PARAMETERS):
                        raise AssertionError(
                            f"{url.name}: form field {html_name!r} chooses by number; register it in "
                            "tests/tenancy_urls.py OBJECT_PARAMETERS (names an object) or PLAIN_PARAMETERS"
                        )
            object_fields.update({name: name for name in names if name in OBJECT_PARAMETERS})
            data = {**page.data(frozenset(required)), **overrides}
            found.append(PageForm(path, data, object_fields, role, frozenset(names)))
        return found
    return []


def post_succeeded(response) -> bool:
    """A form post that was accepted: a redirect, or a page without form errors."""
    if response.status_code in (301, 302, 303):
        return True
    if response.status_code >= 400:
        return False
    return not any(form.is_bound and form.errors for form in context_forms(response))


def form_errors(response) -> dict:
    return {type(form).__name__: form.errors for form in context_forms(response) if form.is_bound and form.errors} or {
        "status": response.status_code
    }


# --- The checks -------------------------------------------------------------------------------


def ask_every_role(matrix: Matrix, method: str, path: str, allowed: tuple[int, ...], data=None) -> dict[Role, int]:
    """The request as every role of A, plain; again as HTMX for each role the view let in (not 403).

    (A 403 comes from the role check before the view runs, the same with or without HTMX.)
    Returns each role's status for the plain request.
    """
    statuses = {}
    for role, client in matrix.clients.items():
        response = getattr(client, method)(path, data or {})
        check_response(response, f"{role} {method.upper()} {path} {data or ''}", allowed)
        statuses[role] = response.status_code
        if response.status_code != 403:
            response = getattr(client, method)(path, data or {}, **HTMX)
            check_response(response, f"{role} {method.upper()} {path} {data or ''} (HTMX)", allowed)
    return statuses


def check_another_districts_url(url: DistrictURL, matrix: Matrix) -> None:
    """A's members asking for B's pages by B's slug: the same 404 as an unknown district.

    The middleware answers before any view or role check, so every role GETs and the
    admin also POSTs and asks as HTMX.
    """
    path = path_of(url, url_kwargs(url, matrix.other, MARKER))
    with b_unchanged(matrix, f"{url} under B's slug"):
        for role, client in matrix.clients.items():
            check_response(client.get(path), f"{role} GET {path}", (404,))
        admin = matrix.clients[Role.DISTRICT_ADMIN]
        for headers in ({}, HTMX):
            check_response(admin.post(path, {}, **headers), f"admin POST {path} {headers}", (404,))
        check_response(admin.get(path, **HTMX), f"admin GET {path} (HTMX)", (404,))


def object_swaps(url: DistrictURL, matrix: Matrix) -> list[dict[str, object]]:
    """A's URL with B's objects: all of them, and (for several arguments) each one alone among A's."""
    theirs = url_kwargs(url, matrix.other, MARKER)
    swaps = [{**theirs, "district_slug": matrix.district.slug}]
    if len(url.arguments) > 1:
        own = url_kwargs(url, matrix.district, OWN)
        swaps += [{**own, argument: theirs[argument]} for argument in url.arguments]
    return swaps


def check_another_districts_objects(url: DistrictURL, matrix: Matrix) -> None:
    """B's objects named in A's URL: 404 (or 403/405 before any lookup), never B's data, for every role."""
    swaps = object_swaps(url, matrix)
    with b_unchanged(matrix, f"{url} with B's objects"):
        for kwargs in swaps:
            path = path_of(url, kwargs)
            answers = set()
            for method in ("get", "post"):
                answers.update(ask_every_role(matrix, method, path, (403, 404, 405)).values())
            assert 404 in answers, f"{path}: no role got 404, only {answers}"


def check_list_pages(url: DistrictURL, matrix: Matrix) -> None:
    """A's pages (and their HTMX partials) never list B's rows, for every role."""
    for make in URL_ARGUMENTS.values():
        make(matrix.other, MARKER)
    plain = {a: URL_ARGUMENTS[a](matrix.district, OWN) for a in url.arguments}  # only PLAIN_ARGUMENTS here
    path = path_of(url, {"district_slug": matrix.district.slug, **plain})
    ask_every_role(matrix, "get", path, (200, 302, 403, 405))


def parameter_values(name: str, district: District) -> list[str]:
    return OBJECT_PARAMETERS[name](district, MARKER)


def check_query_parameters(url: DistrictURL, matrix: Matrix, monkeypatch) -> None:
    """Every query parameter a view reads is registered; B's ids in those naming objects never show B's data.

    What the view reads is recorded for the first role it lets in (the widest), plain and as HTMX;
    B's ids then go to every role.
    """
    path = path_of(url, url_kwargs(url, matrix.district, OWN))
    with recording_reads(monkeypatch) as names:
        for role, client in matrix.clients.items():
            response = client.get(path)
            check_response(response, f"{role} GET {path}", (200, 302, 403, 404, 405))
            if response.status_code != 403:
                check_response(client.get(path, **HTMX), f"{role} GET {path} (HTMX)", (200, 302, 404, 405))
                break
    missing = unregistered(names)
    assert not missing, (
        f"{url.name} reads {sorted(missing)} from the query string: register each in tests/tenancy_urls.py "
        "OBJECT_PARAMETERS (names an object) or PLAIN_PARAMETERS"
    )
    queries = [
        f"{path}?{urlencode({name: value})}"
        for name in sorted(n for n in names if n in OBJECT_PARAMETERS)
        for value in parameter_values(name, matrix.other)
    ]
    with b_unchanged(matrix, f"{url} with B's ids in the query string"):
        for query in queries:
            statuses = ask_every_role(matrix, "get", query, (200, 302, 403, 404, 405))
            for role, client in matrix.clients.items():
                if statuses[role] != 403:
                    check_response(client.post(query, {}), f"{role} POST {query}", (200, 302, 403, 404, 405))


def check_valid_posts_to_another_districts_objects(url: DistrictURL, matrix: Matrix, monkeypatch) -> None:
    """The page's own valid form, posted at B's object (under A's slug and B's): 404, B unchanged.

    The same body posted to A's own object then succeeds, which shows it was valid.
    """
    own_path = path_of(url, url_kwargs(url, matrix.district, OWN))
    page_forms = discover_forms(url, matrix, own_path)
    theirs = url_kwargs(url, matrix.other, MARKER)
    under_own_slug = path_of(url, {**theirs, "district_slug": matrix.district.slug})
    under_their_slug = path_of(url, theirs)
    for form in page_forms:
        with b_unchanged(matrix, f"{url} valid post at B's object"):
            statuses = ask_every_role(matrix, "post", under_own_slug, (403, 404), form.data)
            assert statuses[form.role] == 404, f"{form.role} POST {under_own_slug} {form.data}: expected 404"
            response = matrix.clients[form.role].post(under_their_slug, form.data)
            check_response(response, f"{form.role} POST {under_their_slug} {form.data}", (404,))
        with recording_reads(monkeypatch) as names:
            response = matrix.clients[form.role].post(own_path, form.data)
        assert post_succeeded(response), (
            f"{url.name}: the body built from the page's form is not valid ({form_errors(response)}); put the "
            "missing values in tests/tenancy_urls.py FORM_DATA"
        )
        missing = unregistered(names - form.field_names)
        assert not missing, (
            f"{url.name} reads {sorted(missing)} from its POST body beyond its form: register each in "
            "tests/tenancy_urls.py OBJECT_PARAMETERS or PLAIN_PARAMETERS"
        )


def check_form_fields_naming_objects(url: DistrictURL, matrix: Matrix) -> None:
    """Each form field that names an object, given B's object in an otherwise valid form: refused, B unchanged."""
    own_path = path_of(url, url_kwargs(url, matrix.district, OWN))
    for form in discover_forms(url, matrix, own_path):
        if form.object_fields:
            assert_valid(url, matrix, own_path, form)
        for name, kind in form.object_fields.items():
            if isinstance(kind, str):
                values = parameter_values(kind, matrix.other)
            else:
                like = _a_choice(kind, form.data.get(name))
                values = [str(object_maker(kind)(matrix.other, MARKER, like))]
            for value in values:
                data = {**form.data, name: [value]}
                with b_unchanged(matrix, f"{url} with B's {name}={value} in a valid post"):
                    ask_every_role(matrix, "post", own_path, (200, 302, 403, 404), data)


def assert_valid(url: DistrictURL, matrix: Matrix, path: str, form: PageForm) -> None:
    """The form's body, as built, is accepted (then rolled back): so B's id is what a refusal refuses."""
    with transaction.atomic():
        response = matrix.clients[form.role].post(path, form.data)
        valid, errors = post_succeeded(response), form_errors(response)
        transaction.set_rollback(True)
    assert valid, (
        f"{url.name}: the body built from the page's form is not valid ({errors}); put the missing values in "
        "tests/tenancy_urls.py FORM_DATA"
    )


def object_maker(model):
    assert model in OBJECT_MAKERS, (
        f"A form chooses a {model.__name__}: add a maker to tests/tenancy_urls.py OBJECT_MAKERS"
    )
    return OBJECT_MAKERS[model]


def _a_choice(model, values: list[str] | None):
    """The object the form's own data chose for this field (to make B's alike), if any."""
    chosen = [v for v in values or [] if str(v).isdigit()]
    if not chosen:
        return None
    with dangerously_cross_district():
        return model._base_manager.filter(pk=chosen[0]).first()
