"""Rendered in Spanish: key pages asked for with Accept-Language: es come back in Spanish.

`<html lang="es">` follows the request's language, and the pages' own words are Spanish, with
Spanish dates and numbers, whether Spanish comes from the browser or from the person's saved
choice. (The district's offered languages and the switch: tests/test_languages.py.)
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from districts.invitations import make_token
from districts.models import Invitation, Membership
from districts.roles import Role
from metrics.models import MetricValue
from plans.models import PlanState, StrategicPlan
from tests.conftest import login
from tests.factories import DistrictFactory, InvitationFactory, MembershipFactory

# Words that only a Spanish page has (and an English one never does).
SPANISH_LOGIN = ("Iniciar sesión", "Correo electrónico", "Contraseña")
SPANISH_HOME = ("Cerrar sesión", "Cambiar de distrito")


def _html_lang(body: str) -> str:
    match = re.search(r"<html[^>]*\blang=\"([^\"]*)\"", body)
    return match.group(1) if match else ""


@pytest.fixture
def spanish_district(db):
    return DistrictFactory(name="Distrito Escolar Riverbend", slug="riverbend-es", languages=["en", "es"])


def _get(client: Client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def test_the_login_page_says_it_is_in_spanish(db):
    assert _html_lang(_get(Client(), "/accounts/login/")) == "es"


def test_the_district_home_says_it_is_in_spanish(spanish_district):
    member = MembershipFactory(district=spanish_district, role=Role.PRINCIPAL)
    body = _get(login(Client(), member), f"/d/{spanish_district.slug}/")
    assert _html_lang(body) == "es"


def test_the_login_page_is_in_spanish(db):
    body = _get(Client(), "/accounts/login/")
    missing = [words for words in SPANISH_LOGIN if words not in body]
    assert not missing, f"not on the Spanish login page: {missing}"


def test_the_district_home_is_in_spanish(spanish_district):
    member = MembershipFactory(district=spanish_district, role=Role.PRINCIPAL)
    body = _get(login(Client(), member), f"/d/{spanish_district.slug}/")
    missing = [words for words in SPANISH_HOME if words not in body]
    assert not missing, f"not on the Spanish district home: {missing}"


# --- Spanish dates and numbers on key pages ------------------------------------------------------
# Each page shows a date we fix (December 2, 2025, at noon: the same day in every US time zone) and,
# on the metric page, percentages. A Spanish reader gets "2 de diciembre de 2025" / "2 dic 2025"
# and "85.8 %" (es-US: no-break space before the sign), whether Spanish came from the browser
# (Accept-Language) or from the person's saved choice while the browser asks for English.

NOON_DEC_2 = datetime(2025, 12, 2, 17, 0, tzinfo=UTC)
SPANISH_LONG_DATE = "2 de diciembre de 2025"
SPANISH_SHORT_DATE = "2 dic 2025"
NBSP = "\u00a0"


@pytest.fixture(params=["accept-language", "saved-choice"])
def spanish_reader(request, spanish_district):
    """A district admin reading in Spanish, and the Accept-Language their browser sends."""
    member = MembershipFactory(district=spanish_district, role=Role.DISTRICT_ADMIN)
    if request.param == "saved-choice":
        member.user.language = "es"
        member.user.save(update_fields=["language"])
        return login(Client(), member), "en-US,en;q=0.9"
    return login(Client(), member), "es"


def _read(client: Client, url: str, browser: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    body = response.content.decode()
    assert _html_lang(body) == "es", f"{url} is not marked Spanish"
    return body


@pytest.fixture
def metric_with_values(spanish_district, in_district):
    """A percent metric (baseline 80% on 2024-12-02, target 90% by 2028-12-01) whose two schools reported
    90 and 81.5 in 2024–25 (mean 85.75 → 85.8), entered on December 2, 2025."""
    from metrics.rollups import recompute_rollups
    from tests.factories import SchoolFactory
    from tests.metrics.factories import MetricFactory, MetricValueFactory

    district = spanish_district
    metric = MetricFactory(
        district=district, baseline_date=date(2024, 12, 2), target_date=date(2028, 12, 1), name="Asistencia"
    )
    for code, value in (("A1", "90"), ("B1", "81.5")):
        school = SchoolFactory(district=district, code=code)
        MetricValueFactory(district=district, metric=metric, school=school, period=date(2024, 8, 1), value=value)
    with scopes_disabled():
        MetricValue.objects.filter(metric=metric).update(updated_at=NOON_DEC_2)
    with in_district(district):
        recompute_rollups(district=district, keys={(metric.pk, date(2024, 8, 1))})
    return metric


def test_the_metric_page_has_spanish_dates_and_percentages(spanish_reader, metric_with_values):
    client, browser = spanish_reader
    metric = metric_with_values
    body = _read(client, f"/d/{metric.district.slug}/metrics/{metric.pk}/", browser)
    assert f"85.8{NBSP}%" in body and f"90.0{NBSP}%" in body  # the district value, the target
    assert "85.8%" not in body and "90.0%" not in body
    assert "2 de diciembre de 2024" in body  # baseline date
    assert "1 de diciembre de 2028" in body  # final target date
    assert SPANISH_SHORT_DATE in body  # when the schools' values were entered
    assert "dic 2028" in body and "Dic" not in body  # month abbreviations in lowercase, as Spanish writes them
    assert "December" not in body and "Dec " not in body


def test_the_person_and_invitation_pages_have_spanish_dates(spanish_reader, spanish_district):
    client, browser = spanish_reader
    person = MembershipFactory(district=spanish_district, role=Role.PRINCIPAL)
    invitation = InvitationFactory(district=spanish_district, expires_at=NOON_DEC_2 + timedelta(days=7))
    with scopes_disabled():
        Membership.objects.filter(pk=person.pk).update(created_at=NOON_DEC_2)
        Invitation.objects.filter(pk=invitation.pk).update(created_at=NOON_DEC_2, sent_at=NOON_DEC_2)
    slug = spanish_district.slug

    person_page = _read(client, f"/d/{slug}/people/{person.pk}/", browser)
    assert f"<dd>{SPANISH_SHORT_DATE}</dd>" in person_page  # member since

    invitation_page = _read(client, f"/d/{slug}/people/invitations/{invitation.pk}/", browser)
    assert SPANISH_SHORT_DATE in invitation_page  # invited on, email sent
    assert "9 dic 2025" in invitation_page  # the link expires a week later
    assert "Dec " not in invitation_page


def test_the_plan_page_has_spanish_dates(spanish_reader, spanish_district):
    from tests.plans.factories import CommitmentFactory, PlanFactory, PriorityFactory

    client, browser = spanish_reader
    plan = PlanFactory(district=spanish_district, state=PlanState.ARCHIVED, start_year=2025, end_year=2030)
    with scopes_disabled():
        StrategicPlan.objects.filter(pk=plan.pk).update(archived_at=NOON_DEC_2)
    CommitmentFactory(priority=PriorityFactory(plan=plan), starts_on=date(2025, 8, 1), ends_on=date(2030, 6, 30))
    body = _read(client, f"/d/{spanish_district.slug}/plans/{plan.pk}/", browser)
    assert SPANISH_LONG_DATE in body  # archived since
    assert "ago 2025 – jun 2030" in body  # the commitment's months
    assert "December" not in body and "Aug 2025" not in body


def test_the_signed_out_invitation_page_has_a_spanish_date(spanish_district):
    invitation = InvitationFactory(district=spanish_district, expires_at=NOON_DEC_2)
    response = Client().get(f"/accounts/invitations/{make_token(invitation)}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 410  # Gone: the page says the link expired, and when
    body = response.content.decode()
    assert _html_lang(body) == "es"
    assert SPANISH_LONG_DATE in body  # the link expired on


def test_the_same_pages_in_english_keep_us_dates_and_percentages(spanish_district, metric_with_values):
    member = MembershipFactory(district=spanish_district, role=Role.DISTRICT_ADMIN)
    body = login(Client(), member).get(
        f"/d/{spanish_district.slug}/metrics/{metric_with_values.pk}/", HTTP_ACCEPT_LANGUAGE="en-US"
    )
    html = body.content.decode()
    assert _html_lang(html) == "en"
    assert "85.8%" in html and "December 2, 2024" in html and "Dec 2, 2025" in html
