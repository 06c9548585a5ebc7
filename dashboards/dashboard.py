"""Reads of the superintendent's dashboard and its drill-downs (priority → commitment → school → check-in).

Everything here reads stored roll-ups (checkins.models.CheckinRollup) or one page of rows, so each
function runs a fixed number of queries whatever the number of schools, commitments or cycles. The
numbers that only change with the roll-ups are cached per district with core.cache_versions; names
and titles are always read live (they can be renamed without a roll-up refresh).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from checkins.models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinRollup,
    CycleState,
    RollupScope,
)
from checkins.rollups import REPORTED_STATES
from core import cache_versions
from core.parsing import id_from_query, query_text
from dashboards.summary import (
    HEALTH_AT_RISK,
    HEALTH_CODES,
    HEALTH_NO_DATA,
    HEALTH_OFF_TRACK,
    HealthView,
    health_of,
    health_view,
)
from districts.models import District, Membership, School, SchoolLevel
from districts.selectors import SchoolFilters, school_list
from plans.models import StrategicPlan
from priorities.models import Assignment, Commitment, Priority

ROWS_PER_PAGE = 50  # heat-map rows (schools) a page
GROUP_BY_REGION_ABOVE = 60  # a district with more schools than this sees its heat map grouped by region
CYCLE_CHOICES = 12  # cycles offered in the filter (newest first)
DRILL_ROWS_PER_PAGE = 50
SCHOOL_CYCLES_PER_PAGE = 12
COUNTS = ("entries_reported", "entries_expected", "on_track", "at_risk", "off_track", "done")
_ROLLUPS = [cache_versions.CHECKIN_ROLLUPS]


def _page_number(value: object) -> int | str:
    return value if isinstance(value, str) and value.isdigit() else 1


@dataclass(frozen=True)
class Counts:
    """A roll-up's counters and its health code, as cached: numbers only, no names."""

    health: str = HEALTH_NO_DATA
    entries_reported: int = 0
    entries_expected: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    done: int = 0

    @classmethod
    def of(cls, rollup: CheckinRollup | None) -> Counts:
        if rollup is None:
            return NO_COUNTS
        return cls(health_of(rollup), *(getattr(rollup, name) for name in COUNTS))

    @property
    def view(self) -> HealthView:
        return health_view(self.health)


NO_COUNTS = Counts()


# --- Cycles --------------------------------------------------------------------------------------


def cycle_choices(*, district: District, plan: StrategicPlan) -> list[CheckinCycle]:
    """The plan's opened cycles, newest first (the heat map's cycle filter)."""
    return list(
        CheckinCycle.objects.filter(district=district, plan=plan)
        .exclude(state=CycleState.SCHEDULED)
        .order_by("-period_start", "-pk")[:CYCLE_CHOICES]
    )


def default_cycle(*, district: District, plan: StrategicPlan) -> CheckinCycle | None:
    """The latest cycle with reported check-ins (its district roll-up has reported entries)."""

    def compute() -> int:  # 0: none (the cache does not keep None)
        reported = CheckinRollup.objects.filter(
            district=district, cycle__plan=plan, key="district", entries_reported__gt=0
        ).order_by("-cycle__period_start", "-cycle_id")
        return reported.values_list("cycle_id", flat=True).first() or 0

    # Which cycle that is only changes with the roll-ups; the cycle itself is read live.
    cycle_id = cache_versions.cached(district.pk, _ROLLUPS, f"default-cycle:{plan.pk}", compute)
    return CheckinCycle.objects.filter(district=district, pk=cycle_id).first() if cycle_id else None


def pick_cycle(*, district: District, plan: StrategicPlan, cycle_id: int | None) -> CheckinCycle | None:
    """The cycle a page was asked for (404 when it is not this plan's), else the default one."""
    if cycle_id is None:
        return default_cycle(district=district, plan=plan)
    return get_object_or_404(
        CheckinCycle.objects.exclude(state=CycleState.SCHEDULED), district=district, plan=plan, pk=cycle_id
    )


