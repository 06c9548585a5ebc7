"""Stored roll-ups of check-ins per cycle (CheckinRollup): what the dashboards read instead of counting.

Scopes and keys (one row per scope that has at least one expected entry in the cycle; a row whose
scope no longer has any is deleted):

    DISTRICT "district" · PRIORITY "p:<id>" · COMMITMENT "c:<id>" · SCHOOL "s:<id>" ·
    DEPARTMENT "d:<id>" · SCHOOL_PRIORITY "s:<id>:p:<id>" · DEPARTMENT_PRIORITY "d:<id>:p:<id>"

Definitions (an entry is "in scope" when it is not set aside and its check-in, assignment's
commitment or priority belongs to the scope; set-aside entries count nowhere):

- entries_expected: entries in scope, in every check-in of the cycle whatever its state.
- entries_reported and not_started/on_track/at_risk/off_track/done: those entries in check-ins that are
  submitted or acknowledged, by status.
- checkins_expected: check-ins with at least one entry in scope; of those checkins_submitted (submitted
  or acknowledged), checkins_on_time (submitted or acknowledged and not late), checkins_late (late,
  whatever the state), checkins_returned (returned), checkins_acknowledged (acknowledged).
- support_requested: entries asking for support in submitted, acknowledged or returned check-ins;
  support_open: of those, not yet resolved.
- responded: submitted or acknowledged check-ins with a first response after their latest submission;
  loop_seconds_median / loop_seconds_max: over those check-ins, whole seconds from submission to first
  response (the median of an even number is the mean of the middle two, rounded down); empty when none.

How they stay current: `checkins.events` calls `schedule_checkin_refresh` / `schedule_cycle_refresh` in
the transaction of every change, which records one outbox row per cycle (kind "checkins.rollups", key
"cycle:<id>"), so a burst of submissions joins the row still waiting and is computed once. The handler
(`refresh_cycle`) recomputes every row of the cycle exactly from source, in the district's context,
holding a lock on the cycle row so two refreshes of one cycle take turns: one query for the cycle's
check-ins, two grouped aggregate queries over its entries (by check-in × priority, and by commitment ×
check-in state), one for which commitments the responded check-ins report on, one read of the stored
rows; then only rows whose numbers changed are upserted (bulk_create on (district, cycle, key)) and
stale rows deleted. The query count does not depend on the number of schools (the upsert goes in
batches of UPSERT_BATCH rows). `rebuild_district` does the same for every cycle of a district
(`manage.py rebuild_checkin_rollups <slug>` or `--all`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from core import cache_versions
from districts import outbox
from districts.models import District
from districts.tenancy import district_context

from .models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinRollup,
    CheckinState,
    EntryStatus,
    RollupScope,
)

REFRESH_KIND = "checkins.rollups"
UPSERT_BATCH = 1000

# Check-ins whose entries count as reported (and whose loop is measured).
REPORTED_STATES = frozenset({CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED})
# Check-ins whose support requests count (a returned check-in still asks).
SUPPORT_STATES = frozenset({CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED, CheckinState.RETURNED})

STATUS_FIELDS = {
    EntryStatus.NOT_STARTED: "not_started",
    EntryStatus.ON_TRACK: "on_track",
    EntryStatus.AT_RISK: "at_risk",
    EntryStatus.OFF_TRACK: "off_track",
    EntryStatus.DONE: "done",
}
COUNTER_FIELDS = [
    "entries_expected",
    "entries_reported",
    *STATUS_FIELDS.values(),
    "checkins_expected",
    "checkins_submitted",
    "checkins_on_time",
    "checkins_late",
    "checkins_returned",
    "checkins_acknowledged",
    "support_requested",
    "support_open",
    "responded",
    "loop_seconds_median",
    "loop_seconds_max",
]
SCOPE_FIELDS = ["scope", "priority_id", "commitment_id", "school_id", "department_id"]
ROW_FIELDS = SCOPE_FIELDS + COUNTER_FIELDS  # what a refresh compares and writes


# --- Scheduling (in the caller's transaction) ----------------------------------------------------


def schedule_checkin_refresh(checkin: Checkin) -> None:
    """Record (in the caller's transaction) that the roll-ups this check-in counts in must be recomputed."""
    _schedule(district=checkin.district, cycle_id=checkin.cycle_id)


def schedule_cycle_refresh(cycle: CheckinCycle) -> None:
    """Record (in the caller's transaction) that every roll-up of the cycle must be recomputed."""
    _schedule(district=cycle.district, cycle_id=cycle.pk)


def _schedule(*, district: District, cycle_id: int) -> None:
    outbox.enqueue(district=district, kind=REFRESH_KIND, key=f"cycle:{cycle_id}", payload={"cycle_id": cycle_id})


def deliver_refresh(*, district: District, payload: dict) -> int:
    """The outbox handler of REFRESH_KIND (registered in CheckinsConfig.ready); idempotent."""
    return refresh_cycle(district=district, cycle_id=int(payload["cycle_id"]))


# --- Computing -----------------------------------------------------------------------------------


@dataclass
class _Tally:
    scope: str
    priority_id: int | None = None
    commitment_id: int | None = None
    school_id: int | None = None
    department_id: int | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTER_FIELDS[:-2], 0))
    loops: list[int] = field(default_factory=list)

    def add_entries(self, *, state: str, entries: int, by_status: dict[str, int], support: int, open_: int) -> None:
        self.counts["entries_expected"] += entries
        if state in REPORTED_STATES:
            self.counts["entries_reported"] += entries
            for name, number in by_status.items():
                self.counts[name] += number
        if state in SUPPORT_STATES:
            self.counts["support_requested"] += support
            self.counts["support_open"] += open_

    def add_checkins(self, *, state: str, late: bool, number: int = 1) -> None:
        self.counts["checkins_expected"] += number
        if state in REPORTED_STATES:
            self.counts["checkins_submitted"] += number
            if not late:
                self.counts["checkins_on_time"] += number
        if late:
            self.counts["checkins_late"] += number
        if state == CheckinState.RETURNED:
            self.counts["checkins_returned"] += number
        if state == CheckinState.ACKNOWLEDGED:
            self.counts["checkins_acknowledged"] += number

    def row(self) -> dict:
        loops = sorted(self.loops)
        median = None
        if loops:
            middle = len(loops) // 2
            median = loops[middle] if len(loops) % 2 else (loops[middle - 1] + loops[middle]) // 2
        return {
            "scope": self.scope,
            "priority_id": self.priority_id,
            "commitment_id": self.commitment_id,
            "school_id": self.school_id,
            "department_id": self.department_id,
            **self.counts,
            "responded": len(loops),
            "loop_seconds_median": median,
            "loop_seconds_max": loops[-1] if loops else None,
        }


