"""The Python half of the translation gate: string literals handed to a user-facing sink untranslated.

Sinks (what a person reads): ValidationError / PermissionDenied messages, form.add_error(field, …),
messages.success/info/warning/error/debug(request, …), the keywords label=, help_text=,
verbose_name(_plural)=, empty_label=, error_messages=, choices=, heading=, title=, action_label=,
back_label=, points=, success= (a lambda's text) and placeholder/title/aria-label in a widget's
attrs=; the same names assigned in a class body (a model's or form's Meta: verbose_name, labels,
help_texts, error_messages); a TextChoices/IntegerChoices member's label; the "title"/"heading"/
"label"… keys of a dict (a page's context); what a function named *_message returns.

A literal is fine inside gettext, gettext_lazy, ngettext, pgettext (and _ and their *_lazy
forms). A literal reached through `or`, `if … else`, `+`, `%`, `.format()`, f-strings,
lists, tuples and dicts is still the literal. An f-string inside gettext is flagged: it
cannot be extracted. Http404 messages are not shown to anyone and are not sinks.

A line ending in `# i18n: not shown` is skipped (for the rare literal a sink receives that no
person reads); a reviewer should see why.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.gates.i18n_templates import Finding, untranslated

TRANSLATORS = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "gettext_noop",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "npgettext",
        "npgettext_lazy",
    }
)
MESSAGE_LEVELS = frozenset({"debug", "info", "success", "warning", "error"})
ERROR_CLASSES = frozenset({"ValidationError", "PermissionDenied"})
TEXT_KEYWORDS = frozenset(
    {
        "action_label",
        "back_label",
        "empty_label",
        "error_messages",
        "heading",
        "help_text",
        "label",
        "points",
        "success",
        "title",
        "verbose_name",
        "verbose_name_plural",
    }
)
CLASS_ATTRIBUTES = frozenset({"verbose_name", "verbose_name_plural", "labels", "help_texts", "error_messages"})
CONTEXT_KEYS = frozenset(
    {"title", "heading", "label", "help_text", "action_label", "back_label", "placeholder", "aria-label", "message"}
)
WIDGET_ATTRIBUTES = frozenset({"placeholder", "title", "aria-label", "aria-description"})
CHOICES_BASES = frozenset({"TextChoices", "IntegerChoices", "Choices"})
SKIP_MARK = "# i18n: not shown"
_EXCLUDED_PARTS = frozenset({"migrations", "management", "templatetags_tests"})


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _text_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "\ue0001\ue001" for v in node.values)
    return None


def literals(node: ast.AST | None) -> Iterator[tuple[ast.AST, str]]:
    """The string literals a value is built from, outside any translation call."""
    if node is None:
        return
    text = _text_of(node)
    if text is not None:
        yield node, text
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from literals(value)
    elif isinstance(node, ast.IfExp):
        yield from literals(node.body)
        yield from literals(node.orelse)
    elif isinstance(node, ast.BinOp):
        yield from literals(node.left)
        if isinstance(node.op, ast.Add):
            yield from literals(node.right)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from literals(element)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from literals(value)
    elif isinstance(node, ast.Lambda):
        yield from literals(node.body)
    elif isinstance(node, ast.Call):
        function = _name(node.func)
        if function == "format" and isinstance(node.func, ast.Attribute):
            yield from literals(node.func.value)
        elif function in ("format_html", "mark_safe") and node.args:
            yield from literals(node.args[0])


def _choice_labels(node: ast.AST) -> Iterator[ast.AST]:
    """The labels of a choices= list: the second element of each pair."""
    if isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            if isinstance(element, ast.Tuple) and len(element.elts) == 2:
                yield element.elts[1]
            elif isinstance(element, ast.Starred):
                continue


class _SinkFinder(ast.NodeVisitor):
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.findings: list[Finding] = []

    def flag(self, value: ast.AST | None) -> None:
        for node, text in literals(value):
            line = self.lines[node.lineno - 1] if node.lineno <= len(self.lines) else ""
            if line.rstrip().endswith(SKIP_MARK):
                continue
            if shown := untranslated(text):
                self.findings.append(Finding(self.path, node.lineno, shown))

    def visit_Call(self, node: ast.Call) -> None:
        function = _name(node.func)
        positional = list(node.args)
        if function in TRANSLATORS:
            for argument in positional:
                if isinstance(argument, ast.JoinedStr):
                    self.findings.append(Finding(self.path, argument.lineno, "f-string inside gettext"))
            return  # nothing inside a translation call is a sink
        is_message = isinstance(node.func, ast.Attribute) and _name(node.func.value) == "messages"
        # Which positional argument is the text: the message, the error, add_error(field, error).
        text_at = {"add_error": 1, "add_message": 2, **dict.fromkeys(ERROR_CLASSES, 0)}.get(function)
        if is_message and function in MESSAGE_LEVELS:
            text_at = 1
        if text_at is not None and len(positional) > text_at:
            self.flag(positional[text_at])
        shown_keywords = TEXT_KEYWORDS | ({"message"} if function in ERROR_CLASSES else set())
        shown_keywords |= {"error"} if function == "add_error" else set()
        for keyword in node.keywords:
            if keyword.arg in shown_keywords:
                self.flag(keyword.value)
            elif keyword.arg == "choices":
                for label in _choice_labels(keyword.value):
                    self.flag(label)
            elif keyword.arg == "attrs" and isinstance(keyword.value, ast.Dict):
                self._flag_keys(keyword.value, WIDGET_ATTRIBUTES)
        self.generic_visit(node)

    def _flag_keys(self, node: ast.Dict, keys: frozenset[str]) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in keys:
                self.flag(value)

    def visit_Dict(self, node: ast.Dict) -> None:
        self._flag_keys(node, CONTEXT_KEYS)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        is_choices = any(_name(base) in CHOICES_BASES for base in node.bases)
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            targets = {_name(t) for t in statement.targets}
            if is_choices and isinstance(statement.value, ast.Tuple) and len(statement.value.elts) >= 2:
                self.flag(statement.value.elts[-1])
            elif targets & CLASS_ATTRIBUTES:
                self.flag(statement.value)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if re.search(r"(^|_)message$", node.name):
            for child in ast.walk(node):
                if isinstance(child, ast.Return):
                    self.flag(child.value)
        self.generic_visit(node)


def check_python(path: Path, root: Path) -> list[Finding]:
    name = path.relative_to(root).as_posix()
    source = path.read_text()
    finder = _SinkFinder(name, source.splitlines())
    finder.visit(ast.parse(source, filename=name))
    return sorted(set(finder.findings))


APPS = ["core", "districts", "plans", "priorities", "metrics", "checkins", "dashboards", "config"]


def python_paths(root: Path) -> list[Path]:
    """The apps' modules, without migrations, management commands or demo data (not interface text)."""
    return sorted(
        p
        for app in APPS
        for p in (root / app).rglob("*.py")
        if not (_EXCLUDED_PARTS & set(p.parts)) and p.name != "demo.py"
    )
