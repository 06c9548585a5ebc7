"""Demo districts for `manage.py seed_demo`: Riverbend Unified (large) and Lakeside (small).

Idempotent: every row is found by its natural key before it is created, so
running the seed twice changes nothing. Later apps seed their own parts
(plans, metrics, check-ins) on top of these districts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Department, District, Invitation, Membership, RoleLabel, School, SchoolLevel, User
from .roles import Role
from .tenancy import district_context

DEMO_PASSWORD = "demo-pass"

RIVERBEND_SLUG = "riverbend"
LAKESIDE_SLUG = "lakeside"

# (name, code, level, enrollment, region)
RIVERBEND_SCHOOLS = [
    ("Adams Early Learning Center", "RB-101", SchoolLevel.EARLY, 180, "North"),
    ("Birchwood Elementary", "RB-110", SchoolLevel.ELEMENTARY, 412, "North"),
    ("Cedar Grove Elementary", "RB-111", SchoolLevel.ELEMENTARY, 538, "North"),
    ("Douglass Elementary", "RB-112", SchoolLevel.ELEMENTARY, 367, "South"),
    ("Eastgate Elementary", "RB-113", SchoolLevel.ELEMENTARY, 605, "East"),
    ("Franklin Elementary", "RB-114", SchoolLevel.ELEMENTARY, 449, "South"),
    ("Garfield Elementary", "RB-115", SchoolLevel.ELEMENTARY, 298, "East"),
    ("Harbor View K-8", "RB-120", SchoolLevel.K8, 721, "South"),
    ("Jefferson Middle School", "RB-130", SchoolLevel.MIDDLE, 812, "North"),
    ("King Middle School", "RB-131", SchoolLevel.MIDDLE, 744, "South"),
    ("Lincoln Middle School", "RB-132", SchoolLevel.MIDDLE, 689, "East"),
    ("Riverbend High School", "RB-140", SchoolLevel.HIGH, 1684, "North"),
    ("Southside High School", "RB-141", SchoolLevel.HIGH, 1422, "South"),
    ("Eastlake High School", "RB-142", SchoolLevel.HIGH, 1275, "East"),
    ("Horizon Alternative Academy", "RB-150", SchoolLevel.ALTERNATIVE, 146, "East"),
]

RIVERBEND_DEPARTMENTS = [
    ("Teaching and Learning", "Curriculum, instruction, assessment and professional learning."),
    ("Student Services", "Counseling, special education, health and family engagement."),
    ("Operations", "Transportation, food services, facilities and safety."),
    ("Human Resources", "Recruiting, hiring, retention and staff wellness."),
    ("Finance", "Budget, payroll and purchasing."),
    ("Technology", "Devices, networks, data systems and student information."),
]

# (name, slug, system role or "", description)
RIVERBEND_ROLE_LABELS = [
    ("Principals", "principals", Role.PRINCIPAL, "School leaders"),
    ("Assistant principals", "assistant-principals", "", ""),
    ("Teachers", "teachers", "", "Classroom teachers in every school"),
    ("Counselors", "counselors", "", "School counselors and social workers"),
    ("Bus drivers", "bus-drivers", "", "Transportation staff"),
    ("Food services staff", "food-services", "", "Cafeteria and nutrition staff"),
    ("Cabinet", "cabinet", Role.CABINET, "The superintendent's leadership team"),
]


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    role: Role
    title: str = ""
    school: str = ""  # school name
    department: str = ""  # department name
    role_label: str = ""  # slug


RIVERBEND_PEOPLE = [
    Person("admin@riverbend.example", "Dana Whitfield", Role.DISTRICT_ADMIN, "Director of Strategy and Data"),
    Person("superintendent@riverbend.example", "Dr. Marcus Ellison", Role.SUPERINTENDENT, "Superintendent"),
    Person("board@riverbend.example", "Patricia Nguyen", Role.BOARD_MEMBER, "Board President"),
    Person("board2@riverbend.example", "Robert Caldwell", Role.BOARD_MEMBER, "Board Member"),
    Person("coach@partner.example", "Jordan Reyes", Role.PARTNER_COACH, "Partner coach, Northstar Education Partners"),
    Person(
        "cao@riverbend.example",
        "Dr. Angela Brooks",
        Role.CABINET,
        "Chief Academic Officer",
        department="Teaching and Learning",
        role_label="cabinet",
    ),
    Person(
        "studentservices@riverbend.example",
        "Luis Ortega",
        Role.CABINET,
        "Executive Director of Student Services",
        department="Student Services",
        role_label="cabinet",
    ),
    Person(
        "coo@riverbend.example",
        "Karen Mitchell",
        Role.CABINET,
        "Chief Operations Officer",
        department="Operations",
        role_label="cabinet",
    ),
    Person(
        "hr@riverbend.example",
        "Samuel Park",
        Role.CABINET,
        "Chief Human Resources Officer",
        department="Human Resources",
        role_label="cabinet",
    ),
    Person(
        "cfo@riverbend.example",
        "Teresa Alvarez",
        Role.CABINET,
        "Chief Financial Officer",
        department="Finance",
        role_label="cabinet",
    ),
    Person(
        "cto@riverbend.example",
        "Ian Fletcher",
        Role.CABINET,
        "Chief Technology Officer",
        department="Technology",
        role_label="cabinet",
    ),
    Person(
        "principal@riverbend.example",
        "Grace Okafor",
        Role.PRINCIPAL,
        "Principal",
        school="Jefferson Middle School",
        role_label="principals",
    ),
    Person(
        "teacher@riverbend.example",
        "Michael Chen",
        Role.STAFF,
        "Grade 7 math teacher",
        school="Jefferson Middle School",
        role_label="teachers",
    ),
    Person(
        "counselor@riverbend.example",
        "Aisha Rahman",
        Role.STAFF,
        "School counselor",
        school="Jefferson Middle School",
        role_label="counselors",
    ),
    Person(
        "driver@riverbend.example",
        "Earl Jenkins",
        Role.STAFF,
        "Bus driver",
        department="Operations",
        role_label="bus-drivers",
    ),
]

# Principals for every other Riverbend school, so roll-ups and load pages look real.
RIVERBEND_OTHER_PRINCIPALS = [
    ("Adams Early Learning Center", "Helen Marsh"),
    ("Birchwood Elementary", "Victor Ramos"),
    ("Cedar Grove Elementary", "Nina Patel"),
    ("Douglass Elementary", "Jamal Wright"),
    ("Eastgate Elementary", "Laura Svensson"),
    ("Franklin Elementary", "Owen Gallagher"),
    ("Garfield Elementary", "Maria Delgado"),
    ("Harbor View K-8", "Derek Thompson"),
    ("King Middle School", "Yolanda Price"),
    ("Lincoln Middle School", "Caroline Webb"),
    ("Riverbend High School", "Anthony Russo"),
    ("Southside High School", "Denise Coleman"),
    ("Eastlake High School", "Brian Kowalski"),
    ("Horizon Alternative Academy", "Tamara Hughes"),
]

LAKESIDE_SCHOOLS = [
    ("Lakeside Elementary", "LS-01", SchoolLevel.ELEMENTARY, 356, ""),
    ("Pinecrest Elementary", "LS-02", SchoolLevel.ELEMENTARY, 288, ""),
    ("Lakeside Middle School", "LS-03", SchoolLevel.MIDDLE, 402, ""),
    ("Lakeside High School", "LS-04", SchoolLevel.HIGH, 690, ""),
]
LAKESIDE_DEPARTMENTS = [("Instruction", ""), ("Operations", "")]
LAKESIDE_PEOPLE = [
    Person("superintendent@lakeside.example", "Dr. Evelyn Shaw", Role.SUPERINTENDENT, "Superintendent"),
    Person("admin@lakeside.example", "Tom Becker", Role.DISTRICT_ADMIN, "Technology Coordinator"),
    Person("principal@lakeside.example", "Rosa Jimenez", Role.PRINCIPAL, "Principal", school="Lakeside High School"),
    Person("coach@partner.example", "Jordan Reyes", Role.PARTNER_COACH, "Partner coach, Northstar Education Partners"),
]


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    return user


def _district(*, slug: str, name: str, time_zone: str, languages: list[str]) -> District:
    district, _ = District.objects.get_or_create(
        slug=slug,
        defaults={"name": name, "time_zone": time_zone, "languages": languages, "school_year_start_month": 8},
    )
    return district


def _seed_places(district: District, schools: list, departments: list) -> None:
    for name, code, level, enrollment, region in schools:
        School.objects.get_or_create(
            district=district,
            name=name,
            defaults={"code": code, "level": level, "enrollment": enrollment, "region": region},
        )
    for name, description in departments:
        Department.objects.get_or_create(district=district, name=name, defaults={"description": description})


def _seed_people(district: District, people: list[Person]) -> None:
    schools = {s.name: s for s in School.objects.filter(district=district)}
    departments = {d.name: d for d in Department.objects.filter(district=district)}
    labels = {label.slug: label for label in RoleLabel.objects.filter(district=district)}
    for person in people:
        user = _user(person.email, person.full_name)
        Membership.objects.get_or_create(
            district=district,
            user=user,
            defaults={
                "role": person.role,
                "title": person.title,
                "school": schools.get(person.school),
                "department": departments.get(person.department),
                "role_label": labels.get(person.role_label),
            },
        )


# Open invitations, so the People page shows both states: (person, days until the link expires).
RIVERBEND_INVITATIONS = [
    (
        Person(
            "sofia.martinez@riverbend.example",
            "Sofia Martinez",
            Role.STAFF,
            "Grade 6 English teacher",
            school="Jefferson Middle School",
            role_label="teachers",
        ),
        6,
    ),
    (Person("board3@riverbend.example", "Henry Wallace", Role.BOARD_MEMBER, "Board Member"), -2),
]


def _seed_invitations(district: District, invitations: list[tuple[Person, int]]) -> None:
    schools = {s.name: s for s in School.objects.filter(district=district)}
    labels = {label.slug: label for label in RoleLabel.objects.filter(district=district)}
    admin = Membership.objects.filter(district=district, role=Role.DISTRICT_ADMIN).first()
    now = timezone.now()
    for person, days_left in invitations:
        if Invitation.objects.filter(district=district, email=person.email).exists():
            continue
        invitation = Invitation(
            district=district,
            email=person.email,
            full_name=person.full_name,
            role=person.role,
            title=person.title,
            school=schools.get(person.school),
            role_label=labels.get(person.role_label),
            invited_by=admin,
            expires_at=now + timedelta(days=days_left),
            sent_at=now - timedelta(days=7 - days_left),
        )
        # Marked as emailed: the demo never mails anyone.
        invitation.emailed_nonce = invitation.nonce
        invitation.save()


def seed() -> list[str]:
    """Create (or find) both demo districts; return a line per district for the command to print."""
    with transaction.atomic():
        riverbend = _district(
            slug=RIVERBEND_SLUG,
            name="Riverbend Unified School District",
            time_zone="America/Chicago",
            languages=["en", "es"],
        )
        with district_context(riverbend):
            _seed_places(riverbend, RIVERBEND_SCHOOLS, RIVERBEND_DEPARTMENTS)
            for position, (name, slug, system_role, description) in enumerate(RIVERBEND_ROLE_LABELS):
                RoleLabel.objects.get_or_create(
                    district=riverbend,
                    slug=slug,
                    defaults={
                        "name": name,
                        "system_role": system_role,
                        "description": description,
                        "position": position,
                    },
                )
            _seed_people(riverbend, RIVERBEND_PEOPLE)
            others = [
                Person(
                    f"principal.{name.split()[0].lower()}@riverbend.example",
                    principal,
                    Role.PRINCIPAL,
                    "Principal",
                    school=name,
                    role_label="principals",
                )
                for name, principal in RIVERBEND_OTHER_PRINCIPALS
            ]
            _seed_people(riverbend, others)
            _seed_invitations(riverbend, RIVERBEND_INVITATIONS)

        lakeside = _district(
            slug=LAKESIDE_SLUG, name="Lakeside School District", time_zone="America/New_York", languages=["en"]
        )
        with district_context(lakeside):
            _seed_places(lakeside, LAKESIDE_SCHOOLS, LAKESIDE_DEPARTMENTS)
            _seed_people(lakeside, LAKESIDE_PEOPLE)
    return [f"{riverbend.name} (/d/{riverbend.slug}/)", f"{lakeside.name} (/d/{lakeside.slug}/)"]
