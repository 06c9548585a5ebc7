"""The demo's check-ins for `manage.py seed_demo`: a year of Riverbend cycles and a few of Lakeside's.

The cycles are made the way production makes them: `checkins.cycles.tick_step` runs at each instant
of the schedule (opening, reminders, due, escalation, close) with `now` stepped through the past, so
the cycles, check-ins, entries, late marks and escalations are what the tick would have made. Between
those ticks the seed writes what the schools and the district did (entries, submissions, returns,
acknowledgements, comments, resolved support requests) with their past timestamps, in bulk, then
rebuilds the roll-ups from source (`checkins.rollups.rebuild_district`).

The district's opening day is chosen, the first time only, so that the current cycle opened three to
six days before the seed ran and is not yet due: the principal lands on a real draft with days left.

Deterministic: every choice comes from `random.Random` seeded with names and periods, never pks.
Idempotent: a district that already has check-in cycles is left as it is. The demo never mails
anyone: the follow-up work and the emails the seed's events recorded are marked done / not sent.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock

from django.db import connection, transaction
from django.utils import timezone

from districts import outbox
from districts.demo import LAKESIDE_SLUG, RIVERBEND_SLUG
from districts.models import Department, District, Membership, PendingWork, RoleLabel, School, SchoolLevel
from districts.roles import Role
from districts.tenancy import district_context
from districts.ticks import nudge
from metrics import services as metric_services
from metrics.choices import Frequency, Level, Source, ValueSource
from metrics.models import Metric, MetricValue
from metrics.services import ValueInput
from plans import services as plan_services
from plans.models import PlanState, StrategicPlan
from priorities import services as priority_services
from priorities.models import ReportedIn

from . import cycles
from .models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinMetricValue,
    CheckinResponse,
    CheckinState,
    CycleState,
    EntryStatus,
    Notification,
    NotificationState,
    ResponseKind,
)
from .schedule import ScheduleSettings, schedule
from .selectors import checkin_period

RIVERBEND_HISTORY_DAYS = 365  # a year of past cycles
LAKESIDE_HISTORY_DAYS = 100  # three past cycles
# The current cycle opened this many days before the seed ran (the schedule's opening day is set so).
CURRENT_CYCLE_AGE_DAYS = 3
EVIDENCE_BASE = "https://drive.{slug}.example/checkins"

# --- What schools write -------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """What a school writes about one kind of commitment."""

    keyword: str  # found in the commitment's title (lower case)
    on_track: tuple[str, ...]
    at_risk: tuple[str, ...]
    off_track: tuple[str, ...]
    done: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    evidence: str = "notes"


THEMES = [
    Theme(
        "literacy block",
        (
            "Walkthroughs in all K–3 rooms: the 90-minute block ran uninterrupted on {n} of 20 days.",
            "Moved the fire drill and the picture-day schedule out of the morning; the block held every day.",
            "Specials rotation now starts at 11:15, so no K–3 class leaves during the block.",
        ),
        (
            "Two assemblies and the state testing window cut into the block on {n} days this month.",
            "Speech and OT pull-outs still land in the block for {n} second graders; working on the schedule.",
        ),
        (
            "The block was interrupted on {n} of 19 days: substitute shortages meant combining classes.",
            "Our K–1 team lost the block for two weeks while the portables were moved.",
        ),
        blockers=(
            "Itinerant therapists can only come in the morning.",
            "Not enough substitutes to cover the block when a teacher is out.",
        ),
        support=(
            "Help from Student Services to move related services out of the 8:30–10:00 window.",
            "A second building sub assigned to us two days a week.",
        ),
        evidence="master-schedule",
    ),
    Theme(
        "science-of-reading curriculum",
        (
            "Coaching logs show every K–3 teacher on pace with the foundational skills lessons.",
            "Unit 3 assessments: {pct}% of students at mastery on the phonics check, up from last unit.",
        ),
        (
            "Grade 2 is about a week behind pace; two teachers are new to the curriculum.",
            "Decodable readers for units 4–5 have not arrived; teachers are printing copies.",
        ),
        ("Only {low}% of first graders reached mastery on unit 2; we are reteaching before moving on.",),
        blockers=("Decodable reader sets still on back order.", "Coach shared with two other schools."),
        support=("Two more sets of unit 4 decodables.", "Coaching days from Teaching and Learning for grade 2."),
        evidence="coaching-log",
    ),
    Theme(
        "training",
        (
            "{hi} of {m} K–3 teachers have finished units 1–3; unit 4 is scheduled for the next PD day.",
            "Interventionists completed unit 2 together during PLC time.",
        ),
        ("{n} teachers still have not started unit 2; sub coverage for release days is the problem.",),
        ("Half the team is behind: we lost our PD day to the weather make-up day.",),
        done=("Every K–3 teacher and interventionist has finished units 1–4. Certificates uploaded.",),
        blockers=("No release time until after winter break.",),
        support=("Sub coverage for four teachers for one release day.",),
        evidence="training-certificates",
    ),
    Theme(
        "attendance data meeting",
        (
            "Team met on the {day}th: {n} students newly over 10% absent, each with a named adult.",
            "Reviewed the absence list by grade; home visits for {n} families scheduled this week.",
            "Attendance rate up to {att}% for the month; the outreach list is down to {n} names.",
        ),
        (
            "The meeting happened but we had no attendance clerk for two weeks, so the list was late.",
            "Chronic absence rose to {n}% after the flu wave; the outreach list is longer than the team can call.",
        ),
        (
            "We missed the meeting this month: the assistant principal position is vacant.",
            "Chronic absence is at {n}%, our highest this year; families cite transportation changes.",
        ),
        blockers=(
            "Route 14 changed pick-up times and students are missing the bus.",
            "The attendance report in the student information system times out for our school.",
        ),
        support=(
            "A meeting with Operations about the route 14 pick-up times.",
            "Technology to fix the attendance report so we can run it before the meeting.",
        ),
        evidence="attendance-agenda",
    ),
    Theme(
        "chronically absent",
        (
            "Counselors met {hi} of {m} chronically absent students within two weeks, with a call home for each.",
            "Every newly flagged student had a conversation and a plan; most barriers are transportation and health.",
        ),
        (
            "{n} students are still waiting for a meeting; one counselor is on leave.",
            "We reach the students but families are hard to reach by phone; trying text and home visits.",
        ),
        ("Caseloads are too high to meet the two-week window: {n} students past it.",),
        blockers=("One counselor position is unfilled.", "No interpreter for several families' home language."),
        support=("An interpreter for Haitian Creole for family calls.", "A long-term sub counselor until the hire."),
        evidence="contact-log",
    ),
    Theme(
        "advisory",
        (
            "Advisory ran every day; the connection survey shows {pct}% of students name an adult they trust.",
            "Sixth-grade advisories finished the goal-setting unit; seventh grade starts it next week.",
        ),
        ("Advisory was cut short on testing days and two half days; students noticed.",),
        ("Advisory was dropped for three weeks to cover the schedule change after the boundary shift.",),
        blockers=("Two advisors left mid-year and their groups were merged.",),
        support=("Lessons for the second semester from Student Services.",),
        evidence="advisory-rosters",
    ),
    Theme(
        "attendance circles",
        (
            "Second circle of {m} students finished; {n} of them improved attendance by at least 3 points.",
            "Family check-ins done for every circle member this month.",
        ),
        ("Only one of two circles is running: the group time conflicts with intervention.",),
        ("Circles paused this month while the counselor covered testing.",),
        blockers=("Testing coordinator duties fall on the same counselor.",),
        support=("Someone else to coordinate testing in the spring window.",),
        evidence="circle-rosters",
    ),
    Theme(
        "restorative conference",
        (
            "{n} suspensions this month, each followed by a restorative conference before return.",
            "All re-entry plans written with the family; no repeat suspensions among them so far.",
        ),
        ("Two conferences happened after the student was already back; families could not come sooner.",),
        ("Conferences were missed for {n} students during the week the assistant principal was out.",),
        blockers=("Families can't come during the school day.",),
        support=("Training for a second staff member to lead conferences.",),
        evidence="conference-records",
    ),
    Theme(
        "graduation plan",
        (
            "{pct}% of 9th graders have a signed four-year plan shared with their family.",
            "Plans done for every 9th grader in the fall cohort; spring transfers are next.",
        ),
        ("We are at {low}% of 9th graders; the family signature step is the slow part.",),
        ("Only {low}% of plans are complete: counselors spent November on schedule changes.",),
        done=("Every 9th grader has a signed plan. Transfers get theirs within two weeks of enrolling.",),
        blockers=("Schedule-change requests took most counselor time.",),
        support=("A family night with interpreters to finish signatures.",),
        evidence="graduation-plans",
    ),
    Theme(
        "on-track-to-graduate",
        (
            "On-track list reviewed; {n} 9th graders off track, each with a named adult and a plan.",
            "9th-grade on-track rate at {pct}%, up two points since the last review.",
        ),
        ("{n} students have no named adult yet; the list grew after first-semester grades.",),
        ("We could not run the review: credit data from the new grading period isn't loaded yet.",),
        blockers=("Credit data arrives three weeks after the grading period ends.",),
        support=("Technology to load credit data within a week of the grading period.",),
        evidence="on-track-list",
    ),
    Theme(
        "dual-credit",
        (
            "Two new dual-credit sections approved with the college for next semester ({n} seats).",
            "Dual-credit enrollment up to {m} students; the college confirmed instructor credentials.",
        ),
        ("One new section is waiting on an instructor with the college's credential.",),
        ("The college cut our English 101 section; we are short {n} seats for spring.",),
        blockers=("Too few teachers hold a master's degree in the subject.",),
        support=("Tuition support for two teachers to earn the credential.",),
        evidence="course-schedule",
    ),
    Theme(
        "career-connected",
        (
            "Grade 7 science partnered with the water utility; {n} students presented to their engineers.",
            "Every team has a partner for this semester's project; the hospital and the credit union joined.",
        ),
        ("Two grade levels still have no partner for this semester's project.",),
        ("Projects are on hold: field trip buses were not available this month.",),
        blockers=("No buses for field trips before 9:30 or after 1:30.",),
        support=("Introductions to two more local employers through the chamber.",),
        evidence="project-descriptions",
    ),
    Theme(
        "early-warning dashboard",
        (
            "The team used the dashboard at every weekly meeting; {n} students flagged and followed up.",
            "Teachers now check the dashboard before parent conferences.",
        ),
        ("The dashboard's behavior data is a week behind, so the team still works from spreadsheets.",),
        ("The dashboard was down for most of the month after the rostering change.",),
        blockers=("Behavior data syncs only weekly.",),
        support=("A daily sync of behavior data from Technology.",),
        evidence="dashboard-usage",
    ),
    Theme(
        "stay interviews",
        (
            "Held {hi} of {m} stay interviews; the main themes are planning time and student behavior.",
            "Every first- and second-year teacher had a stay interview; summary sent to HR.",
        ),
        ("{n} stay interviews left; conferences and testing took the time this month.",),
        ("Stay interviews haven't started: the principal covered classes most of the month.",),
        done=("All stay interviews done for the semester; summary with three requests sent to HR.",),
        blockers=("The principal covered classes for vacancies most days.",),
        support=("HR to help schedule and sit in on the remaining interviews.",),
        evidence="stay-interviews",
    ),
    Theme(
        "mentor",
        (
            "Every new teacher has a trained mentor in their grade or subject; they meet on Tuesdays.",
            "Mentor pairs met weekly; the two mid-year hires were matched within a week.",
        ),
        ("Two mid-year hires don't have a mentor in their subject yet.",),
        ("We have no trained mentor for special education; {n} new teachers are without one.",),
        blockers=("Too few trained mentors in special education.",),
        support=("A district mentor for our new special education teachers.",),
        evidence="mentor-list",
    ),
    Theme(
        "screener results",
        (
            "Cabinet reviewed the benchmark results by school and student group; next steps sent to principals.",
            "Winter results: K–2 at benchmark up {n} points; action list updated for the six lowest schools.",
        ),
        ("The review slipped a week: two schools' screener data came in late.",),
        ("The benchmark window results are incomplete; {n} schools had not finished testing.",),
        blockers=("Two schools finished screening after the window.",),
        support=("A reminder from the superintendent to principals about the screening window.",),
        evidence="review-slides",
    ),
    Theme(
        "bus drivers",
        (
            "{hi} of {m} routes kept the same driver all month; the rider survey starts next week.",
            "Drivers learned riders' names on every elementary route; families noticed.",
        ),
        ("{n} routes had a different driver more than twice this month because of the driver shortage.",),
        ("We are short {n} drivers; routes were doubled up and consistency suffered.",),
        blockers=("Driver vacancies: {n} open positions.",),
        support=("A faster hiring process for drivers with HR.",),
        evidence="route-assignments",
    ),
    Theme(
        "vacancy",
        (
            "{pct}% of vacancies posted within 48 hours this month.",
            "Every resignation this month was posted the next working day.",
        ),
        ("Postings took three to four days for specialist roles that need a new job description.",),
        ("The applicant system was down for a week; {n} postings waited.",),
        blockers=("Position approvals wait for the budget office.",),
        support=("A standing approval for like-for-like replacements.",),
        evidence="time-to-post",
    ),
]

GENERIC = Theme(
    "",
    ("On schedule; the team met and the notes are in the shared folder.", "Going as planned this month."),
    ("Behind schedule this month; we have a plan to catch up next month.",),
    ("Stalled this month; we need to rethink how we staff it.",),
    done=("Done for this year.",),
    blockers=("Not enough time in the schedule.",),
    support=("Ideas from schools that are further along.",),
)

# --- What the district writes back --------------------------------------------------------------

ACKNOWLEDGEMENTS = (
    "Thank you, clear and complete.",
    "Thanks. Good to see the follow-up on every student on the list.",
    "Read it with the cabinet this morning. Keep going.",
    "Thank you. Let's talk about the at-risk items at our next one-on-one.",
    "Appreciate the specifics. Nice progress.",
    "",
)
ENTRY_COMMENTS = (
    "What would it take to get this back on track by next month? Happy to help think it through.",
    "Can you share the schedule you're using? Two other schools have the same problem.",
    "Thanks for naming this honestly. Let's look at it together at the principals' meeting.",
    "This matches what we see district-wide. We're raising it with Operations.",
    "Is the blocker still there? If so I'll escalate it.",
    "Good catch. Please keep the list of students updated so we can follow them.",
)
COACH_COMMENTS = (
    "Eastgate solved something similar by moving the meeting to the first Monday; happy to connect you.",
    "I can model a session with the grade 2 team during my next visit.",
)
RESOLUTIONS = (
    "Done: arranged with the department; they will contact you this week.",
    "Approved. The request is in and the order confirms delivery in ten days.",
    "Met with the team on Tuesday; the change starts next month.",
    "A long-term sub starts Monday.",
    "Sorted with Technology: the fix is live.",
    "We can't fund this one this year; the team will share a workaround at the principals' meeting.",
)
RETURN_COMMENT = (
    "Thank you, Grace. Before we close this one, please add what the attendance team decided for the students "
    "on the outreach list and link the meeting notes; the advisory entry also needs a note since it is at risk."
)


@dataclass
class People:
    superintendent: Membership
    coach: Membership | None
    by_school: dict[int, Membership]
    by_department: dict[int, Membership]
    owners: dict[int, Membership]  # priority id -> owner

    def reporter(self, checkin: Checkin) -> Membership | None:
        if checkin.school_id:
            return self.by_school.get(checkin.school_id)
        return self.by_department.get(checkin.department_id)


@dataclass
class Writes:
    """Everything one district's story writes, flushed in bulk."""

    checkins: dict[int, Checkin] = field(default_factory=dict)
    entries: dict[int, CheckinEntry] = field(default_factory=dict)
    responses: list[CheckinResponse] = field(default_factory=list)
    values: list[CheckinMetricValue] = field(default_factory=list)


