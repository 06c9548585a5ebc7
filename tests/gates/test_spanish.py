"""Rendered in Spanish: key pages asked for with Accept-Language: es come back in Spanish.

`<html lang="es">` follows the request's language, and the pages' own words are Spanish.
(A person's saved choice and the district's offered languages: tests/test_languages.py.)
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from districts.roles import Role
from tests.conftest import login
from tests.factories import DistrictFactory, MembershipFactory

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
