"""The gates' browser walk shares the browser tests' chromium and axe-core (tests/browser/conftest.py)."""

from tests.browser.conftest import axe, browser  # noqa: F401  (fixtures, found by name)
