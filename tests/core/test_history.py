"""core.history reads only the history a page shows, newest first, however long the history is."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.history import HistoryEntry, HistorySource, history_entries, save_with_history
from districts.tenancy import district_context
from plans import selectors as plan_selectors
from plans import services as plan_services
from plans.models import Competency, StrategicPlan

CHANGES = 80


@contextmanager
def counting_built(*models):
    """How many instances of these models Python builds (rows fetched) inside the block."""
    built = {"count": 0}

    def count(sender, **kwargs):
        built["count"] += 1

    for model in models:
        post_init.connect(count, sender=model, weak=False)
    try:
        yield built
    finally:
        for model in models:
            post_init.disconnect(count, sender=model)


def _long_history(district, actor):
    """A plan renamed CHANGES times, with a competency added after every tenth rename."""
    with district_context(district):
        plan = plan_services.plan_create(
            district=district, actor=actor, title="Title 0", start_year=2025, end_year=2030
        )
        for number in range(1, CHANGES + 1):
            plan_services.plan_update(district=district, actor=actor, plan=plan, title=f"Title {number}")
            if number % 10 == 0:
                plan_services.competency_create(district=district, actor=actor, plan=plan, name=f"Skill {number}")
    return plan


def test_a_long_history_reads_only_the_newest_rows_in_order(district, admin_member):
    plan = _long_history(district, admin_member)
    historical = (StrategicPlan.history.model, Competency.history.model)
    with district_context(district), counting_built(*historical) as built, CaptureQueriesContext(connection) as ctx:
        entries = history_entries(*plan_selectors.plan_history_sources(plan))

    # 81 records for the plan, 8 for competencies: a page of 30 builds at most a page (and one more) per source.
    assert built["count"] <= 2 * 31 + 2
    history_reads = [q["sql"] for q in ctx.captured_queries if "historical" in q["sql"].lower()]
    assert history_reads and all("ORDER BY" in sql and "LIMIT" in sql for sql in history_reads if "IN (" not in sql)

    assert len(entries) == 30 and entries.more
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    titles = [{c.label: c.new for c in e.changes}.get("Title") for e in entries if e.subject == "the plan"]
    newest = [f"Title {n}" for n in range(CHANGES, 0, -1)]
    assert titles == newest[: len(titles)]
    skills = [e.subject for e in entries if e.subject.startswith("competency")]
    assert skills == ["competency “Skill 80”", "competency “Skill 70”", "competency “Skill 60”"]
    # The oldest change shown is read against a record the page does not show.
    oldest_number = CHANGES - len(titles) + 1
    assert [(c.label, c.old, c.new) for c in entries[-1].changes] == [
        ("Title", f"Title {oldest_number - 1}", f"Title {oldest_number}")
    ]


def test_changes_that_touch_only_bookkeeping_do_not_shorten_the_page(district, admin_member):
    with district_context(district):
        plan = plan_services.plan_create(
            district=district, actor=admin_member, title="Title 0", start_year=2025, end_year=2030
        )
        for number in range(1, 6):
            plan_services.plan_update(district=district, actor=admin_member, plan=plan, title=f"Title {number}")
        for _ in range(40):  # e.g. a step that only stamps a date nobody reads
            save_with_history(plan, actor=admin_member, update_fields=["activated_at"])
        entries = history_entries(HistorySource(StrategicPlan.history.filter(id=plan.pk), lambda r: "the plan"))
    assert [e.verb for e in entries] == ["changed"] * 5 + ["added"]
    assert [e.changes[0].new for e in entries[:5]] == [f"Title {n}" for n in range(5, 0, -1)]
    assert not entries.more


def test_the_plan_page_says_when_older_changes_are_not_shown(district, admin_member, client_for):
    plan = _long_history(district, admin_member)
    url = reverse("plans:plan_detail", kwargs={"district_slug": district.slug, "plan_id": plan.pk})
    page = client_for(admin_member).get(url).content.decode()
    assert "Showing the 30 most recent changes." in page
    assert page.count("changed the plan") == 27  # 30 shown, of which 3 added a competency
    assert "Title 80" in page and "Title 50" not in page

    with district_context(district):
        short = plan_services.plan_create(
            district=district, actor=admin_member, title="Short", start_year=2025, end_year=2030
        )
    url = reverse("plans:plan_detail", kwargs={"district_slug": district.slug, "plan_id": short.pk})
    assert "most recent changes" not in client_for(admin_member).get(url).content.decode()


# --- What a kind of object may add: hidden columns, the values it was added with, verbs of its own ----


def _membership_source(membership):
    """A member's history as the person page reads it (districts.selectors.membership_history)."""

    def describe(record, previous):
        if previous is not None and record.is_active != previous.is_active:
            return ("reactivated" if record.is_active else "deactivated"), "them"
        return None

    return HistorySource(
        type(membership).history.filter(id=membership.pk),
        lambda r: "the membership",
        hidden=frozenset({"user", "is_active", "deactivated_at", "created_at"}),
        added_values=True,
        describe=describe,
    )


def test_a_kind_can_hide_columns_list_added_values_and_word_changes_itself(district, admin_member, make_member):
    from districts import services
    from districts.roles import Role
    from tests.factories import SchoolFactory, UserFactory

    jefferson = SchoolFactory(district=district, name="Jefferson Middle")
    lincoln = SchoolFactory(district=district, name="Lincoln High")
    person = make_member(district, Role.PRINCIPAL, school=jefferson, user=UserFactory(full_name="Grace Okafor"))
    with district_context(district):
        services.membership_update(
            district=district, actor=admin_member, membership=person, role=Role.PRINCIPAL, school=lincoln, title="Head"
        )
        services.membership_deactivate(district=district, actor=admin_member, membership=person)
        services.membership_reactivate(district=district, actor=admin_member, membership=person)
        entries = history_entries(_membership_source(person))

    admin = admin_member.user.get_full_name()
    assert [(e.who, e.verb, e.subject) for e in entries[:3]] == [
        (admin, "reactivated", "them"),
        (admin, "deactivated", "them"),
        (admin, "changed", "the membership"),
    ]
    assert entries[0].changes == entries[1].changes == ()  # is_active and deactivated_at are hidden
    assert [(c.label, c.old, c.new) for c in entries[2].changes] == [
        ("School", "Jefferson Middle", "Lincoln High"),
        ("Title", "—", "Head"),
    ]
    added = entries[3]
    assert added.verb == "added"
    assert ("Role", "—", "Principal") in [(c.label, c.old, c.new) for c in added.changes]
    assert ("School", "—", "Jefferson Middle") in [(c.label, c.old, c.new) for c in added.changes]
    assert not {"User", "Active", "Created at"} & {c.label for c in added.changes}


def test_a_history_line_is_one_sentence_per_action_with_its_parts_escaped():
    from django.utils import timezone

    def line(action, who="Ana <Ruiz>", subject="the plan “<b>2030</b>”"):
        return HistoryEntry(timezone.now(), who, str(action), subject, (), action=action).line

    assert line("changed") == "<strong>Ana &lt;Ruiz&gt;</strong> changed the plan “&lt;b&gt;2030&lt;/b&gt;”"
    assert line("added", subject="the priority") == "<strong>Ana &lt;Ruiz&gt;</strong> added the priority"
    assert line("joined", who="Grace", subject="") == "<strong>Grace</strong> joined the district"