def _loop_seconds(submitted_at: datetime | None, first_response_at: datetime | None) -> int | None:
    if submitted_at is None or first_response_at is None:
        return None
    return max(0, int((first_response_at - submitted_at).total_seconds()))


def _entry_counters() -> dict:
    """The per-group entry counts of the grouped queries (entries are already filtered to in-scope)."""
    return {
        "entries": Count("pk"),
        **{name: Count("pk", filter=Q(status=status)) for status, name in STATUS_FIELDS.items()},
        "support": Count("pk", filter=Q(support_requested=True)),
        "open": Count("pk", filter=Q(support_requested=True, support_resolved_at__isnull=True)),
    }


def compute_cycle_rows(*, district: District, cycle: CheckinCycle) -> dict[str, dict]:
    """Every roll-up row of the cycle, by key, computed from source (4 queries, whatever the size)."""
    checkins = {
        pk: (school_id, department_id, state, late, _loop_seconds(submitted_at, first_response_at))
        for pk, school_id, department_id, state, late, submitted_at, first_response_at in Checkin.objects.filter(
            district=district, cycle=cycle
        ).values_list("pk", "school_id", "department_id", "state", "late", "submitted_at", "first_response_at")
    }
    entries = CheckinEntry.objects.filter(district=district, checkin__cycle=cycle, set_aside=False)
    by_checkin_priority = (
        entries.values("checkin_id", "assignment__commitment__priority_id").annotate(**_entry_counters()).order_by()
    )
    by_commitment_state = (
        entries.values(
            "assignment__commitment_id", "assignment__commitment__priority_id", "checkin__state", "checkin__late"
        )
        .annotate(**_entry_counters())
        .order_by()
    )
    # Which commitments the responded check-ins report on (for the commitments' loop numbers).
    responded_commitments = entries.filter(
        checkin__state__in=REPORTED_STATES, checkin__first_response_at__isnull=False
    ).values_list("checkin_id", "assignment__commitment_id")

    tallies: dict[str, _Tally] = {}

    def tally(key: str, scope: str, **ids: int | None) -> _Tally:
        found = tallies.get(key)
        if found is None:
            found = tallies[key] = _Tally(scope=scope, **ids)
        return found

    district_tally = _Tally(scope=RollupScope.DISTRICT)
    seen_checkins: set[int] = set()
    for group in by_checkin_priority:
        checkin_id, priority_id = group["checkin_id"], group["assignment__commitment__priority_id"]
        school_id, department_id, state, late, loop = checkins[checkin_id]
        if school_id is not None:
            place = tally(f"s:{school_id}", RollupScope.SCHOOL, school_id=school_id)
            cell = tally(
                f"s:{school_id}:p:{priority_id}",
                RollupScope.SCHOOL_PRIORITY,
                school_id=school_id,
                priority_id=priority_id,
            )
        else:
            place = tally(f"d:{department_id}", RollupScope.DEPARTMENT, department_id=department_id)
            cell = tally(
                f"d:{department_id}:p:{priority_id}",
                RollupScope.DEPARTMENT_PRIORITY,
                department_id=department_id,
                priority_id=priority_id,
            )
        priority = tally(f"p:{priority_id}", RollupScope.PRIORITY, priority_id=priority_id)
        counts = {
            "state": state,
            "entries": group["entries"],
            "by_status": {name: group[name] for name in STATUS_FIELDS.values()},
            "support": group["support"],
            "open_": group["open"],
        }
        # A (check-in, priority) group is one check-in of its cell and of its priority.
        scopes = [district_tally, place, cell, priority]
        for each in scopes:
            each.add_entries(**counts)
        for each in (cell, priority):
            each.add_checkins(state=state, late=late)
            if loop is not None and state in REPORTED_STATES:
                each.loops.append(loop)
        if checkin_id not in seen_checkins:  # the place and the district count each check-in once
            seen_checkins.add(checkin_id)
            for each in (district_tally, place):
                each.add_checkins(state=state, late=late)
                if loop is not None and state in REPORTED_STATES:
                    each.loops.append(loop)

    for group in by_commitment_state:
        commitment_id = group["assignment__commitment_id"]
        commitment = tally(f"c:{commitment_id}", RollupScope.COMMITMENT, commitment_id=commitment_id)
        commitment.priority_id = group["assignment__commitment__priority_id"]
        state = group["checkin__state"]
        commitment.add_entries(
            state=state,
            entries=group["entries"],
            by_status={name: group[name] for name in STATUS_FIELDS.values()},
            support=group["support"],
            open_=group["open"],
        )
        # A check-in has one entry per commitment at most (one assignment per commitment and place).
        commitment.add_checkins(state=state, late=group["checkin__late"], number=group["entries"])
    for checkin_id, commitment_id in responded_commitments:
        loop = checkins[checkin_id][4]
        if loop is not None:
            tallies[f"c:{commitment_id}"].loops.append(loop)

    if seen_checkins:
        tallies["district"] = district_tally
    return {key: each.row() for key, each in tallies.items()}