# --- Writing one check-in -----------------------------------------------------------------------


def _theme(entry: CheckinEntry) -> Theme:
    title = entry.assignment.commitment.title.lower()
    return next((t for t in THEMES if t.keyword in title), GENERIC)


def _text(rng: random.Random, options: tuple[str, ...]) -> str:
    if not options:
        return ""
    total = rng.randint(15, 30)
    return rng.choice(options).format(
        n=rng.randint(2, 14),
        m=total,
        hi=total - rng.randint(0, 3),
        pct=rng.randint(72, 96),
        low=rng.randint(31, 58),
        att=f"{rng.randint(92, 95)}.{rng.randint(0, 9)}",
        day=rng.randint(4, 18),
    )


def _status(rng: random.Random, health: float) -> str:
    roll = rng.random() + health
    if roll < 0.09:
        return EntryStatus.OFF_TRACK
    if roll < 0.28:
        return EntryStatus.AT_RISK
    if roll < 0.33:
        return EntryStatus.NOT_STARTED
    if roll > 0.96:
        return EntryStatus.DONE
    return EntryStatus.ON_TRACK


def _fill_entry(
    entry: CheckinEntry, rng: random.Random, *, slug: str, period: date, status: str | None = None, health: float = 0
) -> None:
    theme = _theme(entry)
    entry.status = status or _status(rng, health)
    if entry.status == EntryStatus.DONE and not theme.done:
        entry.status = EntryStatus.ON_TRACK
    pools = {
        EntryStatus.ON_TRACK: theme.on_track,
        EntryStatus.AT_RISK: theme.at_risk,
        EntryStatus.OFF_TRACK: theme.off_track,
        EntryStatus.DONE: theme.done,
    }
    needs_note = entry.status in (EntryStatus.AT_RISK, EntryStatus.OFF_TRACK)
    entry.note = _text(rng, pools.get(entry.status, ())) if needs_note or rng.random() < 0.65 else ""
    if entry.status != EntryStatus.NOT_STARTED and rng.random() < 0.5:
        entry.evidence_url = f"{EVIDENCE_BASE.format(slug=slug)}/{period:%Y-%m}/{theme.evidence}-{entry.checkin_id}"
    if needs_note and rng.random() < 0.6:
        entry.blocker = _text(rng, theme.blockers or GENERIC.blockers)
    if needs_note and rng.random() < 0.3:
        entry.support_requested = True
        entry.support_needed = _text(rng, theme.support or GENERIC.support)


