"""District-entered text in two languages (core.bilingual and its template tags): which version a reader sees."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from core.bilingual import localized

PRIORITY = SimpleNamespace(title="Every student reads", title_es="Todos los estudiantes leen")
ENGLISH_ONLY = SimpleNamespace(title="Belonging & safety", title_es="")
VISION = SimpleNamespace(
    vision="Every graduate ready.\n\nEvery school <safe>.", vision_es="", mission="Teach.", mission_es="Enseñar."
)


def render(source: str, **context: object) -> str:
    return Template("{% load bilingual_tags %}" + source).render(Context(context))


def test_a_spanish_reader_gets_the_spanish_where_it_was_entered():
    with translation.override("es"):
        text = localized(PRIORITY, "title")
        assert (text, text.lang, text.marked) == ("Todos los estudiantes leen", "es", False)
        assert render('{{ p|localized:"title" }}', p=PRIORITY) == "Todos los estudiantes leen"


def test_where_there_is_no_spanish_a_spanish_reader_gets_the_english_marked_as_english():
    with translation.override("es"):
        text = localized(ENGLISH_ONLY, "title")
        assert (text, text.lang, text.marked) == ("Belonging & safety", "en", True)
        assert render('{{ p|localized:"title" }}', p=ENGLISH_ONLY) == '<span lang="en">Belonging &amp; safety</span>'
        # Plain text where markup can't go (<title>, attributes, options): escaped, never marked.
        assert render('<title>{{ p|localized_text:"title" }}</title>', p=ENGLISH_ONLY) == (
            "<title>Belonging &amp; safety</title>"
        )


def test_an_english_reader_never_sees_the_spanish_nor_a_language_mark():
    with translation.override("en"):
        assert render('{{ p|localized:"title" }}', p=PRIORITY) == "Every student reads"
        assert render('{{ p|localized:"title" }}', p=ENGLISH_ONLY) == "Belonging &amp; safety"
        assert render('{% localized p "vision" paragraphs=True %}', p=VISION) == (
            "<p>Every graduate ready.</p>\n\n<p>Every school &lt;safe&gt;.</p>"
        )


def test_multi_line_text_keeps_its_paragraphs_and_the_mark_goes_round_them_all():
    with translation.override("es"):
        assert render('{% localized p "vision" paragraphs=True %}', p=VISION) == (
            '<div lang="en"><p>Every graduate ready.</p>\n\n<p>Every school &lt;safe&gt;.</p></div>'
        )
        assert render('{% localized p "mission" paragraphs=True %}', p=VISION) == "<p>Enseñar.</p>"


def test_shortened_text_and_text_inside_a_translated_sentence_keep_the_mark():
    with translation.override("es"):
        assert render('{% localized p "vision" words=2 %}', p=VISION) == '<span lang="en">Every graduate …</span>'
        sentence = render(
            '{% load i18n %}{% blocktranslate with title=p|localized:"title" %}Commitment under {{ title }}'
            "{% endblocktranslate %}",
            p=ENGLISH_ONLY,
        )
        assert '<span lang="en">Belonging &amp; safety</span>' in sentence


def test_empty_text_gets_no_mark_and_a_missing_object_renders_nothing():
    with translation.override("es"):
        empty = SimpleNamespace(description="", description_es="")
        assert render('[{{ c|localized:"description" }}]', c=empty) == "[]"
        assert render('[{{ c|localized:"description" }}][{{ c|localized_text:"name" }}]', c=None) == "[][]"
