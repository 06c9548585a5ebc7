"""Priority, commitment and role-card text in two languages (issue 8): entered beside the English, in the
plain forms and the in-place HTMX ones; shown in Spanish where present, English marked lang="en" where not."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from districts.models import RoleLabel
from districts.roles import Role
from districts.tenancy import district_context
from priorities.models import Commitment
from tests.plans.factories import CommitmentFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A Spanish reader's request leaves Spanish active in this thread; later tests expect English."""
    yield
    translation.activate("en")


def url(name, district, **kwargs):
    return reverse(name, kwargs={"district_slug": district.slug, **kwargs})


def reading_spanish(district, member):
    district.languages = ["en", "es"]
    district.save()
    member.user.language = "es"
    member.user.save()
    return member


def before_history(page: str) -> str:
    """A page up to its change history (which lists both languages as entered)."""
    return page.split('<section class="history"', 1)[0]


def test_a_priority_edited_in_place_saves_both_languages(district, priority, cabinet_member, client_for):
    client = client_for(reading_spanish(district, cabinet_member))
    edit_url = url("priorities:priority_edit", district, priority_id=priority.pk)
    form = client.get(edit_url, **HTMX).content.decode()
    assert form.index('name="title"') < form.index('name="title_es"') < form.index('name="success_looks_like"')
    response = client.post(
        edit_url,
        {
            "code": "P1",
            "title": "Every student reads by grade 3",
            "title_es": "Todos los estudiantes leen en 3.er grado",
            "success_looks_like": "80% read on grade level.",
            "success_looks_like_es": "El 80 % lee al nivel de su grado.",
        },
        **HTMX,
    )
    assert response.headers["HX-Retarget"] == "#priorities-region"
    # The refreshed priorities, for this Spanish reader, show the Spanish just entered.
    assert "Todos los estudiantes leen en 3.er grado" in response.content.decode()
    priority.refresh_from_db()
    assert (priority.title_es, priority.success_looks_like_es) == (
        "Todos los estudiantes leen en 3.er grado",
        "El 80 % lee al nivel de su grado.",
    )


def test_a_commitment_added_by_a_plain_post_saves_both_languages(
    district, priority, role_label, cabinet_member, client_for
):
    plan = priority.plan
    response = client_for(cabinet_member).post(
        url("priorities:commitment_create", district, priority_id=priority.pk),
        {
            "title": "Counselors meet every chronically absent student",
            "title_es": "Los consejeros se reúnen con cada estudiante con ausentismo crónico",
            "description": "Monthly.",
            "description_es": "Cada mes.",
            "role_label": role_label.pk,
            "starts_on": f"{plan.start_year}-08-01",
            "ends_on": f"{plan.end_year}-06-30",
            "reported_in": "school",
            "assign_now": "later",
        },
    )
    assert response.status_code == 302
    with district_context(district):
        commitment = Commitment.objects.get(priority=priority)
    assert commitment.title_es == "Los consejeros se reúnen con cada estudiante con ausentismo crónico"
    assert commitment.description_es == "Cada mes."


def test_the_priority_and_commitment_pages_in_spanish(district, priority, role_label, make_member, client_for):
    priority.title_es, priority.success_looks_like_es = "Todos leen", "Cada escuela:\n\ntodos leen."
    priority.save()
    commitment = CommitmentFactory(priority=priority, title="Teachers read aloud daily", description="Ten minutes.")
    client = client_for(reading_spanish(district, make_member(district, Role.STAFF)))
    page = before_history(
        client.get(url("priorities:priority_detail", district, priority_id=priority.pk)).content.decode()
    )
    assert "<title>P1 · Todos leen" in page and "<h1>Todos leen</h1>" in page
    assert "<p>Cada escuela:</p>\n\n<p>todos leen.</p>" in page
    assert '<span lang="en">Teachers read aloud daily</span>' in page
    page = before_history(
        client.get(url("priorities:commitment_detail", district, commitment_id=commitment.pk)).content.decode()
    )
    assert "<title>Teachers read aloud daily" in page  # plain text in <title>: no markup possible
    assert '<h1><span lang="en">Teachers read aloud daily</span></h1>' in page
    assert '<div lang="en"><p>Ten minutes.</p></div>' in page
    assert "Todos leen" in page  # the priority it sits under


def test_an_english_reader_sees_no_spanish_on_the_priority_page(district, priority, staff_member, client_for):
    priority.title_es = "Todos leen"
    priority.save()
    page = client_for(staff_member).get(url("priorities:priority_detail", district, priority_id=priority.pk))
    text = before_history(page.content.decode())
    assert "<h1>Every student reads by grade 3</h1>" in text
    assert "Todos leen" not in text and '<span lang="en">' not in text


def test_a_role_cards_description_in_both_languages(district, active_plan, commitment, admin_member, client_for):
    client = client_for(admin_member)
    client.post(
        url("priorities:role_label_create", district),
        {"name": "Bus drivers", "description": "Transportation staff", "description_es": "Personal de transporte"},
    )
    with district_context(district):
        label = RoleLabel.objects.get(district=district, name="Bus drivers")
    assert label.description_es == "Personal de transporte"
    commitment.priority.title_es = "Todos leen"
    commitment.priority.save()
    reader = client_for(reading_spanish(district, admin_member))
    card = reader.get(url("priorities:role_card", district, role_slug=label.slug)).content.decode()
    assert '<p class="muted role-card-who">Personal de transporte</p>' in card
    principals = reader.get(url("priorities:role_card", district, role_slug="principals")).content.decode()
    assert "Todos leen" in principals
    assert '<strong><span lang="en">Principals hold a monthly attendance data meeting</span></strong>' in principals
    cards = reader.get(url("priorities:role_list", district)).content.decode()
    assert '<p class="muted">Personal de transporte</p>' in cards
