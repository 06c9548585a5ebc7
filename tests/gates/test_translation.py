"""Translation completeness: no user-facing English outside a translation call, and a complete Spanish catalogue.

Three gates, each reporting file:line and the text:
- templates: text nodes and shown attributes outside {% translate %} / {% blocktranslate %}
  (tests/gates/i18n_templates.py);
- Python: literals handed to user-facing sinks outside gettext (tests/gates/i18n_python.py);
- the catalogue: `makemessages -l es` leaves no msgid untranslated or fuzzy in
  locale/es/LC_MESSAGES/django.po, and the committed django.mo is what django.po compiles to.

Files in KNOWN_UNTRANSLATED (tests/gates/known_untranslated.py) are let off; the list may only
shrink: a listed file that passes all three fails the last test until it is taken off.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.gates.catalogue import CATALOGUE, COMPILED, ROOT, Entry, compile_po, compiled_catalogue, made_messages
from tests.gates.i18n_python import check_python, python_paths
from tests.gates.i18n_templates import Finding, check_template, template_paths
from tests.gates.known_untranslated import KNOWN_UNTRANSLATED


@pytest.fixture(scope="module")
def template_findings() -> list[Finding]:
    return [f for path in template_paths(ROOT) for f in check_template(path, ROOT)]


@pytest.fixture(scope="module")
def python_findings() -> list[Finding]:
    return [f for path in python_paths(ROOT) for f in check_python(path, ROOT)]


@pytest.fixture(scope="module")
def catalogue_entries(tmp_path_factory) -> list[Entry]:
    return made_messages(tmp_path_factory.mktemp("makemessages"))


def _untranslated_entries(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.translated]


def _report(findings: list[Finding]) -> str:
    return "\n".join(str(f) for f in sorted(findings))


def test_templates_mark_every_user_facing_text_for_translation(template_findings):
    new = [f for f in template_findings if f.path not in KNOWN_UNTRANSLATED]
    assert not new, "Untranslated text in templates (wrap it in {% translate %} / {% blocktranslate %}):\n" + _report(
        new
    )


def test_python_marks_every_user_facing_literal_for_translation(python_findings):
    new = [f for f in python_findings if f.path not in KNOWN_UNTRANSLATED]
    assert not new, "Untranslated user-facing literals in Python (wrap them in gettext / _):\n" + _report(new)


@pytest.mark.gettext
def test_the_spanish_catalogue_translates_every_msgid(catalogue_entries):
    missing = [
        f"{' '.join(e.references)}: {e.msgid!r}" + (" (fuzzy)" if "fuzzy" in e.flags else "")
        for e in _untranslated_entries(catalogue_entries)
        if e.files - KNOWN_UNTRANSLATED
    ]
    assert not missing, (
        "msgids untranslated or fuzzy in locale/es/LC_MESSAGES/django.po after makemessages "
        "(run `manage.py makemessages -l es --no-wrap --add-location file`, translate, then "
        "`manage.py compilemessages -l es --ignore=.venv`):\n" + "\n".join(missing)
    )


@pytest.mark.gettext
def test_the_compiled_catalogue_is_current(tmp_path):
    assert COMPILED.exists(), (
        f"{COMPILED.relative_to(ROOT)} is missing: run `manage.py compilemessages -l es --ignore=.venv`"
    )
    fresh = tmp_path / "django.mo"
    compile_po(CATALOGUE, fresh)
    assert compiled_catalogue(COMPILED) == compiled_catalogue(fresh), (
        f"{COMPILED.relative_to(ROOT)} is not what django.po compiles to: "
        "run `manage.py compilemessages -l es --ignore=.venv`"
    )


@pytest.mark.gettext
def test_the_known_untranslated_files_still_need_work(template_findings, python_findings, catalogue_entries):
    needing_work = {f.path for f in template_findings + python_findings}
    needing_work |= {path for e in _untranslated_entries(catalogue_entries) for path in e.files}
    done = sorted(KNOWN_UNTRANSLATED - needing_work)
    assert not done, f"fully translated now, drop from KNOWN_UNTRANSLATED: {done}"


def test_known_untranslated_is_sorted_and_names_real_files():
    tree = ast.parse((Path(__file__).parent / "known_untranslated.py").read_text())
    listed = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    listed = listed[1:]  # the docstring
    assert listed == sorted(listed), "keep KNOWN_UNTRANSLATED sorted"
    missing = [path for path in listed if not (ROOT / path).exists()]
    assert not missing, f"no such file, drop from KNOWN_UNTRANSLATED: {missing}"