def _request_support(entry: CheckinEntry, rng: random.Random) -> None:
    """Make sure this entry asks for help (the queue must have something in it)."""
    theme = _theme(entry)
    if entry.status not in (EntryStatus.AT_RISK, EntryStatus.OFF_TRACK):
        entry.status = EntryStatus.AT_RISK
        entry.note = _text(rng, theme.at_risk or GENERIC.at_risk)
    entry.blocker = entry.blocker or _text(rng, theme.blockers or GENERIC.blockers)
    entry.support_requested = True
    entry.support_needed = _text(rng, theme.support or GENERIC.support)


def _loop_delay(rng: random.Random) -> timedelta:
    """Submission to first response: hours for some, days for most, weeks for a few."""
    roll = rng.random()
    if roll < 0.3:
        return timedelta(hours=rng.uniform(2, 10))
    if roll < 0.65:
        return timedelta(days=rng.uniform(1, 3))
    if roll < 0.9:
        return timedelta(days=rng.uniform(4, 9))
    return timedelta(days=rng.uniform(14, 22))


def _submit(checkin: Checkin, entries: list[CheckinEntry], rng, *, at: datetime, by, slug: str, health: float):
    for entry in entries:
        if entry.set_aside:
            continue
        _fill_entry(entry, rng, slug=slug, period=checkin.cycle.period_start, health=health)
    checkin.state = CheckinState.SUBMITTED
    checkin.submitted_at = at
    checkin.submitted_by = by
    checkin.updated_by = by
    checkin.version = rng.randint(3, 9)
    if at >= checkin.cycle.due_at:
        checkin.late = True


