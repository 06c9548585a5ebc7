"""Benchmark: pages under load, beside trivial views, at 100 and at 1,800 schools.

Builds two districts in the throwaway database (scripts/bench.py's builders: 100 schools
with 556 members, and 1,800 schools with 10,000), each with an active plan whose 20
commitments are asked of every school (scripts/bench_plans.py) and a monthly metric
with three months of values for every school; runs VACUUM ANALYZE; then starts gunicorn
(2 sync workers, scripts/bench_settings.py, on PostgreSQL as the application role, so
row-level security is on) on a free port and drives it with 8 concurrent
connections from Python threads.

For every scenario and district, three phases run back to back, each with all 8
connections on one URL: the trivial view, the trivial district view, then the page.
The page's p50 / p95 / p99 and req/s are reported, and as multiples of both trivial
views' figures from the same run. (Not one mixed phase: gunicorn's sync workers would
queue each trivial request behind page requests, and the trivial view's latency would
measure the page.)

The trivial view is a plain `HttpResponse("ok")` (/bench/ok/); the trivial district
view answers "ok" after the session, the district middleware and the row-level-security
setting (/d/<slug>/bench/ok/). Both live in scripts/bench_urls.py, never in production.

Adding a page: append a Scenario to SCENARIOS. `path` is formatted with the district's
{slug}, {plan_id}, {metric_id} and {school_id}; `role` is the role of the member
whose session requests it.

    SCENARIOS.append(Scenario("dashboard", "/d/{slug}/dashboard/", Role.SUPERINTENDENT))

Registered in scripts/bench.py as "load": `make bench BENCH_ARGS="load"`; set
BENCH_SCENARIOS="plan page,metric page" to measure only some pages.
Targets (issue 7): every page's p95 ≤ 10× the trivial view's, and its p50 at 1,800 schools
≤ 1.5× its p50 at 100 schools.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent
CONNECTIONS = 8
WORKERS = 2
SMALL_DISTRICT = ("load-small", "Small Bench School District", 100, 556)


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str  # formatted with slug, plan_id, metric_id, school_id
    role: str = "district_admin"
    headers: tuple[tuple[str, str], ...] = ()  # extra request headers, e.g. (("HX-Request", "true"),)


SCENARIOS: list[Scenario] = [
    Scenario("district home", "/d/{slug}/"),
    Scenario("school list", "/d/{slug}/schools/"),
    Scenario("people list", "/d/{slug}/people/"),
    Scenario("plan page", "/d/{slug}/plans/{plan_id}/"),
    Scenario("initiative load", "/d/{slug}/load/"),
    Scenario("metric page", "/d/{slug}/metrics/{metric_id}/"),
]

TRIVIAL = "trivial"
TRIVIAL_DISTRICT = "trivial district"


# --- Data ----------------------------------------------------------------------------


def build_metric(district: Any, admin: Any, plan: Any) -> Any:
    """A monthly weighted-mean metric on the plan's first priority, three months of values for every school."""
    import bench_metrics

    from districts.imports import import_confirm, import_preview
    from districts.models import School
    from districts.tenancy import district_context
    from metrics.choices import Aggregation, Frequency
    from metrics.importers import MetricValueImporter
    from metrics.models import Metric
    from priorities.models import Priority

    with district_context(district):
        metric = Metric.objects.create(
            district=district,
            priority=Priority.objects.filter(plan=plan).order_by("pk").first(),
            name="Attendance rate",
            definition="Days attended over days enrolled.",
            baseline_value=80,
            baseline_date=date(2020, 6, 30),
            target_value=95,
            target_date=date(date.today().year + 4, 6, 30),
            frequency=Frequency.MONTHLY,
            aggregation=Aggregation.WEIGHTED_MEAN,
        )
        codes = list(School.objects.filter(district=district).order_by("code").values_list("code", flat=True))
        data = bench_metrics.csv_text(codes=codes, rows=3 * len(codes), offset="5").encode()
        importer = MetricValueImporter(district=district, metric=metric)
        batch, plan_ = import_preview(district=district, actor=admin, importer=importer, filename="v.csv", data=data)
        if plan_.problems:
            raise RuntimeError(f"The benchmark file has problems: {plan_.problems[:3]}")
        import_confirm(
            district=district, actor=admin, importer=MetricValueImporter(district=district, metric=metric), batch=batch
        )
    return metric


def build(bench: Any, district_and_admin: tuple[Any, Any]) -> dict[str, Any]:
    import bench_plans

    district, admin = district_and_admin
    schools = bench_plans.district_school_count(district)
    plan, _ = bench.timed(
        f"{schools:,} schools: build plan (services)", lambda: bench_plans.build_plan(district, admin)
    )
    metric = bench.timed(f"{schools:,} schools: build metric", lambda: build_metric(district, admin, plan))
    return {
        "district": district,
        "schools": schools,
        "slug": district.slug,
        "plan_id": plan.pk,
        "metric_id": metric.pk,
        "school_id": bench_plans.first_school_id(district),
    }


