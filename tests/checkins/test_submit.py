"""Filling in and submitting a check-in (checkins.services): drafts keep what was typed, a stale save is
refused, submission validates every entry and value, writes the values through metrics.services and
marks late submissions; a submitted check-in can't be changed until it is returned."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scopes_disabled

from checkins import events, services
from checkins.models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinMetricValue,
    CheckinState,
    CycleState,
    EntryStatus,
)
from checkins.services import CheckinIncompleteError, CheckinNotEditableError, EntryInput, StaleCheckin
from districts import ticks
from districts.models import District
from districts.roles import Role
from metrics.choices import Frequency, Source, ValueSource
from metrics.models import MetricRollup, MetricValue
from tests.metrics.factories import MetricFactory

from .conftest import MARCH_OPEN, MARCH_PERIOD, chicago, cycle_of

pytestmark = pytest.mark.django_db

ON_TIME = MARCH_OPEN + timedelta(hours=1)
GOOD = EntryInput(status=EntryStatus.ON_TRACK, note="Going well")


@pytest.fixture
def opened(world):
    ticks.run_district(District.objects.get(pk=world.district.pk), now=MARCH_OPEN)
    return world


@pytest.fixture
def school(opened):
    return opened.schools[0]


@pytest.fixture
def principal(opened, school, make_member):
    return make_member(opened.district, Role.PRINCIPAL, school=school)


@pytest.fixture
def metric(opened):
    return MetricFactory(
        district=opened.district,
        priority=opened.commitments[0].priority,
        source=Source.CHECKINS,
        frequency=Frequency.MONTHLY,
        valid_min=Decimal("0"),
        valid_max=Decimal("100"),
    )


def checkin_of(district, school) -> Checkin:
    with scopes_disabled():
        return Checkin.objects.select_related("cycle", "school").get(
            district=district, school=school, cycle=cycle_of(district)
        )


def entry_ids(checkin: Checkin) -> list[int]:
    with scopes_disabled():
        return list(
            CheckinEntry.objects.filter(checkin=checkin, set_aside=False).order_by("pk").values_list("pk", flat=True)
        )


def save(district, actor, checkin, version, entries, values=None):
    return services.save_checkin_draft(
        district=district, actor=actor, checkin=checkin, version=version, entries=entries, values=values or {}
    )


def test_a_draft_keeps_whatever_was_typed_and_bumps_the_version(opened, school, principal, metric, in_district):
    district = opened.district
    checkin = checkin_of(district, school)
    first, second = entry_ids(checkin)
    typed = EntryInput(status=EntryStatus.AT_RISK, evidence_url="not a link", support_requested=True)
    with in_district(district):
        saved = save(district, principal, checkin, checkin.version, {first: typed}, {metric.pk: "12,5 maybe"})
    assert (saved.state, saved.version) == (CheckinState.DRAFT, checkin.version + 1)
    with scopes_disabled():
        entry = CheckinEntry.objects.get(pk=first)
        stored = Checkin.objects.get(pk=checkin.pk)
        value = CheckinMetricValue.objects.get(checkin=checkin, metric=metric)
    assert (entry.status, entry.evidence_url, entry.support_requested) == (EntryStatus.AT_RISK, "not a link", True)
    assert (stored.state, stored.version, stored.updated_by_id) == (CheckinState.DRAFT, saved.version, principal.pk)
    assert (value.value_text, value.period, value.written_value) == ("12,5 maybe", MARCH_PERIOD, None)
    # …and what can't be submitted yet is listed, field by field.
    with in_district(district):
        problems = services.checkin_problems(stored, today=ON_TIME.date())
    assert set(problems.entries[first]) == {"note", "evidence_url", "support_needed"}
    assert second not in problems.entries  # not started is a status too
    assert metric.pk in problems.values


def test_a_save_from_an_older_version_is_refused_and_names_who_saved(
    opened, school, principal, make_member, in_district
):
    district = opened.district
    checkin = checkin_of(district, school)
    first, _ = entry_ids(checkin)
    colleague = make_member(district, Role.PRINCIPAL, school=school)
    with in_district(district):
        save(district, colleague, checkin, checkin.version, {first: GOOD})
        with pytest.raises(StaleCheckin) as refused:
            save(district, principal, checkin, checkin.version, {first: EntryInput(note="mine")})
    assert refused.value.saved_by.pk == colleague.pk
    assert refused.value.version == checkin.version + 1
    with scopes_disabled():
        assert CheckinEntry.objects.get(pk=first).note == "Going well"


def test_only_the_schools_principal_may_save(opened, school, make_member, in_district):
    district = opened.district
    checkin = checkin_of(district, school)
    other_principal = make_member(district, Role.PRINCIPAL, school=opened.schools[1])
    superintendent = make_member(district, Role.SUPERINTENDENT)
    for actor in (other_principal, superintendent):
        with in_district(district), pytest.raises(PermissionDenied):
            save(district, actor, checkin, checkin.version, {})


def test_submission_writes_the_values_through_metrics_services_and_restarts_the_loop(
    opened, school, principal, metric, in_district, monkeypatch
):
    district = opened.district
    checkin = checkin_of(district, school)
    ids = entry_ids(checkin)
    with scopes_disabled():
        Checkin.objects.filter(pk=checkin.pk).update(first_response_at=MARCH_OPEN)
    reported = []
    monkeypatch.setattr(events, "checkin_submitted", lambda c, *, actor: reported.append((c.pk, actor.pk)))
    with in_district(district):
        submitted = services.submit_checkin(
            district=district,
            actor=principal,
            checkin=checkin,
            version=checkin.version,
            entries=dict.fromkeys(ids, GOOD),
            values={metric.pk: "92.5%"},
            now=ON_TIME,
        )
    assert reported == [(checkin.pk, principal.pk)]
    with scopes_disabled():
        stored = Checkin.objects.get(pk=checkin.pk)
        value = MetricValue.objects.get(metric=metric, school=school)
        row = CheckinMetricValue.objects.get(checkin=checkin, metric=metric)
        history = list(value.history.all())
        rollup = MetricRollup.objects.get(metric=metric, period=MARCH_PERIOD)
    assert submitted.state == stored.state == CheckinState.SUBMITTED
    assert (stored.submitted_at, stored.submitted_by_id, stored.late, stored.first_response_at) == (
        ON_TIME,
        principal.pk,
        False,
        None,
    )
    assert (value.value, value.period, value.source, value.entered_by_id) == (
        Decimal("92.5"),
        MARCH_PERIOD,
        ValueSource.CHECKIN,
        principal.pk,
    )
    assert row.written_value_id == value.pk
    assert [h.history_user for h in history] == [principal.user]
    assert rollup.value == Decimal("92.5") and rollup.reporting_schools == 1


def test_submission_with_problems_submits_nothing_and_lists_them(opened, school, principal, metric, in_district):
    district = opened.district
    checkin = checkin_of(district, school)
    first, second = entry_ids(checkin)
    entries = {first: EntryInput(status=EntryStatus.OFF_TRACK), second: EntryInput(evidence_url="ftp://x.org/a")}
    with in_district(district), pytest.raises(CheckinIncompleteError) as refused:
        services.submit_checkin(
            district=district,
            actor=principal,
            checkin=checkin,
            version=checkin.version,
            entries=entries,
            values={metric.pk: "140"},
            now=ON_TIME,
        )
    problems = refused.value.problems
    assert problems.entries == {
        first: {"note": problems.entries[first]["note"]},
        second: {"evidence_url": problems.entries[second]["evidence_url"]},
    }
    assert metric.pk in problems.values
    with scopes_disabled():
        assert Checkin.objects.get(pk=checkin.pk).state == CheckinState.NOT_STARTED
        assert not MetricValue.objects.filter(metric=metric).exists()


def test_a_late_submission_is_marked_late_and_a_submitted_checkin_cant_change(opened, school, principal, in_district):
    district = opened.district
    checkin = checkin_of(district, school)
    ids = entry_ids(checkin)
    late = chicago(2026, 3, 29, 10)
    with in_district(district):
        submitted = services.submit_checkin(
            district=district,
            actor=principal,
            checkin=checkin,
            version=checkin.version,
            entries=dict.fromkeys(ids, GOOD),
            now=late,
        )
    assert submitted.late and submitted.submitted_at == late
    with in_district(district), pytest.raises(CheckinNotEditableError):
        save(district, principal, checkin, submitted.version, {ids[0]: EntryInput(note="after")})
    with scopes_disabled():
        assert CheckinEntry.objects.get(pk=ids[0]).note == "Going well"


def test_a_returned_checkin_can_be_edited_and_resubmitted(opened, school, principal, in_district):
    district = opened.district
    checkin = checkin_of(district, school)
    ids = entry_ids(checkin)
    with in_district(district):
        submitted = services.submit_checkin(
            district=district,
            actor=principal,
            checkin=checkin,
            version=checkin.version,
            entries=dict.fromkeys(ids, GOOD),
            now=ON_TIME,
        )
    with scopes_disabled():
        Checkin.objects.filter(pk=checkin.pk).update(state=CheckinState.RETURNED, return_comment="More detail")
    with in_district(district):
        saved = save(district, principal, checkin, submitted.version, {ids[0]: EntryInput(EntryStatus.DONE, "Done!")})
        assert saved.state == CheckinState.RETURNED
        again = services.submit_checkin(
            district=district, actor=principal, checkin=checkin, version=saved.version, now=ON_TIME + timedelta(days=1)
        )
    assert again.state == CheckinState.SUBMITTED and not again.late


def test_nothing_is_saved_into_a_closed_cycle(opened, school, principal, in_district):
    district = opened.district
    checkin = checkin_of(district, school)
    with scopes_disabled():
        CheckinCycle.objects.filter(pk=checkin.cycle_id).update(state=CycleState.CLOSED)
    with in_district(district), pytest.raises(CheckinNotEditableError):
        save(district, principal, checkin, checkin.version, {entry_ids(checkin)[0]: GOOD})
