"""Access helpers: fetch one object within the actor's district, or 404.

"Missing" and "belongs to another district" raise the same Http404, so a URL
never reveals what exists elsewhere.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.http import Http404

from core.parsing import parse_id

from .models import Department, ImportBatch, Invitation, Membership, RoleLabel, School

M = TypeVar("M", bound=models.Model)


def access_in_district(queryset: models.QuerySet[M], *, actor: Membership, pk: object) -> M:
    """The one implementation behind every access_<entity> helper."""
    pk = parse_id(pk)
    if pk is None:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.")
    try:
        obj = queryset.get(pk=pk, district_id=actor.district_id)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from None
    return obj


def access_school(*, actor: Membership, school_id: object) -> School:
    return access_in_district(School.objects.all(), actor=actor, pk=school_id)


def access_department(*, actor: Membership, department_id: object) -> Department:
    return access_in_district(Department.objects.all(), actor=actor, pk=department_id)


def access_membership(*, actor: Membership, membership_id: object) -> Membership:
    return access_in_district(
        Membership.objects.select_related("user", "school", "department", "role_label"),
        actor=actor,
        pk=membership_id,
    )


def access_invitation(*, actor: Membership, invitation_id: object) -> Invitation:
    return access_in_district(Invitation.objects.select_related("school", "department"), actor=actor, pk=invitation_id)


def access_import_batch(*, actor: Membership, batch_id: object) -> ImportBatch:
    # The stored file (up to the upload limit) is left unread: pages show the kept preview, and
    # confirming reloads the batch with its file under a lock.
    return access_in_district(ImportBatch.objects.defer("content"), actor=actor, pk=batch_id)


def access_role_label(*, actor: Membership, role_label_id: object) -> RoleLabel:
    return access_in_district(RoleLabel.objects.all(), actor=actor, pk=role_label_id)
