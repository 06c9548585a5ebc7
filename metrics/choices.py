"""The vocabularies of a metric definition, shared by models, rules, forms and charts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    SCORE = "score", _("Score")
    DAYS = "days", _("Days")
    CURRENCY = "currency", _("Currency (US dollars)")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Kind(models.TextChoices):
    LEADING = "leading", _("Leading (moves early, guides action)")
    LAGGING = "lagging", _("Lagging (shows results later)")


class Level(models.TextChoices):
    SCHOOL = "school", _("Reported by each school")
    DISTRICT = "district", _("District-only")


class Source(models.TextChoices):
    """Where a metric's values are expected to come from."""

    CHECKINS = "checkins", _("Monthly check-ins")
    IMPORT = "import", _("CSV import")
    API = "api", _("API (another system)")


class ValueSource(models.TextChoices):
    """How one value arrived."""

    FORM = "form", _("Entered in a form")
    IMPORT = "import", _("CSV import")
    CHECKIN = "checkin", _("Check-in")
    API = "api", _("API")


class Aggregation(models.TextChoices):
    """How school values roll up to the district value."""

    MEAN = "mean", _("Mean of school values")
    WEIGHTED_MEAN = "weighted_mean", _("Enrollment-weighted mean")
    SUM = "sum", _("Sum of school values")
    MEDIAN = "median", _("Median of school values")
    SHARE_MEETING_TARGET = "share_meeting_target", _("Share of schools meeting the school target")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly (school year)")


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data")


# The badge class of each status (static/css/app.css); the label always carries the meaning too.
STATUS_BADGE = {
    Status.ON_TRACK: "badge-ok",
    Status.AT_RISK: "badge-warn",
    Status.OFF_TRACK: "badge-bad",
    Status.NO_DATA: "badge-neutral",
}
# A shape beside the label, so status survives greyscale printing and colour blindness.
STATUS_SYMBOL = {
    Status.ON_TRACK: "●",
    Status.AT_RISK: "▲",
    Status.OFF_TRACK: "■",
    Status.NO_DATA: "○",
}
