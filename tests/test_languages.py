"""Who sees which language (issue 8): the district's offer, the person's choice, the browser, the switch."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from districts.invitations import make_token
from districts.languages import choose_language
from districts.models import User
from districts.roles import Role
from tests.conftest import login
from tests.factories import DistrictFactory, InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _html_lang(response) -> str:
    match = re.search(r"<html[^>]*\blang=\"([^\"]*)\"", response.content.decode())
    return match.group(1) if match else ""


def _member(languages: list[str], **user: object):
    district = DistrictFactory(languages=languages)
    member = MembershipFactory(district=district, role=Role.PRINCIPAL)
    for field, value in user.items():
        setattr(member.user, field, value)
    member.user.save()
    return member


def _home(member, client: Client | None = None, *, browser: str = "en-US"):
    client = client or login(Client(), member)
    response = client.get(f"/d/{member.district.slug}/", HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 200
    return response


def test_a_persons_language_is_remembered_across_logins():
    member = _member(["en", "es"])
    client = login(Client(), member)
    assert _html_lang(_home(member, client)) == "en"

    response = client.post("/accounts/settings/", {"language": "es"}, HTTP_ACCEPT_LANGUAGE="en-US", follow=True)
    assert User.objects.get(pk=member.user.pk).language == "es"
    assert _html_lang(response) == "es"

    client.post("/accounts/logout/")
    # A new session on another browser that asks for English: the person's choice still wins.
    response = _home(member, browser="en-US,en;q=0.9")
    assert _html_lang(response) == "es"
    assert response["Content-Language"] == "es"


def test_the_settings_page_shows_the_saved_choice_and_refuses_an_unknown_language():
    member = _member(["en", "es"], language="es")
    client = login(Client(), member)
    page = client.get("/accounts/settings/")
    assert page.context["form"]["language"].value() == "es"

    response = client.post("/accounts/settings/", {"language": "fr"})
    assert response.status_code == 200
    assert response.context["form"].has_error("language")
    assert User.objects.get(pk=member.user.pk).language == "es"


def test_choosing_the_browsers_language_again_follows_the_browser():
    member = _member(["en", "es"], language="es")
    client = login(Client(), member)
    client.post("/accounts/settings/", {"language": ""})
    assert User.objects.get(pk=member.user.pk).language == ""
    assert _html_lang(_home(member, client, browser="en-US")) == "en"
    assert _html_lang(_home(member, client, browser="es-MX,es;q=0.9")) == "es"


def test_a_district_offering_only_english_never_shows_spanish():
    member = _member(["en"], language="es")
    client = login(Client(), member)
    client.cookies["django_language"] = "es"
    response = _home(member, client, browser="es-MX,es;q=0.9")
    assert _html_lang(response) == "en"
    assert response["Content-Language"] == "en"
    assert response.wsgi_request.LANGUAGE_CODE == "en"


def test_a_district_offering_only_spanish_shows_spanish_to_an_english_browser():
    member = _member(["es"])
    assert _html_lang(_home(member, browser="en-US,en;q=0.9")) == "es"


def test_accept_language_picks_spanish_on_the_login_page():
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert _html_lang(response) == "es"
    assert response["Content-Language"] == "es"
    # A language the app does not offer: the default, English.
    assert _html_lang(Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")) == "en"


def test_the_language_switch_works_without_javascript():
    client = Client()
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    # A plain form posting to Django's set_language, offering the other language in its own words.
    assert 'action="/i18n/setlang/"' in page
    assert re.search(r'<button[^>]*name="language" value="es" lang="es">Español</button>', page)

    answer = client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/"
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert _html_lang(response) == "es"
    assert re.search(r'value="en" lang="en">English</button>', response.content.decode())


def test_the_invitation_page_offers_only_its_districts_languages():
    english_only = InvitationFactory(district=DistrictFactory(languages=["en"]))
    response = Client().get(f"/accounts/invitations/{make_token(english_only)}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert _html_lang(response) == "en"
    assert "/i18n/setlang/" not in response.content.decode()

    both = InvitationFactory(district=DistrictFactory(languages=["en", "es"]))
    response = Client().get(f"/accounts/invitations/{make_token(both)}/", HTTP_ACCEPT_LANGUAGE="es")
    assert _html_lang(response) == "es"
    assert "/i18n/setlang/" in response.content.decode()


def test_signed_in_pages_show_a_link_to_my_settings_not_the_switch():
    member = _member(["en", "es"])
    page = _home(member).content.decode()
    assert 'href="/accounts/settings/"' in page
    assert "/i18n/setlang/" not in page


@pytest.mark.parametrize(
    ("offered", "chosen", "asked", "shown"),
    [
        (["en", "es"], "es", "en", "es"),
        (["en", "es"], "", "es", "es"),
        (["en", "es"], "", None, "en"),
        (["en"], "es", "es", "en"),
        (["es", "en"], "", None, "es"),
    ],
)
def test_choose_language(offered, chosen, asked, shown):
    assert choose_language(offered=offered, chosen=chosen, browser=asked) == shown


def test_the_settings_page_needs_a_login():
    response = Client().get("/accounts/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_district_404_speaks_the_persons_saved_language_not_the_browsers():
    member = _member(["en", "es"], language="es")
    other = DistrictFactory(languages=["en"])
    client = login(Client(), member)
    for path in (f"/d/{other.slug}/", "/d/no-such-district/", f"/d/{member.district.slug}/metrics/999999/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US")
        assert response.status_code == 404, path
        assert _html_lang(response) == "es", path
        assert "Página no encontrada" in response.content.decode(), path


def test_a_district_404_follows_the_browser_for_someone_who_chose_no_language():
    member = _member(["en"])
    response = login(Client(), member).get(f"/d/{DistrictFactory().slug}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404 and _html_lang(response) == "es"