def session_cookie(district: Any, role: str) -> str:
    """A logged-in session (in the database, where gunicorn reads it) for the district's first member with `role`."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from districts.models import Membership
    from districts.tenancy import district_context

    with district_context(district):
        user = (
            Membership.objects.select_related("user").filter(district=district, role=role, is_active=True).first().user
        )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


# --- The server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench_settings", ALLOWED_HOSTS="127.0.0.1")
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        host = db.get("HOST") or "127.0.0.1"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        app_role = settings.DATABASE_APP_ROLE  # a login role; connect as it, as production does
        env["DATABASE_URL"] = f"postgres://{app_role}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "--pythonpath",
            f"{SCRIPTS.parent},{SCRIPTS}",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=SCRIPTS.parent,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/bench/ok/", "")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


# --- The client ----------------------------------------------------------------------


def get(port: int, path: str, cookie: str, headers: dict[str, str] | None = None) -> tuple[int, float, int]:
    """GET path on a new connection (gunicorn's sync workers close each one); (status, ms, bytes)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, (time.perf_counter() - started) * 1000, len(body)


def drive(port: int, requests: list[tuple], connections: int = CONNECTIONS) -> tuple[dict, float]:
    """Send (kind, path, cookie[, headers]) requests over `connections` threads; ({kind: [ms]}, wall seconds).

    A 304 counts as answered (a conditional request's answer); anything else but 200 fails the run.
    """
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    queue = iter(requests)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            kind, path, cookie, *headers = item
            status, ms, _ = get(port, path, cookie, *headers)
            with lock:
                if status not in (200, 304):
                    errors.append(f"{path} answered {status}")
                timings.setdefault(kind, []).append(ms)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return timings, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- The benchmark -------------------------------------------------------------------


def measure(port: int, request: tuple, count: int) -> dict[str, float]:
    """`count` GETs of one kind over CONNECTIONS threads: p50 / p95 / p99 in ms and req/s."""
    timings, seconds = drive(port, [request] * count)
    values = timings[request[0]]
    return {
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "req/s": len(values) / seconds,
    }


def selected_scenarios() -> list[Scenario]:
    """BENCH_SCENARIOS="plan page,metric page" measures only those (default: all)."""
    wanted = {name.strip() for name in os.environ.get("BENCH_SCENARIOS", "").split(",") if name.strip()}
    unknown = wanted - {s.name for s in SCENARIOS}
    if unknown:
        raise SystemExit(f"BENCH_SCENARIOS names no scenario: {sorted(unknown)}")
    return [s for s in SCENARIOS if not wanted or s.name in wanted]


def run(bench: Any, big_district: tuple[Any, Any], build_district: Any, analyze: Any) -> None:
    from districts.roles import Role

    scenarios = selected_scenarios()

    small = build_district(
        slug=SMALL_DISTRICT[0], name=SMALL_DISTRICT[1], schools=SMALL_DISTRICT[2], memberships=SMALL_DISTRICT[3]
    )
    districts = [build(bench, small), build(bench, big_district)]
    analyze(vacuum=True)
    rounds = max(bench.runs * 3, 16)
    port = free_port()
    server = start_gunicorn(port)
    summary: dict[tuple[str, int], dict[str, float]] = {}
    try:
        for context in districts:
            context["cookies"] = {
                role: session_cookie(context["district"], role) for role in {s.role for s in scenarios}
            }
            cookie = context["cookies"].get(Role.DISTRICT_ADMIN) or next(iter(context["cookies"].values()))
            context["trivial"] = (TRIVIAL, "/bench/ok/", cookie)
            context["trivial_district"] = (TRIVIAL_DISTRICT, f"/d/{context['slug']}/bench/ok/", cookie)
            drive(port, [context["trivial"], context["trivial_district"]] * 20)  # warm both workers
        # Scenario by scenario, each district in turn: a busy machine slows both sizes alike.
        for scenario in scenarios:
            for context in districts:
                path = scenario.path.format(**context)
                page = (scenario.name, path, context["cookies"][scenario.role], dict(scenario.headers))
                status, _, size = get(port, path, page[2], page[3])
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}, not 200")
                drive(port, [page] * WORKERS * 2)  # warm
                # Back to back, each under the same 8-connection load.
                floors = {
                    TRIVIAL: measure(port, context["trivial"], rounds * 10),
                    TRIVIAL_DISTRICT: measure(port, context["trivial_district"], rounds * 4),
                }
                figures = measure(port, page, rounds)
                label = f"{context['schools']:,} schools: {scenario.name}"
                for name in ("p50", "p95", "p99"):
                    bench.report(f"{label} {name}", figures[name], "ms")
                    for kind, floor in floors.items():
                        bench.report(f"{label} {name} / {kind}", figures[name] / floor[name], "x")
                bench.report(f"{label} req/s", figures["req/s"], "req/s")
                for kind, floor in floors.items():
                    bench.report(f"{label} {kind} req/s / page req/s", floor["req/s"] / figures["req/s"], "x")
                bench.report(f"{label} page size", size / 1024, "KiB")
                summary[(scenario.name, context["schools"])] = figures
    finally:
        stop_gunicorn(server)
    small_n, big_n = districts[0]["schools"], districts[1]["schools"]
    for scenario in scenarios:
        big, little = summary[(scenario.name, big_n)], summary[(scenario.name, small_n)]
        bench.report(f"{scenario.name}: p50 at {big_n:,} / at {small_n:,} schools", big["p50"] / little["p50"], "x")
