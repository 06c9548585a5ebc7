"""Reads for priority, commitment, role card and initiative-load pages.

Load figures are aggregate queries grouped by school or department (one query
for any number of schools), never Python loops over per-school querysets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Window
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.calendar import Month
from districts.models import Department, District, Membership, RoleLabel, School
from districts.roles import Role
from plans.models import PlanState, StrategicPlan

from .models import (
    REPORTED_IN_DEPARTMENT_CHECKINS,
    REPORTED_IN_SCHOOL_CHECKINS,
    Assignment,
    AssignmentStatus,
    Commitment,
    Priority,
    SchoolLoad,
)

LIVE_STATUSES = (AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED)


# --- People ---------------------------------------------------------------------------


def priority_owner_choices(*, district: District) -> QuerySet[Membership]:
    """Who may own a priority: the superintendent and cabinet members."""
    return (
        Membership.objects.filter(district=district, is_active=True, role__in=[Role.SUPERINTENDENT, Role.CABINET])
        .select_related("user", "department")
        .order_by("user__full_name", "user__email")
    )


def assignment_owner_choices(*, assignment: Assignment) -> QuerySet[Membership]:
    """Who may answer for an assignment: active members of its school or department."""
    place = Q(school_id=assignment.school_id) if assignment.school_id else Q(department_id=assignment.department_id)
    return (
        Membership.objects.filter(place, district_id=assignment.district_id, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def default_owners(
    *, district: District, school_ids: Iterable[int] | None = None, department_ids: Iterable[int] | None = None
) -> tuple[dict[int, Membership], dict[int, Membership]]:
    """The default owner of each place: its principal (schools) or its lead (departments).

    `None` means every school (department) in the district. Two queries in all;
    where a place has several, the longest-serving one.
    """
    members = Membership.objects.filter(district=district, is_active=True).order_by("created_at", "pk")
    principals = members.filter(role=Role.PRINCIPAL)
    leads = members.filter(role=Role.CABINET)
    if school_ids is not None:
        principals = principals.filter(school_id__in=list(school_ids))
    if department_ids is not None:
        leads = leads.filter(department_id__in=list(department_ids))
    by_school: dict[int, Membership] = {}
    for membership in principals:
        by_school.setdefault(membership.school_id, membership)
    by_department: dict[int, Membership] = {}
    for membership in leads:
        by_department.setdefault(membership.department_id, membership)
    return by_school, by_department


@dataclass(frozen=True)
class FocusGuard:
    """Clarity: a plan should have a few priorities. Warns past the guide number; the district may set a hard cap."""

    count: int
    warn_after: int
    hard_cap: int | None

    @property
    def over_guide(self) -> bool:
        return self.count > self.warn_after

    @property
    def at_cap(self) -> bool:
        return self.hard_cap is not None and self.count >= self.hard_cap

    @property
    def over_cap(self) -> bool:
        return self.hard_cap is not None and self.count > self.hard_cap


def focus_guard(*, district: District, count: int) -> FocusGuard:
    return FocusGuard(count=count, warn_after=District.PRIORITY_WARNING_COUNT, hard_cap=district.priority_hard_cap)


# --- Priorities and commitments ------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """Where a commitment is asked of, in words a reader can take in at a glance."""

    schools: int
    departments: tuple[str, ...]
    paused: int
    school_total: int

    @property
    def every_school(self) -> bool:
        return self.school_total > 0 and self.schools == self.school_total

    @property
    def assigned(self) -> bool:
        return bool(self.schools or self.departments)

    @property
    def label(self) -> str:
        parts = []
        if self.every_school:
            parts.append(_("every school"))
        elif self.schools:
            parts.append(ngettext("%(count)s school", "%(count)s schools", self.schools) % {"count": self.schools})
        parts.extend(self.departments)
        return ", ".join(parts) if parts else _("not assigned yet")


def commitments_with_reach(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Commitments with their reach: the stored counts (priorities.loads) and their active departments."""
    return queryset.select_related("role_label", "lead_department").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(department__isnull=False, status=AssignmentStatus.ACTIVE)
            .select_related("department")
            .order_by("department__name"),
            to_attr="active_department_assignments",
        )
    )


