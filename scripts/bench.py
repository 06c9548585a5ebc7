#!/usr/bin/env python
"""Benchmarks for Throughline: `make bench`, or `scripts/bench.py [NAME ...] [--runs N] [--list]`.

Every run builds its own throwaway database and deletes it afterwards:
SQLite in a temporary folder by default, or a new database on the PostgreSQL
server named by BENCH_DATABASE_URL (created, migrated, dropped). On PostgreSQL
the pages are measured as the application role (DATABASE_APP_ROLE), so
row-level security is on, as in production.

The figures are for comparing a change against its parent on the same machine
(speed and memory targets are checked here, never by timed assertions in
tests). Nothing here fails a build.

Adding a benchmark: write a function taking a `Bench` and register it.

    @benchmark("plans", "The plan page of a 1,800-school district")
    def plans(bench: Bench) -> None:
        district, admin = big_district()          # built once per run, shared
        bench.pages(admin, {"plan page": f"/d/{district.slug}/plan/"})
        bench.report("something else", 12.5, "ms")
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

BIG_DISTRICT_SCHOOLS = 1_800
BIG_DISTRICT_MEMBERSHIPS = 10_000
DEFAULT_RUNS = 10


# --- The registry -------------------------------------------------------------------


@dataclass
class Figure:
    benchmark: str
    measure: str
    value: float
    unit: str


@dataclass
class Bench:
    """What a benchmark gets: `report` a figure, or time `pages` through the test client."""

    name: str
    runs: int
    figures: list[Figure] = field(default_factory=list)

    def report(self, measure: str, value: float, unit: str) -> None:
        figure = Figure(self.name, measure, value, unit)
        self.figures.append(figure)
        print(f"  {measure}: {_format(value)} {unit}", flush=True)

    def timed(self, measure: str, function: Callable[[], Any]) -> Any:
        """Run function once and report its wall time in seconds."""
        started = time.perf_counter()
        result = function()
        self.report(measure, time.perf_counter() - started, "s")
        return result

    def pages(self, membership: Any, urls: dict[str, str]) -> None:
        """For each URL: the median response time over `runs` GETs (after one warm-up) and its query count."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        analyze_database()
        client = Client()
        client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
        for label, url in urls.items():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}, not 200")
            timings = []
            for _ in range(self.runs):
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            self.report(f"{label}: median of {self.runs}", statistics.median(timings), "ms")
            self.report(f"{label}: queries", len(queries), "queries")
            self.report(f"{label}: page size", len(response.content) / 1024, "KiB")


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: Callable[[Bench], None]


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, description: str) -> Callable[[Callable[[Bench], None]], Callable[[Bench], None]]:
    """Register a benchmark under `name` (what `scripts/bench.py NAME` selects)."""

    def register(function: Callable[[Bench], None]) -> Callable[[Bench], None]:
        if name in BENCHMARKS:
            raise ValueError(f"two benchmarks are named {name!r}")
        BENCHMARKS[name] = Benchmark(name, description, function)
        return function

    return register


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _format(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


# --- Shared data ----------------------------------------------------------------------


@cache
def big_district() -> tuple[Any, Any]:
    """A district the size of the largest US ones: 1,800 schools, 10,000 memberships.

    Built once per run with bulk inserts; returns (district, its admin membership).
    """
    return build_district(
        slug="metro-bench",
        name="Metro Bench Unified School District",
        schools=BIG_DISTRICT_SCHOOLS,
        memberships=BIG_DISTRICT_MEMBERSHIPS,
    )


def build_district(*, slug: str, name: str, schools: int, memberships: int) -> tuple[Any, Any]:
    """A district of `schools` schools and `memberships` members, with bulk inserts; returns (district, admin).

    Every school has a principal; the rest are staff, one in twenty in a department.
    """
    from django.contrib.auth.hashers import make_password

    from districts.models import (
        Department,
        District,
        Membership,
        RoleLabel,
        School,
        SchoolLevel,
        User,
        person_sort_name,
    )
    from districts.roles import Role
    from districts.tenancy import district_context

    levels = [SchoolLevel.ELEMENTARY] * 6 + [SchoolLevel.MIDDLE] * 2 + [SchoolLevel.HIGH, SchoolLevel.K8]
    regions = [f"Region {n}" for n in range(1, 13)]
    school_count, membership_count = schools, memberships
    district = District.objects.create(name=name, slug=slug, time_zone="America/Chicago", languages=["en"])
    with district_context(district):
        schools = School.objects.bulk_create(
            [
                School(
                    district=district,
                    name=f"School {n:04d}",
                    code=f"MB-{n:04d}",
                    level=levels[n % len(levels)],
                    enrollment=300 + (n * 37) % 1500,
                    region=regions[n % len(regions)],
                )
                for n in range(school_count)
            ],
            batch_size=500,
        )
        departments = Department.objects.bulk_create(
            [Department(district=district, name=f"Department {n}") for n in range(12)]
        )
        teachers = RoleLabel.objects.create(district=district, name="Teachers", slug="teachers")
        principals = RoleLabel.objects.create(
            district=district, name="Principals", slug="principals", system_role=Role.PRINCIPAL
        )

        password = make_password(secrets.token_urlsafe(16))  # one hash for all: nobody logs in with it
        users = User.objects.bulk_create(
            [
                User(email=f"member{n:05d}@{slug}.example", full_name=f"Member {n:05d}", password=password)
                for n in range(membership_count)
            ],
            batch_size=1000,
        )
        people = iter(users)
        memberships = [Membership(district=district, user=next(people), role=Role.DISTRICT_ADMIN)]
        memberships.append(Membership(district=district, user=next(people), role=Role.SUPERINTENDENT))
        memberships += [Membership(district=district, user=next(people), role=Role.BOARD_MEMBER) for _ in range(7)]
        memberships += [
            Membership(district=district, user=next(people), role=Role.CABINET, department=department)
            for department in departments
        ]
        memberships += [
            Membership(district=district, user=next(people), role=Role.PRINCIPAL, school=school, role_label=principals)
            for school in schools
        ]
        for n, user in enumerate(people):
            place = {"department": departments[n % 12]} if n % 20 == 0 else {"school": schools[n % len(schools)]}
            memberships.append(Membership(district=district, user=user, role=Role.STAFF, role_label=teachers, **place))
        for membership in memberships:  # bulk_create skips save(), which fills it
            membership.sort_name = person_sort_name(membership.user)
        Membership.objects.bulk_create(memberships, batch_size=1000)
        admin = Membership.objects.select_related("user").get(district=district, role=Role.DISTRICT_ADMIN)
    return district, admin


# --- Benchmarks -----------------------------------------------------------------------


@benchmark("big-district", "District home, school list and people list of a 1,800-school, 10,000-member district")
def big_district_pages(bench: Bench) -> None:
    from django.urls import reverse

    district, admin = bench.timed(
        f"build {BIG_DISTRICT_SCHOOLS:,} schools, {BIG_DISTRICT_MEMBERSHIPS:,} memberships", big_district
    )
    slug = {"district_slug": district.slug}
    urls = {
        "district home": reverse("dashboards:home", kwargs=slug),
        "school list": reverse("districts:school_list", kwargs=slug),
        "school list, search (10 hits)": reverse("districts:school_list", kwargs=slug) + "?q=School+004",
        "people list": reverse("districts:people_list", kwargs=slug),
    }
    bench.pages(admin, urls)
    bench.report("peak RSS so far", peak_rss_mib(), "MiB")


@benchmark("healthz", "/healthz with the broker up, and with the broker's port closed (target: under 2 s)")
def healthz(bench: Bench) -> None:
    import socket

    from django.test import Client, override_settings

    client = Client()

    def median_ms() -> float:
        timings = []
        for _ in range(bench.runs):
            started = time.perf_counter()
            client.get("/healthz")
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)

    bench.report(f"broker up: median of {bench.runs}", median_ms(), "ms")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port}/0"):
        bench.report(f"broker down: median of {bench.runs}", median_ms(), "ms")