def _draft(checkin: Checkin, entries: list[CheckinEntry], rng, *, by, slug: str, share: float) -> None:
    """A check-in being worked on: the first entries filled in, the rest untouched."""
    live = [e for e in entries if not e.set_aside]
    filled = max(1, round(len(live) * share))
    for entry in live[:filled]:
        _fill_entry(entry, rng, slug=slug, period=checkin.cycle.period_start)
    checkin.state = CheckinState.DRAFT
    checkin.updated_by = by
    checkin.version = rng.randint(2, 6)


def _respond(
    checkin: Checkin,
    entries: list[CheckinEntry],
    rng: random.Random,
    *,
    people: People,
    writes: Writes,
    now: datetime,
    resolve_share: float,
    acknowledge_share: float = 0.7,
) -> None:
    """The district's answers to a submitted check-in, each at its own delay, none in the future."""
    start = checkin.submitted_at
    asked = [e for e in entries if not e.set_aside]
    priorities = [e.assignment.commitment.priority_id for e in asked]
    latest = now - timedelta(minutes=20)
    times: list[datetime] = []

    def add(kind: str, author: Membership | None, at: datetime, body: str, entry=None) -> bool:
        if at > latest or author is None:
            return False
        writes.responses.append(
            CheckinResponse(
                district_id=checkin.district_id,
                checkin=checkin,
                entry=entry,
                kind=kind,
                author=author,
                body=body,
                created_at=at,
            )
        )
        times.append(at)
        return True

    for entry in asked:
        owner = people.owners.get(entry.assignment.commitment.priority_id, people.superintendent)
        if entry.status in (EntryStatus.AT_RISK, EntryStatus.OFF_TRACK) and rng.random() < 0.4:
            author, bodies = (people.coach, COACH_COMMENTS) if rng.random() < 0.15 else (owner, ENTRY_COMMENTS)
            add(ResponseKind.COMMENT, author, start + _loop_delay(rng), rng.choice(bodies), entry)
        if entry.support_requested and rng.random() < resolve_share:
            at = start + timedelta(days=rng.uniform(0.5, 15))
            if add(ResponseKind.SUPPORT_RESOLVED, owner, at, rng.choice(RESOLUTIONS), entry):
                entry.support_resolved_at = at
                entry.support_resolved_by = owner
    if rng.random() < acknowledge_share:
        author = people.superintendent
        if priorities and rng.random() < 0.5:
            author = people.owners.get(rng.choice(priorities), author)
        at = start + _loop_delay(rng)
        if add(ResponseKind.ACKNOWLEDGED, author, at, rng.choice(ACKNOWLEDGEMENTS)):
            checkin.state = CheckinState.ACKNOWLEDGED
            checkin.acknowledged_at = at
    checkin.first_response_at = min(times) if times else None