def attach_reach(commitments: Iterable[Commitment], *, school_total: int) -> None:
    for commitment in commitments:
        commitment.reach = Reach(
            schools=commitment.active_school_count,
            departments=tuple(a.department.name for a in commitment.active_department_assignments),
            paused=commitment.paused_count,
            school_total=school_total,
        )


def school_count(*, district: District) -> int:
    return School.objects.filter(district=district).count()


def priorities_for_plan(*, plan: StrategicPlan) -> list[Priority]:
    """The plan's priorities in order, each with its commitments and their reach: four queries."""
    commitments = commitments_with_reach(Commitment.objects.filter(district_id=plan.district_id)).order_by(
        "position", "pk"
    )
    priorities = list(
        Priority.objects.filter(district_id=plan.district_id, plan=plan)
        .select_related("owner__user", "owner__department")
        .prefetch_related(Prefetch("commitments", queryset=commitments, to_attr="ordered_commitments"))
        .order_by("position", "pk")
    )
    total = school_count(district=plan.district)
    for priority in priorities:
        attach_reach(priority.ordered_commitments, school_total=total)
    return priorities


def commitments_of_priority(*, priority: Priority) -> list[Commitment]:
    commitments = list(
        commitments_with_reach(Commitment.objects.filter(district_id=priority.district_id, priority=priority)).order_by(
            "position", "pk"
        )
    )
    attach_reach(commitments, school_total=school_count(district=priority.plan.district))
    return commitments


@dataclass(frozen=True)
class AssignmentSummary:
    active_schools: int
    paused: int
    ended: int
    departments: int
    school_total: int
    without_owner: int

    @property
    def active(self) -> int:
        return self.active_schools + self.departments

    @property
    def live(self) -> int:
        """Assignments that are still asked: active or paused."""
        return self.active + self.paused

    @property
    def missing_schools(self) -> int:
        return max(self.school_total - self.active_schools, 0)


def assignment_summary(*, commitment: Commitment) -> AssignmentSummary:
    counts = Assignment.objects.filter(district_id=commitment.district_id, commitment=commitment).aggregate(
        active_schools=Count("id", filter=Q(status=AssignmentStatus.ACTIVE, school__isnull=False)),
        paused=Count("id", filter=Q(status=AssignmentStatus.PAUSED)),
        ended=Count("id", filter=Q(status=AssignmentStatus.ENDED)),
        departments=Count("id", filter=Q(status=AssignmentStatus.ACTIVE, department__isnull=False)),
        without_owner=Count("id", filter=Q(status=AssignmentStatus.ACTIVE, owner__isnull=True)),
    )
    return AssignmentSummary(school_total=school_count(district=commitment.priority.plan.district), **counts)


def assignments_of_commitment(*, commitment: Commitment, status: str = "") -> QuerySet[Assignment]:
    assignments = Assignment.objects.filter(district_id=commitment.district_id, commitment=commitment)
    if status in AssignmentStatus.values:
        assignments = assignments.filter(status=status)
    return assignments.select_related("school", "department", "owner__user").order_by(
        "department__name", "school__name"
    )


def assigned_place_ids(*, commitment: Commitment) -> tuple[dict[int, str], dict[int, str]]:
    """{school id: status} and {department id: status} of this commitment's assignments."""
    schools: dict[int, str] = {}
    departments: dict[int, str] = {}
    for school_id, department_id, status in Assignment.objects.filter(
        district_id=commitment.district_id, commitment=commitment
    ).values_list("school_id", "department_id", "status"):
        if school_id:
            schools[school_id] = status
        else:
            departments[department_id] = status
    return schools, departments


# --- Role cards --------------------------------------------------------------------------------


