"""Tenancy and people: districts, their schools and departments, users and memberships.

Every district-owned model inherits `DistrictOwned`: a non-null `district`
column, the fail-closed district-scoped manager (wall one) and a
row-level-security policy applied after migrations (wall two, see rls.py).
Unique constraints and main indexes start with `district` so the schema can
be distributed by district.
"""

from __future__ import annotations

import secrets
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .roles import Role
from .tenancy import DistrictScopedManager


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Addresses are stored lower-cased and unique by Lower(email): match any capitalisation.
        return self.get(email__iexact=(username or "").strip())

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. Access to a district comes only from a Membership."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # The person's own choice of interface language ("" = follow the browser); applied among
    # the languages their district offers (districts.languages).
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    # Kinds of optional email the person turned off in My settings (checkins.notifications names them;
    # the essential ones are always sent).
    email_opt_out = models.JSONField(_("emails turned off"), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        # How the person is addressed: the name as entered, title included ("Dr. Ana Reyes"),
        # never its first word ("Dr.").
        return self.get_full_name()


def us_time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if z.startswith(("America/", "Pacific/Honolulu", "US/")))
    return [(z, z.replace("_", " ")) for z in zones]


class CheckinCadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    BIMONTHLY = "bimonthly", _("Every two months")
    QUARTERLY = "quarterly", _("Quarterly")


# How many months one check-in cycle covers, per cadence; cycles are counted from the school year's start.
CADENCE_MONTHS = {CheckinCadence.MONTHLY: 1, CheckinCadence.BIMONTHLY: 2, CheckinCadence.QUARTERLY: 3}
# A cycle closes before the next one opens: within the fewest days between two opening days of that cadence
# (February makes it 28 for monthly, 59 for two months, 89 for a quarter), less one.
CHECKIN_MAX_CLOSE_DAYS = {CheckinCadence.MONTHLY: 27, CheckinCadence.BIMONTHLY: 58, CheckinCadence.QUARTERLY: 88}
CHECKIN_MAX_DAYS = max(CHECKIN_MAX_CLOSE_DAYS.values())
CHECKIN_DEFAULT_OPEN_DAY = 20
CHECKIN_MAX_REMINDERS = 5


def default_checkin_reminder_days() -> list[int]:
    """Three days before the due day, and on the due day."""
    return [3, 0]


def checkin_schedule_problems(
    *, cadence: str, open_day: int, due_days: int, reminder_days: list[int], escalation_days: int, close_days: int
) -> dict[str, str]:
    """Field messages for a check-in schedule that can't run (empty when it can).

    Days count from the opening day: due after `due_days`, escalated `escalation_days` after the due day,
    closed after `close_days`. Used by the settings service; checkins.schedule turns a valid one into instants.
    """
    problems: dict[str, str] = {}
    if not 1 <= open_day <= 28:
        problems["checkin_open_day"] = _("Choose a day from 1 to 28, so every month has it.")
    if not 1 <= due_days <= CHECKIN_MAX_DAYS:
        problems["checkin_due_days"] = _("Give check-ins from 1 to %(max)s days.") % {"max": CHECKIN_MAX_DAYS}
    if not 1 <= escalation_days <= CHECKIN_MAX_DAYS:
        problems["checkin_escalation_days"] = _("Enter from 1 to %(max)s days after the due day.") % {
            "max": CHECKIN_MAX_DAYS
        }
    longest = CHECKIN_MAX_CLOSE_DAYS.get(cadence, CHECKIN_MAX_DAYS)
    if close_days > longest:
        problems["checkin_close_days"] = _(
            "A cycle must close before the next one opens: at most %(max)s days with this cadence."
        ) % {"max": longest}
    elif not problems and close_days < due_days + escalation_days:
        problems["checkin_close_days"] = _(
            "The cycle must stay open until late check-ins escalate: at least %(min)s days "
            "(the days until due plus the days until escalation)."
        ) % {"min": due_days + escalation_days}
    if len(reminder_days) > CHECKIN_MAX_REMINDERS:
        problems["checkin_reminder_days"] = _("Choose at most %(max)s reminders.") % {"max": CHECKIN_MAX_REMINDERS}
    elif "checkin_due_days" not in problems and any(not 0 <= day < due_days for day in reminder_days):
        problems["checkin_reminder_days"] = _(
            "Each reminder must fall between the opening day and the due day: from 0 to %(max)s days before it."
        ) % {"max": due_days - 1}
    return problems


