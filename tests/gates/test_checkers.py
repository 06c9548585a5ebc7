"""The translation checkers themselves: they flag a deliberately untranslated string and let translated ones be."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.gates.i18n_python import check_python
from tests.gates.i18n_templates import check_template


def _template(tmp_path: Path, source: str, name: str = "page.html") -> list[str]:
    path = tmp_path / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return [f"{f.line}: {f.text}" for f in check_template(path, tmp_path)]


def _python(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "module.py"
    path.write_text(textwrap.dedent(source))
    return [f"{f.line}: {f.text}" for f in check_python(path, tmp_path)]


def test_text_outside_translate_tags_is_flagged_with_its_line(tmp_path):
    found = _template(
        tmp_path,
        """\
        {% load i18n %}
        <h1>{% translate "Schools" %}</h1>
        <p>{% blocktranslate count n=total %}{{ n }} school{% plural %}{{ n }} schools{% endblocktranslate %}</p>
        <p>
          Add a school
        </p>
        """,
    )
    assert found == ["5: Add a school"]


def test_shown_attributes_are_flagged_but_not_other_attributes(tmp_path):
    found = _template(
        tmp_path,
        """\
        <img src="logo.png" alt="District logo">
        <input type="submit" value="Save">
        <input type="hidden" name="next" value="back">
        <a class="button primary" href="{% url 'home' %}" title="{% translate 'Home' %}">→</a>
        <input placeholder="Name or code" aria-label="{{ label }}">
        """,
    )
    assert found == ["1: District logo", "2: Save", "5: Name or code"]


def test_brand_names_symbols_variables_scripts_and_comments_are_not_text(tmp_path):
    found = _template(
        tmp_path,
        """\
        <title>{% block title %}Throughline{% endblock %} · {{ district.name }}</title>
        <span>×</span> <span>&rarr; 2025–26 (42%)</span>
        {# A note for developers #}
        {% comment %}Usage: include with field=form.name{% endcomment %}
        <!-- an HTML comment -->
        <script>const label = "not shown";</script>
        """,
    )
    assert found == []


def test_literals_a_template_shows_are_flagged(tmp_path):
    found = _template(
        tmp_path,
        """\
        {{ school.region|default:"—" }} {{ school.region|default:"No region" }}
        {% include "includes/field.html" with field=form.username label="Email address" %}
        {% include "includes/field.html" with field=form.username label=_("Email address") %}
        """,
    )
    assert found == ["1: No region", "2: Email address"]


def test_a_text_template_is_all_text(tmp_path):
    found = _template(tmp_path, "{% load i18n %}Hello {{ name }},\n{% translate 'Welcome' %}\n", name="mail.txt")
    assert found == ["1: Hello ,"]


def test_python_sinks_without_gettext_are_flagged(tmp_path):
    found = _python(
        tmp_path,
        """\
        from django import forms
        from django.contrib import messages
        from django.core.exceptions import ValidationError
        from django.db import models
        from django.utils.translation import gettext as _


        class Level(models.TextChoices):
            ELEMENTARY = "elementary", "Elementary"
            MIDDLE = "middle", _("Middle")


        class SchoolForm(forms.Form):
            name = forms.CharField(label="School name", help_text=_("As families know it."))
            kind = forms.ChoiceField(choices=[("", "Choose one"), ("a", _("A"))])


        def view(request, form, school):
            messages.success(request, f"Saved {school}.")
            messages.info(request, _("Nothing changed."))
            form.add_error("name", "Give the school a name.")
            raise ValidationError({"name": "Taken." if school else _("Taken.")})


        def context(plan):
            return {"title": f"Delete {plan}?", "plan": plan, "heading": _("Plans")}


        def moved_message(name):
            return _("Moved.") if name else f"{name} is already first."
        """,
    )
    assert found == [
        "9: Elementary",
        "14: School name",
        "15: Choose one",
        "19: Saved .",
        "21: Give the school a name.",
        "22: Taken.",
        "26: Delete ?",
        "30: is already first.",
    ]


def test_http404_and_data_literals_are_not_sinks_and_fstrings_in_gettext_are_flagged(tmp_path):
    found = _python(
        tmp_path,
        """\
        from django.http import Http404
        from django.utils.translation import gettext as _


        def view(request, name):
            if not name:
                raise Http404("No such school")
            rows = {"status": "active", "name": name}
            return _(f"Hello {name}"), rows
        """,
    )
    assert found == ["9: f-string inside gettext"]
