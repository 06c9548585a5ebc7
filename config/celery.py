"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("throughline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender: Celery, **kwargs: object) -> None:
    # Kombu's filesystem transport expects its folders to exist.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@beat_init.connect
def _tick_once_at_start(sender: object, **kwargs: object) -> None:
    # The first scheduled tick is one interval away; send one now so /healthz
    # shows beat and a worker alive within seconds of a (re)start. The tick is
    # idempotent, so an extra one is harmless.
    app.send_task("districts.tasks.platform_tick", expires=55)
