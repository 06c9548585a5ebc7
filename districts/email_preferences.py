"""Which emails a person gets: the kinds apps send, and the optional ones a person turned off.

Apps above districts register their kinds in their AppConfig.ready() (districts imports no app above
it): an optional kind may be turned off on "My settings" (User.email_opt_out lists the kinds turned
off); an essential one (something late, something sent back) is always sent and only listed there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise

from .models import User


@dataclass(frozen=True)
class EmailKind:
    key: str
    label: str | Promise
    description: str | Promise
    essential: bool = False


_kinds: dict[str, EmailKind] = {}


def register(key: str, *, label: str | Promise, description: str | Promise, essential: bool = False) -> EmailKind:
    """Name a kind of email (from an AppConfig.ready()); registering the same kind again replaces it."""
    kind = EmailKind(key=key, label=label, description=description, essential=essential)
    _kinds[key] = kind
    return kind


def optional_kinds() -> list[EmailKind]:
    return [kind for kind in _kinds.values() if not kind.essential]


def essential_kinds() -> list[EmailKind]:
    return [kind for kind in _kinds.values() if kind.essential]


def wants(user: User, key: str) -> bool:
    """Whether this person gets emails of this kind: essential ones always; optional ones unless turned off."""
    kind = _kinds.get(key)
    if kind is not None and kind.essential:
        return True
    return key not in (user.email_opt_out or [])


def save_opt_out(user: User, turned_off: Iterable[str]) -> None:
    """Remember which optional kinds a person turned off (essential and unknown kinds are ignored)."""
    optional = {kind.key for kind in optional_kinds()}
    # Kinds no longer registered stay as they were: turning something on here never turns on what isn't shown.
    kept = [key for key in (user.email_opt_out or []) if key not in _kinds]
    user.email_opt_out = sorted(set(kept) | {key for key in turned_off if key in optional})
    user.save(update_fields=["email_opt_out"])
