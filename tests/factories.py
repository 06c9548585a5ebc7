"""factory_boy factories. Children are always created in their parent's district."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from django_scopes import scopes_disabled

from districts.models import (
    Department,
    District,
    Invitation,
    Membership,
    RoleLabel,
    School,
    SchoolLevel,
    User,
)
from districts.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class ScopeFreeFactory(factory.django.DjangoModelFactory):
    """Creation in tests happens outside any request; lookups must not trip the fail-closed manager."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(ScopeFreeFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)


class DistrictFactory(ScopeFreeFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    time_zone = "America/Chicago"
    languages = factory.LazyFunction(lambda: ["en"])


class SchoolFactory(ScopeFreeFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    code = factory.Sequence(lambda n: f"S{n:04d}")
    level = SchoolLevel.ELEMENTARY
    enrollment = 400


class DepartmentFactory(ScopeFreeFactory):
    class Meta:
        model = Department

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Factory department {n}")  # not the builders' "Department N"


class RoleLabelFactory(ScopeFreeFactory):
    class Meta:
        model = RoleLabel

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Role label {n}")
    slug = factory.Sequence(lambda n: f"role-label-{n}")


class MembershipFactory(ScopeFreeFactory):
    """A member; the school or department a role needs is made in the same district."""

    class Meta:
        model = Membership

    district = factory.SubFactory(DistrictFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.STAFF
    school = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in (Role.PRINCIPAL, Role.STAFF)),
        yes_declaration=factory.SubFactory(SchoolFactory, district=factory.SelfAttribute("..district")),
        no_declaration=None,
    )
    department = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.CABINET),
        yes_declaration=factory.SubFactory(DepartmentFactory, district=factory.SelfAttribute("..district")),
        no_declaration=None,
    )


class InvitationFactory(ScopeFreeFactory):
    class Meta:
        model = Invitation

    district = factory.SubFactory(DistrictFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    full_name = factory.Faker("name")
    role = Role.BOARD_MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
