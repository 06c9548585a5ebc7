"""Riverbend's strategic plans for `manage.py seed_demo`: an active 2025–2030 plan and the archived 2019–2024 one.

Idempotent: each row is found by its natural key (plan title, priority code,
commitment title) before it is created, so running the seed twice changes
nothing. Everything is written through the services, as the superintendent,
so the pages' change history reads like real use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from districts.demo import RIVERBEND_SLUG
from districts.models import Department, District, Membership, RoleLabel, School, SchoolLevel
from districts.tenancy import district_context
from plans import services
from plans.models import StrategicPlan
from priorities import services as priority_services
from priorities.models import Commitment, Priority, ReportedIn

ALL_SCHOOLS = "all"
EARLY_LITERACY_LEVELS = (SchoolLevel.ELEMENTARY, SchoolLevel.K8)


@dataclass(frozen=True)
class DemoCommitment:
    title: str
    role: str  # role label slug
    description: str
    evidence: str
    reported_in: str
    lead: str  # department name
    # ALL_SCHOOLS, a tuple of school levels, or a tuple of school names
    schools: str | tuple = ()
    departments: tuple[str, ...] = ()
    # None: the plan's five school years; "this year", "this fall", "this spring": part of the current
    # school year (so the demo stays current); or "YYYY-MM-DD:YYYY-MM-DD".
    window: str | None = None


@dataclass(frozen=True)
class DemoPriority:
    code: str
    title: str
    success: str
    owner: str  # email
    commitments: list[DemoCommitment] = field(default_factory=list)


@dataclass(frozen=True)
class DemoPlan:
    title: str
    start_year: int
    end_year: int
    vision: str
    mission: str
    competencies: list[tuple[str, str]]
    priorities: list[DemoPriority]


EARLIER_PLAN = DemoPlan(
    title="Riverbend Forward 2019–2024",
    start_year=2019,
    end_year=2024,
    vision="Every Riverbend student is known, challenged and ready for what comes next.",
    mission="We teach every child well, in schools families trust.",
    competencies=[
        ("Reader and writer", "Reads closely and writes clearly for many purposes."),
        ("Problem solver", "Takes on hard problems with persistence and creativity."),
        ("Good neighbor", "Treats others with respect and serves the community."),
    ],
    priorities=[
        DemoPriority(
            "P1",
            "Strong readers by grade 3",
            "Two thirds of third graders read at grade level by 2024.",
            "cao@riverbend.example",
            [
                DemoCommitment(
                    "Teachers run daily guided reading groups",
                    "teachers",
                    "Small-group reading instruction every day in K–3 classrooms.",
                    "Lesson plans and running records.",
                    ReportedIn.SCHOOL,
                    "Teaching and Learning",
                    schools=EARLY_LITERACY_LEVELS,
                    window="2019-08-01:2024-06-30",
                ),
            ],
        ),
        DemoPriority(
            "P2",
            "Safe and welcoming schools",
            "Suspensions fall by a third, and most students feel safe at school.",
            "studentservices@riverbend.example",
            [
                DemoCommitment(
                    "Principals lead a school climate team",
                    "principals",
                    "A team of staff, students and families meets monthly to act on climate survey results.",
                    "Team rosters and meeting notes.",
                    ReportedIn.SCHOOL,
                    "Student Services",
                    schools=ALL_SCHOOLS,
                    window="2019-08-01:2024-06-30",
                ),
            ],
        ),
        DemoPriority(
            "P3",
            "Modern learning spaces",
            "Every school has reliable Wi-Fi and a device for every student.",
            "cto@riverbend.example",
            [
                DemoCommitment(
                    "Technology staff complete the one-to-one device rollout",
                    "cabinet",
                    "Devices and charging carts in every classroom, grades 3–12.",
                    "Inventory reports.",
                    ReportedIn.DEPARTMENT,
                    "Technology",
                    departments=("Technology",),
                    window="2019-08-01:2022-06-30",
                ),
            ],
        ),
    ],
)

ACTIVE_PLAN = DemoPlan(
    title="Riverbend 2030: Every Learner, Every Day",
    start_year=2025,
    end_year=2030,
    vision="Every Riverbend student graduates ready for college, career and a life of purpose, "
    "and every school is a place where students and adults want to be.",
    mission="We partner with families and our community to provide rigorous, joyful learning in safe, "
    "welcoming schools, and we measure ourselves by how every student grows.",
    competencies=[
        ("Curious learner", "Asks good questions and keeps learning on their own."),
        ("Effective communicator", "Reads, writes, speaks and listens well in many settings."),
        ("Collaborative problem-solver", "Works with others to solve real problems."),
        ("Resilient and self-directed", "Sets goals, manages setbacks and advocates for themselves."),
        ("Engaged citizen", "Contributes to the community and respects other points of view."),
    ],
    priorities=[
        DemoPriority(
            "P1",
            "Every student reads by grade 3",
            "By 2030, 80% of third graders read at or above grade level (from 54% in 2024), "
            "and the gap between student groups is cut in half.",
            "cao@riverbend.example",
            [
                DemoCommitment(
                    "Principals protect a daily 90-minute literacy block",
                    "principals",
                    "No assemblies, pull-outs or interruptions during the K–3 literacy block.",
                    "Master schedule showing the protected block; walkthrough notes.",
                    ReportedIn.SCHOOL,
                    "Teaching and Learning",
                    schools=EARLY_LITERACY_LEVELS,
                ),
                DemoCommitment(
                    "Teachers teach the science-of-reading curriculum as designed",
                    "teachers",
                    "K–3 teachers use the adopted foundational skills lessons every day.",
                    "Unit assessments and coaching logs.",
                    ReportedIn.SCHOOL,
                    "Teaching and Learning",
                    schools=EARLY_LITERACY_LEVELS,
                ),
                DemoCommitment(
                    "Teachers complete science-of-reading training (units 1–4)",
                    "teachers",
                    "Every K–3 teacher and interventionist finishes the first four training units.",
                    "Training completion certificates.",
                    ReportedIn.SCHOOL,
                    "Teaching and Learning",
                    schools=EARLY_LITERACY_LEVELS,
                    window="this fall",
                ),
                DemoCommitment(
                    "Cabinet reviews K–3 reading screener results each benchmark window",
                    "cabinet",
                    "Fall, winter and spring: results by school and student group, with next steps for each school.",
                    "Review slides and the action list.",
                    ReportedIn.DEPARTMENT,
                    "Teaching and Learning",
                    departments=("Teaching and Learning",),
                ),
            ],
        ),
        DemoPriority(
            "P2",
            "Attendance and belonging",
            "Chronic absenteeism falls below 10% (from 23%), and 85% of students say "
            "an adult at school knows them well.",
            "studentservices@riverbend.example",
            [
                DemoCommitment(
                    "Principals hold a monthly attendance data meeting",
                    "principals",
                    "The attendance team reviews who is missing school, why, and who will reach out.",
                    "Meeting agendas and the outreach list.",
                    ReportedIn.BOTH,
                    "Student Services",
                    schools=ALL_SCHOOLS,
                ),
                DemoCommitment(
                    "Counselors meet every chronically absent student within two weeks",
                    "counselors",
                    "A conversation with the student and a call home, with a plan to remove barriers.",
                    "Contact log entries in the student information system.",
                    ReportedIn.SCHOOL,
                    "Student Services",
                    schools=ALL_SCHOOLS,
                ),
                DemoCommitment(
                    "Bus drivers keep consistent routes and greet riders by name",
                    "bus-drivers",
                    "The same driver on each route all year where possible; every rider greeted by name.",
                    "Route assignment records; rider survey.",
                    ReportedIn.DEPARTMENT,
                    "Operations",
                    departments=("Operations",),
                ),
                DemoCommitment(
                    "Food services staff serve breakfast in the classroom",
                    "food-services",
                    "Breakfast delivered to classrooms in the first ten minutes of the day.",
                    "Meal counts by school.",
                    ReportedIn.DEPARTMENT,
                    "Operations",
                    schools=("Douglass Elementary", "Eastgate Elementary", "Garfield Elementary"),
                    window="this year",
                ),
                DemoCommitment(
                    "Teachers lead a daily 25-minute advisory",
                    "teachers",
                    "A small group that stays with the same adult all year, pilot in two middle schools.",
                    "Advisory rosters and the student connection survey.",
                    ReportedIn.SCHOOL,
                    "Student Services",
                    schools=("Jefferson Middle School", "Lincoln Middle School"),
                ),
                DemoCommitment(
                    "Counselors run attendance circles for students missing 10% of days",
                    "counselors",
                    "Six-week small groups with goal setting and a family check-in.",
                    "Group rosters and attendance before and after.",
                    ReportedIn.SCHOOL,
                    "Student Services",
                    schools=("Jefferson Middle School", "King Middle School"),
                ),
                DemoCommitment(
                    "Assistant principals hold a restorative conference after every suspension",
                    "assistant-principals",
                    "Student, family and staff meet before the student returns, with a re-entry plan.",
                    "Conference records.",
                    ReportedIn.SCHOOL,
                    "Student Services",
                    schools=("Jefferson Middle School",),
                ),
            ],
        ),
        DemoPriority(
            "P3",
            "College, career and life ready",
            "The graduation rate reaches 92%, and every graduate leaves with college credit, "
            "an industry credential or a work-based learning experience.",
            "superintendent@riverbend.example",
            [
                DemoCommitment(
                    "Counselors complete a graduation plan with every 9th grader",
                    "counselors",
                    "By the end of first semester, each 9th grader has a four-year plan shared with their family.",
                    "Signed graduation plans.",
                    ReportedIn.SCHOOL,
                    "Student Services",
                    schools=(SchoolLevel.HIGH, SchoolLevel.ALTERNATIVE),
                ),
                DemoCommitment(
                    "Assistant principals review on-track-to-graduate data monthly",
                    "assistant-principals",
                    "Every 9th grader's credits and grades, with a named adult for anyone off track.",
                    "The monthly on-track list with follow-ups.",
                    ReportedIn.SCHOOL,
                    "Teaching and Learning",
                    schools=(SchoolLevel.HIGH,),
                ),
                DemoCommitment(
                    "Principals expand dual-credit seats with Riverbend Community College",
                    "principals",
                    "At least two new dual-credit sections a year at each high school.",
                    "Course schedule and enrollment counts.",
                    ReportedIn.BOTH,
                    "Teaching and Learning",
                    schools=(SchoolLevel.HIGH,),
                ),
                DemoCommitment(
                    "Teachers run one career-connected project each semester",
                    "teachers",
                    "A project with a local employer or community partner, grades 6–12.",
                    "Project descriptions and student work samples.",
                    ReportedIn.SCHOOL,
                    "Teaching and Learning",
                    schools=(SchoolLevel.MIDDLE, SchoolLevel.K8),
                ),
                DemoCommitment(
                    "Principals pilot the early-warning dashboard",
                    "principals",
                    "Weekly use of the new attendance, behavior and course-performance dashboard with the team.",
                    "Dashboard usage report and team notes.",
                    ReportedIn.SCHOOL,
                    "Technology",
                    schools=("Jefferson Middle School",),
                    window="this spring",
                ),
            ],
        ),
        DemoPriority(
            "P4",
            "Great people in every role",
            "Teacher retention reaches 90%, and every school opens the year fully staffed.",
            "hr@riverbend.example",
            [
                DemoCommitment(
                    "Principals hold stay interviews with every first- and second-year teacher",
                    "principals",
                    "A conversation each fall and spring about what keeps them here and what gets in the way.",
                    "Stay interview notes, summarized for HR.",
                    ReportedIn.SCHOOL,
                    "Human Resources",
                    schools=ALL_SCHOOLS,
                ),
                DemoCommitment(
                    "Principals give every new teacher a mentor before the first day",
                    "principals",
                    "A trained mentor in the same grade or subject, with time set aside to meet weekly.",
                    "Mentor assignments list.",
                    ReportedIn.SCHOOL,
                    "Human Resources",
                    schools=ALL_SCHOOLS,
                ),
                DemoCommitment(
                    "Human Resources posts every vacancy within 48 hours",
                    "cabinet",
                    "From resignation or new position approval to a public posting in two working days.",
                    "Time-to-post report.",
                    ReportedIn.DEPARTMENT,
                    "Human Resources",
                    departments=("Human Resources",),
                ),
            ],
        ),
    ],
)


SCHOOL_YEAR_PARTS = {
    "this year": ((0, 8, 1), (1, 6, 30)),
    "this fall": ((0, 8, 1), (0, 12, 19)),
    "this spring": ((1, 1, 5), (1, 6, 30)),
}


def _window(spec: str | None, plan: StrategicPlan, district: District) -> tuple[date, date]:
    if spec in SCHOOL_YEAR_PARTS:
        year = plan.period.school_year_containing(timezone.localdate(timezone=district.tzinfo))
        (y1, m1, d1), (y2, m2, d2) = SCHOOL_YEAR_PARTS[spec]
        return date(year + y1, m1, d1), date(year + y2, m2, d2)
    if spec:
        first, last = spec.split(":")
        return date.fromisoformat(first), date.fromisoformat(last)
    return plan.first_day, plan.last_day


def _schools(spec: str | tuple, district: District) -> list[School]:
    """Schools named by level or by name (ALL_SCHOOLS is assigned with `every_school`)."""
    schools = School.objects.filter(district=district)
    if not spec:
        return []
    if all(level in SchoolLevel.values for level in spec):
        return list(schools.filter(level__in=spec))
    return list(schools.filter(name__in=spec))


def _seed_plan(demo: DemoPlan, *, district: District, actor: Membership) -> tuple[StrategicPlan, bool]:
    plan = StrategicPlan.objects.filter(district=district, title=demo.title).first()
    if plan is not None:
        return plan, False
    plan = services.plan_create(
        district=district,
        actor=actor,
        title=demo.title,
        start_year=demo.start_year,
        end_year=demo.end_year,
        vision=demo.vision,
        mission=demo.mission,
    )
    for name, description in demo.competencies:
        services.competency_create(district=district, actor=actor, plan=plan, name=name, description=description)
    people = {m.user.email: m for m in Membership.objects.filter(district=district).select_related("user")}
    labels = {label.slug: label for label in RoleLabel.objects.filter(district=district)}
    departments = {d.name: d for d in Department.objects.filter(district=district)}
    for demo_priority in demo.priorities:
        priority = Priority.objects.filter(district=district, plan=plan, code=demo_priority.code).first()
        if priority is None:
            priority = priority_services.priority_create(
                district=district,
                actor=actor,
                plan=plan,
                code=demo_priority.code,
                title=demo_priority.title,
                success_looks_like=demo_priority.success,
                owner=people.get(demo_priority.owner),
            )
        for item in demo_priority.commitments:
            if Commitment.objects.filter(district=district, priority=priority, title=item.title).exists():
                continue
            starts_on, ends_on = _window(item.window, plan, district)
            commitment = priority_services.commitment_create(
                district=district,
                actor=actor,
                priority=priority,
                title=item.title,
                description=item.description,
                role_label=labels[item.role],
                lead_department=departments.get(item.lead),
                starts_on=starts_on,
                ends_on=ends_on,
                evidence_expected=item.evidence,
                reported_in=item.reported_in,
            )
            priority_services.assignments_create(
                district=district,
                actor=actor,
                commitment=commitment,
                every_school=item.schools == ALL_SCHOOLS,
                schools=() if item.schools == ALL_SCHOOLS else _schools(item.schools, district),
                departments=[departments[name] for name in item.departments],
            )
    return plan, True


def seed() -> list[str]:
    """Riverbend: the 2019–2024 plan (activated, then archived) and the active 2025–2030 plan."""
    with transaction.atomic():
        district = District.objects.get(slug=RIVERBEND_SLUG)
        with district_context(district):
            actor = Membership.objects.select_related("user").get(
                district=district, user__email="superintendent@riverbend.example"
            )
            earlier, created_earlier = _seed_plan(EARLIER_PLAN, district=district, actor=actor)
            if created_earlier:
                services.plan_activate(district=district, actor=actor, plan=earlier)
            current, _ = _seed_plan(ACTIVE_PLAN, district=district, actor=actor)
            if current.is_draft:
                services.plan_activate(district=district, actor=actor, plan=current)
            commitments = Commitment.objects.filter(district=district, priority__plan=current).count()
    return [f"{district.name}: “{current.title}” active with {commitments} commitments; “{earlier.title}” archived"]
