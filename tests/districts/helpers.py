"""Small helpers for district-setup tests."""

from __future__ import annotations

from django.core import mail
from django.db import models
from django_scopes import scopes_disabled

from districts.invitations import read_token


def link_path(message: mail.EmailMessage) -> str:
    """The invitation link's path in an email (its host comes from SITE_URL)."""
    for word in message.body.split():
        if "/accounts/invitations/" in word:
            return word[word.index("/accounts/invitations/") :]
    raise AssertionError(f"No invitation link in: {message.body}")


def token_of(path: str) -> str:
    token = path.removeprefix("/accounts/invitations/").rstrip("/")
    assert read_token(token) is not None
    return token


def fresh(obj: models.Model) -> models.Model:
    """The row as the database has it now, read without a district context (tests only)."""
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def count(model: type[models.Model], **filters: object) -> int:
    with scopes_disabled():
        return model._base_manager.filter(**filters).count()
