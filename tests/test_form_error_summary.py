"""A form with errors says so at the top, in a summary a keyboard can reach (it takes focus), with one
link per problem to its field; each field with an error is marked invalid and described by its message
and its help (includes/form_errors.html, includes/field.html)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.plans.factories import ActivePlanFactory, PriorityFactory

pytestmark = pytest.mark.django_db


class _Elements(HTMLParser):
    """Every element's attributes by id, the error summary's attributes, its heading and its list items."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.text_by_id: dict[str, str] = {}
        self.summary: dict[str, str] | None = None
        self.heading = ""
        self.items: list[tuple[str | None, str]] = []  # (link href or None, text)
        self.fieldsets: list[dict[str, str]] = []
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of elements whose text is collected
        self._in_summary = 0
        self._in_heading = False
        self._item: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.by_id[attributes["id"]] = {"tag": tag, **attributes}
            self.text_by_id[attributes["id"]] = ""
        if tag == "fieldset":
            self.fieldsets.append(attributes)
        if tag in {"input", "br", "meta", "link", "img", "hr"}:
            return
        self._open.append((tag, attributes.get("id")))
        if "data-error-summary" in attributes:
            self.summary = attributes
            self._in_summary = len(self._open)
        elif self._in_summary:
            if tag in {"h2", "h3", "h4"}:
                self._in_heading = True
            elif tag == "li":
                self._item = [None, ""]
            elif tag == "a" and self._item is not None:
                self._item[0] = attributes.get("href")

    def handle_endtag(self, tag: str) -> None:
        if not self._open:
            return
        if self._in_summary:
            if tag in {"h2", "h3", "h4"}:
                self._in_heading = False
            elif tag == "li" and self._item is not None:
                self.items.append((self._item[0], " ".join(self._item[1].split())))
                self._item = None
            if len(self._open) == self._in_summary:
                self._in_summary = 0
        self._open.pop()

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data
        if self._in_heading:
            self.heading += data
        if self._item is not None:
            self._item[1] += data


def parse(response) -> _Elements:
    assert response.status_code == 200
    elements = _Elements()
    elements.feed(response.content.decode())
    return elements


def assert_tied_to_its_field(page: _Elements, href: str, message: str) -> dict[str, str]:
    """The summary's link goes to a field marked invalid whose description includes the message."""
    field = page.by_id[href.removeprefix("#")]
    assert field["aria-invalid"] == "true", field
    described_by = field["aria-describedby"].split()
    assert any(message in page.text_by_id[ref] for ref in described_by), (described_by, message)
    assert all(ref in page.by_id for ref in described_by)
    return field


def test_an_invitation_with_mistakes_lists_each_problem_linked_to_its_field(admin_member, client_for):
    client = client_for(admin_member)
    url = reverse("districts:invite", kwargs={"district_slug": admin_member.district.slug})
    response = client.post(url, {"email": "not an address", "full_name": "Grace Okafor", "role": ""})
    page = parse(response)

    summary = page.summary
    assert summary is not None, "no error summary"
    assert summary["tabindex"] == "-1" and summary["role"] == "alert"
    links = [href for href, _text in page.items]
    assert links == ["#id_email", "#id_role"]
    assert " ".join(page.heading.split()) == "There are 2 problems"
    assert page.items[0][1].startswith("Email address:")
    assert_tied_to_its_field(page, "#id_email", "valid email")
    assert_tied_to_its_field(page, "#id_role", "required")
    # Help text is still read with the field, after the message's link.
    assert "id_email_helptext" in page.by_id["id_email"]["aria-describedby"].split()
    # A field without an error is neither invalid nor described by an error.
    assert "aria-invalid" not in page.by_id["id_full_name"]
    assert page.by_id["id_full_name"]["value"] == "Grace Okafor"


def test_a_sign_in_mistake_is_one_problem_without_a_field(client, admin_member):
    response = client.post(reverse("login"), {"username": admin_member.user.email, "password": "not-it"})
    page = parse(response)
    assert " ".join(page.heading.split()) == "There is a problem"
    assert len(page.items) == 1
    href, text = page.items[0]
    assert href is None and "don't match an account" in text


def test_a_choice_of_options_links_to_its_first_option_and_its_fieldset_carries_the_message(
    superintendent_member, client_for
):
    PriorityFactory(plan=ActivePlanFactory(district=superintendent_member.district), code="P1", position=1)
    client = client_for(superintendent_member)
    url = reverse("metrics:metric_create", kwargs={"district_slug": superintendent_member.district.slug})
    page = parse(client.post(url, {}))
    links = dict(page.items)
    radio_links = [href for href in links if href and href.endswith("_0")]
    assert radio_links, links
    for href in radio_links:
        option = page.by_id[href.removeprefix("#")]
        assert option["tag"] == "input" and option["type"] == "radio"
        assert option["aria-invalid"] == "true"
        # The group's fieldset is described by the message (a radio's own description would be read per option).
        error_id = href.removeprefix("#").removesuffix("_0") + "_error"
        assert page.text_by_id[error_id].strip()
        assert any(error_id in fieldset.get("aria-describedby", "").split() for fieldset in page.fieldsets)


def test_an_in_place_edit_with_an_empty_title_keeps_the_text_and_links_to_the_title(superintendent_member, client_for):
    plan = ActivePlanFactory(district=superintendent_member.district)
    priority = PriorityFactory(plan=plan, code="P1", title="Reading by grade 3", position=1)
    client = client_for(superintendent_member)
    url = reverse(
        "priorities:priority_edit",
        kwargs={"district_slug": superintendent_member.district.slug, "priority_id": priority.pk},
    )
    response = client.post(
        url,
        {"code": "P1", "title": "", "success_looks_like": "Most third graders read on grade level."},
        HTTP_HX_REQUEST="true",
    )
    page = parse(response)
    assert page.summary is not None
    href = f"#id_priority-{priority.pk}_title"
    assert [link for link, _text in page.items] == [href]
    message = page.items[0][1].split(": ", 1)[1]
    assert_tied_to_its_field(page, href, message)
    assert page.by_id[f"id_priority-{priority.pk}_success_looks_like"]["tag"] == "textarea"
    assert "Most third graders read on grade level." in page.text_by_id[f"id_priority-{priority.pk}_success_looks_like"]
