"""The public page's answer from the cache, before sessions, the database or any view run.

The public page (/p/<slug>/, dashboards.views.public) is read by anyone, often, and changes only when
its district's published content, roll-ups, names or settings do: each of those bumps a
core.cache_versions topic. The view renders the page once per (district, language, versions) and marks
its response; this middleware, placed right after SecurityMiddleware, stores that whole response
(headers from every inner middleware included: CSP, Vary, Content-Language) keyed by the slug and what
picks the language (?lang=, the language switch's cookie, Accept-Language). The next visitor with the
same inputs gets it after two cache reads (the stored answer, then its district's current versions,
which must still match), or a 304 when their If-None-Match matches. Each process also keeps its last
few answers in memory, so a hit usually costs only the read of the versions (the page itself, over
100 KiB for the largest district, is not fetched and unpickled again).

Not served from here, so always by the view: a visitor with a session (a signed-in person's own
language choice applies), any method but GET, and an answer that sets a cookie. Turning the page off,
renaming the slug or unpublishing a highlight bumps a topic, so the stored answer no longer matches
and the view answers (404, or the new page) at once. With the cache down every request goes to the view.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

from core import cache_versions

log = logging.getLogger(__name__)

PUBLIC_PATH = re.compile(r"^/p/(?P<slug>[-a-zA-Z0-9_]+)/$")
# What the page is made of: a bump of any of these for the district makes a stored answer stale.
PUBLIC_TOPICS = [
    cache_versions.PUBLISHED,
    cache_versions.CHECKIN_ROLLUPS,
    cache_versions.METRIC_ROLLUPS,
    cache_versions.NAMES,
]
STORED_FOR = 60 * 60
KEPT_IN_PROCESS = 32  # answers (a language variant of a district's page each) kept in each process
# Headers a 304 repeats (RFC 9110 §15.4.5); the body's own headers are left out.
NOT_MODIFIED_HEADERS = ("etag", "cache-control", "vary", "content-language", "content-location", "expires")


@dataclass(frozen=True)
class StoredAnswer:
    district_id: int
    versions: str  # cache_versions.versions(district_id, PUBLIC_TOPICS) when it was rendered
    headers: list[tuple[str, str]]
    content: bytes


def mark_cacheable(response: HttpResponse, *, district_id: int, versions: str) -> HttpResponse:
    """Called by the view on a rendered public page: the middleware may store it under these versions."""
    response.public_page_versions = (district_id, versions)  # type: ignore[attr-defined]
    return response


def _key(request: HttpRequest, slug: str) -> str:
    inputs = "\n".join(
        [
            request.META.get("QUERY_STRING", ""),
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
            request.headers.get("Accept-Language", "")[:200],
        ]
    )
    return f"public-answer:{slug}:{hashlib.sha256(inputs.encode()).hexdigest()[:32]}"


class _ProcessCopies:
    """The process's copies of recently served answers, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.answers: OrderedDict[str, StoredAnswer] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> StoredAnswer | None:
        with self.lock:
            answer = self.answers.get(key)
            if answer is not None:
                self.answers.move_to_end(key)
            return answer

    def put(self, key: str, answer: StoredAnswer) -> None:
        with self.lock:
            self.answers[key] = answer
            self.answers.move_to_end(key)
            while len(self.answers) > self.size:
                self.answers.popitem(last=False)


_copies = _ProcessCopies(KEPT_IN_PROCESS)


def _current(stored: StoredAnswer) -> bool:
    return cache_versions.versions(stored.district_id, PUBLIC_TOPICS) == stored.versions


def _stored(key: str) -> StoredAnswer | None:
    """The stored answer for `key` while its district's versions still match it; None otherwise."""
    try:
        copy = _copies.get(key)
        if copy is not None and _current(copy):
            return copy
        stored = cache.get(key)
        if not isinstance(stored, StoredAnswer) or not _current(stored):
            return None
    except Exception:  # the cache is down: the view answers
        log.warning("cache unavailable reading %s", key, exc_info=True)
        return None
    _copies.put(key, stored)
    return stored


def _answer(request: HttpRequest, stored: StoredAnswer) -> HttpResponse:
    etag = next((value for name, value in stored.headers if name.lower() == "etag"), None)
    if etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
        for name, value in stored.headers:
            if name.lower() in NOT_MODIFIED_HEADERS:
                response[name] = value
        return response
    response = HttpResponse(stored.content)
    for name, value in stored.headers:
        response[name] = value
    return response


def _store(key: str, response: HttpResponse) -> None:
    marked = getattr(response, "public_page_versions", None)
    if marked is None or response.status_code != 200 or response.cookies or response.streaming:
        return
    district_id, versions = marked
    stored = StoredAnswer(district_id, versions, list(response.items()), response.content)
    _copies.put(key, stored)
    try:
        cache.set(key, stored, STORED_FOR)
    except Exception:
        log.warning("cache unavailable writing %s", key, exc_info=True)


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = PUBLIC_PATH.match(request.path_info)
        if match is None or request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        key = _key(request, match["slug"])
        stored = _stored(key)
        if stored is not None:
            return _answer(request, stored)
        response = self.get_response(request)
        _store(key, response)
        return response
