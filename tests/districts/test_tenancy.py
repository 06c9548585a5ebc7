"""Wall one, the application: the fail-closed district-scoped manager and the district context.

(The PostgreSQL row-level-security wall has its own tests.)
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import ScopeError

from districts.models import Department, Invitation, Membership, School
from districts.rls import district_owned_models
from districts.tenancy import current_district, dangerously_cross_district, district_context, district_context_by_slug
from tests.factories import SchoolFactory


@pytest.fixture
def schools(district, other_district):
    return SchoolFactory(district=district, name="Ours"), SchoolFactory(district=other_district, name="Theirs")


@pytest.mark.parametrize("model", [School, Department, Membership, Invitation])
def test_queries_without_a_district_context_raise(model, db):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()
    with pytest.raises(ScopeError):
        model.objects.count()


def test_district_context_filters_to_its_district(district, other_district, schools):
    with district_context(district):
        assert [s.name for s in School.objects.all()] == ["Ours"]
        assert not School.objects.filter(name="Theirs").exists()
        assert current_district() == district
    with district_context(other_district):
        assert [s.name for s in School.objects.all()] == ["Theirs"]
    assert current_district() is None


def test_the_context_found_by_slug_filters_to_its_district_in_its_time_zone(district, other_district, schools):
    district.time_zone = "America/Denver"
    district.save()
    with district_context_by_slug(district.slug) as found:
        assert found == district and current_district() == district
        assert [s.name for s in School.objects.all()] == ["Ours"]
        assert timezone.get_current_timezone_name() == "America/Denver"
    with district_context_by_slug("no-such-district") as missing:
        assert missing is None
        with pytest.raises(ScopeError):
            School.objects.count()
    assert current_district() is None


def test_a_nested_context_restores_the_outer_district(district, other_district, schools):
    with district_context(district):
        with district_context(other_district):
            assert [s.name for s in School.objects.all()] == ["Theirs"]
            assert current_district() == other_district
        assert [s.name for s in School.objects.all()] == ["Ours"]
        assert current_district() == district


def test_dangerously_cross_district_sees_every_district(district, other_district, schools):
    with dangerously_cross_district():
        assert sorted(s.name for s in School.objects.all()) == ["Ours", "Theirs"]
    with pytest.raises(ScopeError):
        School.objects.count()


def test_the_context_is_a_transaction(district, db):
    with pytest.raises(RuntimeError), district_context(district):
        SchoolFactory(district=district, name="Rolled back")
        raise RuntimeError
    with district_context(district):
        assert not School.objects.filter(name="Rolled back").exists()


def _is_history(model) -> bool:
    return hasattr(model, "instance_type")  # django-simple-history's historical models


# History rows are read through their instance's `history` manager; RLS still guards their tables.
SCOPED_MODELS = [m for m in district_owned_models() if not _is_history(m)]


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m._meta.label)
def test_every_district_owned_model_uses_the_scoped_manager(model):
    assert hasattr(model.objects, "with_scopes_disabled"), f"{model._meta.label}.objects is not district-scoped"
    assert model._default_manager is model.objects
    with pytest.raises(ScopeError):
        model.objects.count()


def test_the_only_unscoped_district_owned_models_are_history():
    unscoped = [m for m in district_owned_models() if not hasattr(m.objects, "with_scopes_disabled")]
    assert unscoped and all(_is_history(m) for m in unscoped)
    labels = {m._meta.label for m in SCOPED_MODELS}
    assert {"districts.School", "districts.Membership", "districts.Invitation", "districts.ImportBatch"} <= labels