# --- Storing -------------------------------------------------------------------------------------


def refresh_cycle(*, district: District, cycle_id: int) -> int:
    """Recompute the cycle's roll-up rows from source and store the changes; the number of rows changed.

    Another district's (or a deleted) cycle changes nothing. Serialised per cycle by a lock on its row.
    """
    with district_context(district):
        cycle = CheckinCycle.objects.select_for_update().filter(district=district, pk=cycle_id).first()
        if cycle is None:
            return 0
        wanted = compute_cycle_rows(district=district, cycle=cycle)
        stored = {
            row["key"]: row
            for row in CheckinRollup.objects.filter(district=district, cycle=cycle).values("pk", "key", *ROW_FIELDS)
        }
        changed = [
            CheckinRollup(district=district, cycle=cycle, key=key, **row)
            for key, row in wanted.items()
            if key not in stored or any(stored[key][name] != value for name, value in row.items())
        ]
        stale = [row["pk"] for key, row in stored.items() if key not in wanted]
        if changed:
            now = timezone.now()
            for rollup in changed:
                rollup.updated_at = now
            CheckinRollup.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["district", "cycle", "key"],
                update_fields=[*ROW_FIELDS, "updated_at"],
                batch_size=UPSERT_BATCH,
            )
        if stale:
            CheckinRollup.objects.filter(district=district, pk__in=stale).delete()
        if changed or stale:
            cache_versions.bump(district.pk, cache_versions.CHECKIN_ROLLUPS)
    return len(changed) + len(stale)


def rebuild_district(district: District) -> int:
    """Recompute the roll-ups of every cycle of the district, one transaction per cycle.

    Called outside a transaction. Returns the number of rows the district's cycles have afterwards.
    """
    with district_context(district):
        cycle_ids = list(
            CheckinCycle.objects.filter(district=district).order_by("period_start").values_list("pk", flat=True)
        )
    for cycle_id in cycle_ids:
        refresh_cycle(district=district, cycle_id=cycle_id)
    with district_context(district):
        return CheckinRollup.objects.filter(district=district).count()