def open_cycle(*, district: District, plan: StrategicPlan) -> CheckinCycle | None:
    return (
        CheckinCycle.objects.filter(district=district, plan=plan, state=CycleState.OPEN).order_by("-opens_at").first()
    )


# --- The heat map --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatmapFilters:
    cycle_id: int | None = None
    level: str = ""
    region: str = ""
    supervisor_id: int | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> HeatmapFilters:
        level = query_text(query, "level", 20)
        return cls(
            cycle_id=id_from_query(query, "cycle"),
            level=level if level in SchoolLevel.values else "",
            region=query_text(query, "region", 100),
            supervisor_id=id_from_query(query, "supervisor"),
        )

    @property
    def cache_key(self) -> str:
        """The filters as part of a cache key (the region is free text, so hashed)."""
        region = hashlib.sha1(self.region.encode()).hexdigest()[:12] if self.region else ""
        return f"{self.cycle_id or ''}-{self.level}-{region}-{self.supervisor_id or ''}"

    @property
    def narrowed(self) -> bool:
        """Whether the schools are filtered (the cycle only changes which roll-ups are read)."""
        return bool(self.level or self.region or self.supervisor_id)

    def schools(self, district: District) -> QuerySet[School]:
        schools = school_list(district=district, filters=SchoolFilters(level=self.level, region=self.region))
        if self.supervisor_id:
            schools = schools.filter(principal_supervisor_id=self.supervisor_id)
        return schools


@dataclass(frozen=True)
class HeatCell:
    priority_id: int
    health: HealthView
    reported: int
    expected: int
    on_track: int
    at_risk: int
    off_track: int
    done: int


@dataclass(frozen=True)
class HeatRow:
    school: School
    cells: list[HeatCell]
    cells_html: SafeString  # the row's <td> cells, built once per health code (a page has 250 of them)


@dataclass(frozen=True)
class HeatmapGroup:
    label: str  # the region ("" when the heat map is not grouped)
    rows: list[HeatRow]


@dataclass(frozen=True)
class Heatmap:
    cycle: CheckinCycle | None
    priorities: list[Priority]
    groups: list[HeatmapGroup]
    filters: HeatmapFilters
    grouped: bool  # by region: the district has more than GROUP_BY_REGION_ABOVE schools
    school_count: int  # schools the filters keep, on every page
    page: Page | None  # None: every row at once (exports)

    @property
    def rows(self) -> list[HeatRow]:
        return [row for group in self.groups for row in group.rows]


def _cell_counts(*, district: District, cycle: CheckinCycle, school_ids: list[int]) -> dict[int, dict[int, Counts]]:
    """SCHOOL_PRIORITY roll-up counts of the schools in the cycle: {school id: {priority id: counts}}, cached."""
    ids_key = hashlib.sha1(",".join(map(str, school_ids)).encode()).hexdigest()

    def compute() -> dict[int, dict[int, Counts]]:
        found: dict[int, dict[int, Counts]] = {}
        rows = CheckinRollup.objects.filter(
            district=district, cycle=cycle, scope=RollupScope.SCHOOL_PRIORITY, school_id__in=school_ids
        ).only("school_id", "priority_id", *COUNTS)
        for rollup in rows:
            found.setdefault(rollup.school_id, {})[rollup.priority_id] = Counts.of(rollup)
        return found

    return cache_versions.cached(district.pk, _ROLLUPS, f"heatmap:{cycle.pk}:{ids_key}", compute)


def _cell(priority_id: int, counts: Counts, views: dict[str, HealthView]) -> HeatCell:
    c = counts
    return HeatCell(
        priority_id, views[c.health], c.entries_reported, c.entries_expected, c.on_track, c.at_risk, c.off_track, c.done
    )