# --- The story of one district ------------------------------------------------------------------


def _people(district: District) -> People:
    memberships = list(Membership.objects.filter(district=district).select_related("user").order_by("pk"))
    superintendent = next(m for m in memberships if m.role == Role.SUPERINTENDENT)
    from priorities.models import Priority

    owners = {
        pk: owner
        for pk, owner_id in Priority.objects.filter(district=district).values_list("pk", "owner_id")
        for owner in memberships
        if owner.pk == owner_id
    }
    return People(
        superintendent=superintendent,
        coach=next((m for m in memberships if m.role == Role.PARTNER_COACH), None),
        by_school={m.school_id: m for m in memberships if m.role == Role.PRINCIPAL and m.school_id},
        by_department={m.department_id: m for m in memberships if m.role == Role.CABINET and m.department_id},
        owners=owners,
    )


def _tick(district: District, at: datetime) -> None:
    cycles.tick_step(district=district, now=at)


def _cycle_entries(cycle: CheckinCycle) -> tuple[list[Checkin], dict[int, list[CheckinEntry]]]:
    checkins = list(
        Checkin.objects.filter(district_id=cycle.district_id, cycle=cycle).select_related("school", "department")
    )
    for checkin in checkins:
        checkin.cycle = cycle
    by_checkin: dict[int, list[CheckinEntry]] = defaultdict(list)
    entries = CheckinEntry.objects.filter(district_id=cycle.district_id, checkin__cycle=cycle).select_related(
        "assignment__commitment__priority"
    )
    for entry in sorted(
        entries, key=lambda e: (e.assignment.commitment.priority.position, e.assignment.commitment.title)
    ):
        by_checkin[entry.checkin_id].append(entry)
    checkins.sort(key=lambda c: c.place.name)
    return checkins, by_checkin


def _save_submissions(checkins: list[Checkin]) -> None:
    """What was submitted so far, written before the tick marks the rest late (the tick reads the table)."""
    submitted = [c for c in checkins if c.submitted_at is not None]
    _update_rows(Checkin, submitted, ["state", "submitted_at", "late"])


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = max(0.0, (end - start).total_seconds())
    return start + timedelta(seconds=rng.uniform(0, seconds))


@dataclass(frozen=True)
class Story:
    slug: str
    history_days: int
    # The principal whose school's current check-in is a half-filled draft, and the cycles back (from
    # the current one) of their check-in that was returned for revision and resubmitted.
    featured_school: str = ""
    returned_cycles_back: int | None = 3


def _past_cycle(district, cycle: CheckinCycle, *, story: Story, people: People, writes: Writes, now, back: int):
    """A closed cycle: most on time, a few late, a couple never submitted; then the district's answers."""
    checkins, entries = _cycle_entries(cycle)
    plans: dict[int, tuple[str, random.Random, float]] = {}
    for checkin in checkins:
        rng = random.Random(f"{story.slug}|{cycle.period_start}|{checkin.place.name}")
        health = random.Random(f"{story.slug}|health|{checkin.place.name}").uniform(-0.12, 0.12)
        roll = rng.random()
        if checkin.place.name == story.featured_school:
            outcome = "late" if back == 6 else "on_time"
        elif roll < 0.8:
            outcome = "on_time"
        elif roll < 0.9:
            outcome = "late"
        elif roll < 0.95:
            outcome = "very_late"
        else:
            outcome = "never"
        plans[checkin.pk] = (outcome, rng, health)

    def submit(outcome: str, start: datetime, end: datetime) -> None:
        for checkin in checkins:
            planned, rng, health = plans[checkin.pk]
            if planned == outcome:
                at = _between(rng, start, end)
                by = people.reporter(checkin)
                _submit(checkin, entries[checkin.pk], rng, at=at, by=by, slug=story.slug, health=health)

    # On time: mostly in the last days before the due instant.
    submit("on_time", cycle.due_at - timedelta(days=4), cycle.due_at - timedelta(hours=2))
    _save_submissions(checkins)
    for reminder in cycle.reminders.order_by("at"):
        _tick(district, reminder.at)
    _tick(district, cycle.due_at)
    submit("late", cycle.due_at + timedelta(hours=6), cycle.escalates_at - timedelta(hours=2))
    _save_submissions(checkins)
    _tick(district, cycle.escalates_at)
    submit("very_late", cycle.escalates_at + timedelta(hours=3), cycle.closes_at - timedelta(days=1))
    for checkin in checkins:
        outcome, rng, _health = plans[checkin.pk]
        if outcome == "never" and rng.random() < 0.5:
            _draft(checkin, entries[checkin.pk], rng, by=people.reporter(checkin), slug=story.slug, share=0.4)
    _tick(district, cycle.closes_at)

    # Late marks and escalations are the tick's: read them back before writing.
    marks = {
        pk: (late, escalated_at)
        for pk, late, escalated_at in Checkin.objects.filter(district_id=district.pk, cycle=cycle).values_list(
            "pk", "late", "escalated_at"
        )
    }
    for checkin in checkins:
        checkin.late = checkin.late or marks[checkin.pk][0]
        checkin.escalated_at = marks[checkin.pk][1]
        outcome, rng, _health = plans[checkin.pk]
        if checkin.submitted_at is None:
            writes.checkins[checkin.pk] = checkin
            writes.entries.update({e.pk: e for e in entries[checkin.pk]})
            continue
        if checkin.place.name == story.featured_school and back == story.returned_cycles_back:
            _returned_and_resubmitted(checkin, entries[checkin.pk], rng, people=people, writes=writes, slug=story.slug)
        else:
            # Older cycles' requests are mostly resolved; the latest cycle's are still being worked on.
            resolve = 0.9 if back > 2 else 0.5
            _respond(checkin, entries[checkin.pk], rng, people=people, writes=writes, now=now, resolve_share=resolve)
        writes.checkins[checkin.pk] = checkin
        writes.entries.update({e.pk: e for e in entries[checkin.pk]})


