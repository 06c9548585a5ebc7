"""The bench-only URLs: the app's own, plus two trivial pages the load harness measures beside them.

Never imported by production settings (scripts/bench_settings.py names it).

- /bench/ok/: a plain `HttpResponse("ok")`, the floor of the stack (no session, no district).
- /d/<slug>/bench/ok/: the same answer through the district middleware: session and user loaded,
  district and membership resolved, the transaction with the row-level-security setting opened, and
  the decorator every district page has (districts.web.district_view).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from districts.web import district_view


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@district_view(action=None)  # as every district page is
def district_ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("bench/ok/", ok, name="bench_ok"),
    path("d/<slug:district_slug>/bench/ok/", district_ok, name="bench_district_ok"),
    *app_urlpatterns,
]
