"""Benchmark: the dashboards, homes, board and public pages of the largest district, under load (issue 10).

Builds, with bulk writes (tests/dashboards/builders.py, the data the dashboards' tests use), a
1,800-school district with 5 priorities, 40 commitments (39 asked of every school, one of its 12
departments) and 36 closed monthly cycles of check-ins with their stored roll-ups and a metric per
priority, plus an open cycle, beside 500 small districts (8 schools, 6 cycles each); prints the build
times; turns the big district's public page on; runs VACUUM ANALYZE and a CHECKPOINT.

Then, in this process, each page's query count at 1,800 schools and at 8 (the same number is the
target) and the three slowest queries of a warm request at 1,800 (what to look at first when a page
misses its target); and through the load harness (scripts/bench_load.py: gunicorn, 2 sync workers, on
PostgreSQL as the application role, 8 connections), for each page right after the trivial views of
the same server: p50, p95, req/s and p95 as a multiple of the trivial view's p95.

Pages: the dashboard (`/d/<slug>/` as the superintendent), the heat-map partial (`?region=North` with
HX-Request / HX-Target: heatmap), the principal home (`/d/<slug>/` as a principal), the board page
(`/d/<slug>/board/` as a board member), the public page (`/p/<slug>/`, anonymous) and, when it answers
with an ETag, the same with If-None-Match. A page that does not answer 200 (not built yet: 404) is
reported with its status, not measured. Targets: dashboard and heat map p95 ≤ 5x the trivial view's,
public page ≤ 1.5x.

The cache: with BENCH_REDIS_URL (scripts/bench.py keeps REDIS_URL there) the server and the builds
use that Redis, as production does; without it, the file cache in the run's folder (shared by both).
Every built district's cache versions are bumped before measuring, so nothing cached by an earlier
run on the same Redis is read.

Registered in scripts/bench.py as "dashboards": `make bench BENCH_ARGS=dashboards`. For a quick look:
BENCH_DASHBOARDS_SCHOOLS (1800), BENCH_DASHBOARDS_CYCLES (36), BENCH_DASHBOARDS_SMALL (500 small
districts), BENCH_DASHBOARDS_PAGES="dashboard,public page" (only those); BENCH_PROFILE=<file> writes a
cProfile of 20 in-process requests of each page to <file>.<page>.
"""

from __future__ import annotations

import http.client
import os
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

SCHOOLS = int(os.environ.get("BENCH_DASHBOARDS_SCHOOLS", "1800"))
CYCLES = int(os.environ.get("BENCH_DASHBOARDS_CYCLES", "36"))
SMALL_DISTRICTS = int(os.environ.get("BENCH_DASHBOARDS_SMALL", "500"))
BIG = {"priorities": 5, "commitments": 40, "departments": 12}
SMALL = {"schools": 8, "priorities": 3, "commitments": 6, "cycles": 6, "departments": 1}
HTMX_HEATMAP = (("HX-Request", "true"), ("HX-Target", "heatmap"))


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # formatted with the district's slug
    role: str | None  # the member whose session asks; None: anonymous
    headers: tuple[tuple[str, str], ...] = ()
    target: float | None = None  # p95 as a multiple of the trivial view's p95, at most


def pages() -> list[Page]:
    from districts.roles import Role

    every = [
        Page("dashboard", "/d/{slug}/", Role.SUPERINTENDENT, target=5),
        Page("heat map partial", "/d/{slug}/?region=North", Role.SUPERINTENDENT, HTMX_HEATMAP, target=5),
        Page("principal home", "/d/{slug}/", Role.PRINCIPAL),
        Page("board page", "/d/{slug}/board/", Role.BOARD_MEMBER),
        Page("public page", "/p/{slug}/", None, target=1.5),
    ]
    wanted = {n.strip() for n in os.environ.get("BENCH_DASHBOARDS_PAGES", "").split(",") if n.strip()}
    return [page for page in every if not wanted or page.name in wanted]


# --- Data ----------------------------------------------------------------------------------------


def new_district(slug: str, name: str) -> Any:
    from districts.models import District

    return District.objects.create(
        name=name, slug=slug, time_zone="America/Chicago", languages=["en"], public_page_enabled=True
    )


def build_big() -> Any:
    from tests.dashboards.builders import build_district_data

    district = new_district("dash-bench", "Dashboards Bench Unified School District")
    return build_district_data(district, schools=SCHOOLS, cycles=CYCLES, **BIG)


def build_small(count: int) -> list[Any]:
    from tests.dashboards.builders import build_district_data

    # Only the first (the one whose query counts are compared) has an open cycle, as the big one has.
    return [
        build_district_data(
            new_district(f"dash-small-{n:04d}", f"Small District {n:04d}"), seed=n, open_cycle=n == 0, **SMALL
        )
        for n in range(count)
    ]


