"""The district home greets a person by their name as entered (issue 8 item 7)."""

from __future__ import annotations

import pytest
from django.test import Client

from districts.roles import Role
from tests.conftest import login
from tests.factories import DistrictFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("full_name", ["Dr. Ana Reyes", "Ms. Lee", "María José de la Cruz"])
def test_the_home_greets_with_the_whole_name_title_included(full_name):
    member = MembershipFactory(district=DistrictFactory(), role=Role.SUPERINTENDENT, user__full_name=full_name)
    page = login(Client(), member).get(f"/d/{member.district.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Welcome, {full_name}." in page
    assert f"Welcome, {full_name.split()[0]}." not in page
