"""Reads that feed district pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.history import History, HistorySource, history_entries
from core.parsing import parse_id, query_text

from .models import Department, District, Invitation, Membership, School, SchoolLevel
from .roles import Role
from .tenancy import dangerously_cross_district

PAGE_SIZE = 50


def memberships_of_user(user: object) -> list[Membership]:
    """A user's active memberships in every district: the district picker at /."""
    # Crosses districts on purpose: the rows are the user's own.
    with dangerously_cross_district():
        return list(
            Membership.objects.filter(user=user, is_active=True)
            .select_related("district", "school", "department")
            .order_by("district__name")
        )


def paginate(items: QuerySet, page_number: object, *, per_page: int = PAGE_SIZE, count: int | None = None) -> Page:
    """One page of `items`; a missing or out-of-range page number gives the nearest page.

    `count`: the number of items when already known (e.g. from count_together), saving the page its COUNT query.
    """
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: what it would have counted
    return paginator.get_page(page_number)


def count_together(**counted: QuerySet | tuple[QuerySet, int]) -> dict[str, int]:
    """The row count of each queryset, by name, in one query: one round trip to the database instead of several.

    A (queryset, limit) pair counts no further than `limit` rows. The querysets keep their own filters and
    scoping; only their SQL is combined: SELECT (SELECT COUNT(*) FROM (<queryset>) AS a), (...), ...
    """
    parts, params, using = [], [], "default"
    for n, item in enumerate(counted.values()):
        queryset, limit = item if isinstance(item, tuple) else (item, None)
        rows = queryset.order_by().values("pk")
        if limit is not None:
            rows = rows[:limit]
        sql, sql_params = rows.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{n})")
        params.extend(sql_params)
        using = queryset.db
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(counted, cursor.fetchone(), strict=True))


# --- Schools --------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolFilters:
    level: str = ""
    region: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data: dict) -> SchoolFilters:
        level = data.get("level", "")
        return cls(
            level=level if level in SchoolLevel.values else "",
            region=query_text(data, "region"),
            q=query_text(data, "q"),
        )

    @property
    def active(self) -> bool:
        return bool(self.level or self.region or self.q)


def school_list(*, district: District, filters: SchoolFilters | None = None) -> QuerySet[School]:
    filters = filters or SchoolFilters()
    schools = School.objects.filter(district=district)
    if filters.level:
        schools = schools.filter(level=filters.level)
    if filters.region:
        schools = schools.filter(region=filters.region)
    if filters.q:
        schools = schools.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    return schools.order_by("name")


def school_regions(*, district: District) -> list[str]:
    return list(
        School.objects.filter(district=district)
        .exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


def _leaders_by_place(*, district: District, role: Role, place: str, ids: list[int]) -> dict[int, list[Membership]]:
    """Active members with `role` at the given schools or departments (`place`), by place id, in one query."""
    result: dict[int, list[Membership]] = {}
    members = Membership.objects.filter(district=district, role=role, is_active=True, **{f"{place}_id__in": ids})
    for membership in members.select_related("user"):
        result.setdefault(getattr(membership, f"{place}_id"), []).append(membership)
    return result


def principals_by_school(*, district: District, school_ids: list[int]) -> dict[int, list[Membership]]:
    """Active principals of the given schools, in one query."""
    return _leaders_by_place(district=district, role=Role.PRINCIPAL, place="school", ids=school_ids)


def principal_names_by_school(*, district: District, school_ids: list[int]) -> dict[int, list[str]]:
    """The names of the given schools' active principals, by school, in one query that builds no models."""
    names: dict[int, list[str]] = {}
    rows = (
        Membership.objects.filter(district=district, role=Role.PRINCIPAL, is_active=True, school_id__in=school_ids)
        .order_by("sort_name", "pk")
        .values_list("school_id", "user__full_name", "user__email")
    )
    for school_id, full_name, email in rows:
        names.setdefault(school_id, []).append(full_name or email)
    return names


def active_member_count(
    *, district: District, school: School | None = None, department: Department | None = None
) -> int:
    members = Membership.objects.filter(district=district, is_active=True)
    if school is not None:
        members = members.filter(school=school)
    if department is not None:
        members = members.filter(department=department)
    return members.count()


# --- Departments ------------------------------------------------------------------


def department_list(*, district: District) -> QuerySet[Department]:
    """Departments with `member_count` (active members), in one query."""
    members = (
        Membership.objects.filter(district=district, is_active=True, department=OuterRef("pk"))
        .order_by()
        .values("department")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Department.objects.filter(district=district)
        .annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)))
        .order_by("name")
    )