class District(models.Model):
    """The tenant. Not district-owned itself: it is read by slug before a member is known."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True, help_text=_("Used in web addresses: /d/<slug>/"))
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    school_year_start_month = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    languages = models.JSONField(default=list, help_text=_("Language codes offered to staff and families."))
    public_page_enabled = models.BooleanField(default=False)
    checkin_cadence = models.CharField(max_length=20, choices=CheckinCadence.choices, default=CheckinCadence.MONTHLY)
    # The check-in schedule, in the district's local time (checkins.schedule turns it into instants).
    # A cycle opens on this day of its period's last month, falls due and closes so many days later.
    checkin_open_day = models.PositiveSmallIntegerField(
        default=CHECKIN_DEFAULT_OPEN_DAY, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    checkin_due_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(CHECKIN_MAX_DAYS)]
    )
    # Days before the due day that a reminder goes out (0 = on the due day itself).
    checkin_reminder_days = models.JSONField(default=default_checkin_reminder_days, blank=True)
    checkin_escalation_days = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(CHECKIN_MAX_DAYS)]
    )
    checkin_close_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(CHECKIN_MAX_DAYS)]
    )
    # When the platform tick next has work for this district (districts.ticks); indexed, so a tick over
    # thousands of districts with nothing due is one query. Not a setting: the tick's own bookkeeping.
    next_tick_at = models.DateTimeField(default=timezone.now, editable=False)
    # Clarity: the focus guard warns past PRIORITY_WARNING_COUNT; a district may set a hard cap.
    priority_hard_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    # Coherence: a school with more active commitments than this is flagged.
    commitment_load_threshold = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # Metrics: how far behind the trajectory (as a share of the whole
    # baseline-to-target change) still counts as "at risk" rather than "off track".
    metric_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=10, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set whenever an admin saves the settings page, changed or not: the setup
    # checklist asks for one deliberate look at the defaults.
    settings_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["next_tick_at"])

    PRIORITY_WARNING_COUNT = 5

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["next_tick_at"], name="district_next_tick")]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class DistrictOwned(models.Model):
    """Base for every district-owned table."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")

    objects = DistrictScopedManager()

    class Meta:
        abstract = True


class SchoolLevel(models.TextChoices):
    EARLY = "early", _("Early learning")
    ELEMENTARY = "elementary", _("Elementary")
    K8 = "k8", _("K–8")
    MIDDLE = "middle", _("Middle")
    HIGH = "high", _("High")
    ALTERNATIVE = "alternative", _("Alternative")


# One enrollment limit for the school form, the services and the import: the largest US schools
# enrol about 20,000 students; anything past this is a typo, and it would swamp the weighted roll-ups.
MAX_ENROLLMENT = 100_000


def enrollment_problem(enrollment: int | None) -> str | None:
    """Why an enrollment can't be stored, or None when it can."""
    if enrollment is not None and not 0 <= enrollment <= MAX_ENROLLMENT:
        return _("Enrollment must be a whole number from 0 to %(max)s students.") % {"max": f"{MAX_ENROLLMENT:,}"}
    return None


class School(DistrictOwned):
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("The state or SIS school code, used to match imported rows."),
    )
    level = models.CharField(_("level"), max_length=20, choices=SchoolLevel.choices)
    enrollment = models.PositiveIntegerField(_("enrollment"), default=0, help_text=_("Used to weight roll-ups."))
    region = models.CharField(_("region"), max_length=100, blank=True, help_text=_("Optional region or network."))
    # The cabinet member who coaches the principal; late check-ins escalate to them (else the superintendent).
    principal_supervisor = models.ForeignKey(
        "Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("principal supervisor"),
        help_text=_("The cabinet member who coaches this school's principal and hears about late check-ins."),
    )
    created_at = models.DateTimeField(pgettext_lazy("date of", "created"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("date of", "updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("district", Lower("name"), name="school_name_unique_in_district"),
            models.UniqueConstraint(
                fields=["district", "code"], condition=~models.Q(code=""), name="school_code_unique_in_district"
            ),
        ]
        indexes = [
            models.Index(fields=["district", "level", "region"], name="school_district_level_region"),
            models.Index(fields=["district", "name"], name="school_district_name"),  # lists: ORDER BY name LIMIT
        ]

    def __str__(self) -> str:
        return self.name


class Department(DistrictOwned):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("district", Lower("name"), name="department_name_unique_in_district")]

    def __str__(self) -> str:
        return self.name


class RoleLabel(DistrictOwned):
    """A district's own name for a group of people a commitment can ask of
    ("Teachers", "Bus drivers", "Counselors"). Role cards are per label."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # The card's description may carry a Spanish version beside the English (core.bilingual reads it).
    description_es = models.CharField(_("description in Spanish"), max_length=300, blank=True)
    # Members holding this system role see this card as theirs (e.g. principal → "Principals").
    system_role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "slug"], name="role_label_slug_unique_in_district"),
            models.UniqueConstraint("district", Lower("name"), name="role_label_name_unique_in_district"),
        ]

    def __str__(self) -> str:
        return self.name


def person_sort_name(user: User) -> str:
    """How the people list orders a person: the name it shows (full name, else email), lower-cased.

    Copied onto each of their memberships (`Membership.sort_name`) so the list is ordered and paged by an
    index that starts with the district; districts.services.sync_sort_names keeps the copies exact.
    """
    return (user.full_name or user.email).lower()[:SORT_NAME_LENGTH]


SORT_NAME_LENGTH = 254


class Membership(DistrictOwned):
    """A user's place in one district: the acting identity for every action there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role_label = models.ForeignKey(
        RoleLabel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Which role card is theirs, e.g. Teachers."),
    )
    title = models.CharField(max_length=200, blank=True, help_text=_("Job title, e.g. Chief Academic Officer."))
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The person's name as the people list sorts it (person_sort_name): set on creation, kept exact when
    # the user's name changes; derived, so not in the history.
    sort_name = models.CharField(max_length=SORT_NAME_LENGTH, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["sort_name"])

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["district", "user"], name="membership_unique_user_in_district"),
            models.CheckConstraint(
                name="membership_principal_has_school",
                condition=~models.Q(role=Role.PRINCIPAL) | models.Q(school__isnull=False, department__isnull=True),
            ),
            models.CheckConstraint(
                name="membership_cabinet_has_department",
                condition=~models.Q(role=Role.CABINET) | models.Q(department__isnull=False, school__isnull=True),
            ),
            models.CheckConstraint(
                name="membership_staff_has_one_place",
                condition=~models.Q(role=Role.STAFF)
                | models.Q(school__isnull=False, department__isnull=True)
                | models.Q(school__isnull=True, department__isnull=False),
            ),
            models.CheckConstraint(
                name="membership_district_wide_roles_have_no_place",
                condition=~models.Q(
                    role__in=[Role.DISTRICT_ADMIN, Role.SUPERINTENDENT, Role.BOARD_MEMBER, Role.PARTNER_COACH]
                )
                | models.Q(school__isnull=True, department__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["district", "role"], name="membership_district_role"),
            models.Index(fields=["district", "school"], name="membership_district_school"),
            # The people list: active first, then by name, 50 at a time.
            models.Index(fields=["district", "-is_active", "sort_name", "id"], name="membership_district_people"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.district_id})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self._state.adding and not self.sort_name and self.user_id:
            self.sort_name = person_sort_name(self.user)
        super().save(*args, **kwargs)

    # How change histories name a member (core.history): by name, with the user fetched in the same query.
    history_select_related = ("user",)

    def history_name(self) -> str:
        return self.user.get_full_name()

    @property
    def place(self) -> School | Department | None:
        return self.school or self.department

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(16)


