"""The Celery app exactly as `celery -A config worker` runs it, plus one test-only kind of follow-up work.

tests/checkins/test_processes.py starts `celery -A tests.checkins.process_worker worker ...`: the app, its
settings and its registered outbox handlers are the production ones; this module only adds the outbox kind
`tests.effect` (never registered outside these tests). Its handler, in the district's transaction, adds one
comment to a check-in (a row nothing makes unique, so a second run would show as a second comment) and then,
on its first run only (while the file THROUGHLINE_TEST_SLOW_MARKER does not exist), writes that file and
sleeps before committing: the test SIGKILLs the worker there, mid-task, with the work done but not committed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from checkins.models import CheckinResponse, ResponseKind  # noqa: E402
from config.celery import app  # noqa: E402
from districts import outbox  # noqa: E402
from districts.tenancy import district_context  # noqa: E402

EFFECT_KIND = "tests.effect"
SLOW_SECONDS = 60


def add_effect(*, district, payload: dict) -> None:
    with district_context(district):
        CheckinResponse.objects.create(
            district=district, checkin_id=payload["checkin_id"], kind=ResponseKind.COMMENT, body=payload["body"]
        )
        marker = os.environ.get("THROUGHLINE_TEST_SLOW_MARKER")
        if marker and not Path(marker).exists():
            Path(marker).write_text(str(os.getpid()))
            time.sleep(SLOW_SECONDS)  # killed here


outbox.register(EFFECT_KIND, add_effect)

__all__ = ["EFFECT_KIND", "add_effect", "app"]
