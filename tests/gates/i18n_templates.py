"""The template half of the translation gate: user-facing text outside {% translate %} / {% blocktranslate %}.

Each template is split by Django's own Lexer into text, variables, tags and comments. Every
non-text token becomes an opaque placeholder (a {% blocktranslate %}…{% endblocktranslate %} or a
{% comment %}…{% endcomment %} block becomes one placeholder as a whole), and the result is parsed
as HTML. What is left of a text node or a user-facing attribute once the placeholders are
removed must hold no letters (brand names in ALLOWED_WORDS aside): letters there are English
that a Spanish reader would see. String literals that templates pass on as text
(`|default:"None"`, `with label="Email address"`) are flagged too.

<script>, <style> and HTML comments are not text. `.txt` templates (email bodies, subjects) are
all text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

# Words that are the same in every language. Symbols, digits and punctuation need no listing.
ALLOWED_WORDS = frozenset({"Throughline"})

# Attributes a person reads or hears (value only on buttons).
TEXT_ATTRIBUTES = frozenset({"title", "alt", "aria-label", "aria-description", "aria-roledescription", "placeholder"})
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
SKIPPED_ELEMENTS = frozenset({"script", "style"})

# {% include … with label="…" %} / {% with heading="…" %}: names whose literal value is shown.
TEXT_KEYWORDS = frozenset(
    {
        "action_label",
        "back_label",
        "button",
        "caption",
        "empty",
        "empty_text",
        "heading",
        "help",
        "help_text",
        "hint",
        "label",
        "legend",
        "message",
        "placeholder",
        "summary",
        "text",
        "title",
    }
)
_KEYWORD_LITERAL = re.compile(r"""\b(\w+)=("[^"]*"|'[^']*')""")
_FILTER_LITERAL = re.compile(r"""\|(?:default|default_if_none|yesno):("[^"]*"|'[^']*')""")
_PLACEHOLDER = re.compile("\ue000\\d+\ue001")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def untranslated(text: str) -> str:
    """The text if it holds a word a translator must see (not a brand name), else ""."""
    text = _PLACEHOLDER.sub(" ", text)
    words = [w for w in _WORD.findall(text) if w not in ALLOWED_WORDS]
    return " ".join(text.split()) if words else ""


def _literal_findings(token_text: str, line: int, path: str) -> list[Finding]:
    found = []
    for match in _FILTER_LITERAL.finditer(token_text):
        if untranslated(match.group(1)[1:-1]):
            found.append(Finding(path, line, match.group(1)[1:-1]))
    if token_text.split()[:1] in (["include"], ["with"]):
        for name, literal in _KEYWORD_LITERAL.findall(token_text):
            if name in TEXT_KEYWORDS and untranslated(literal[1:-1]):
                found.append(Finding(path, line, literal[1:-1]))
    return found


def _masked(source: str, path: str) -> tuple[str, list[Finding]]:
    """The template with every non-text token replaced by a placeholder (newlines kept), and literal findings."""
    parts: list[str] = []
    findings: list[Finding] = []
    closing: str | None = None  # inside blocktranslate / comment / verbatim: the closing tag's name
    count = 0
    for token in Lexer(source).tokenize():
        newlines = "\n" * token.contents.count("\n")
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == [closing]:
                closing = None
            parts.append(newlines)
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
            continue
        count += 1
        parts.append(f"\ue000{count}\ue001{newlines}")
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                closing = "end" + name
            findings.extend(_literal_findings(token.contents, token.lineno, path))
        elif token.token_type == TokenType.VAR:
            findings.extend(_literal_findings(token.contents, token.lineno, path))
    return "".join(parts), findings


class _TextFinder(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.findings: list[Finding] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        values = dict(attrs)
        line = self.getpos()[0]
        for name, value in attrs:
            shown = name in TEXT_ATTRIBUTES or (
                name == "value" and tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if shown and value and (text := untranslated(value)):
                self.findings.append(Finding(self.path, line, text))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if text := untranslated(data):
            # getpos() is where the data starts; the first line with a letter is where the text is.
            line = self.getpos()[0] + data[: _LETTER.search(data).start()].count("\n")
            self.findings.append(Finding(self.path, line, text))


def check_template(path: Path, root: Path) -> list[Finding]:
    name = path.relative_to(root).as_posix()
    masked, findings = _masked(path.read_text(), name)
    if path.suffix == ".txt":
        for number, line in enumerate(masked.splitlines(), start=1):
            if text := untranslated(line):
                findings.append(Finding(name, number, text))
        return sorted(findings)
    finder = _TextFinder(name)
    finder.feed(masked)
    finder.close()
    return sorted(findings + finder.findings)


def template_paths(root: Path) -> list[Path]:
    """Every template of the project's own apps and templates/ (not the virtualenv's)."""
    return sorted(
        p
        for p in root.glob("**/templates/**/*")
        if p.is_file() and p.suffix in (".html", ".txt") and ".venv" not in p.parts and "node_modules" not in p.parts
    )
