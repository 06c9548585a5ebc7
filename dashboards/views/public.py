"""The district's public progress page /p/<slug>/: no login, only where the district turns it on.

Anyone may read it, so it is built to be cached: the ETag is made from the versions of what it shows
(published highlights, check-in and metric roll-ups, names and titles: core.cache_versions) and the
language; a matching If-None-Match gets a 304 before anything is rendered, and the rendered HTML is
kept per (district, language, versions). The whole answer is then kept by
dashboards.public_cache.PublicPageCacheMiddleware, which serves the next visitors from the cache
before any session, database or view work. The setting is read here from the district row, and
changing it bumps PUBLISHED, so turning the page off answers 404 at once.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from core import cache_versions
from districts.languages import language_name, offered_languages
from districts.middleware import public_district_page

from .. import board
from ..public_cache import PUBLIC_TOPICS, mark_cacheable

log = logging.getLogger(__name__)
MAX_AGE = 300
PAGE_TIMEOUT = 60 * 60


def _headers(response: HttpResponse, *, etag: str, language: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Content-Language"] = language
    # The language comes from Accept-Language or the language cookie (or ?lang=, which is in the URL).
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@public_district_page
def progress(request: HttpRequest, district_slug: str) -> HttpResponse:
    district = request.district
    if district is None or not district.public_page_enabled:
        raise Http404("This district has no public page.")
    offered = offered_languages(district)
    chosen = request.GET.get("lang", "")
    if chosen in offered:
        translation.activate(chosen)
    language = translation.get_language()
    versions = cache_versions.versions(district.pk, PUBLIC_TOPICS)
    digest = hashlib.sha256(f"{versions}.{language}".encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        return _headers(HttpResponseNotModified(), etag=etag, language=language)
    key = f"public-page:{district.pk}:{digest}"
    try:
        html = cache.get(key)
    except Exception:  # the cache is down: render every time, slower but never wrong
        log.warning("cache unavailable reading %s", key, exc_info=True)
        html = None
    if html is None:
        html = render_to_string(
            "dashboards/public.html",
            {
                "district": district,
                "board": board.board_page(district=district),
                "languages": [(code, language_name(code)) for code in offered],
            },
        )
        try:
            cache.set(key, html, PAGE_TIMEOUT)
        except Exception:
            log.warning("cache unavailable writing %s", key, exc_info=True)
    response = _headers(HttpResponse(html), etag=etag, language=language)
    return mark_cacheable(response, district_id=district.pk, versions=versions)