@benchmark("metrics", "CSV import of 50,000 metric values into the 1,800-school district: preview and confirm")
def metrics_import(bench: Bench) -> None:
    import bench_metrics  # scripts/bench_metrics.py, beside this file

    bench_metrics.run(bench, big_district())


@benchmark("plans", "An active plan with 20 commitments asked of all 1,800 schools: build it, then its pages")
def plans_pages(bench: Bench) -> None:
    import bench_plans  # scripts/bench_plans.py, beside this file

    bench_plans.run(bench, big_district())


@benchmark("load", "Pages under load (gunicorn, 8 connections) beside trivial views, at 100 and 1,800 schools")
def load(bench: Bench) -> None:
    import bench_load  # scripts/bench_load.py, beside this file

    bench_load.run(bench, big_district(), build_district, analyze_database)


@benchmark(
    "checkins",
    "Check-in cycles: open one for 1,800 schools x 20, the tick over 13,000 idle districts, autosave, submit",
)
def checkins(bench: Bench) -> None:
    import bench_checkins  # scripts/bench_checkins.py, beside this file

    bench_checkins.run(bench, build_district, analyze_database)


@benchmark(
    "dashboards",
    "Dashboard, heat map, principal home, board and public pages of a 1,800-school district with 36 cycles, "
    "under load beside trivial views",
)
def dashboards(bench: Bench) -> None:
    import bench_dashboards  # scripts/bench_dashboards.py, beside this file

    bench_dashboards.run(bench, analyze_database)