def _cell_markup(views: dict[str, HealthView]) -> dict[str, str]:
    """A heat-map cell per health code: its glyph (hidden from screen readers) and its words."""
    return {
        code: format_html(
            '<td class="heat heat-{}"><span class="health-icon" aria-hidden="true">{}</span> {}</td>',
            code,
            view.icon,
            view.label,
        )
        for code, view in views.items()
    }


def heatmap(*, district: District, plan: StrategicPlan, filters: HeatmapFilters, page: int | str | None = 1) -> Heatmap:
    """Schools × the plan's priorities in one cycle, each cell the school's health in that priority.

    Schools by name, or by region then name (grouped) in a district of more than 60 schools; a page of
    ROWS_PER_PAGE rows, or every row when `page` is None. Five queries (cycle, priorities, the two school
    counts in one, the page of schools, the cells unless cached) whatever the number of schools.
    """
    cycle = pick_cycle(district=district, plan=plan, cycle_id=filters.cycle_id)
    priorities = list(Priority.objects.filter(district=district, plan=plan).order_by("position", "pk"))
    shown = filters.schools(district)
    counts = School.objects.filter(district=district).aggregate(
        total=Count("pk"), shown=Count("pk", filter=Q(pk__in=shown.values("pk")))
    )
    grouped = counts["total"] > GROUP_BY_REGION_ABOVE
    ordered = shown.order_by("region", "name", "pk") if grouped else shown.order_by("name", "pk")
    page_obj = None
    if page is None:
        schools = list(ordered)
    else:
        paginator = Paginator(ordered, ROWS_PER_PAGE)
        paginator.__dict__["count"] = counts["shown"]  # counted above, with the district's total
        page_obj = paginator.get_page(_page_number(str(page)))
        schools = list(page_obj.object_list)
    cells = _cell_counts(district=district, cycle=cycle, school_ids=[s.pk for s in schools]) if cycle else {}
    views = {code: health_view(code) for code in HEALTH_CODES}
    markup = _cell_markup(views)
    groups: list[HeatmapGroup] = []
    for school in schools:
        row_cells = [_cell(p.pk, cells.get(school.pk, {}).get(p.pk, NO_COUNTS), views) for p in priorities]
        # Each piece was escaped by format_html; joining them keeps them safe.
        row = HeatRow(school, row_cells, mark_safe("".join(markup[c.health.code] for c in row_cells)))
        label = (school.region or _("No region")) if grouped else ""
        if groups and groups[-1].label == label:
            groups[-1].rows.append(row)
        else:
            groups.append(HeatmapGroup(label, [row]))
    return Heatmap(cycle, priorities, groups, filters, grouped, counts["shown"], page_obj)


@dataclass(frozen=True)
class FilterChoices:
    cycles: list[CheckinCycle]
    levels: list[tuple[str, str]]
    regions: list[str]
    supervisors: list[Membership]


def filter_choices(*, district: District, plan: StrategicPlan) -> FilterChoices:
    """What the heat map's filters offer: recent cycles, levels, the regions in use, the principal supervisors."""
    regions = list(
        School.objects.filter(district=district)
        .exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )
    supervising = School.objects.filter(district=district, principal_supervisor__isnull=False)
    supervisors = list(
        Membership.objects.filter(district=district, pk__in=supervising.values("principal_supervisor_id"))
        .select_related("user")
        .order_by("sort_name", "pk")
    )
    return FilterChoices(cycle_choices(district=district, plan=plan), list(SchoolLevel.choices), regions, supervisors)


# --- Completion of the open cycle, commitments needing attention ---------------------------------


@dataclass(frozen=True)
class CommitmentAlert:
    commitment: Commitment
    health: HealthView
    reported: int
    at_risk: int
    off_track: int


ALERTS_SHOWN = 10


