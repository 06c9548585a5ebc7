"""Reads that feed district pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from .models import District, Membership, School, SchoolLevel
from .roles import Role
from .tenancy import dangerously_cross_district


def memberships_of_user(user: object) -> list[Membership]:
    """A user's active memberships in every district: the district picker at /."""
    # Crosses districts on purpose: the rows are the user's own.
    with dangerously_cross_district():
        return list(
            Membership.objects.filter(user=user, is_active=True)
            .select_related("district", "school", "department")
            .order_by("district__name")
        )


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
            region=data.get("region", "").strip(),
            q=data.get("q", "").strip(),
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
        School.objects.filter(district=district).exclude(region="").order_by("region").values_list("region", flat=True).distinct()
    )


def principals_by_school(*, district: District, school_ids: list[int]) -> dict[int, list[Membership]]:
    """Active principals of the given schools, in one query."""
    result: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(
        district=district, role=Role.PRINCIPAL, is_active=True, school_id__in=school_ids
    ).select_related("user"):
        result.setdefault(membership.school_id, []).append(membership)
    return result
