"""Benchmark: CSV import of 50,000 metric values for a 1,800-school district.

Times the two steps people wait for: preview (read the file, check every
row against the database, keep the upload) and confirm (plan again, write
with history, recompute the roll-ups). Runs twice: a file of new values,
then the same keys with changed values (updates). Everything happens in a
district made for the run, inside one transaction that is rolled back, so
the database is left as it was.

    .venv/bin/python scripts/bench_metrics.py [--rows 50000] [--schools 1800]

Uses DATABASE_URL like the app (SQLite under .run/ without it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class RollbackError(Exception):
    """Raised to undo the benchmark's writes."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def month(index: int) -> date:
    """The index-th month back from three months before the current month (all in the past)."""
    today = date.today()
    total = today.year * 12 + today.month - 1 - 3 - index
    return date(total // 12, total % 12 + 1, 1)


def csv_text(*, codes: list[str], rows: int, offset: str) -> str:
    lines = ["school,period,value"]
    months = -(-rows // len(codes))
    for m in range(months):
        period = month(m)
        code_period = f"{period.year}-{period.month:02d}"
        for index, code in enumerate(codes):
            if len(lines) > rows:
                break
            lines.append(f"{code},{code_period},{80 + (index * 7 + m) % 17}.{offset}")
    return "\n".join(lines) + "\n"


def bench_metric_import(*, rows: int = 50_000, schools: int = 1_800) -> dict[str, float]:
    """Return seconds for preview and confirm of a fresh file, and of an all-updates file."""
    from django.db import connection, transaction

    from districts.imports import import_confirm, import_preview
    from districts.models import District, Membership, School, SchoolLevel, User
    from districts.roles import Role
    from districts.tenancy import district_context
    from metrics.choices import Aggregation, Frequency
    from metrics.importers import MetricValueImporter
    from metrics.models import Metric, MetricRollup, MetricValue
    from plans.models import PlanState, StrategicPlan
    from priorities.models import Priority

    timings: dict[str, float] = {}
    try:
        with transaction.atomic():
            district = District.objects.create(name="Benchmark district", slug=f"bench-metrics-{os.getpid()}")
            with district_context(district):
                user = User.objects.create_user(email=f"bench-{os.getpid()}@example.org", password=None)
                admin = Membership.objects.create(district=district, user=user, role=Role.DISTRICT_ADMIN)
                School.objects.bulk_create(
                    [
                        School(
                            district=district,
                            name=f"School {i:04d}",
                            code=f"S{i:04d}",
                            level=SchoolLevel.ELEMENTARY,
                            enrollment=300 + i % 900,
                        )
                        for i in range(schools)
                    ],
                    batch_size=1000,
                )
                plan = StrategicPlan.objects.create(
                    district=district, title="Bench plan", start_year=2025, end_year=2030, state=PlanState.ACTIVE
                )
                priority = Priority.objects.create(
                    district=district, plan=plan, code="P1", title="Attendance", success_looks_like="Everyone."
                )
                metric = Metric.objects.create(
                    district=district,
                    priority=priority,
                    name="Attendance rate",
                    definition="Days attended over days enrolled.",
                    baseline_value=80,
                    baseline_date=date(2020, 6, 30),
                    target_value=95,
                    target_date=date(2030, 6, 30),
                    frequency=Frequency.MONTHLY,
                    aggregation=Aggregation.WEIGHTED_MEAN,
                )
                codes = [f"S{i:04d}" for i in range(schools)]
                for label, offset in (("create", "5"), ("update", "25")):
                    data = csv_text(codes=codes, rows=rows, offset=offset).encode()
                    importer = MetricValueImporter(district=district, metric=metric)
                    started = time.perf_counter()
                    batch, plan_ = import_preview(
                        district=district, actor=admin, importer=importer, filename=f"{label}.csv", data=data
                    )
                    timings[f"{label}: preview"] = time.perf_counter() - started
                    if plan_.problems:
                        raise RuntimeError(f"Benchmark file has problems: {plan_.problems[:3]}")
                    importer = MetricValueImporter(district=district, metric=metric, batch=batch)
                    started = time.perf_counter()
                    done = import_confirm(district=district, actor=admin, importer=importer, batch=batch)
                    timings[f"{label}: confirm"] = time.perf_counter() - started
                    timings[f"{label}: created"] = done.created_count
                    timings[f"{label}: updated"] = done.updated_count
                timings["values stored"] = MetricValue.objects.filter(district=district).count()
                timings["history rows"] = MetricValue.history.filter(district_id=district.pk).count()
                timings["roll-ups"] = MetricRollup.objects.filter(district=district).count()
            timings["database"] = connection.vendor  # type: ignore[assignment]
            raise RollbackError
    except RollbackError:
        pass
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--schools", type=int, default=1_800)
    args = parser.parse_args(argv)
    _setup_django()
    timings = bench_metric_import(rows=args.rows, schools=args.schools)
    print(f"Metric value import, {args.rows:,} rows, {args.schools:,} schools ({timings.pop('database')}):")
    for name, value in timings.items():
        shown = f"{value:.2f} s" if isinstance(value, float) else f"{value:,}"
        print(f"  {name:<18} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