def leads_by_department(*, district: District, department_ids: list[int]) -> dict[int, list[Membership]]:
    """Active cabinet members / department leads of the given departments, in one query."""
    return _leaders_by_place(district=district, role=Role.CABINET, place="department", ids=department_ids)


# --- People -----------------------------------------------------------------------


class PeopleStatus:
    ALL = ""
    ACTIVE = "active"
    INACTIVE = "inactive"
    INVITED = "invited"

    CHOICES = (
        (ALL, gettext_lazy("Members and open invitations")),
        (ACTIVE, gettext_lazy("Active members")),
        (INACTIVE, gettext_lazy("Deactivated members")),
        (INVITED, gettext_lazy("Invitations (pending, expired, revoked)")),
    )


@dataclass(frozen=True)
class PeopleFilters:
    role: str = ""
    place: str = ""  # "school:<id>" or "department:<id>"
    status: str = PeopleStatus.ALL
    q: str = ""
    school_q: str = ""  # part of a school's name or code: a search, not an 1,800-option list

    @classmethod
    def from_query(cls, data: dict) -> PeopleFilters:
        role = data.get("role", "")
        status = data.get("status", "")
        place = data.get("place", "")
        kind, _, pk = place.partition(":")
        return cls(
            role=role if role in Role.values else "",
            place=place if kind in ("school", "department") and parse_id(pk) is not None else "",
            status=status if status in dict(PeopleStatus.CHOICES) else PeopleStatus.ALL,
            q=query_text(data, "q"),
            school_q=query_text(data, "school"),
        )

    @property
    def active(self) -> bool:
        return bool(self.role or self.place or self.status or self.q or self.school_q)

    @property
    def shows_members(self) -> bool:
        return self.status != PeopleStatus.INVITED

    @property
    def shows_invitations(self) -> bool:
        return self.status in (PeopleStatus.ALL, PeopleStatus.INVITED)

    def _place(self, kind: str) -> int | None:
        place_kind, _, pk = self.place.partition(":")
        return parse_id(pk) if place_kind == kind else None

    @property
    def school_id(self) -> int | None:
        return self._place("school")

    @property
    def department_id(self) -> int | None:
        return self._place("department")

    def querystring(self, **overrides: str) -> str:
        values = {
            "role": self.role,
            "place": self.place,
            "status": self.status,
            "q": self.q,
            "school": self.school_q,
            **overrides,
        }
        return urlencode({k: v for k, v in values.items() if v})


def _person_filters(filters: PeopleFilters, *, email: str, name: str) -> Q:
    condition = Q()
    if filters.school_q:
        condition &= Q(school__name__icontains=filters.school_q) | Q(school__code__icontains=filters.school_q)
    if filters.role:
        condition &= Q(role=filters.role)
    if filters.school_id is not None:
        condition &= Q(school_id=filters.school_id)
    if filters.department_id is not None:
        condition &= Q(department_id=filters.department_id)
    if filters.q:
        condition &= Q(**{f"{email}__icontains": filters.q}) | Q(**{f"{name}__icontains": filters.q})
    return condition


def member_list(*, district: District, filters: PeopleFilters) -> QuerySet[Membership]:
    members = Membership.objects.filter(district=district).filter(
        _person_filters(filters, email="user__email", name="user__full_name")
    )
    if filters.status == PeopleStatus.ACTIVE:
        members = members.filter(is_active=True)
    elif filters.status == PeopleStatus.INACTIVE:
        members = members.filter(is_active=False)
    # Active first, then by name (the person's name copied onto the membership): the index
    # membership_district_people gives a page of 50 without sorting the district's members.
    return members.select_related("user", "school", "department", "role_label").order_by(
        "-is_active", "sort_name", "pk"
    )


def invitation_list(*, district: District, filters: PeopleFilters) -> QuerySet[Invitation]:
    """Invitations not yet accepted: open ones (pending or expired), plus revoked ones when asked for invitations."""
    invitations = Invitation.objects.filter(district=district, accepted_at__isnull=True).filter(
        _person_filters(filters, email="email", name="full_name")
    )
    if filters.status != PeopleStatus.INVITED:
        invitations = invitations.filter(revoked_at__isnull=True)
    return invitations.select_related("school", "department", "role_label", "invited_by__user").order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at"
    )


