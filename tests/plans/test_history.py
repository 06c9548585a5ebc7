"""Change history: who changed what and when, from django-simple-history, as the pages show it."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.html import escape

from core.history import HistorySource, history_entries
from districts.roles import Role
from districts.tenancy import district_context
from plans import selectors as plan_selectors
from plans import services as plan_services
from priorities import services as priority_services
from priorities.models import Commitment, Priority, ReportedIn


def test_plan_history_lists_each_change_with_its_author_newest_first(district, admin_member, superintendent_member):
    with district_context(district):
        plan = plan_services.plan_create(
            district=district,
            actor=admin_member,
            title="Riverbend 2030",
            start_year=2025,
            end_year=2030,
            vision="Every learner.",
        )
        plan_services.plan_update(
            district=district,
            actor=superintendent_member,
            plan=plan,
            title="Riverbend 2030+",
            vision="Every learner, every day.",
        )
        plan_services.competency_create(district=district, actor=admin_member, plan=plan, name="Curious learner")
        entries = history_entries(*plan_selectors.plan_history_sources(plan))

    assert [(e.who, e.verb, e.subject) for e in entries] == [
        (admin_member.user.get_full_name(), "added", "competency “Curious learner”"),
        (superintendent_member.user.get_full_name(), "changed", "the plan"),
        (admin_member.user.get_full_name(), "added", "the plan"),
    ]
    changes = {c.label: (c.old, c.new) for c in entries[1].changes}
    assert changes == {
        "Title": ("Riverbend 2030", "Riverbend 2030+"),
        "Vision": ("Every learner.", "Every learner, every day."),
    }


def test_foreign_keys_and_choices_read_as_names(district, admin_member, priority, make_member, role_label):
    new_owner = make_member(district, Role.SUPERINTENDENT)
    old_owner_name = priority.owner.user.get_full_name()
    with district_context(district):
        priority_services.priority_update(district=district, actor=admin_member, priority=priority, owner=new_owner)
        commitment = priority_services.commitment_create(
            district=district,
            actor=admin_member,
            priority=priority,
            title="Monthly data meeting",
            role_label=role_label,
            starts_on=date(priority.plan.start_year, 8, 1),
            ends_on=date(priority.plan.end_year, 6, 30),
        )
        priority_services.commitment_update(
            district=district,
            actor=admin_member,
            commitment=commitment,
            reported_in=ReportedIn.BOTH,
            ends_on=date(priority.plan.end_year, 5, 31),
        )
        owner_change = history_entries(HistorySource(Priority.history.filter(id=priority.pk), lambda r: "it"))[0]
        commitment_change = history_entries(HistorySource(Commitment.history.filter(id=commitment.pk), lambda r: "it"))[
            0
        ]
    assert [(c.label, c.old, c.new) for c in owner_change.changes] == [
        ("Owner", old_owner_name, new_owner.user.get_full_name())
    ]
    assert [(c.label, c.old, c.new) for c in commitment_change.changes] == [
        ("Ends", f"Jun 30, {priority.plan.end_year}", f"May 31, {priority.plan.end_year}"),
        ("Reported in", "School check-ins", "School and department check-ins"),
    ]


def test_the_plan_page_shows_its_history(district, admin_member, client_for):
    with district_context(district):
        plan = plan_services.plan_create(
            district=district, actor=admin_member, title="Riverbend 2030", start_year=2025, end_year=2030
        )
        plan_services.plan_update(district=district, actor=admin_member, plan=plan, mission="We teach every child.")
    page = (
        client_for(admin_member)
        .get(reverse("plans:plan_detail", kwargs={"district_slug": district.slug, "plan_id": plan.pk}))
        .content.decode()
    )
    assert "Change history" in page
    assert f"<strong>{escape(admin_member.user.get_full_name())}</strong> changed the plan" in page
    assert "We teach every child." in page
