"""Benchmark: CSV import of 50,000 metric values for a 1,800-school district.

Times the two steps people wait for: preview (read the file, check every
row against the database, keep the upload) and confirm (plan again, write
with history, recompute the roll-ups). Runs twice: a file of new values,
then the same keys with changed values (updates). The writes happen inside a
transaction that is rolled back, so the district is left as it was.

Registered in scripts/bench.py as "metrics" (`make bench`, or
`scripts/bench.py metrics`: a throwaway database, on PostgreSQL as the
application role with row-level security). Also runs on its own against
DATABASE_URL, in a district it makes for the run:

    .venv/bin/python scripts/bench_metrics.py [--rows 50000] [--schools 1800]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ROWS = 50_000
Report = Callable[[str, float, str], None]


class RollbackError(Exception):
    """Raised to undo the benchmark's writes."""


def month(index: int) -> date:
    """The index-th month back from three months before the current month (all in the past)."""
    today = date.today()
    total = today.year * 12 + today.month - 1 - 3 - index
    return date(total // 12, total % 12 + 1, 1)


def csv_text(*, codes: list[str], rows: int, offset: str) -> str:
    """school,period,value rows: every school for a month, then the month before, until `rows`."""
    lines = ["school,period,value"]
    for m in range(-(-rows // len(codes))):
        period = month(m)
        for index, code in enumerate(codes):
            if len(lines) > rows:
                break
            lines.append(f"{code},{period.year}-{period.month:02d},{80 + (index * 7 + m) % 17}.{offset}")
    return "\n".join(lines) + "\n"


def import_benchmark(
    district: Any, admin: Any, *, rows: int, report: Report, pages: Callable[[dict[str, str]], None] | None = None
) -> None:
    """Time preview and confirm of a fresh file, then of an all-updates file, in `district` as `admin`.

    `pages`, when given, times pages (scripts/bench.py's Bench.pages) while the values are there.
    """
    from django.db import transaction
    from django.urls import reverse

    from districts.imports import import_confirm, import_preview
    from districts.models import School
    from districts.tenancy import district_context
    from metrics.choices import Aggregation, Frequency
    from metrics.importers import MetricValueImporter
    from metrics.models import Metric, MetricRollup, MetricValue
    from plans.models import PlanState, StrategicPlan
    from priorities.models import Priority

    try:
        with transaction.atomic(), district_context(district):
            plan = StrategicPlan.objects.create(
                district=district, title="Metrics bench plan", start_year=2025, end_year=2030, state=PlanState.DRAFT
            )
            priority = Priority.objects.create(
                district=district, plan=plan, code="PB", title="Attendance (bench)", success_looks_like="Everyone."
            )
            metric = Metric.objects.create(
                district=district,
                priority=priority,
                name="Attendance rate (bench)",
                definition="Days attended over days enrolled.",
                baseline_value=80,
                baseline_date=date(2020, 6, 30),
                target_value=95,
                target_date=date(2030, 6, 30),
                frequency=Frequency.MONTHLY,
                aggregation=Aggregation.WEIGHTED_MEAN,
            )
            codes = list(School.objects.filter(district=district).order_by("code").values_list("code", flat=True))
            for label, offset in (("new values", "5"), ("changed values", "25")):
                data = csv_text(codes=codes, rows=rows, offset=offset).encode()
                importer = MetricValueImporter(district=district, metric=metric)
                started = time.perf_counter()
                batch, plan_ = import_preview(
                    district=district, actor=admin, importer=importer, filename="values.csv", data=data
                )
                report(f"{rows:,} {label}: preview", time.perf_counter() - started, "s")
                if plan_.problems:
                    raise RuntimeError(f"The benchmark file has problems: {plan_.problems[:3]}")
                importer = MetricValueImporter(district=district, metric=metric)
                started = time.perf_counter()
                done = import_confirm(district=district, actor=admin, importer=importer, batch=batch)
                report(f"{rows:,} {label}: confirm", time.perf_counter() - started, "s")
                report(f"{rows:,} {label}: created + updated", done.created_count + done.updated_count, "values")
            report("history rows written", MetricValue.history.filter(metric_id=metric.pk).count(), "rows")
            report("roll-ups kept", MetricRollup.objects.filter(metric=metric).count(), "periods")
            if pages is not None:
                slug = {"district_slug": district.slug}
                detail = reverse("metrics:metric_detail", kwargs={**slug, "metric_id": metric.pk})
                pages(
                    {
                        f"metric page, {len(codes):,} schools": detail,
                        "metric page, one region": f"{detail}?region={School.objects.exclude(region='').first().region}"
                        if School.objects.exclude(region="").exists()
                        else detail,
                        "metrics list": reverse("metrics:metric_list", kwargs=slug),
                    }
                )
            raise RollbackError
    except RollbackError:
        pass


def run(bench: Any, district_and_admin: tuple[Any, Any]) -> None:
    """The "metrics" benchmark of scripts/bench.py, on its shared 1,800-school district."""
    district, admin = district_and_admin
    import_benchmark(district, admin, rows=ROWS, report=bench.report, pages=lambda urls: bench.pages(admin, urls))


def _standalone_district(schools: int) -> tuple[Any, Any]:
    from districts.models import District, Membership, School, SchoolLevel, User
    from districts.roles import Role
    from districts.tenancy import district_context

    district = District.objects.create(name="Metrics bench district", slug=f"metrics-bench-{os.getpid()}")
    with district_context(district):
        user = User.objects.create_user(email=f"metrics-bench-{os.getpid()}@example.org", password=None)
        admin = Membership.objects.create(district=district, user=user, role=Role.DISTRICT_ADMIN)
        School.objects.bulk_create(
            [
                School(
                    district=district,
                    name=f"School {n:04d}",
                    code=f"S{n:04d}",
                    level=SchoolLevel.ELEMENTARY,
                    enrollment=300 + n % 900,
                )
                for n in range(schools)
            ],
            batch_size=1000,
        )
    return district, admin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--schools", type=int, default=1_800)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.db import connection, transaction

    django.setup()
    print(f"Metric value import, {args.schools:,} schools ({connection.vendor}):")
    try:
        with transaction.atomic():
            district, admin = _standalone_district(args.schools)
            import_benchmark(
                district, admin, rows=args.rows, report=lambda m, v, u: print(f"  {m}: {v:,.2f} {u}", flush=True)
            )
            raise RollbackError
    except RollbackError:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
