"""Fixtures for district-setup tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from districts.models import ImportBatch, ImportKind
from districts.tenancy import district_context


@pytest.fixture
def admin_client(admin_member, client_for):
    return client_for(admin_member)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """`with run_on_commit():` runs on_commit callbacks (the invitation email task) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def make_batch(db) -> Callable[..., ImportBatch]:
    def make(district, kind: str = ImportKind.SCHOOLS, content: str = "name,level\nA School,high\n") -> ImportBatch:
        with district_context(district):
            return ImportBatch.objects.create(district=district, kind=kind, filename="file.csv", content=content)

    return make
