"""The two district-setup imports: schools and people (see imports.py for the shared flow).

Both plan every row against the database and the rest of the file and never
write while planning; `apply` writes a clean plan in bulk, with history.
An empty optional cell leaves the current value as it is, so a partial file
never erases what was typed in by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy, pgettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import cache_versions
from core.text import one_line

from .imports import Column, CsvRow, CsvTable, ImportCounts, Importer, ImportPlan, RowPlan
from .models import (
    Department,
    ImportKind,
    Invitation,
    Membership,
    RoleLabel,
    School,
    SchoolLevel,
    enrollment_problem,
)
from .policy import Action, require
from .roles import Role, place_problem
from .services import (
    ROLLUP_SCHOOL_FIELDS,
    announce_schools_changed,
    email_invitation_after_commit,
    email_problem,
    invitation_expiry,
    normalize_email,
)

MAX_WHOLE_NUMBER = 2_147_483_647


def _key(text: str) -> str:
    """Letters and digits only, lower case, accents dropped: "K-8" → "k8", "Board member" → "boardmember",
    "Educación" → "educacion"."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKD", text.lower()))


def _labels_in_every_language(choices: type[models.Choices]) -> dict[str, str]:
    """Each choice's label, in every language the app offers, as a key: a file may use the words its help shows."""
    aliases: dict[str, str] = {}
    # English last, so an English label wins over a same-looking label in another language.
    for code in sorted((code for code, _name in settings.LANGUAGES), key=lambda code: code == "en"):
        with translation.override(code):
            aliases.update({_key(str(label)): value for value, label in choices.choices})
    return aliases


def _too_long(plan: ImportPlan, row: CsvRow, column: str, value: str, limit: int) -> None:
    if len(value) > limit:
        plan.problem(
            row.number,
            column,
            _("This is %(length)s characters long; the most is %(limit)s.") % {"length": len(value), "limit": limit},
        )


OTHER_ROWS_NAMED = 5


def _duplicates(plan: ImportPlan, rows_by_value: dict[str, list[int]], column: str, message: str) -> None:
    """Report every row of a value that appears in more than one row, naming the first few others.

    `message` is the whole sentence, with %(value)s for the value and %(rows)s for the other rows.

    A few, not all: a value repeated in 100,000 rows would otherwise make 100,000 messages of 100,000 numbers.
    """
    for value, numbers in rows_by_value.items():
        if len(numbers) < 2:
            continue
        for number in numbers:
            others = [n for n in numbers[: OTHER_ROWS_NAMED + 1] if n != number][:OTHER_ROWS_NAMED]
            named = ", ".join(map(str, others))
            if len(numbers) - 1 > len(others):
                named = _("%(rows)s and %(count)s more") % {
                    "rows": named,
                    "count": f"{len(numbers) - 1 - len(others):,}",
                }
            plan.problem(number, column, message % {"value": value, "rows": named})


def _list_choices(labels: list[str]) -> str:
    """ "A, B or C", in the reader's language."""
    labels = [str(label) for label in labels]
    return _("%(items)s or %(last)s") % {"items": ", ".join(labels[:-1]), "last": labels[-1]}


def _level_help() -> str:
    return _("%(choices)s.") % {"choices": _list_choices(SchoolLevel.labels)}


def _role_help() -> str:
    return _("%(choices)s. (District admins are invited one at a time.)") % {
        "choices": _list_choices(importable_role_labels())
    }


# --- Schools ------------------------------------------------------------------------


@cache
def _level_aliases() -> dict[str, str]:
    return {
        **{_key(value): value for value in SchoolLevel.values},
        **_labels_in_every_language(SchoolLevel),
        "earlylearningcenter": SchoolLevel.EARLY,
        "earlychildhood": SchoolLevel.EARLY,
        "prek": SchoolLevel.EARLY,
        "preschool": SchoolLevel.EARLY,
        "elem": SchoolLevel.ELEMENTARY,
        "k5": SchoolLevel.ELEMENTARY,
        "juniorhigh": SchoolLevel.MIDDLE,
        "alt": SchoolLevel.ALTERNATIVE,
    }


