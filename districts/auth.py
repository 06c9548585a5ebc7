"""Log-in helpers: one spelling of an email address for the login form and the lock-out."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def normalize_email(email: str | None) -> str:
    """Emails match case-insensitively everywhere; they are stored lower-cased."""
    return (email or "").strip().lower()


def lockout_username(request: HttpRequest | None, credentials: dict | None = None) -> str:
    """django-axes' key for an account (AXES_USERNAME_CALLABLE): `Principal@X` and
    `principal@x` are one account, so both count towards the same lock-out."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials or getattr(request, "data", getattr(request, "POST", {}))
    return normalize_email(source.get(field))