def sizes(district: Any) -> dict[str, int]:
    from checkins.models import Checkin, CheckinEntry, CheckinRollup
    from districts.tenancy import district_context
    from metrics.models import MetricValue

    with district_context(district):
        return {
            "check-ins": Checkin.objects.filter(district=district).count(),
            "check-in entries": CheckinEntry.objects.filter(district=district).count(),
            "check-in roll-up rows": CheckinRollup.objects.filter(district=district).count(),
            "metric values": MetricValue.objects.filter(district=district).count(),
        }


def fresh_cache_versions(districts: list[Any]) -> None:
    """New versions for every topic of every district: a Redis kept from an earlier run (the same ids in a
    new database) must not serve that run's entries."""
    from core import cache_versions

    topics = (cache_versions.CHECKIN_ROLLUPS, cache_versions.METRIC_ROLLUPS, cache_versions.PUBLISHED)
    for district in districts:
        cache_versions.bump(district.pk, *topics)


# --- In process: query counts and the slowest queries ------------------------------------------------


def client_for(built: Any, role: str | None) -> Any:
    from django.test import Client

    from districts.roles import Role

    client = Client()
    member = {
        Role.SUPERINTENDENT: built.superintendent,
        Role.PRINCIPAL: built.principal,
        Role.BOARD_MEMBER: built.board,
    }.get(role)
    if member is not None:
        client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def in_process(bench: Any, page: Page, big: Any, small: Any) -> None:
    """The page's queries, cold and warm, at both sizes; the slowest queries of a warm big request."""
    from django.db import connection

    counts = {}
    for label, built in (("big", big), ("small", small)):
        client = client_for(built, page.role)
        path = page.path.format(slug=built.district.slug)
        headers = dict(page.headers)
        cold, warm = QueryLog(), QueryLog()
        try:
            with connection.execute_wrapper(cold):
                response = client.get(path, headers=headers)
        except Exception as error:  # a page being built may be broken: say so, measure the others
            print(f"    {page.name}: {path} raised {error!r}")
            bench.report(f"{page.name}: in-process request at {label} district raised", 1, "error")
            return
        if response.status_code != 200:
            bench.report(f"{page.name}: in-process answer at {label} district", response.status_code, "HTTP")
            return
        with connection.execute_wrapper(warm):
            started = time.perf_counter()
            client.get(path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
        counts[label] = (len(cold.queries), len(warm.queries))
        if label == "big":
            in_queries = sum(ms for ms, _sql, _origin in warm.queries)
            print(f"    warm request in process: {elapsed:.0f} ms, {in_queries:.0f} ms of it in queries")
            for ms, sql, origin in sorted(warm.queries, reverse=True)[:3]:
                print(f"    slowest warm query {ms:.1f} ms, from {origin}: {sql_gist(sql)}")
            profile(page, client, path, headers)
    small_schools = SMALL["schools"]
    bench.report(f"{page.name}: queries at {SCHOOLS:,} schools, first request", counts["big"][0], "queries")
    bench.report(f"{page.name}: queries at {SCHOOLS:,} schools, next request", counts["big"][1], "queries")
    bench.report(f"{page.name}: queries at {small_schools} schools, next request", counts["small"][1], "queries")
    bench.report(
        f"{page.name}: queries at {SCHOOLS:,} minus at {small_schools} schools, first request (must be 0)",
        counts["big"][0] - counts["small"][0],
        "queries",
    )


class QueryLog:
    """An execute wrapper: each query's milliseconds, SQL, and the project code that ran it."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql, query_origin()))


def query_origin() -> str:
    """The innermost frame of the app's own code (not Django's, not this script's) on the stack."""
    import traceback
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    for frame in reversed(traceback.extract_stack()):
        name = frame.filename
        if name.startswith(root) and "/.venv/" not in name and "/scripts/" not in name:
            return f"{name[len(root) + 1 :]}:{frame.lineno} {frame.name}"
    return "?"


def sql_gist(sql: str) -> str:
    """FROM … onwards (the selected columns say little), shortened."""
    start = sql.find(" FROM ")
    gist = sql[start + 1 :] if start > 0 else sql
    return gist[:400] + ("…" if len(gist) > 400 else "")


def profile(page: Page, client: Any, path: str, headers: dict[str, str]) -> None:
    target = os.environ.get("BENCH_PROFILE")
    if not target:
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        client.get(path, headers=headers)
    profiler.disable()
    profiler.dump_stats(f"{target}.{page.name.replace(' ', '-')}")


# --- Under load -----------------------------------------------------------------------------------


def first_answer(port: int, path: str, cookie: str, headers: dict[str, str]) -> tuple[int, dict[str, str], int, str]:
    """One GET with its response headers (the harness's `get` keeps only the status and size), and the
    cookie header a browser would send next: `cookie` plus those the answer set (the CSRF cookie)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        body = response.read()
        answer_headers = response.getheaders()
    finally:
        conn.close()
    jar = SimpleCookie()
    for name, value in answer_headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    kept = "; ".join([cookie] * bool(cookie) + [f"{name}={morsel.value}" for name, morsel in jar.items()])
    return response.status, {k.lower(): v for k, v in answer_headers}, len(body), kept


def under_load(bench: Any, page_list: list[Page], big: Any) -> None:
    import bench_load

    district = big.district
    rounds = max(bench.runs * 10, 100)  # a p95 of fewer samples moves by half between runs
    redis_url = os.environ.get("BENCH_REDIS_URL")
    if redis_url:
        os.environ["REDIS_URL"] = redis_url  # the server's cache and sessions, as in production
    port = bench_load.free_port()
    try:
        server = bench_load.start_gunicorn(port)
    finally:
        os.environ.pop("REDIS_URL", None)
    try:
        roles = {page.role for page in page_list if page.role}
        cookies = {role: bench_load.session_cookie(district, role) for role in roles} | {None: ""}
        trivial = (bench_load.TRIVIAL, "/bench/ok/", "")
        trivial_district = (
            bench_load.TRIVIAL_DISTRICT,
            f"/d/{district.slug}/bench/ok/",
            next(iter(cookies.values())),
        )
        bench_load.drive(port, [trivial, trivial_district] * 20)  # warm both workers
        runs = []
        for page in page_list:
            path = page.path.format(slug=district.slug)
            headers = dict(page.headers)
            # As a browser does, the page's requests carry the cookies its first answer set.
            status, answer_headers, size, cookie = first_answer(port, path, cookies[page.role], headers)
            if status != 200:
                bench.report(f"{page.name}: {path} answered {status} (not measured)", status, "HTTP")
                continue
            runs.append((page.name, path, cookie, headers, page.target, size))
            if page.name == "public page":
                etag = answer_headers.get("etag")
                bench.report(f"{page.name}: answers with an ETag", int(bool(etag)), "yes=1")
                control, vary = answer_headers.get("cache-control", "-"), answer_headers.get("vary", "-")
                print(f"    Cache-Control: {control}; Vary: {vary}")
                if etag:
                    conditional = {**headers, "If-None-Match": etag}
                    status, _, size, _ = first_answer(port, path, "", conditional)
                    bench.report(f"{page.name}, If-None-Match: status", status, "HTTP")
                    runs.append((f"{page.name}, If-None-Match", path, "", conditional, page.target, size))
        for name, path, cookie, headers, target, size in runs:
            request = (name, path, cookie, headers)
            bench_load.drive(port, [request] * bench_load.WORKERS * 2)  # warm
            floors = {
                bench_load.TRIVIAL: bench_load.measure(port, trivial, rounds * 5),
                bench_load.TRIVIAL_DISTRICT: bench_load.measure(port, trivial_district, rounds * 2),
            }
            figures = bench_load.measure(port, request, rounds)
            label = f"{SCHOOLS:,} schools: {name}"
            bench.report(f"{label} p50", figures["p50"], "ms")
            bench.report(f"{label} p95", figures["p95"], "ms")
            bench.report(f"{label} req/s", figures["req/s"], "req/s")
            goal = f" (target ≤ {target:g}x)" if target else ""
            ratio = figures["p95"] / floors[bench_load.TRIVIAL]["p95"]
            bench.report(f"{label} p95 / trivial view p95{goal}", ratio, "x")
            if target:
                bench.report(f"{label} meets its target", int(ratio <= target), "yes=1")
            bench.report(
                f"{label} p95 / trivial district view p95",
                figures["p95"] / floors[bench_load.TRIVIAL_DISTRICT]["p95"],
                "x",
            )
            bench.report(f"{label} trivial view p95 (same run)", floors[bench_load.TRIVIAL]["p95"], "ms")
            bench.report(f"{label} page size", size / 1024, "KiB")
    finally:
        bench_load.stop_gunicorn(server)


# --- The benchmark -----------------------------------------------------------------------------------


def run(bench: Any, analyze: Any) -> None:
    from django.test import override_settings

    redis_url = os.environ.get("BENCH_REDIS_URL")
    caches = (
        {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
        if redis_url
        else None
    )
    settings = override_settings(CACHES=caches) if caches else override_settings()
    print(f"  cache: {'Redis ' + redis_url if redis_url else 'the file cache in the run folder'}")
    with settings:
        big = bench.timed(
            f"build {SCHOOLS:,} schools, {BIG['commitments']} commitments, {CYCLES} closed cycles + 1 open (bulk)",
            build_big,
        )
        for measure, value in sizes(big.district).items():
            bench.report(f"{SCHOOLS:,} schools: {measure}", value, "rows")
        started = time.perf_counter()
        small = build_small(SMALL_DISTRICTS)
        bench.report(
            f"build {SMALL_DISTRICTS} small districts ({SMALL['schools']} schools, {SMALL['cycles']} cycles each)",
            time.perf_counter() - started,
            "s",
        )
        if not small:
            small = build_small(1)
        fresh_cache_versions([big.district] + [b.district for b in small])
        analyze(vacuum=True)
        page_list = pages()
        for page in page_list:
            in_process(bench, page, big, small[0])
        under_load(bench, page_list, big)
