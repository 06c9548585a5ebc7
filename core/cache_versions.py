"""Versioned cache entries per district: what only changes when stored roll-ups or published content change.

A *topic* ("checkin_rollups", "metric_rollups", "published", "names") has a version per district, kept
in the cache. `cached()` stores a computed value together with the versions of the topics it depends on,
and reads both back with those versions in one round trip; `bump()` (called by whatever writes those
rows, after the transaction commits) gives the topic a new random version, so every entry built on the
old one is never served again (the next read renders it anew and overwrites it).

Versions are random tokens, not counters: if the cache is flushed, a new token is made and no ETag or
cached page from before can come back. If the cache is unreachable (Redis down), `cached()` computes
the value and `version()` returns a token built from nothing stale (a fresh one): pages are slower,
never wrong.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

T = TypeVar("T")
log = logging.getLogger(__name__)

CHECKIN_ROLLUPS = "checkin_rollups"
METRIC_ROLLUPS = "metric_rollups"
PUBLISHED = "published"
# The names and titles pages show beside the numbers: the district, its schools, departments, people and
# role labels, its plans, priorities, commitments and metrics (bumped on every save and delete of those
# rows by dashboards.invalidation, and by the bulk writes that bypass signals).
NAMES = "names"

VERSION_TIMEOUT = 60 * 60 * 24 * 30  # a month; a lost version only costs one recompute
DEFAULT_TIMEOUT = 60 * 60  # an entry nobody bumps still refreshes hourly (dates move on)


def _version_key(district_id: int, topic: str) -> str:
    return f"cv:{district_id}:{topic}"


def _read(district_id: int, topics: Iterable[str], entry_keys: list[str]) -> tuple[str, dict[str, object] | None]:
    """The topics' joined versions (made where missing) and the entries stored under them, in one round trip.

    An entry is stored as (versions, value) under a key without the versions, so the versions and the
    entries are read together: an entry whose versions are not the current ones is not returned. The
    entries are None when the cache cannot be reached (the versions are then a token nothing was stored
    under).
    """
    version_keys = [_version_key(district_id, topic) for topic in topics]
    try:
        found = cache.get_many(version_keys + entry_keys)
        missing = {key: secrets.token_hex(8) for key in version_keys if key not in found}
        if missing:
            cache.set_many(missing, VERSION_TIMEOUT)
            found.update(missing)
    except Exception:  # the cache is down: a token nothing was stored under
        log.warning("cache unavailable reading versions", exc_info=True)
        return "x" + secrets.token_hex(8), None
    current = ".".join(found[key] for key in version_keys)
    entries = {}
    for key in entry_keys:
        stored = found.get(key)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == current:
            entries[key] = stored[1]
    return current, entries


def versions(district_id: int, topics: Iterable[str]) -> str:
    """The current versions of `topics` for the district, joined into one string (made where missing)."""
    return _read(district_id, topics, [])[0]


def _entry_key(district_id: int, key: str) -> str:
    return f"cc:{district_id}:{key}"


def bump(district_id: int, *topics: str) -> None:
    """Give the topics new versions once the current transaction commits (at once outside one)."""

    def new_versions() -> None:
        try:
            cache.set_many(
                {_version_key(district_id, topic): secrets.token_hex(8) for topic in topics}, VERSION_TIMEOUT
            )
        except Exception:
            # Nothing stale can be served from a cache that cannot be reached; when it is back, entries
            # built on the old version may be read until they expire, so drop the version instead.
            log.warning("cache unavailable bumping %s for district %s", topics, district_id, exc_info=True)
            with contextlib.suppress(Exception):
                cache.delete_many([_version_key(district_id, topic) for topic in topics])

    transaction.on_commit(new_versions)


def cached(
    district_id: int,
    topics: Iterable[str],
    key: str,
    compute: Callable[[], T],
    *,
    timeout: int = DEFAULT_TIMEOUT,
) -> T:
    """`compute()`'s value, from the cache while the topics' versions are unchanged."""
    entry_key = _entry_key(district_id, key)
    current, entries = _read(district_id, topics, [entry_key])
    if entries is None:
        return compute()
    if entry_key in entries:
        return entries[entry_key]  # type: ignore[return-value]
    value = compute()
    try:
        cache.set(entry_key, (current, value), timeout)
    except Exception:
        log.warning("cache unavailable writing %s", entry_key, exc_info=True)
    return value


def cached_html(
    district_id: int,
    topics: Iterable[str],
    renders: dict[str, Callable[[], str]],
    *,
    timeout: int = DEFAULT_TIMEOUT,
) -> dict[str, SafeString]:
    """Rendered HTML fragments by key, from the cache while the topics' versions are unchanged.

    One read of the versions and every fragment together, whatever their number; only the missing ones
    are rendered (in the order given) and stored. The HTML was escaped when rendered, so it is marked
    safe again when read.
    """
    entry_keys = {key: _entry_key(district_id, f"html:{key}") for key in renders}
    current, entries = _read(district_id, topics, list(entry_keys.values()))
    html: dict[str, str] = {}
    missing: dict[str, tuple[str, str]] = {}
    for key, render in renders.items():
        value = entries.get(entry_keys[key]) if entries is not None else None
        if value is None:
            value = str(render())
            missing[entry_keys[key]] = (current, value)
        html[key] = value
    if missing and entries is not None:
        try:
            cache.set_many(missing, timeout)
        except Exception:
            log.warning("cache unavailable writing fragments %s", list(renders), exc_info=True)
    return {key: mark_safe(value) for key, value in html.items()}  # escaped when the templates rendered it
