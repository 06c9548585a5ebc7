"""All pages, every role, English and Spanish: axe-core finds no WCAG 2.1 A/AA violation, nothing is wider than a phone.

The demo (seed_demo) is loaded once for the module; every URL pattern is filled from its
objects (tests/gates/demo_urls.py: an unregistered argument fails), and every role of the demo
and an anonymous visitor visit all of them (tests/gates/walk.py). Pages a role cannot reach
(403, 404, 405, a redirect to the login) are not its pages. Known findings are in
tests/gates/known_violations.py and may only shrink.

Set GATES_REPORT=<file> to write every finding (role, language, page, rule) there as JSON.
"""

from __future__ import annotations

import ast
import json
import os
from collections import Counter
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from districts.demo import DEMO_PASSWORD
from tests.gates.demo_urls import DEMO_ROLES, app_urls, demo_paths, unregistered
from tests.gates.known_violations import KNOWN_VIOLATIONS
from tests.gates.walk import PHONE, TOO_WIDE, Visit, log_in, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# URL names that are no role's page: they answer only a POST, a download, or a machine.
NOT_PAGES = frozenset(
    {
        "checkins:checkin_acknowledge",
        "checkins:checkin_comment",
        "dashboards:report_pdf",  # a download
        "dashboards:report_retry",  # answers POST (Try again on a failed report)
        "districts:invitation_resend",
        "districts:people_import_confirm",
        "districts:people_import_discard",
        "districts:people_import_sample",
        "districts:school_import_confirm",
        "districts:school_import_discard",
        "districts:school_import_sample",
        "healthz",
        "logout",
        "metrics:metric_values_csv",
        "metrics:value_import_confirm",
        "metrics:value_import_discard",
        "metrics:value_import_sample",
        "plans:competency_move",
        "priorities:assignment_status",
        "priorities:commitment_move",
        "priorities:commitment_status",
        "priorities:priority_move",
        "priorities:role_label_move",
        "set_language",
    }
)
# URL names that always send a visitor on to another page (checked where they land).
REDIRECTS = frozenset({"checkins:checkin_submit", "password_reset_confirm", "plans:current"})
SERVER_ERROR = "server-error"  # a 5xx, as a "rule" in KNOWN_VIOLATIONS
# Not a URL pattern, but a page every visitor can land on. Error pages (403, 404) are checked
# once per role and language, named "403 page" / "404 page".
EXTRA_PAGES = {"not found": "/d/riverbend/no-such-page/"}


@pytest.fixture
def visits(browser, live_server, django_db_setup, django_db_blocker, axe) -> list[Visit]:
    with django_db_blocker.unblock():
        missing = unregistered(app_urls())
        if missing:
            pytest.fail(f"URL arguments the walk cannot fill, register them in tests/gates/demo_urls.py: {missing}")
        call_command("seed_demo", stdout=StringIO())
        try:
            paths = {**demo_paths(app_urls()), **EXTRA_PAGES}
            logins = {
                role: log_in(browser, live_server.url, email, DEMO_PASSWORD) if email else None
                for role, email in DEMO_ROLES.items()
            }
            found, seconds = walk(browser, live_server.url, axe.axe_script, logins, paths)
        finally:
            call_command("flush", interactive=False, stdout=StringIO())
    checked = [v for v in found if v.checked]
    print(f"\nall-pages walk: {len(checked)} page visits checked of {len(found)} in {seconds:.0f} s")
    if report := os.environ.get("GATES_REPORT"):
        with open(report, "w") as handle:
            json.dump({"seconds": seconds, "visits": [v.__dict__ for v in found]}, handle, indent=1)
    return found


def _findings(visits: list[Visit]) -> dict[tuple[str, str], list[str]]:
    """(url name, rule) -> where: "role/language: summary"."""
    found: dict[tuple[str, str], list[str]] = {}
    for visit in visits:
        if visit.status >= 500:
            found.setdefault((visit.name, SERVER_ERROR), []).append(f"{visit.role}/{visit.language}: {visit.status}")
        for rule, summary in visit.violations.items():
            found.setdefault((visit.name, rule), []).append(f"{visit.role}/{visit.language}: {summary}")
        if visit.checked and visit.scroll_width > PHONE["width"]:
            found.setdefault((visit.name, TOO_WIDE), []).append(
                f"{visit.role}/{visit.language}: scrollWidth {visit.scroll_width} at {PHONE['width']} px"
            )
    return found


def unreached_urls(visits: list[Visit]) -> list[str]:
    """Every URL is some role's page, shown at that URL (not a redirect elsewhere): else the demo misses something."""
    pages = {v.name for v in visits if v.is_page and v.landed == urlsplit(v.path).path}
    pages |= {v.name for v in visits if v.status >= 500}  # reported as server errors
    names = {v.name for v in visits if v.name not in EXTRA_PAGES and not v.name.endswith(" page")} - REDIRECTS
    problems = []
    if unreached := sorted(names - pages - NOT_PAGES):
        problems.append(
            "no demo role gets a page at these URLs: fill them with other demo objects in tests/gates/demo_urls.py, "
            f"or list them in NOT_PAGES if they answer only POST or a download: {unreached}"
        )
    if wrongly := sorted(NOT_PAGES & {v.name for v in visits if v.checked}):
        problems.append(f"these are pages now, drop them from NOT_PAGES: {wrongly}")
    return problems


# Stored documents shown as they were made: a board report is written in the language it was asked
# for (its page says which), whatever the reader's language now.
DOCUMENTS_IN_THEIR_OWN_LANGUAGE = frozenset({"dashboards:report_view"})


def pages_in_another_language(visits: list[Visit]) -> list[str]:
    wrong = sorted(
        f"{v.role}/{v.language} {v.path}: <html lang={v.html_lang!r}>"
        for v in visits
        if v.checked and v.html_lang.split("-")[0] != v.language and v.name not in DOCUMENTS_IN_THEIR_OWN_LANGUAGE
    )
    return ["pages not in the language asked for:\n" + "\n".join(wrong)] if wrong else []


def new_findings(visits: list[Visit]) -> list[str]:
    new = {key: where for key, where in _findings(visits).items() if key not in KNOWN_VIOLATIONS}
    if not new:
        return []
    report = "\n".join(
        f"{name} {rule}:\n    " + "\n    ".join(where[:4]) for (name, rule), where in sorted(new.items())
    )
    return [
        f"{len(new)} (page, rule) pairs answer a server error, fail axe-core WCAG 2.1 A/AA "
        f"or are wider than 390 px:\n{report}"
    ]


def fixed_findings(visits: list[Visit]) -> list[str]:
    gone = sorted(KNOWN_VIOLATIONS - set(_findings(visits)))
    return [f"fixed now, drop from KNOWN_VIOLATIONS: {gone}"] if gone else []


def test_every_page_of_every_role_in_both_languages(visits):
    """One test (the walk is made once, and xdist never splits it): every problem is listed together."""
    by_rule = Counter(rule for _, rule in _findings(visits))
    print("\nfindings by rule:", ", ".join(f"{rule} {count}" for rule, count in by_rule.most_common()))
    problems = unreached_urls(visits) + pages_in_another_language(visits) + new_findings(visits)
    problems += fixed_findings(visits)
    assert not problems, "\n\n".join(problems)


def test_known_violations_are_sorted():
    tree = ast.parse((Path(__file__).parent / "known_violations.py").read_text())
    listed = [ast.literal_eval(node) for node in ast.walk(tree) if isinstance(node, ast.Set) for node in node.elts]
    assert listed == sorted(listed), "keep KNOWN_VIOLATIONS sorted"
