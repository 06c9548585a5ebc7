"""A metric's name and definition in two languages (issue 8): entered beside the English in the metric form,
shown in Spanish where present and in English marked lang="en" where not."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from districts.roles import Role
from metrics.models import Metric
from tests.metrics.test_views import form_data


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A Spanish reader's request leaves Spanish active in this thread; later tests expect English."""
    yield
    translation.activate("en")


def url(name, district, **kwargs):
    return reverse(f"metrics:{name}", kwargs={"district_slug": district.slug, **kwargs})


def reading_spanish(district, member):
    district.languages = ["en", "es"]
    district.save()
    member.user.language = "es"
    member.user.save()
    return member


def test_the_metric_form_takes_the_name_and_definition_in_spanish(district, priority, cabinet_member, client_for):
    client = client_for(cabinet_member)
    page = client.get(url("metric_create", district), {"priority": priority.pk}).content.decode()
    assert page.index('name="name"') < page.index('name="name_es"') < page.index('name="definition"')
    assert "Definition in Spanish" in page
    data = form_data(priority, name_es="Estudiantes de 9.º grado al día", definition_es="Porcentaje con créditos.")
    assert client.post(url("metric_create", district), data).status_code == 302
    with scopes_disabled():
        metric = Metric.objects.get(name="Ninth graders on track")
    assert (metric.name_es, metric.definition_es) == ("Estudiantes de 9.º grado al día", "Porcentaje con créditos.")
    edit = url("metric_edit", district, metric_id=metric.pk)
    assert 'value="Estudiantes de 9.º grado al día"' in client.get(edit).content.decode()


def test_the_metric_page_in_spanish_and_in_english(district, metric, make_member, client_for):
    metric.name_es = "Tasa de asistencia"
    metric.save()
    english = client_for(make_member(district, Role.STAFF)).get(url("metric_detail", district, metric_id=metric.pk))
    text = english.content.decode().split('<section class="history"', 1)[0]
    assert "<h1>Attendance rate</h1>" in text and "Tasa de asistencia" not in text
    assert '<span lang="en">' not in text
    reader = client_for(reading_spanish(district, make_member(district, Role.STAFF)))
    page = reader.get(url("metric_detail", district, metric_id=metric.pk)).content.decode()
    assert "<title>Tasa de asistencia" in page and "<h1>Tasa de asistencia</h1>" in page
    assert f'<p class="lede"><span lang="en">{metric.definition}</span></p>' in page  # no Spanish definition yet
    cards = reader.get(url("metric_list", district)).content.decode()
    assert ">Tasa de asistencia</a>" in cards