def commitment_rollups(*, district: District, cycle: CheckinCycle) -> dict[int, Counts]:
    """COMMITMENT roll-up counts of the cycle, by commitment id (cached)."""

    def compute() -> dict[int, Counts]:
        rows = CheckinRollup.objects.filter(district=district, cycle=cycle, scope=RollupScope.COMMITMENT)
        return {rollup.commitment_id: Counts.of(rollup) for rollup in rows.only("commitment_id", *COUNTS)}

    return cache_versions.cached(district.pk, _ROLLUPS, f"commitment-rollups:{cycle.pk}", compute)


def commitments_needing_attention(
    *, district: District, plan: StrategicPlan, cycle: CheckinCycle | None
) -> list[CommitmentAlert]:
    """Commitments off track, then at risk, in the cycle (most off-track entries first): at most ALERTS_SHOWN."""
    if cycle is None:
        return []
    counts = commitment_rollups(district=district, cycle=cycle)
    flagged = [(cid, c) for cid, c in counts.items() if c.health in (HEALTH_OFF_TRACK, HEALTH_AT_RISK)]
    # Off track before at risk; within each, the larger share of off-track reports first.
    flagged.sort(
        key=lambda item: (
            item[1].health != HEALTH_OFF_TRACK,
            -item[1].off_track / max(item[1].entries_reported, 1),
            item[0],
        )
    )
    flagged = flagged[:ALERTS_SHOWN]
    commitments = Commitment.objects.filter(district=district, priority__plan=plan, pk__in=[cid for cid, _ in flagged])
    by_id = {c.pk: c for c in commitments.select_related("priority")}
    return [
        CommitmentAlert(by_id[cid], c.view, c.entries_reported, c.at_risk, c.off_track)
        for cid, c in flagged
        if cid in by_id
    ]


# --- Drill-downs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentLine:
    commitment: Commitment
    counts: Counts


@dataclass(frozen=True)
class PriorityDrill:
    priority: Priority
    cycle: CheckinCycle | None
    counts: Counts
    lines: list[CommitmentLine]


def priority_drill(*, district: District, plan: StrategicPlan, priority_id: int, cycle_id: int | None) -> PriorityDrill:
    """A priority's commitments with their health in the cycle, from COMMITMENT roll-ups (four queries)."""
    priority = get_object_or_404(
        Priority.objects.select_related("owner__user"), district=district, plan=plan, pk=priority_id
    )
    cycle = pick_cycle(district=district, plan=plan, cycle_id=cycle_id)
    commitments = list(Commitment.objects.filter(district=district, priority=priority).order_by("position", "pk"))
    counts = commitment_rollups(district=district, cycle=cycle) if cycle else {}
    lines = [CommitmentLine(c, counts.get(c.pk, NO_COUNTS)) for c in commitments]
    own = None
    if cycle is not None:
        own = CheckinRollup.objects.filter(district=district, cycle=cycle, key=f"p:{priority.pk}").first()
    return PriorityDrill(priority, cycle, Counts.of(own), lines)


@dataclass(frozen=True)
class PlaceStatus:
    entry: CheckinEntry
    reported: bool  # its check-in is submitted or acknowledged (a draft's status is not counted yet)


@dataclass(frozen=True)
class CommitmentDrill:
    commitment: Commitment
    cycle: CheckinCycle | None
    counts: Counts
    page: Page | None
    rows: list[PlaceStatus]


