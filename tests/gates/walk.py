"""The all-pages walk: every role of the demo, every page it can reach, in English and Spanish.

One chromium (the browser fixture), one login per role through the real form (its storage
state reused for both languages), one tab per role and language; the two languages' tabs
take turns, so one loads while axe-core runs in the other. Each page is loaded at
1280 × 800 and checked with axe-core (WCAG 2.1 A and AA), then resized to 390 × 844 and its
document.documentElement.scrollWidth measured. Pages reached by a redirect are checked once
(at the page they land on).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LANGUAGES = {"en": "en-US", "es": "es-US"}
# The statuses whose pages are checked: 200, and the error pages a person can land on.
CHECKED_STATUSES = (200, 403, 404)
TOO_WIDE = "wider-than-390px"  # the width check's "rule" in KNOWN_VIOLATIONS


@dataclass
class Visit:
    role: str
    language: str
    name: str  # the URL's name
    path: str
    status: int = 0
    landed: str = ""  # the path it ended on (after redirects)
    html_lang: str = ""
    violations: dict[str, str] = field(default_factory=dict)  # axe rule id -> summary
    scroll_width: int = 0
    checked: bool = False  # a page (200, HTML, not seen before) that the checks ran on
    error: str = ""
    seconds: tuple[float, ...] = ()  # from loading to the width measured

    @property
    def is_page(self) -> bool:
        return self.status == 200 and not self.error


def log_in(browser, base_url: str, email: str, password: str) -> dict:
    """Log in through the login form (by field names: the labels change with the language)."""
    context = browser.new_context(base_url=base_url, locale="en-US")
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert "/accounts/login/" not in page.url, f"could not log in as {email}"
    state = context.storage_state()
    context.close()
    return state


def start_axe(page) -> None:
    """Start axe-core on the loaded page without waiting (axe injected by the context's init script)."""
    page.evaluate(f"() => {{ window.__axe = axe.run(document, {json.dumps(AXE_OPTIONS)}); }}")


def axe_results(page) -> dict[str, str]:
    """Wait for the axe-core run started on the page: its WCAG 2.1 A/AA violations, rule id -> summary."""
    results = page.evaluate("() => window.__axe")
    found = {}
    for violation in results["violations"]:
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"]]
        found[violation["id"]] = f"{violation['help']} ({len(targets)}: {'; '.join(targets[:3])})"
    return found


def axe_violations(page) -> dict[str, str]:
    start_axe(page)
    return axe_results(page)


def phone_width(page) -> int:
    """The page's scrollWidth once the tab is resized to a phone's 390 × 844 (the layout reflows, no reload)."""
    page.set_viewport_size(PHONE)
    return page.evaluate("document.documentElement.scrollWidth")


@dataclass(frozen=True)
class Answer:
    status: int
    landed: str  # the path after redirects
    html: bool


def answers(context, paths: dict[str, str]) -> dict[str, Answer]:
    """What each URL answers this role, asked without a navigation (the context's cookies, redirects followed).

    Only HTML pages are then loaded in the tab, so a 405's empty body or a CSV download never
    upsets it; and a role reaches the same pages in every language, so this is asked once per role.
    """
    found = {}
    for name, path in paths.items():
        answer = context.request.get(path, timeout=30_000)
        found[name] = Answer(
            answer.status, urlsplit(answer.url).path, "text/html" in answer.headers.get("content-type", "")
        )
    return found


def walk_role(
    browser, base_url: str, axe_script: str, role: str, state: dict | None, paths: dict[str, str]
) -> list[Visit]:
    """One role's walk, both languages side by side: while one tab's axe-core runs, the other loads."""
    tabs = {}
    for language, locale in LANGUAGES.items():
        context = browser.new_context(base_url=base_url, storage_state=state, locale=locale, viewport=DESKTOP)
        context.add_init_script(axe_script)
        tabs[language] = context.new_page()
        tabs[language].set_default_timeout(30_000)
    # A role reaches the same pages in every language: asked once.
    known = answers(tabs["en"].context, paths)
    seen: dict[str, set[str]] = {language: set() for language in tabs}
    visits = []
    for name, path in paths.items():
        answer = known[name]
        running = []
        for language, tab in tabs.items():
            visit = Visit(role, language, name, path, status=answer.status, landed=answer.landed)
            visits.append(visit)
            if not answer.html:
                visit.error = "not HTML"
                continue
            # A page reached by a redirect is checked where it lands; an error page (403, 404) once.
            where = answer.landed if answer.status == 200 else f"{answer.status} page"
            if answer.status not in CHECKED_STATUSES or where in seen[language]:
                continue
            seen[language].add(where)
            if answer.status != 200:
                visit.name = where
            tab.set_viewport_size(DESKTOP)
            started = time.monotonic()
            tab.goto(path)
            visit.checked = True
            visit.html_lang = tab.evaluate("document.documentElement.lang")
            start_axe(tab)
            running.append((visit, tab, started))
        for visit, tab, started in running:
            visit.violations = axe_results(tab)
            visit.scroll_width = phone_width(tab)
            visit.seconds = (time.monotonic() - started,)
    for tab in tabs.values():
        tab.context.close()
    return visits


def walk(
    browser, base_url: str, axe_script: str, logins: dict[str, dict | None], paths: dict[str, str]
) -> tuple[list[Visit], float]:
    started = time.monotonic()
    visits = []
    for role, state in logins.items():
        visits.extend(walk_role(browser, base_url, axe_script, role, state, paths))
    return visits, time.monotonic() - started