# --- The throwaway database --------------------------------------------------------------


def _use_throwaway_database(run_dir: Path) -> Callable[[], None]:
    """Point the settings at a new, empty database; return the function that drops it."""
    os.environ.pop("DATABASE_URL", None)
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return lambda: None  # SQLite in run_dir goes with the folder

    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    name = f"throughline_bench_{os.getpid()}_{secrets.token_hex(3)}"
    server = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(**server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop


def analyze_database(*, vacuum: bool = False) -> None:
    """ANALYZE every table (as the owner role: the application role owns none), so the planner knows the sizes.

    Bulk-built data is otherwise planned as if the tables were empty; every benchmark that times pages
    calls this after building its data. `vacuum` (outside a transaction only) also sets the visibility
    map, as autovacuum would have in production, so index-only scans are possible, and then checkpoints
    and syncs: the gigabyte a large build leaves dirty is written out before anything is timed, not
    during the first page's measurement (a production database wrote it out long ago).
    """
    statement = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    from django.conf import settings
    from django.db import connection
    from psycopg import sql

    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(statement)
        return
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(statement)
        if vacuum:
            try:
                cursor.execute("CHECKPOINT")  # superuser or pg_checkpoint; returns once it is written
            except Exception as error:  # a server role without the right: measure anyway, and say so
                print(f"  (no CHECKPOINT before timing: {error})")
            os.sync()
        cursor.execute(
            sql.SQL("SET ROLE {}").format(sql.Identifier(settings.DATABASE_APP_ROLE)).as_string(cursor.connection)
        )


def _measure_as_application_role() -> str:
    """On PostgreSQL, run every later query as the application role: row-level security on."""
    from django.conf import settings
    from django.db import connection
    from django.db.backends.signals import connection_created
    from psycopg import sql

    if connection.vendor != "postgresql":
        return f"SQLite ({connection.settings_dict['NAME']})"

    role = settings.DATABASE_APP_ROLE

    def set_role(sender: object, connection: Any, **kwargs: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)).as_string(cursor.connection))

    connection_created.connect(set_role, weak=False)
    connection.close()
    return f"PostgreSQL ({connection.settings_dict['NAME']}), queries as {role} with row-level security"


# --- Main ------------------------------------------------------------------------------------


def _print_table(figures: list[Figure]) -> None:
    rows = [("benchmark", "measure", "value", "unit")] + [
        (f.benchmark, f.measure, _format(f.value), f.unit) for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    for n, row in enumerate(rows):
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}")
        if n == 0:
            print("  ".join("-" * width for width in widths))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per page (median reported)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    if args.list:
        for item in BENCHMARKS.values():
            print(f"{item.name:<16} {item.description}")
        return 0
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; --list shows them")
    selected = [BENCHMARKS[name] for name in args.names or BENCHMARKS]

    with tempfile.TemporaryDirectory(prefix="throughline-bench-") as run_dir:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            THROUGHLINE_RUN_DIR=run_dir,
            DEBUG="false",  # template debugging and query logging off, as in production
            ALLOWED_HOSTS="testserver",
            LOG_LEVEL="WARNING",
        )
        # Kept aside, not used by the settings: the dashboards benchmark measures with it (cached pages).
        os.environ["BENCH_REDIS_URL"] = os.environ.pop("REDIS_URL", "")
        drop_database = _use_throwaway_database(Path(run_dir))
        try:
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0)
            print(f"Database: {_measure_as_application_role()}")
            figures: list[Figure] = []
            for item in selected:
                print(f"\n{item.name}: {item.description}", flush=True)
                bench = Bench(item.name, args.runs)
                item.run(bench)
                figures += bench.figures
            figures.append(Figure("process", "peak RSS", peak_rss_mib(), "MiB"))
            _print_table(figures)
        finally:
            drop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