def role_labels_with_counts(*, district: District, plan: StrategicPlan | None) -> list[RoleLabel]:
    """Every role label, with how many of the plan's commitments ask something of it."""
    commitments = Commitment.objects.filter(district=district)
    in_plan = commitments.filter(priority__plan=plan).values_list("role_label_id", flat=True) if plan else []
    counts: dict[int, int] = {}
    for role_label_id in in_plan:
        counts[role_label_id] = counts.get(role_label_id, 0) + 1
    used = set(commitments.values_list("role_label_id", flat=True).distinct())
    labels = list(RoleLabel.objects.filter(district=district).order_by("position", "name"))
    for label in labels:
        label.commitment_count = counts.get(label.pk, 0)
        label.in_use = label.pk in used
    return labels


def own_role_label(*, membership: Membership, labels: Iterable[RoleLabel]) -> RoleLabel | None:
    """The card that is this member's: the label on their membership, else the one for their role."""
    labels = list(labels)
    if membership.role_label_id:
        return next((label for label in labels if label.pk == membership.role_label_id), None)
    return next((label for label in labels if label.system_role == membership.role), None)


@dataclass
class RoleCardSection:
    priority: Priority
    commitments: list[Commitment] = field(default_factory=list)


@dataclass
class RoleCard:
    role_label: RoleLabel
    plan: StrategicPlan
    sections: list[RoleCardSection]

    @property
    def commitment_count(self) -> int:
        return sum(len(section.commitments) for section in self.sections)


def role_card(*, district: District, plan: StrategicPlan, role_label: RoleLabel) -> RoleCard:
    """The plan's priorities, each with what this role is asked to do now or next.

    A commitment past its end date, or whose every assignment has ended, is no
    longer asked of anyone and leaves the card.
    """
    today = timezone.localdate(timezone=district.tzinfo)
    commitments = list(
        commitments_with_reach(
            Commitment.objects.filter(district=district, priority__plan=plan, role_label=role_label, ends_on__gte=today)
            # Not assigned yet, or some assignment still live: two EXISTS probes, where counting joined
            # every assignment of the plan (36,000 at 1,800 schools × 20 commitments) to count them.
            .filter(
                ~Exists(Assignment.objects.filter(district=district, commitment=OuterRef("pk")))
                | Exists(
                    Assignment.objects.filter(district=district, commitment=OuterRef("pk"), status__in=LIVE_STATUSES)
                )
            )
        ).order_by("starts_on", "position", "pk")
    )
    attach_reach(commitments, school_total=school_count(district=district))
    priorities = (
        Priority.objects.filter(district=district, plan=plan).select_related("owner__user").order_by("position", "pk")
    )
    sections = {priority.pk: RoleCardSection(priority) for priority in priorities}
    for commitment in commitments:
        sections[commitment.priority_id].commitments.append(commitment)
    return RoleCard(role_label=role_label, plan=plan, sections=list(sections.values()))


@dataclass(frozen=True)
class PlanAtAGlance:
    """The district home's summary: the active plan, its few priorities, and the reader's own card."""

    plan: StrategicPlan
    priorities: list[Priority]
    own_card: RoleLabel | None


def plan_at_a_glance(*, district: District, membership: Membership) -> PlanAtAGlance | None:
    """None when the district has no active plan yet. Three queries."""
    plan = StrategicPlan.objects.filter(district=district, state=PlanState.ACTIVE).first()
    if plan is None:
        return None
    priorities = list(
        Priority.objects.filter(district=district, plan=plan).select_related("owner__user").order_by("position", "pk")
    )
    own_card = own_role_label(membership=membership, labels=RoleLabel.objects.filter(district=district))
    return PlanAtAGlance(plan=plan, priorities=priorities, own_card=own_card)