def _returned_and_resubmitted(checkin, entries, rng, *, people: People, writes: Writes, slug: str) -> None:
    """Submitted early, returned the next day with a comment, resubmitted with the notes, acknowledged."""
    cycle = checkin.cycle
    first = cycle.opens_at + timedelta(days=2, hours=3)
    returned = first + timedelta(hours=19)
    resubmitted = returned + timedelta(days=2, hours=5)
    cao = next((m for m in people.owners.values() if m.user.email.startswith("cao@")), people.superintendent)
    live = [e for e in entries if not e.set_aside]
    for entry in live:
        _fill_entry(entry, rng, slug=slug, period=cycle.period_start, status=EntryStatus.ON_TRACK)
    for entry in live:
        if "advisory" in entry.assignment.commitment.title.lower():
            entry.status = EntryStatus.AT_RISK
            entry.note = (
                "Advisory was cut short on the testing days and the two half days; we are adding a "
                "make-up session on Fridays through the end of the month."
            )
        if "attendance data meeting" in entry.assignment.commitment.title.lower():
            entry.note = (
                "The team met on the 12th: 23 students over 10% absent, each assigned to a staff member for a "
                "call home this week; six home visits scheduled with the social worker."
            )
            entry.evidence_url = f"{EVIDENCE_BASE.format(slug=slug)}/{cycle.period_start:%Y-%m}/attendance-team-notes"
    writes.responses.append(
        CheckinResponse(
            district_id=checkin.district_id,
            checkin=checkin,
            kind=ResponseKind.RETURNED,
            author=cao,
            body=RETURN_COMMENT,
            created_at=returned,
        )
    )
    acknowledged = resubmitted + timedelta(hours=5)
    writes.responses.append(
        CheckinResponse(
            district_id=checkin.district_id,
            checkin=checkin,
            kind=ResponseKind.ACKNOWLEDGED,
            author=cao,
            body="Thank you for adding the notes. This is exactly what I was hoping to see.",
            created_at=acknowledged,
        )
    )
    by = people.reporter(checkin)
    checkin.state = CheckinState.ACKNOWLEDGED
    checkin.returned_at = returned
    checkin.return_comment = RETURN_COMMENT
    checkin.submitted_at = resubmitted
    checkin.submitted_by = by
    checkin.updated_by = by
    checkin.late = resubmitted >= cycle.due_at
    checkin.version = 9
    checkin.acknowledged_at = acknowledged
    checkin.first_response_at = acknowledged  # the loop restarts at each submission


def _current_cycle(cycle: CheckinCycle, *, story: Story, people: People, writes: Writes, now: datetime) -> None:
    """The open cycle: the featured school's half-filled draft, the others a mix of submitted, draft and
    not started, and a few open support requests in the superintendent's queue."""
    checkins, entries = _cycle_entries(cycle)
    support_left = 3
    for checkin in checkins:
        rng = random.Random(f"{story.slug}|current|{cycle.period_start}|{checkin.place.name}")
        by = people.reporter(checkin)
        if checkin.place.name == story.featured_school:
            _featured_draft(checkin, entries[checkin.pk], rng, by=by, slug=story.slug)
        else:
            roll = rng.random()
            if roll < 0.45:
                at = _between(rng, cycle.opens_at + timedelta(hours=3), now - timedelta(hours=2))
                _submit(checkin, entries[checkin.pk], rng, at=at, by=by, slug=story.slug, health=0)
                asked = [e for e in entries[checkin.pk] if not e.set_aside]
                if support_left and asked:
                    _request_support(asked[-1], rng)
                    support_left -= 1
                _respond(
                    checkin,
                    entries[checkin.pk],
                    rng,
                    people=people,
                    writes=writes,
                    now=now,
                    resolve_share=0.0,
                    acknowledge_share=0.3,
                )
            elif roll < 0.75:
                _draft(checkin, entries[checkin.pk], rng, by=by, slug=story.slug, share=rng.uniform(0.2, 0.8))
        writes.checkins[checkin.pk] = checkin
        writes.entries.update({e.pk: e for e in entries[checkin.pk]})