def parse_level(text: str) -> str | None:
    """A SchoolLevel value from a value or label in any case: "High School" → "high", "K–8" → "k8"."""
    key = _key(text)
    if key.endswith("school") and key != "school":
        key = key.removesuffix("school")
    return _level_aliases().get(key)


def parse_whole_number(text: str) -> int | None:
    """A whole number ≥ 0, allowing "1,234" and a spreadsheet's "812.0"; None when it isn't one."""
    text = text.strip()
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        text = text.replace(",", "")
    match = re.fullmatch(r"(\d+)(\.0+)?", text)
    if not match or int(match.group(1)) > MAX_WHOLE_NUMBER:
        return None
    return int(match.group(1))


@dataclass(frozen=True)
class SchoolRow:
    pk: int | None
    fields: dict[str, Any]


class SchoolImporter(Importer):
    kind = ImportKind.SCHOOLS
    title = gettext_lazy("Import schools")
    created_sentence = ngettext_lazy("%(count)s school was added.", "%(count)s schools were added.", "count")
    updated_sentence = ngettext_lazy("%(count)s school was updated.", "%(count)s schools were updated.", "count")
    columns = (
        Column("name", True, gettext_lazy("The school's name."), "Jefferson Middle School"),
        Column(
            "code",
            False,
            gettext_lazy("The state or SIS school code. Existing schools are matched by code, else by name."),
            "RB-130",
        ),
        Column("level", True, lazy(_level_help, str)(), "Middle"),
        Column(
            "enrollment", False, gettext_lazy("Number of students, a whole number. Weights district roll-ups."), "812"
        ),
        Column("region", False, gettext_lazy("Region or network, if your district groups schools."), "North"),
    )

    def check_permission(self, actor: Membership) -> None:
        require(actor, Action.MANAGE_DISTRICT)

    def plan(self, table: CsvTable) -> ImportPlan:
        plan = ImportPlan()
        existing = list(School.objects.filter(district=self.district))
        by_code = {school.code: school for school in existing if school.code}
        by_name = {school.name.lower(): school for school in existing}

        rows_by_code: dict[str, list[int]] = defaultdict(list)
        rows_by_name: dict[str, list[int]] = defaultdict(list)  # names compare case-insensitively
        for row in table.rows:
            if code := one_line(row.get("code")):
                rows_by_code[code].append(row.number)
            if name := one_line(row.get("name")):
                rows_by_name[name.lower()].append(row.number)
        _duplicates(
            plan,
            rows_by_code,
            "code",
            _("The code “%(value)s” appears more than once in the file: also in row %(rows)s."),
        )
        _duplicates(
            plan,
            rows_by_name,
            "name",
            _("The name “%(value)s” appears more than once in the file: also in row %(rows)s."),
        )

        rows_by_target: dict[int, list[int]] = defaultdict(list)
        for row in table.rows:
            row_plan = self._plan_row(plan, row, by_code=by_code, by_name=by_name)
            if row_plan is not None:
                if row_plan.payload.pk is not None:
                    rows_by_target[row_plan.payload.pk].append(row.number)
                plan.rows.append(row_plan)
        names = {school.pk: school.name for school in existing}
        reported = {problem.row for problem in plan.problems}
        for pk, numbers in rows_by_target.items():
            # Rows already reported as duplicates need no second message.
            if len(numbers) > 1 and not set(numbers) <= reported:
                for number in numbers:
                    plan.problem(
                        number,
                        "",
                        _("Rows %(rows)s both change %(name)s.")
                        % {"rows": _(" and ").join(map(str, numbers)), "name": names[pk]},
                    )
        return plan

    def _plan_row(
        self, plan: ImportPlan, row: CsvRow, *, by_code: dict[str, School], by_name: dict[str, School]
    ) -> RowPlan | None:
        before = len(plan.problems)
        name, code, region = (one_line(row.get(c)) for c in ("name", "code", "region"))
        if not name:
            plan.problem(row.number, "name", _("The school needs a name."))
        _too_long(plan, row, "name", name, 200)
        _too_long(plan, row, "code", code, 40)
        _too_long(plan, row, "region", region, 100)
        level_text = row.get("level")
        level = parse_level(level_text)
        if level is None:
            choices = _list_choices(SchoolLevel.labels)
            plan.problem(
                row.number,
                "level",
                _("“%(text)s” isn't a school level. Use %(choices)s.") % {"text": level_text, "choices": choices}
                if level_text
                else _("Give the level: %(choices)s.") % {"choices": choices},
            )
        enrollment_text = row.get("enrollment")
        enrollment = parse_whole_number(enrollment_text) if enrollment_text else None
        if enrollment_text and enrollment is None:
            plan.problem(
                row.number,
                "enrollment",
                _("“%(text)s” isn't a whole number of students (0 or more).") % {"text": enrollment_text},
            )
        elif problem := enrollment_problem(enrollment):
            plan.problem(row.number, "enrollment", problem)
            enrollment = None
        code_school = by_code.get(code) if code else None
        name_school = by_name.get(name.lower()) if name else None
        if code_school and name_school and code_school != name_school:
            plan.problem(
                row.number,
                "code",
                _("The code %(code)s is already used by %(school)s, but another school is already called “%(other)s”.")
                % {"code": code, "school": code_school.name, "other": name_school.name},
            )
        if len(plan.problems) > before or level is None:
            return None

        target = code_school or name_school
        wanted: dict[str, Any] = {"name": name, "level": level}
        # Empty optional cells keep the current value (or the default for a new school).
        if code:
            wanted["code"] = code
        if enrollment is not None:
            wanted["enrollment"] = enrollment
        if region:
            wanted["region"] = region
        level_label = SchoolLevel(level).label
        if target is None:
            if enrollment is not None:
                description = _("Add %(name)s (%(level)s, %(students)s students)") % {
                    "name": name,
                    "level": level_label,
                    "students": enrollment,
                }
            else:
                description = _("Add %(name)s (%(level)s)") % {"name": name, "level": level_label}
            return RowPlan(row.number, "create", description, SchoolRow(None, wanted))
        changes = {k: v for k, v in wanted.items() if getattr(target, k) != v}
        if not changes:
            return RowPlan(
                row.number,
                "unchanged",
                _("%(name)s: already up to date") % {"name": target.name},
                SchoolRow(target.pk, {}),
            )
        described = "; ".join(
            f"{School._meta.get_field(k).verbose_name} {self._shown(k, getattr(target, k))} → {self._shown(k, v)}"
            for k, v in changes.items()
        )
        return RowPlan(row.number, "update", f"{target.name}: {described}", SchoolRow(target.pk, changes))

    @staticmethod
    def _shown(field: str, value: object) -> str:
        if field == "level":
            return str(SchoolLevel(value).label)
        return str(value) if value not in ("", None) else _("(empty)")

    def apply(self, plan: ImportPlan, *, actor: Membership) -> ImportCounts:
        creates = [School(district=self.district, **row.payload.fields) for row in plan.rows if row.action == "create"]
        updates = {row.payload.pk: row.payload.fields for row in plan.rows if row.action == "update"}
        bulk_create_with_history(creates, School, default_user=actor.user)
        fields = sorted({name for changes in updates.values() for name in changes})
        if updates:
            now = timezone.now()
            schools = list(School.objects.filter(district=self.district, pk__in=updates))
            for school in schools:
                for name, value in updates[school.pk].items():
                    setattr(school, name, value)
                school.updated_at = now
            bulk_update_with_history(schools, School, [*fields, "updated_at"], default_user=actor.user)
        if creates or updates:
            cache_versions.bump(self.district.pk, cache_versions.NAMES)  # bulk writes send no post_save
        if creates or ROLLUP_SCHOOL_FIELDS.intersection(fields):
            announce_schools_changed(self.district)
        return ImportCounts(created=len(creates), updated=len(updates))