# --- Initiative load ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceLoad:
    """How much one school or department is being asked to do, and when."""

    place: School | Department
    active: int
    departments: int
    priorities: int
    months: tuple[int, ...]
    threshold: int | None  # None for departments: the threshold is for schools

    @property
    def over_threshold(self) -> bool:
        return self.threshold is not None and self.active > self.threshold

    @property
    def why_short(self) -> str:
        """ "3 departments, 4 priorities": the table column under "Asked by"."""
        if not self.active:
            return "—"
        return _("%(departments)s, %(priorities)s") % {
            "departments": self._departments_text,
            "priorities": self._priorities_text,
        }

    @property
    def _departments_text(self) -> str:
        return ngettext("%(count)s department", "%(count)s departments", self.departments) % {"count": self.departments}

    @property
    def _priorities_text(self) -> str:
        return ngettext("%(count)s priority", "%(count)s priorities", self.priorities) % {"count": self.priorities}

    @property
    def why(self) -> str:
        """ "asked by 3 departments under 4 priorities" """
        if not self.active:
            return _("nothing is asked right now")
        if not self.departments:
            return _("asked under %(priorities)s") % {"priorities": self._priorities_text}
        return _("asked by %(departments)s under %(priorities)s") % {
            "departments": self._departments_text,
            "priorities": self._priorities_text,
        }


def _load_rows(
    *,
    district: District,
    place_field: str,
    months: list[Month],
    today: date,
    place_ids: Iterable[int] | None = None,
    minimum_active: int | None = None,
) -> dict[int, dict]:
    """One grouped query: per place, active commitments and the commitments reported in each month."""
    rows = _load_queryset(
        district=district,
        place_field=place_field,
        months=months,
        today=today,
        place_ids=place_ids,
        minimum_active=minimum_active,
    )
    return {row[place_field]: row for row in rows}


def _load_queryset(
    *,
    district: District,
    place_field: str,
    months: list[Month],
    today: date,
    place_ids: Iterable[int] | None = None,
    minimum_active: int | None = None,
) -> QuerySet:
    """Per place (a values queryset grouped by `place_field`): active commitments and those reported each month.

    Active: an active assignment in the active plan whose commitment has not
    passed its end date. A month counts a commitment running in that month and
    reported in that place's kind of check-in.
    """
    channels = REPORTED_IN_SCHOOL_CHECKINS if place_field == "school" else REPORTED_IN_DEPARTMENT_CHECKINS
    assignments = Assignment.objects.filter(
        district=district,
        status=AssignmentStatus.ACTIVE,
        commitment__priority__plan__state=PlanState.ACTIVE,
        **{f"{place_field}__isnull": False},
    )
    if place_ids is not None:
        assignments = assignments.filter(**{f"{place_field}_id__in": list(place_ids)})
    running = Q(commitment__ends_on__gte=today)
    per_month = {
        f"month_{i}": Count(
            "id",
            filter=Q(
                commitment__reported_in__in=channels,
                commitment__starts_on__lte=month.last_day,
                commitment__ends_on__gte=month.first_day,
            ),
        )
        for i, month in enumerate(months)
    }
    rows = (
        assignments.order_by()
        .values(place_field)
        .annotate(
            active=Count("id", filter=running),
            departments=Count("commitment__lead_department", filter=running, distinct=True),
            priorities=Count("commitment__priority", filter=running, distinct=True),
            **per_month,
        )
    )
    if minimum_active is not None:
        rows = rows.filter(active__gte=minimum_active)
    return rows


def _place_load(place: School | Department, row: dict | None, months: list[Month], threshold: int | None) -> PlaceLoad:
    row = row or {}
    return PlaceLoad(
        place=place,
        active=row.get("active", 0),
        departments=row.get("departments", 0),
        priorities=row.get("priorities", 0),
        months=tuple(row.get(f"month_{i}", 0) for i in range(len(months))),
        threshold=threshold,
    )


def _place_loads(
    *, district: District, places: Iterable, place_field: str, months: list[Month], today: date | None
) -> list[PlaceLoad]:
    places = list(places)
    rows = _load_rows(
        district=district,
        place_field=place_field,
        months=months,
        today=today or timezone.localdate(timezone=district.tzinfo),
        place_ids=[place.pk for place in places],
    )
    threshold = district.commitment_load_threshold if place_field == "school" else None
    return [_place_load(place, rows.get(place.pk), months, threshold) for place in places]


def school_loads(
    *, district: District, schools: Iterable[School], months: list[Month], today: date | None = None
) -> list[PlaceLoad]:
    return _place_loads(district=district, places=schools, place_field="school", months=months, today=today)