def commitment_drill(
    *, district: District, plan: StrategicPlan, commitment_id: int, cycle_id: int | None, page: object = 1
) -> CommitmentDrill:
    """Each school's (or department's) entry for the commitment in ONE cycle, a page at a time."""
    commitment = get_object_or_404(
        Commitment.objects.select_related("priority"), district=district, priority__plan=plan, pk=commitment_id
    )
    cycle = pick_cycle(district=district, plan=plan, cycle_id=cycle_id)
    if cycle is None:
        return CommitmentDrill(commitment, None, NO_COUNTS, None, [])
    counts = commitment_rollups(district=district, cycle=cycle).get(commitment.pk, NO_COUNTS)
    # Both sides as id lists (not joins), so PostgreSQL probes the (district, check-in, assignment) index
    # for the cycle's check-ins instead of joining every entry of the cycle to its assignment.
    checkins = Checkin.objects.filter(district=district, cycle=cycle).values("pk")
    assignments = Assignment.objects.filter(district=district, commitment=commitment).values("pk")
    entries = (
        CheckinEntry.objects.filter(
            district=district, checkin__in=checkins, assignment__in=assignments, set_aside=False
        )
        .select_related("checkin__school", "checkin__department")
        .order_by("checkin__school__name", "checkin__department__name", "pk")
    )
    paginator = Paginator(entries, DRILL_ROWS_PER_PAGE)
    # The COMMITMENT roll-up counts exactly these entries (in scope, not set aside): no COUNT over them.
    paginator.__dict__["count"] = counts.entries_expected
    shown = paginator.get_page(_page_number(page))
    rows = [PlaceStatus(entry, entry.checkin.state in REPORTED_STATES) for entry in shown.object_list]
    return CommitmentDrill(commitment, cycle, counts, shown, rows)


@dataclass(frozen=True)
class SchoolCycle:
    cycle: CheckinCycle
    checkin: Checkin | None
    health: HealthView
    cells: list[HealthView]  # one per priority
    late_days: int | None


@dataclass(frozen=True)
class SchoolDrill:
    school: School
    priorities: list[Priority]
    page: Page
    rows: list[SchoolCycle] = field(default_factory=list)


def school_drill(
    *, district: District, plan: StrategicPlan, school_id: int, page: object = 1, now: datetime | None = None
) -> SchoolDrill:
    """A school's check-ins cycle by cycle (newest first), its health overall and per priority from the
    SCHOOL and SCHOOL_PRIORITY roll-ups: five queries (school, priorities, count, page, roll-ups)."""
    now = now or timezone.now()
    school = get_object_or_404(
        School.objects.select_related("principal_supervisor__user"), district=district, pk=school_id
    )
    priorities = list(Priority.objects.filter(district=district, plan=plan).order_by("position", "pk"))
    cycles = CheckinCycle.objects.filter(district=district, plan=plan).exclude(state=CycleState.SCHEDULED)
    shown = Paginator(cycles.order_by("-period_start", "-pk"), SCHOOL_CYCLES_PER_PAGE).get_page(_page_number(page))
    listed = list(shown.object_list)
    checkins = {c.cycle_id: c for c in Checkin.objects.filter(district=district, school=school, cycle__in=listed)}
    rollups: dict[tuple[int, int | None], CheckinRollup] = {}
    for rollup in CheckinRollup.objects.filter(
        district=district,
        cycle__in=listed,
        school=school,
        scope__in=[RollupScope.SCHOOL, RollupScope.SCHOOL_PRIORITY],
    ):
        rollups[(rollup.cycle_id, rollup.priority_id)] = rollup
    rows = []
    for cycle in listed:
        checkin = checkins.get(cycle.pk)
        if checkin is not None:
            checkin.cycle = cycle
        rows.append(
            SchoolCycle(
                cycle,
                checkin,
                health_view(health_of(rollups.get((cycle.pk, None)))),
                [health_view(health_of(rollups.get((cycle.pk, p.pk)))) for p in priorities],
                _late_days(checkin, now),
            )
        )
    return SchoolDrill(school, priorities, shown, rows)


def _late_days(checkin: Checkin | None, now: datetime) -> int | None:
    """Whole days (rounded up) past due when submitted, or until now if not yet; None when not late."""
    if checkin is None or not checkin.late:
        return None
    return max(1, math.ceil(((checkin.submitted_at or now) - checkin.cycle.due_at) / timedelta(days=1)))


def check_plan(plan: StrategicPlan | None) -> StrategicPlan:
    """Drill-downs read the active plan; without one there is nothing to drill into."""
    if plan is None:
        raise Http404("No active plan.")
    return plan
