"""core.cache_versions: cached numbers stay until what they are built on changes, and never outlive it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core import cache_versions
from core.cache_versions import CHECKIN_ROLLUPS, METRIC_ROLLUPS, PUBLISHED

pytestmark = pytest.mark.django_db  # bump() waits for the transaction's commit


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute, calls


def test_a_value_is_computed_once_until_its_topic_is_bumped(django_capture_on_commit_callbacks):
    compute, calls = counter()
    assert cache_versions.cached(1, [CHECKIN_ROLLUPS], "cards", compute) == 1
    assert cache_versions.cached(1, [CHECKIN_ROLLUPS], "cards", compute) == 1
    with django_capture_on_commit_callbacks(execute=True):
        cache_versions.bump(1, CHECKIN_ROLLUPS)
    assert cache_versions.cached(1, [CHECKIN_ROLLUPS], "cards", compute) == 2
    assert len(calls) == 2


def test_a_bump_waits_for_the_commit_and_touches_only_its_district_and_topic(django_capture_on_commit_callbacks):
    before = cache_versions.versions(1, [CHECKIN_ROLLUPS, METRIC_ROLLUPS])
    other = cache_versions.versions(2, [CHECKIN_ROLLUPS])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cache_versions.bump(1, METRIC_ROLLUPS)
    assert cache_versions.versions(1, [CHECKIN_ROLLUPS, METRIC_ROLLUPS]) == before  # not committed yet
    callbacks[0]()
    after = cache_versions.versions(1, [CHECKIN_ROLLUPS, METRIC_ROLLUPS])
    assert after != before and after.split(".")[0] == before.split(".")[0]
    assert cache_versions.versions(2, [CHECKIN_ROLLUPS]) == other


def test_a_flushed_cache_never_brings_back_an_old_version():
    first = cache_versions.versions(1, [PUBLISHED])
    cache.clear()
    assert cache_versions.versions(1, [PUBLISHED]) != first


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_with_the_cache_down_values_are_computed_and_versions_are_fresh(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(cache_versions, "cache", BrokenCache())
    compute, _calls = counter()
    assert cache_versions.cached(1, [CHECKIN_ROLLUPS], "cards", compute) == 1
    assert cache_versions.cached(1, [CHECKIN_ROLLUPS], "cards", compute) == 2  # computed each time, never stale
    assert cache_versions.versions(1, [PUBLISHED]) != cache_versions.versions(1, [PUBLISHED])
    with django_capture_on_commit_callbacks(execute=True):
        cache_versions.bump(1, PUBLISHED)  # does not raise


def test_a_page_served_from_the_cache_reads_its_versions_and_fragments_in_one_round_trip(monkeypatch):
    renders = {"cards": lambda: "<p>cards</p>", "body": lambda: "<p>body</p>"}
    cache_versions.cached_html(1, [CHECKIN_ROLLUPS, PUBLISHED], renders)
    reads, get_many = [], cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or get_many(keys))

    html = cache_versions.cached_html(1, [CHECKIN_ROLLUPS, PUBLISHED], {key: None for key in renders})

    assert html == {"cards": "<p>cards</p>", "body": "<p>body</p>"}  # nothing rendered (None is not callable)
    assert len(reads) == 1 and len(reads[0]) == 4  # two versions and two fragments


def test_an_entry_built_on_an_old_version_is_rendered_anew_and_replaces_it(django_capture_on_commit_callbacks):
    assert cache_versions.cached_html(1, [PUBLISHED], {"page": lambda: "old"}) == {"page": "old"}
    with django_capture_on_commit_callbacks(execute=True):
        cache_versions.bump(1, PUBLISHED)
    assert cache_versions.cached_html(1, [PUBLISHED], {"page": lambda: "new"}) == {"page": "new"}
    assert cache_versions.cached_html(1, [PUBLISHED], {"page": lambda: "newer"}) == {"page": "new"}
