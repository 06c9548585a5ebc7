"""Service markers decide skip or fail; a browser test without its marker fails instead of skipping."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from tests import conftest


class FakeItem:
    nodeid = "tests/test_example.py::test_example"

    def __init__(self, fixturenames: list[str], markers: set[str]) -> None:
        self.fixturenames = fixturenames
        self.markers = markers

    def get_closest_marker(self, name: str) -> object:
        return name if name in self.markers else None


@pytest.fixture
def chromium_missing(monkeypatch):
    monkeypatch.setitem(conftest.SERVICE_CHECKS, "browser", lambda: "chromium is not installed (test)")


@pytest.mark.parametrize("fixture", sorted(conftest.BROWSER_FIXTURES))
@pytest.mark.parametrize("require_services", [True, False])
def test_an_unmarked_browser_test_fails(fixture, require_services, monkeypatch, chromium_missing):
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", require_services)
    with pytest.raises(Failed, match="not marked `browser`"):
        conftest.pytest_runtest_setup(FakeItem([fixture], set()))


def test_a_marked_browser_test_skips_without_chromium(monkeypatch, chromium_missing):
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", False)
    with pytest.raises(Skipped, match="needs browser"):
        conftest.pytest_runtest_setup(FakeItem(["page"], {"browser"}))


def test_a_marked_browser_test_fails_without_chromium_under_require_services(monkeypatch, chromium_missing):
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", True)
    with pytest.raises(Failed, match="REQUIRE_SERVICES=1"):
        conftest.pytest_runtest_setup(FakeItem(["page"], {"browser"}))


def test_a_marked_browser_test_runs_when_chromium_is_there(monkeypatch):
    monkeypatch.setitem(conftest.SERVICE_CHECKS, "browser", lambda: "")
    conftest.pytest_runtest_setup(FakeItem(["page"], {"browser"}))


@pytest.mark.parametrize("require_services", [True, False])
def test_a_gettext_test_skips_or_fails_without_gettext(require_services, monkeypatch):
    monkeypatch.setitem(conftest.SERVICE_CHECKS, "gettext", lambda: "GNU gettext is not installed (test)")
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", require_services)
    expected = Failed if require_services else Skipped
    with pytest.raises(expected, match="gettext"):
        conftest.pytest_runtest_setup(FakeItem([], {"gettext"}))