def _featured_draft(checkin: Checkin, entries: list[CheckinEntry], rng, *, by, slug: str) -> None:
    """The principal's draft: the first half written (one at risk, asking for help), the rest untouched."""
    live = [e for e in entries if not e.set_aside]
    half = live[: (len(live) + 1) // 2]
    for index, entry in enumerate(half):
        status = EntryStatus.AT_RISK if index == 1 else EntryStatus.ON_TRACK
        _fill_entry(entry, rng, slug=slug, period=checkin.cycle.period_start, status=status)
        if not entry.note:
            entry.note = _text(rng, _theme(entry).on_track)
        if status == EntryStatus.AT_RISK:
            entry.support_requested = False
            entry.support_needed = ""
    checkin.state = CheckinState.DRAFT
    checkin.updated_by = by
    checkin.version = 4


def _metric_values(district: District, writes: Writes, now: datetime) -> None:
    """The values submitted check-ins reported for check-in metrics. Most are already in the demo's metric
    history (metrics.demo): the check-in remembers that value. A period the metric history skipped is
    written now through the metrics services as the principal who submitted (source: check-in)."""
    metrics = list(
        Metric.objects.filter(
            district=district, source=Source.CHECKINS, level=Level.SCHOOL, frequency=Frequency.MONTHLY
        )
        .select_related("priority")
        .order_by("pk")
    )
    submitted = [c for c in writes.checkins.values() if c.school_id and c.submitted_at is not None]
    if not metrics or not submitted:
        return
    asked = [
        (checkin, metric)
        for checkin in sorted(submitted, key=lambda c: (c.cycle.period_start, c.school.name))
        for metric in metrics
        if metric.priority.plan_id == checkin.cycle.plan_id
        and (not metric.school_levels or checkin.school.level in metric.school_levels)
    ]

    def stored() -> dict[tuple[int, int, date], MetricValue]:
        return {
            (v.metric_id, v.school_id, v.period): v
            for v in MetricValue.objects.filter(district=district, metric__in=metrics, school__isnull=False)
        }

    values = stored()
    missing: dict[int, list[ValueInput]] = defaultdict(list)
    for checkin, metric in asked:
        if (metric.pk, checkin.school_id, checkin_period(checkin.cycle)) in values or checkin.submitted_by is None:
            continue
        # Near the school's own values of that metric (or the baseline when it has none).
        own = [v.value for (m, school, _p), v in values.items() if m == metric.pk and school == checkin.school_id]
        typical = sum(own) / len(own) if own else metric.baseline_value
        wobble = Decimal(str(random.Random(f"{metric.name}|{checkin.school.name}|{checkin.cycle}").uniform(-1, 1)))
        number = round(typical + wobble, metric.decimals)
        missing[checkin.submitted_by.pk].append(
            ValueInput(metric=metric, school=checkin.school, period=checkin_period(checkin.cycle), value=number)
        )
    if missing:
        actors = {m.pk: m for m in Membership.objects.filter(district=district, pk__in=missing)}
        today = timezone.localdate(now, timezone=district.tzinfo)
        for actor_id, items in sorted(missing.items()):
            metric_services.metric_values_upsert(
                district=district, actor=actors[actor_id], items=items, source=ValueSource.CHECKIN, today=today
            )
        values = stored()
    for checkin, metric in asked:
        period = checkin_period(checkin.cycle)
        value = values.get((metric.pk, checkin.school_id, period))
        if value is not None:
            writes.values.append(
                CheckinMetricValue(
                    district=district,
                    checkin=checkin,
                    metric=metric,
                    period=period,
                    value_text=f"{value.value.normalize():f}",
                    written_value=value,
                )
            )


CHECKIN_FIELDS = [
    "state",
    "late",
    "escalated_at",
    "submitted_at",
    "submitted_by",
    "returned_at",
    "return_comment",
    "acknowledged_at",
    "first_response_at",
    "version",
    "updated_by",
]
ENTRY_FIELDS = [
    "status",
    "note",
    "evidence_url",
    "blocker",
    "support_requested",
    "support_needed",
    "support_resolved_at",
    "support_resolved_by",
]


def _update_rows(model, rows: list, names: list[str]) -> None:
    """UPDATE … WHERE id = … for every row, as one statement run many times (bulk_update's CASE
    expressions cost seconds for a few thousand entries). Rows are the district's (queried in its context)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    params = [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", params)


def _flush(writes: Writes) -> None:
    _update_rows(Checkin, list(writes.checkins.values()), CHECKIN_FIELDS)
    _update_rows(CheckinEntry, list(writes.entries.values()), ENTRY_FIELDS)
    CheckinResponse.objects.bulk_create(writes.responses, batch_size=500)
    CheckinMetricValue.objects.bulk_create(writes.values, batch_size=500, ignore_conflicts=True)


def _set_opening_day(district: District, now: datetime) -> None:
    """Open the demo's cycles on a day that makes the current one a few days old and not yet due."""
    opened = timezone.localtime(now, district.tzinfo).date() - timedelta(days=CURRENT_CYCLE_AGE_DAYS)
    District.objects.filter(pk=district.pk).update(checkin_open_day=min(opened.day, 28))
    district.refresh_from_db()


def _seed_district(district: District, plan: StrategicPlan, story: Story, now: datetime) -> str:
    if CheckinCycle.objects.filter(district=district).exists():
        return f"{district.name}: check-in cycles already seeded"
    _set_opening_day(district, now)
    people = _people(district)
    writes = Writes()
    start = now - timedelta(days=story.history_days)
    planned = [
        t
        for t in schedule(plan.period, ScheduleSettings.of(district), district.tzinfo)
        if t.due_at > start and t.opens_at <= now
    ]
    for index, times in enumerate(planned):
        back = len(planned) - 1 - index
        _tick(district, times.opens_at)
        cycle = CheckinCycle.objects.get(district=district, period_start=times.period_start)
        if cycle.state != CycleState.OPEN:
            continue
        if times.closes_at <= now:
            _past_cycle(district, cycle, story=story, people=people, writes=writes, now=now, back=back)
        else:
            _current_cycle(cycle, story=story, people=people, writes=writes, now=now)
    _tick(district, now)
    _metric_values(district, writes, now)
    _flush(writes)
    nudge(district)
    closed = CheckinCycle.objects.filter(district=district, state=CycleState.CLOSED).count()
    return f"{district.name}: {closed} closed check-in cycles and the current one, {len(writes.responses)} responses"


def _rebuild_rollups(district: District) -> None:
    from . import rollups

    rebuild = getattr(rollups, "rebuild_district", None)
    if rebuild is not None:
        rebuild(district)


def _send_nothing(district: District, *, work_after: int, notifications_after: int, now: datetime) -> None:
    """The seed's events recorded roll-up refreshes and emails: the roll-ups are rebuilt from source
    instead, and no demo email is ever sent."""
    PendingWork.objects.filter(district=district, pk__gt=work_after, done_at__isnull=True).update(
        done_at=now, claimed_at=now
    )
    Notification.objects.filter(district=district, pk__gt=notifications_after, state=NotificationState.PENDING).update(
        state=NotificationState.SKIPPED
    )


# --- Lakeside's small plan ----------------------------------------------------------------------

LAKESIDE_PLAN_TITLE = "Lakeside Learns 2025–2030"
# (title, description, evidence, school levels or () for every school)
LAKESIDE_COMMITMENTS = [
    (
        "Principals hold a monthly attendance data meeting",
        "The school's team reviews who is missing school and who will reach out.",
        "Meeting agendas and the outreach list.",
        (),
    ),
    (
        "Principals give every new teacher a mentor before the first day",
        "A trained mentor in the same grade or subject, meeting weekly.",
        "Mentor assignments list.",
        (),
    ),
    (
        "Principals protect a daily 90-minute literacy block",
        "No interruptions during the K–5 literacy block.",
        "Master schedule; walkthrough notes.",
        (SchoolLevel.ELEMENTARY,),
    ),
]


def _lakeside_plan(district: District) -> StrategicPlan:
    plan = StrategicPlan.objects.filter(district=district, title=LAKESIDE_PLAN_TITLE).first()
    if plan is not None:
        return plan
    actor = Membership.objects.get(district=district, role=Role.SUPERINTENDENT)
    label, _ = RoleLabel.objects.get_or_create(
        district=district,
        slug="principals",
        defaults={"name": "Principals", "system_role": Role.PRINCIPAL, "description": "School leaders"},
    )
    plan = plan_services.plan_create(
        district=district,
        actor=actor,
        title=LAKESIDE_PLAN_TITLE,
        start_year=2025,
        end_year=2030,
        vision="Every Lakeside student reads well, comes to school and has an adult who knows them.",
        mission="Small schools, strong relationships, high expectations.",
    )
    priority = priority_services.priority_create(
        district=district,
        actor=actor,
        plan=plan,
        code="P1",
        title="Every student present and reading",
        success_looks_like="Chronic absenteeism below 12% and 75% of third graders reading at grade level by 2030.",
        owner=actor,
    )
    instruction = Department.objects.filter(district=district, name="Instruction").first()
    for title, description, evidence, levels in LAKESIDE_COMMITMENTS:
        commitment = priority_services.commitment_create(
            district=district,
            actor=actor,
            priority=priority,
            title=title,
            description=description,
            role_label=label,
            lead_department=instruction,
            starts_on=plan.first_day,
            ends_on=plan.last_day,
            evidence_expected=evidence,
            reported_in=ReportedIn.SCHOOL,
        )
        priority_services.assignments_create(
            district=district,
            actor=actor,
            commitment=commitment,
            every_school=not levels,
            schools=School.objects.filter(district=district, level__in=levels) if levels else (),
        )
    plan_services.plan_activate(district=district, actor=actor, plan=plan)
    plan.refresh_from_db()
    return plan


STORIES = {
    RIVERBEND_SLUG: Story(RIVERBEND_SLUG, RIVERBEND_HISTORY_DAYS, featured_school="Jefferson Middle School"),
    LAKESIDE_SLUG: Story(
        LAKESIDE_SLUG, LAKESIDE_HISTORY_DAYS, featured_school="Lakeside High School", returned_cycles_back=None
    ),
}


def seed(*, now: datetime | None = None) -> list[str]:
    """A year of Riverbend check-ins and a few Lakeside cycles, each with its current open cycle."""
    now = now or timezone.now()
    lines = []
    # The seed's follow-up work is marked done in its own transaction (_send_nothing), so the nudge each
    # outbox row sends after the commit would only queue a delivery that finds nothing to do: a hundred
    # of them in the filesystem broker keep `make run`'s worker from beat's first tick for a minute.
    # Anything not done (none) would still be delivered by the tick (districts.outbox).
    with mock.patch.object(outbox, "_nudge", lambda item: None):
        for slug, story in STORIES.items():
            line = _seed_one(slug, story, now)
            if line:
                lines.append(line)
    return lines


def _seed_one(slug: str, story: Story, now: datetime) -> str | None:
    with transaction.atomic():
        district = District.objects.get(slug=slug)
        with district_context(district):
            if slug == LAKESIDE_SLUG:
                plan = _lakeside_plan(district)
            else:
                plan = StrategicPlan.objects.filter(district=district, state=PlanState.ACTIVE).first()
            if plan is None or plan.state != PlanState.ACTIVE:
                return None
            plan.district = district
            work_after = (
                PendingWork.objects.filter(district=district).order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            notifications_after = (
                Notification.objects.filter(district=district).order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            line = _seed_district(district, plan, story, now)
            _send_nothing(district, work_after=work_after, notifications_after=notifications_after, now=now)
            if not line.endswith("already seeded"):
                _rebuild_rollups(district)
            return line