def department_loads(
    *, district: District, departments: Iterable[Department], months: list[Month], today: date | None = None
) -> list[PlaceLoad]:
    """Departments have no threshold: it is for schools, where initiative fatigue lands."""
    return _place_loads(district=district, places=departments, place_field="department", months=months, today=today)


def schools_over_threshold(*, district: District, today: date | None = None) -> list[PlaceLoad]:
    """Schools asked to carry more active commitments than the district's threshold, busiest first."""
    today = today or timezone.localdate(timezone=district.tzinfo)
    threshold = district.commitment_load_threshold
    rows = _load_rows(district=district, place_field="school", months=[], today=today, minimum_active=threshold + 1)
    schools = School.objects.filter(district=district, pk__in=list(rows))
    loads = [_place_load(school, rows[school.pk], [], threshold) for school in schools]
    return sorted(loads, key=lambda load: (-load.active, load.place.name))


class _CountAll(Func):
    """COUNT(*) as a window function (`Window(_CountAll())`): the number of rows of a grouped result."""

    template = "COUNT(*)"
    window_compatible = True
    output_field = IntegerField()


def _schools_over_threshold(*, district: District, today: date) -> QuerySet:
    """Per school over the load threshold: {"school", "active"}, from the stored loads (priorities.loads).

    One row per school and commitment end date, not one per assignment: the end dates not yet
    passed are summed, so the count is today's whatever has ended since it was stored.
    """
    return (
        SchoolLoad.objects.filter(district=district, ends_on__gte=today)
        .order_by()
        .values("school")
        .annotate(active=Sum("active"))
        .filter(active__gt=district.commitment_load_threshold)
    )


def schools_over_threshold_queryset(*, district: District, today: date | None = None) -> QuerySet:
    """The ids of schools over the load threshold, as a subquery (`pk__in=`)."""
    today = today or timezone.localdate(timezone=district.tzinfo)
    return _schools_over_threshold(district=district, today=today).values("school")


def schools_over_threshold_count(*, district: District, today: date | None = None) -> int:
    """How many schools are over the load threshold."""
    today = today or timezone.localdate(timezone=district.tzinfo)
    return _schools_over_threshold(district=district, today=today).count()


@dataclass(frozen=True)
class OverloadedSchools:
    """How many schools are over the load threshold, and the busiest few of them."""

    count: int
    busiest: list[PlaceLoad]

    @property
    def more(self) -> int:
        return self.count - len(self.busiest)


def overloaded_schools(*, district: District, limit: int = 10, today: date | None = None) -> OverloadedSchools:
    """The `limit` busiest schools over the threshold (most active commitments, then by name), and how many are over.

    Counted, ranked and cut in SQL on the stored per-school loads; the full load is grouped for those few only.
    """
    today = today or timezone.localdate(timezone=district.tzinfo)
    over = _schools_over_threshold(district=district, today=today).annotate(over_total=Window(_CountAll()))
    ranked = list(over.order_by("-active", "school__name", "school")[:limit])  # the total rides along: one pass
    if not ranked:
        return OverloadedSchools(count=0, busiest=[])
    count = ranked[0]["over_total"]
    top = [row["school"] for row in ranked]
    rows = _load_rows(district=district, place_field="school", months=[], today=today, place_ids=top)
    schools = School.objects.in_bulk(top)
    threshold = district.commitment_load_threshold
    return OverloadedSchools(count=count, busiest=[_place_load(schools[pk], rows.get(pk), [], threshold) for pk in top])


def place_assignments(*, district: District, school: School | None = None, department: Department | None = None):
    """Every assignment of the active plan at one place, grouped by priority in plan order."""
    place = Q(school=school) if school is not None else Q(department=department)
    return list(
        Assignment.objects.filter(place, district=district, commitment__priority__plan__state=PlanState.ACTIVE)
        .select_related(
            "commitment__priority__owner__user",
            "commitment__role_label",
            "commitment__lead_department",
            "owner__user",
        )
        .order_by("commitment__priority__position", "commitment__position", "commitment_id")
    )
