"""Plan text in two languages (issue 8): the vision, mission and Portrait of a Graduate can carry Spanish,
entered beside the English; a Spanish reader sees it where present and English marked lang="en" where not."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from core.history import HistorySource, history_entries
from districts.roles import Role
from districts.tenancy import district_context
from plans import services
from plans.models import Competency, StrategicPlan
from tests.plans.factories import CommitmentFactory, CompetencyFactory, PriorityFactory


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A Spanish reader's request leaves Spanish active in this thread; later tests expect English."""
    yield
    translation.activate("en")


def url(name, district, **kwargs):
    return reverse(name, kwargs={"district_slug": district.slug, **kwargs})


def plan_text(client, plan) -> str:
    """The plan page up to its change history (which lists both languages as entered)."""
    page = client.get(url("plans:plan_detail", plan.district, plan_id=plan.pk)).content.decode()
    return page.split('<section class="history"', 1)[0]


def spanish_reader(district, make_member, role=Role.STAFF):
    district.languages = ["en", "es"]
    district.save()
    member = make_member(district, role)
    member.user.language = "es"
    member.user.save()
    return member


def test_a_spanish_reader_sees_the_spanish_plan_text_and_english_marked_where_none_was_entered(
    district, active_plan, make_member, client_for
):
    active_plan.vision, active_plan.vision_es = "Every student thrives.", "Cada estudiante prospera."
    active_plan.mission, active_plan.mission_es = "We teach.\n\nWe listen.", ""
    active_plan.save()
    CompetencyFactory(plan=active_plan, name="Curious learner", name_es="Aprendiz curioso", description="")
    CompetencyFactory(plan=active_plan, name="Team player", description="Works with others.")
    reader = spanish_reader(district, make_member)
    page = plan_text(client_for(reader), active_plan)
    assert "<p>Cada estudiante prospera.</p>" in page and "Every student thrives." not in page
    assert '<div lang="en"><p>We teach.</p>\n\n<p>We listen.</p></div>' in page
    assert "<strong>Aprendiz curioso</strong>" in page and "Curious learner" not in page
    assert '<strong><span lang="en">Team player</span></strong>' in page
    assert '<span class="muted"><span lang="en">Works with others.</span></span>' in page


def test_an_english_reader_never_sees_the_spanish_or_a_language_mark(district, active_plan, staff_member, client_for):
    active_plan.vision_es = "Cada estudiante prospera."
    active_plan.save()
    CompetencyFactory(plan=active_plan, name="Curious learner", name_es="Aprendiz curioso")
    page = plan_text(client_for(staff_member), active_plan)
    assert active_plan.vision in page and "Curious learner" in page
    assert "prospera" not in page and "Aprendiz" not in page and '<span lang="en">' not in page


def test_the_plan_form_takes_the_spanish_beside_the_english(district, admin_member, client_for):
    client = client_for(admin_member)
    form = client.get(url("plans:plan_create", district)).content.decode()
    assert form.index('name="vision"') < form.index('name="vision_es"') < form.index('name="mission"')
    assert "Vision in Spanish" in form
    response = client.post(
        url("plans:plan_create", district),
        {
            "title": "Riverbend 2035",
            "start_year": "2030",
            "end_year": "2035",
            "vision": "Every student thrives.",
            "vision_es": "  Cada estudiante prospera. ",
            "mission": "We teach.",
            "mission_es": "Enseñamos.",
        },
    )
    assert response.status_code == 302
    with district_context(district):
        plan = StrategicPlan.objects.get(title="Riverbend 2035")
    assert (plan.vision, plan.vision_es, plan.mission_es) == (
        "Every student thrives.",
        "Cada estudiante prospera.",
        "Enseñamos.",
    )


def test_a_competency_is_named_in_both_languages_through_its_forms(district, draft_plan, admin_member, client_for):
    client = client_for(admin_member)
    client.post(
        url("plans:portrait", district, plan_id=draft_plan.pk),
        {
            "name": "Curious learner",
            "name_es": "Aprendiz curioso",
            "description": "Asks.",
            "description_es": "Pregunta.",
        },
    )
    with district_context(district):
        competency = Competency.objects.get(plan=draft_plan)
    assert (competency.name_es, competency.description_es) == ("Aprendiz curioso", "Pregunta.")
    edit = url("plans:competency_edit", district, competency_id=competency.pk)
    assert 'value="Aprendiz curioso"' in client.get(edit).content.decode()
    client.post(edit, {"name": "Curious learner", "name_es": "Aprendiz con curiosidad", "description": "Asks."})
    competency.refresh_from_db()
    assert (competency.name_es, competency.description_es) == ("Aprendiz con curiosidad", "")


def test_starting_from_an_earlier_plan_copies_both_languages(district, active_plan, admin_member, client_for):
    active_plan.vision_es = "Cada estudiante prospera."
    active_plan.save()
    CompetencyFactory(plan=active_plan, name="Curious learner", name_es="Aprendiz curioso", description_es="Pregunta.")
    priority = PriorityFactory(
        plan=active_plan, title="Readers", title_es="Lectores", success_looks_like_es="Todos leen."
    )
    CommitmentFactory(priority=priority, title="Teachers read aloud", title_es="Los maestros leen en voz alta")
    client = client_for(admin_member)
    form = client.get(url("plans:plan_create", district), {"from": active_plan.pk}).content.decode()
    assert "Cada estudiante prospera." in form  # the Spanish vision is prefilled with the English
    with district_context(district):
        plan = services.plan_create(
            district=district,
            actor=admin_member,
            title="Next plan",
            start_year=active_plan.end_year,
            end_year=active_plan.end_year + 3,
            vision_es="Cada estudiante prospera.",
            copy_from=active_plan,
        )
        competency = plan.competencies.get()
        new_priority = plan.priorities.get()
        commitment = new_priority.commitments.get()
    assert (competency.name_es, competency.description_es) == ("Aprendiz curioso", "Pregunta.")
    assert (new_priority.title_es, new_priority.success_looks_like_es) == ("Lectores", "Todos leen.")
    assert commitment.title_es == "Los maestros leen en voz alta"


def test_the_history_records_a_change_to_the_spanish(district, draft_plan, admin_member):
    with district_context(district):
        services.plan_update(district=district, actor=admin_member, plan=draft_plan, vision_es="Cada estudiante.")
        entry = history_entries(HistorySource(StrategicPlan.history.filter(id=draft_plan.pk), lambda r: "the plan"))[0]
    assert [(c.label, c.old, c.new) for c in entry.changes] == [("Vision in Spanish", "—", "Cada estudiante.")]