# --- People -----------------------------------------------------------------------------


@cache
def _role_aliases() -> dict[str, str]:
    return {
        **{_key(value): value for value in Role.values},
        **_labels_in_every_language(Role),
        "admin": Role.DISTRICT_ADMIN,
        "cabinet": Role.CABINET,
        "cabinetmember": Role.CABINET,
        "departmentlead": Role.CABINET,
        "departmenthead": Role.CABINET,
        "board": Role.BOARD_MEMBER,
        "coach": Role.PARTNER_COACH,
    }


def importable_role_labels() -> list[str]:
    """The roles a file may give, in the reader's language."""
    return [str(label) for value, label in Role.choices if value != Role.DISTRICT_ADMIN]


def _role_at(role: object, place: object) -> str:
    """ "Principal at Jefferson Middle School", or the role alone without a place."""
    return _("%(role)s at %(place)s") % {"role": role, "place": place} if place else str(role)


def parse_role(text: str) -> str | None:
    """A Role value from a value or label in any case: "Board member" → "board_member"."""
    return _role_aliases().get(_key(text))


@dataclass(frozen=True)
class PersonRow:
    email: str
    membership_pk: int | None  # set for an update of an active member
    fields: dict[str, Any]


class PeopleImporter(Importer):
    """Invites new people; changes the role and place of people who are already active members.

    District admins are left out on purpose: granting or removing the widest
    role is one deliberate action on the person's page, never a side effect of a file.
    """

    kind = ImportKind.PEOPLE
    title = gettext_lazy("Import people")
    created_sentence = ngettext_lazy("%(count)s person was invited.", "%(count)s people were invited.", "count")
    updated_sentence = ngettext_lazy("%(count)s member was updated.", "%(count)s members were updated.", "count")
    columns = (
        Column(
            "email",
            True,
            gettext_lazy("Their work email address; the invitation goes there."),
            "grace.okafor@district.org",
        ),
        Column("full_name", False, gettext_lazy("Their name as colleagues know it."), "Grace Okafor"),
        Column("role", True, lazy(_role_help, str)(), "Principal"),
        Column(
            "school",
            False,
            gettext_lazy("School name or code, for principals and school staff."),
            "Jefferson Middle School",
        ),
        Column("department", False, gettext_lazy("Department name, for cabinet members and department staff."), ""),
        Column(
            "role_label", False, gettext_lazy("The role card that is theirs, by name, e.g. Teachers."), "Principals"
        ),
        Column("title", False, gettext_lazy("Job title."), "Principal"),
    )

    def check_permission(self, actor: Membership) -> None:
        require(actor, Action.MANAGE_PEOPLE)

    def plan(self, table: CsvTable) -> ImportPlan:
        plan = ImportPlan()
        district = self.district
        schools = list(School.objects.filter(district=district))
        self.schools = {s.name.lower(): s for s in schools} | {s.code.lower(): s for s in schools if s.code}
        self.departments = {d.name.lower(): d for d in Department.objects.filter(district=district)}
        labels = list(RoleLabel.objects.filter(district=district))
        self.labels = {label.name.lower(): label for label in labels} | {label.slug: label for label in labels}
        self.members = {
            m.user.email.lower(): m
            for m in Membership.objects.filter(district=district).select_related(
                "user", "school", "department", "role_label"
            )
        }
        self.open_invitations = {
            i.email.lower(): i
            for i in Invitation.objects.filter(district=district, accepted_at__isnull=True, revoked_at__isnull=True)
        }

        rows_by_email: dict[str, list[int]] = defaultdict(list)
        for row in table.rows:
            if email := normalize_email(row.get("email")):
                rows_by_email[email].append(row.number)
        _duplicates(
            plan,
            rows_by_email,
            "email",
            _("The email address “%(value)s” appears more than once in the file: also in row %(rows)s."),
        )
        for row in table.rows:
            row_plan = self._plan_row(plan, row)
            if row_plan is not None:
                plan.rows.append(row_plan)
        return plan

    def _lookup(self, plan: ImportPlan, row: CsvRow, column: str, table: dict[str, Any], message: str) -> Any:
        text = one_line(row.get(column))
        if not text:
            return None
        found = table.get(text.lower())
        if found is None:
            plan.problem(row.number, column, message % {"name": text})
        return found

    def _plan_row(self, plan: ImportPlan, row: CsvRow) -> RowPlan | None:
        before = len(plan.problems)
        email = normalize_email(row.get("email"))
        if problem := email_problem(email):
            plan.problem(row.number, "email", problem)
        full_name, title = one_line(row.get("full_name")), one_line(row.get("title"))
        _too_long(plan, row, "full_name", full_name, 200)
        _too_long(plan, row, "title", title, 200)

        role_text = row.get("role")
        role = parse_role(role_text)
        if role is None:
            choices = _list_choices(importable_role_labels())
            plan.problem(
                row.number,
                "role",
                _("“%(text)s” isn't a role. Use %(choices)s.") % {"text": role_text, "choices": choices}
                if role_text
                else _("Give the person's role: %(choices)s.") % {"choices": choices},
            )
        elif role == Role.DISTRICT_ADMIN:
            plan.problem(row.number, "role", _("District admins are invited one at a time from the Invite page."))
        school = self._lookup(
            plan, row, "school", self.schools, _("No school in this district is called or coded “%(name)s”.")
        )
        department = self._lookup(plan, row, "department", self.departments, _("No department is called “%(name)s”."))
        label = self._lookup(plan, row, "role_label", self.labels, _("No role card is called “%(name)s”."))
        school_ok = not (row.get("school") and school is None)
        department_ok = not (row.get("department") and department is None)
        if role and school_ok and department_ok:
            problem = place_problem(role, has_school=school is not None, has_department=department is not None)
            if problem:
                plan.problem(row.number, problem[0], problem[1])

        member = self.members.get(email)
        invitation = self.open_invitations.get(email)
        if invitation is not None and not (member and member.is_active):
            invited_on = timezone.localdate(invitation.created_at)
            plan.problem(
                row.number,
                "email",
                _("%(email)s was already invited on %(date)s. Re-send or revoke that invitation on the People page.")
                % {"email": email, "date": date_format(invited_on, "SHORT_DATE_FORMAT")},
            )
        if member and member.is_active and member.role == Role.DISTRICT_ADMIN:
            plan.problem(
                row.number,
                "role",
                _("%(email)s is a district admin; change an admin's role on their page, not by file.")
                % {"email": email},
            )
        if len(plan.problems) > before:
            return None

        now = _role_at(Role(role).label, school or department)
        if member and member.is_active:
            wanted: dict[str, Any] = {"role": role, "school": school, "department": department}
            if label is not None:
                wanted["role_label"] = label
            if title:
                wanted["title"] = title
            changes = {k: v for k, v in wanted.items() if getattr(member, k) != v}
            if not changes:
                return RowPlan(
                    row.number, "unchanged", _("%(email)s: already %(role)s") % {"email": email, "role": now}, None
                )
            was = _role_at(member.get_role_display(), member.place)
            detail = f"{was} → {now}" if {"role", "school", "department"} & set(changes) else ""
            field_names = {"role_label": _("role label"), "title": pgettext("a person's job title", "title")}
            extras = [f"{field_names[k]} → {v or _('(none)')}" for k, v in changes.items() if k in field_names]
            description = f"{member.user}: " + "; ".join(filter(None, [detail, *extras]))
            return RowPlan(row.number, "update", description, PersonRow(email, member.pk, changes))
        fields = {
            "full_name": full_name,
            "role": role,
            "school": school,
            "department": department,
            "role_label": label,
            "title": title,
        }
        if member:
            description = _("Invite %(email)s as %(role)s (a former member: accepting restores their access)")
        else:
            description = _("Invite %(email)s as %(role)s")
        return RowPlan(
            row.number, "create", description % {"email": email, "role": now}, PersonRow(email, None, fields)
        )

    def apply(self, plan: ImportPlan, *, actor: Membership) -> ImportCounts:
        expires_at = invitation_expiry()
        invitations = Invitation.objects.bulk_create(
            Invitation(
                district=self.district,
                email=row.payload.email,
                invited_by=actor,
                expires_at=expires_at,
                **row.payload.fields,
            )
            for row in plan.rows
            if row.action == "create"
        )
        for invitation in invitations:
            email_invitation_after_commit(invitation)
        updates = {row.payload.membership_pk: row.payload.fields for row in plan.rows if row.action == "update"}
        if updates:
            members = list(Membership.objects.filter(district=self.district, pk__in=updates))
            fields = sorted({name for changes in updates.values() for name in changes})
            for member in members:
                for name, value in updates[member.pk].items():
                    setattr(member, name, value)
            bulk_update_with_history(members, Membership, fields, default_user=actor.user)
            cache_versions.bump(self.district.pk, cache_versions.NAMES)  # bulk writes send no post_save
        return ImportCounts(created=len(invitations), updated=len(updates))
