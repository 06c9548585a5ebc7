"""The Spanish catalogue gate's machinery: run makemessages on a copy of the project, read .po and .mo files.

makemessages writes into the project's own locale/ (it finds it by walking the tree), so the
gate runs it in a temporary copy of the code and templates with the committed catalogue, and
reads what it leaves: every msgid the code marks today, merged with the translations we have.

The compiled catalogue (django.mo) is committed next to django.po, so an install needs no
gettext tools; the gate checks it holds exactly what django.po compiles to.
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.gates.i18n_python import APPS

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
COPIED = [*APPS, "templates", "manage.py", "locale"]


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)  # "path:line" or "path"

    @property
    def translated(self) -> bool:
        return bool(self.msgstrs) and all(self.msgstrs) and "fuzzy" not in self.flags

    @property
    def files(self) -> set[str]:
        return {
            reference.rsplit(":", 1)[0] if reference.rsplit(":", 1)[-1].isdigit() else reference
            for reference in self.references
        }


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete `#~` entries and the header left out)."""
    entries: list[Entry] = []
    entry, current = Entry(), None
    strings: dict[str, list[str]] = {}

    def finish() -> None:
        nonlocal entry, strings
        if strings:
            entry.msgid = "".join(strings.get("msgid", []))
            entry.msgid_plural = "".join(strings.get("msgid_plural", []))
            entry.msgstrs = ["".join(v) for k, v in sorted(strings.items()) if k.startswith("msgstr")]
            if entry.msgid:
                entries.append(entry)
        entry, strings = Entry(), {}

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
            current = None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            strings[current].append(ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            current = keyword
            strings[current] = [ast.literal_eval(rest)]
    finish()
    return entries


def made_messages(workdir: Path) -> list[Entry]:
    """What `makemessages -l es` makes of the project today, merged with the committed catalogue."""
    copy = workdir / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        elif source.exists():
            copy.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-wrap"],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    return read_po(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")


def compiled_catalogue(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def compile_po(po: Path, mo: Path) -> None:
    result = subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], capture_output=True, text=True)
    assert result.returncode == 0, f"msgfmt refused {po}:\n{result.stderr}"
