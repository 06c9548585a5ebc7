"""Riverbend's metrics for `manage.py seed_demo`: two or three per priority of the active plan,
with three years of monthly or yearly values (some schools miss some periods).

Built on the priorities `priorities.demo` seeds (found by code, P1…P4). Idempotent:
a metric is found by its priority and name, and values are seeded only for a
metric that has none. Values are deterministic (seeded by metric, school and
period) and go through the services, as the district admin importing them, so
roll-ups, statuses and history read like real use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from districts.demo import RIVERBEND_SLUG
from districts.models import District, Membership, School, SchoolLevel
from districts.tenancy import district_context
from plans.models import PlanState
from priorities.models import Priority

from . import services
from .choices import Aggregation, Direction, Frequency, Kind, Level, Source, Unit, ValueSource
from .models import Metric
from .periods import add_months, normalize_period, periods_between
from .rules import value_range

YEARS_OF_VALUES = 3
ELEMENTARY_LEVELS = [SchoolLevel.EARLY, SchoolLevel.ELEMENTARY, SchoolLevel.K8]
SUMMER_MONTHS = (6, 7)  # no school-level monthly values in June and July


@dataclass(frozen=True)
class DemoMetric:
    priority: str  # code
    name: str
    definition: str
    unit: str
    direction: str
    baseline: str
    target: str
    frequency: str
    kind: str
    level: str = Level.SCHOOL
    aggregation: str = Aggregation.MEAN
    school_levels: list[str] = field(default_factory=list)
    source: str = Source.IMPORT
    decimals: int = 1
    school_target: str | None = None
    valid_min: str | None = None
    valid_max: str | None = None
    interims: dict[int, str] = field(default_factory=dict)
    # How the values behave: where they sit against the target line (in the unit) and how much they vary.
    lead: float = 0.0  # positive: better than the line
    spread: float = 3.0  # school-to-school differences
    noise: float = 1.0  # period-to-period wobble
    baseline_date: date = date(2024, 6, 30)
    target_date: date = date(2030, 6, 30)


DEMO_METRICS = [
    DemoMetric(
        "P1",
        "Third graders reading at grade level",
        "Share of third graders scoring at or above grade level on the spring state reading assessment.",
        Unit.PERCENT,
        Direction.HIGHER,
        "54",
        "80",
        Frequency.YEARLY,
        Kind.LAGGING,
        aggregation=Aggregation.WEIGHTED_MEAN,
        school_levels=[SchoolLevel.ELEMENTARY, SchoolLevel.K8],
        interims={2025: "59", 2026: "64", 2027: "69", 2028: "74", 2029: "77"},
        lead=0.8,
        spread=7,
    ),
    DemoMetric(
        "P1",
        "K–2 students on track on the reading screener",
        "Share of kindergarten to grade 2 students at benchmark on the monthly reading screener.",
        Unit.PERCENT,
        Direction.HIGHER,
        "48",
        "75",
        Frequency.MONTHLY,
        Kind.LEADING,
        school_levels=ELEMENTARY_LEVELS,
        source=Source.CHECKINS,
        lead=-1.6,
        spread=6,
        noise=1.5,
    ),
    DemoMetric(
        "P2",
        "Chronic absenteeism rate",
        "Share of enrolled students who missed 10% or more of the school days so far this year, for any reason.",
        Unit.PERCENT,
        Direction.LOWER,
        "23",
        "10",
        Frequency.MONTHLY,
        Kind.LAGGING,
        aggregation=Aggregation.WEIGHTED_MEAN,
        interims={2025: "20", 2026: "17.5", 2027: "15", 2028: "12.5"},
        lead=-0.6,
        spread=5,
        noise=1.2,
    ),
    DemoMetric(
        "P2",
        "Schools at 92% daily attendance or better",
        "Each school's average daily attendance rate for the month; the district value is the share of "
        "reporting schools at or above 92%.",
        Unit.PERCENT,
        Direction.HIGHER,
        "20",
        "80",
        Frequency.MONTHLY,
        Kind.LEADING,
        aggregation=Aggregation.SHARE_MEETING_TARGET,
        school_target="92",
        source=Source.CHECKINS,
        lead=0.0,
        spread=2.5,
        noise=0.8,
    ),
    DemoMetric(
        "P2",
        "Students who feel they belong at school",
        "Share of students in grades 4–12 answering “agree” or “strongly agree” to “I feel like I belong "
        "at this school” on the spring climate survey.",
        Unit.PERCENT,
        Direction.HIGHER,
        "71",
        "85",
        Frequency.YEARLY,
        Kind.LAGGING,
        school_levels=[SchoolLevel.ELEMENTARY, SchoolLevel.K8, SchoolLevel.MIDDLE, SchoolLevel.HIGH],
        lead=0.5,
        spread=5,
    ),
    DemoMetric(
        "P3",
        "Four-year graduation rate",
        "Share of the ninth-grade cohort who graduate within four years (state adjusted cohort rate).",
        Unit.PERCENT,
        Direction.HIGHER,
        "84",
        "92",
        Frequency.YEARLY,
        Kind.LAGGING,
        aggregation=Aggregation.WEIGHTED_MEAN,
        school_levels=[SchoolLevel.HIGH, SchoolLevel.ALTERNATIVE],
        interims={2026: "87", 2028: "90"},
        lead=-0.4,
        spread=4,
    ),
    DemoMetric(
        "P3",
        "Ninth graders on track to graduate",
        "Share of ninth graders with enough credits and no more than one failing grade in a core course.",
        Unit.PERCENT,
        Direction.HIGHER,
        "72",
        "88",
        Frequency.MONTHLY,
        Kind.LEADING,
        aggregation=Aggregation.WEIGHTED_MEAN,
        school_levels=[SchoolLevel.HIGH, SchoolLevel.ALTERNATIVE],
        source=Source.CHECKINS,
        lead=-3.5,
        spread=5,
        noise=1.5,
    ),
    DemoMetric(
        "P3",
        "Graduates with college credit, a credential or work-based learning",
        "Share of graduates leaving with dual-enrollment credit, an industry credential or a completed "
        "work-based learning experience.",
        Unit.PERCENT,
        Direction.HIGHER,
        "58",
        "100",
        Frequency.YEARLY,
        Kind.LAGGING,
        level=Level.DISTRICT,
        lead=1.0,
        noise=1.5,
    ),
    DemoMetric(
        "P4",
        "Teacher retention rate",
        "Share of last year's teachers who returned to teach in Riverbend this year.",
        Unit.PERCENT,
        Direction.HIGHER,
        "84",
        "90",
        Frequency.YEARLY,
        Kind.LAGGING,
        aggregation=Aggregation.WEIGHTED_MEAN,
        lead=0.3,
        spread=4,
    ),
    DemoMetric(
        "P4",
        "Open teaching positions on the first day of school",
        "Teaching positions without a permanent teacher on the first student day.",
        Unit.COUNT,
        Direction.LOWER,
        "46",
        "0",
        Frequency.YEARLY,
        Kind.LAGGING,
        level=Level.DISTRICT,
        decimals=0,
        lead=-2.0,
        noise=3,
    ),
    DemoMetric(
        "P4",
        "Days to fill a vacancy",
        "Median days from a teaching vacancy being posted to an accepted offer, for offers made in the month.",
        Unit.DAYS,
        Direction.LOWER,
        "52",
        "30",
        Frequency.MONTHLY,
        Kind.LEADING,
        level=Level.DISTRICT,
        decimals=0,
        source=Source.API,
        lead=1.5,
        noise=4,
    ),
]


def _definition(demo: DemoMetric) -> dict[str, object]:
    return {
        "name": demo.name,
        "definition": demo.definition,
        "unit": demo.unit,
        "decimals": demo.decimals,
        "direction": demo.direction,
        "baseline_value": Decimal(demo.baseline),
        "baseline_date": demo.baseline_date,
        "target_value": Decimal(demo.target),
        "target_date": demo.target_date,
        "kind": demo.kind,
        "level": demo.level,
        "school_levels": demo.school_levels,
        "source": demo.source,
        "aggregation": demo.aggregation,
        "school_target_value": Decimal(demo.school_target) if demo.school_target else None,
        "frequency": demo.frequency,
        "valid_min": Decimal(demo.valid_min) if demo.valid_min else None,
        "valid_max": Decimal(demo.valid_max) if demo.valid_max else None,
    }


def _periods(district: District, demo: DemoMetric, today: date) -> list[date]:
    """The last three years of completed periods (no summer months for school-level monthly metrics)."""
    start_month = district.school_year_start_month
    if demo.frequency == Frequency.YEARLY:
        this_year = normalize_period(today, Frequency.YEARLY, start_month)
        first = date(this_year.year - YEARS_OF_VALUES, start_month, 1)
        return periods_between(first, add_months(this_year, -12), Frequency.YEARLY, start_month)
    last = add_months(normalize_period(today, Frequency.MONTHLY, start_month), -1)
    periods = periods_between(add_months(last, -12 * YEARS_OF_VALUES + 1), last, Frequency.MONTHLY, start_month)
    if demo.level == Level.SCHOOL:
        periods = [p for p in periods if p.month not in SUMMER_MONTHS]
    return periods


def _value(metric: Metric, demo: DemoMetric, school: School | None, period: date, offset: float) -> Decimal:
    """A believable value: the target line at the period, the metric's lead, the school's offset, some noise."""
    wobble = random.Random(f"{demo.name}|{school.code if school else 'district'}|{period}").gauss(0, demo.noise)
    line = float(metric.trajectory.expected_at(metric.period_end(period)))
    better = 1 if demo.direction == Direction.HIGHER else -1
    if demo.school_target:  # share metrics: school values sit around the school target, improving over time
        years = (period - demo.baseline_date).days / 365
        number = float(demo.school_target) - 1.6 + 0.7 * years + offset + wobble
    else:
        number = line + better * demo.lead + offset + wobble
    allowed = value_range(metric.unit, metric.decimals, metric.valid_min, metric.valid_max)
    low = float(allowed.minimum) if allowed.minimum is not None else number
    high = float(allowed.maximum) if allowed.maximum is not None else number
    return Decimal(str(round(min(max(number, low), high), demo.decimals)))


def _missing(demo: DemoMetric, school: School, period: date) -> bool:
    """Some schools miss some periods; the alternative school misses more."""
    chance = 0.3 if school.level == SchoolLevel.ALTERNATIVE else 0.07
    return random.Random(f"missing|{demo.name}|{school.code}|{period}").random() < chance


def _seed_values(district: District, actor: Membership, metric: Metric, demo: DemoMetric, today: date) -> int:
    schools: list[School | None]
    if demo.level == Level.DISTRICT:
        schools = [None]
    else:
        queryset = School.objects.filter(district=district).order_by("name")
        if demo.school_levels:
            queryset = queryset.filter(level__in=demo.school_levels)
        schools = list(queryset)
    items = []
    for school in schools:
        offset = random.Random(f"offset|{demo.name}|{school.code}").gauss(0, demo.spread) if school else 0.0
        for period in _periods(district, demo, today):
            if school is not None and _missing(demo, school, period):
                continue
            items.append(
                services.ValueInput(
                    metric=metric, school=school, period=period, value=_value(metric, demo, school, period, offset)
                )
            )
    result = services.metric_values_upsert(
        district=district, actor=actor, items=items, source=ValueSource.IMPORT, today=today
    )
    return result.created


def seed() -> list[str]:
    with transaction.atomic():
        district = District.objects.get(slug=RIVERBEND_SLUG)
        with district_context(district):
            admin = Membership.objects.select_related("user").get(
                district=district, user__email="admin@riverbend.example"
            )
            priorities = {
                p.code: p
                for p in Priority.objects.filter(district=district, plan__state=PlanState.ACTIVE).select_related("plan")
            }
            today = timezone.localdate(timezone=district.tzinfo)
            created = values = 0
            for position, demo in enumerate(DEMO_METRICS):
                priority = priorities.get(demo.priority)
                if priority is None:
                    continue
                metric = Metric.objects.filter(district=district, priority=priority, name=demo.name).first()
                if metric is None:
                    metric = services.metric_create(
                        district=district,
                        actor=admin,
                        priority=priority,
                        interim_targets=[(year, Decimal(v)) for year, v in demo.interims.items()],
                        position=position,
                        **_definition(demo),
                    )
                    created += 1
                if not metric.values.exists():
                    values += _seed_values(district, admin, metric, demo, today)
    return [f"{district.name}: {created} metrics added, {values} values seeded"]