class Invitation(DistrictOwned):
    """An emailed invitation to join a district with a role.

    The link carries a signed token naming the invitation and its nonce; a
    re-send or a revocation changes the nonce, so only the newest link works.
    """

    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=30, choices=Role.choices)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    role_label = models.ForeignKey(RoleLabel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    invited_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    nonce = models.CharField(max_length=40, default=new_invitation_nonce)
    emailed_nonce = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the current link (nonce) was made: the tick measures a lost email from here.
    link_changed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address in a district.
            models.UniqueConstraint(
                "district",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]
        indexes = [
            # The tick's catch-up: open invitations whose current link was never emailed.
            # Partial, so it holds only the few rows waiting for an email.
            models.Index(
                fields=["link_changed_at"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True)
                & ~models.Q(emailed_nonce=models.F("nonce")),
                name="invitation_unsent_link",
            ),
        ]

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        EXPIRED = "expired", _("Expired")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    def __str__(self) -> str:
        return _("Invitation for %(email)s") % {"email": self.email}

    @property
    def state(self) -> Invitation.State:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return str(self.state.label)


class ImportKind(models.TextChoices):
    SCHOOLS = "schools", _("Schools")
    PEOPLE = "people", _("People")
    METRIC_VALUES = "metric_values", _("Metric values")


class ImportBatch(DistrictOwned):
    """An uploaded CSV kept between preview and confirm, and the record of what it did."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Waiting for confirmation")
        IMPORTED = "imported", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    kind = models.CharField(max_length=30, choices=ImportKind.choices)
    # What the batch imports into, when the kind needs it (e.g. the metric's id).
    target_id = models.BigIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=255)
    content = models.TextField()
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # What the batch page shows (districts.imports.ImportPreview, bounded), planned when the file was
    # read and again when a confirm is refused, so viewing the page never re-reads `content`.
    preview = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["district", "kind", "created_at"], name="importbatch_district_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.filename}"


class PendingWork(DistrictOwned):
    """Follow-up work that must survive a broker outage (an outbox row; see districts/outbox.py).

    Written in the transaction of the change that causes it; `transaction.on_commit` only nudges
    a task to deliver it now, and the platform tick re-queues what is still undelivered later.
    Undelivered means neither done nor failed; a failed row (attempts used up) stays, visible.
    """

    kind = models.CharField(max_length=100)
    # Rows of one kind and key do the same work: an enqueue joins the waiting (unclaimed) row.
    key = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Not to be delivered before this (set forward by a retry's back-off).
    available_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = _("pending work")
        constraints = [
            # One waiting row per (district, kind, key): ten school edits are one refresh.
            # A claimed row is being delivered and may have read the old state, so it doesn't count.
            models.UniqueConstraint(
                fields=["district", "kind", "key"],
                condition=models.Q(claimed_at__isnull=True, done_at__isnull=True, failed_at__isnull=True),
                name="pendingwork_one_waiting_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "kind", "created_at"], name="pendingwork_district_kind"),
            # The tick's catch-up across districts: only undelivered rows, by when they became due.
            models.Index(
                fields=["available_at"],
                condition=models.Q(done_at__isnull=True, failed_at__isnull=True),
                name="pendingwork_undelivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}".strip()
