"""Text clean-up shared by every service and import."""

from __future__ import annotations


def one_line(value: object) -> str:
    """Collapse runs of white space (None → ""): titles, names and CSV cells are single lines."""
    return " ".join(str(value if value is not None else "").split())
