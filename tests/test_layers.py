"""Layers import downward only: core < districts < plans < priorities < metrics < checkins < dashboards.

core imports no Throughline app; each app imports only the layers below it (module-level and
function-local imports alike). A lower layer reaches a higher one by announcing (districts.signals,
districts.pages), never by importing it. See docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "districts", "plans", "priorities", "metrics", "checkins", "dashboards"]

# Upward imports still to be removed. Empty: keep it so. A new upward import fails
# test_layers_import_downward_only; announce instead (a signal or a registry the upper app fills).
KNOWN_UPWARD: set[tuple[str, str]] = set()


def imported_apps(path: Path) -> set[str]:
    """The top-level packages a module imports anywhere in it (relative imports stay in its own app)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def upward_imports() -> set[tuple[str, str]]:
    upward = set()
    for rank, layer in enumerate(LAYERS):
        for path in sorted((ROOT / layer).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = path.relative_to(ROOT).as_posix()
            upward |= {(module, app) for app in imported_apps(path) if app in LAYERS[rank + 1 :]}
    return upward


def test_layers_import_downward_only():
    new = upward_imports() - KNOWN_UPWARD
    assert not new, f"upward imports (lower layer importing a higher one): {sorted(new)}"


def test_the_known_upward_imports_are_still_there():
    gone = KNOWN_UPWARD - upward_imports()
    assert not gone, f"no longer upward, drop from KNOWN_UPWARD: {sorted(gone)}"


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_exists(layer):
    assert (ROOT / layer / "__init__.py").exists()
