"""The walk's page checks catch a deliberate defect: an axe-core violation and an element too wide for a phone."""

from __future__ import annotations

import pytest

from tests.gates.walk import DESKTOP, axe_violations, phone_width

pytestmark = [pytest.mark.browser]

CLEAN = (
    '<!doctype html><html lang="en"><head><title>Clean</title></head><body><main><h1>Clean</h1>{}</main></body></html>'
)


@pytest.fixture
def tab(browser, axe):
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(axe.axe_script)
    page = context.new_page()
    yield page
    context.close()


def _load(tab, body: str) -> None:
    # A real navigation (not set_content), so the context's init script injects axe as on every walked page.
    tab.goto("data:text/html," + CLEAN.format(body).replace("#", "%23"))


def test_a_clean_page_passes_both_checks(tab):
    _load(tab, "<p>Fine at any width.</p>")
    assert axe_violations(tab) == {}
    assert phone_width(tab) <= 390


def test_an_image_without_alt_text_is_an_axe_violation(tab):
    _load(tab, '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10">')
    assert "image-alt" in axe_violations(tab)


def test_a_wide_table_makes_the_page_wider_than_a_phone(tab):
    _load(tab, "<table><tr>" + "<td>A&nbsp;long&nbsp;column&nbsp;heading</td>" * 6 + "</tr></table>")
    assert phone_width(tab) > 390
