"""Every table sits in its own scrolling region a keyboard can reach and a screen reader can name: on a phone
a wide table scrolls inside it (first column sticky, static/css/app.css) instead of widening the page.

A template check, so a new table that forgets it fails here without a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
TABLE = re.compile(r"<table\b")
WRAPPER = re.compile(r'<div\b[^>]*class="(?:table-scroll|table-wrap)\b[^"]*"[^>]*>')


def templates_with_tables() -> list[Path]:
    found = []
    for directory in TEMPLATE_DIRS:
        found += [path for path in directory.rglob("*.html") if TABLE.search(path.read_text())]
    return sorted(found)


def test_there_are_tables_to_check():
    assert len(templates_with_tables()) >= 10


@pytest.mark.parametrize("template", templates_with_tables(), ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_each_table_scrolls_in_a_focusable_region_named_by_a_visible_caption_or_heading(template: Path):
    source = template.read_text()
    for table in TABLE.finditer(source):
        wrappers = list(WRAPPER.finditer(source, 0, table.start()))
        assert wrappers, f"a table at offset {table.start()} is not in a .table-scroll region"
        wrapper = wrappers[-1].group(0)
        # The wrapper opens right before its table (nothing but whitespace between).
        assert not source[wrappers[-1].end() : table.start()].strip(), wrapper
        assert 'role="region"' in wrapper and 'tabindex="0"' in wrapper, wrapper
        label = re.search(r'aria-labelledby="([^"]+)"', wrapper)
        assert label, f"{wrapper} has no aria-labelledby"
        named = re.search(rf'<(\w+)\b[^>]*\bid="{re.escape(label.group(1))}"[^>]*>', source)
        assert named, f"nothing in {template.name} has id={label.group(1)!r}"
        assert "visually-hidden" not in named.group(0), f"{label.group(1)} names the table but is not visible"
        first_row = source.find("<tr", table.end())
        assert "<caption" in source[table.end() : first_row], "a table without a caption (before its first row)"