def people_places(*, district: District, filters: PeopleFilters) -> tuple[list[School], list[Department]]:
    """The choices of the people list's place filter: every department, and the school already chosen (if any).

    Schools are found by the school search instead: a district can have 1,800 of them.
    """
    return (
        list(School.objects.filter(district=district, pk=filters.school_id).only("pk", "name"))
        if filters.school_id is not None
        else [],
        list(Department.objects.filter(district=district).only("pk", "name").order_by("name")),
    )


def membership_history(*, membership: Membership) -> History:
    """A member's changes, newest first (core.history): what they joined as, changes to their role, place,
    role card and title, deactivations and reactivations. Reads only the newest page of records."""
    name = membership.user.get_full_name()

    def describe(record: object, previous: object) -> tuple[str, str] | None:
        themselves = record.history_user_id == record.user_id  # they accepted an invitation
        if record.history_type == "+" and themselves:
            return "joined", ""  # core.history.ACTIONS: "… joined the district"
        if previous is not None and record.is_active != previous.is_active:
            if record.is_active:
                return ("rejoined", "") if themselves else ("reactivated", name)
            return "deactivated", name
        return None

    return history_entries(
        HistorySource(
            membership.history.all(),
            lambda record: name,
            hidden=frozenset({"user", "is_active", "deactivated_at", "created_at"}),
            added_values=True,
            describe=describe,
        )
    )


# --- District home: the admin's setup checklist ----------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    done: bool
    detail: str


# The checklist counts members and invitations up to this many: beyond it, "more than 1,000" says enough,
# and counting a 10,000-member district on every visit to the home would not.
CHECKLIST_COUNT_CAP = 1000


def _capped_figure(count: int) -> str:
    if count > CHECKLIST_COUNT_CAP:
        return _("more than %(cap)s") % {"cap": number_format(CHECKLIST_COUNT_CAP, force_grouping=True)}
    return number_format(count, force_grouping=True)


def home_counts(*, district: District, actor: Membership) -> dict[str, int]:
    """What the district home counts, in one query: schools, departments, and for the setup checklist
    the open invitations and the other members, each of those two counted no further than CHECKLIST_COUNT_CAP + 1."""
    cap = CHECKLIST_COUNT_CAP + 1
    return count_together(
        schools=School.objects.filter(district=district),
        departments=Department.objects.filter(district=district),
        invitations=(Invitation.objects.filter(district=district, revoked_at__isnull=True), cap),
        other_members=(Membership.objects.filter(district=district).exclude(pk=actor.pk), cap),
    )


def setup_checklist(*, district: District, counts: dict[str, int]) -> list[ChecklistItem]:
    """What a new district still needs, for its admins, from the home's counts (home_counts)."""
    school_count, department_count = counts["schools"], counts["departments"]
    invitation_count, other_members = counts["invitations"], counts["other_members"]
    people = invitation_count + other_members
    reviewed = district.settings_reviewed_at
    return [
        ChecklistItem(
            "settings",
            _("Review the district settings"),
            reviewed is not None,
            _("Reviewed %(date)s.") % {"date": date_format(timezone.localtime(reviewed), "DATE_FORMAT")}
            if reviewed
            else _("Time zone, school year, check-in cadence and focus limits."),
        ),
        ChecklistItem(
            "schools",
            _("Add your schools"),
            school_count > 0,
            ngettext("%(count)s school.", "%(count)s schools.", school_count) % {"count": school_count}
            if school_count
            else _("One at a time or from a CSV file."),
        ),
        ChecklistItem(
            "departments",
            _("Add your central-office departments"),
            department_count > 0,
            ngettext("%(count)s department.", "%(count)s departments.", department_count) % {"count": department_count}
            if department_count
            else _("Teaching and Learning, Operations, …"),
        ),
        ChecklistItem(
            "people",
            _("Invite your people"),
            people > 0,
            _("%(members)s, %(invitations)s.")
            % {
                "members": ngettext("%(count)s other member", "%(count)s other members", other_members)
                % {"count": _capped_figure(other_members)},
                "invitations": ngettext("%(count)s invitation", "%(count)s invitations", invitation_count)
                % {"count": _capped_figure(invitation_count)},
            }
            if people
            else _("Superintendent, cabinet, principals and staff, with their roles."),
        ),
    ]
