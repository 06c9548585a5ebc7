"""Load the demo districts. Idempotent; refuses to run in production."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Each part seeds its own app on top of the ones before it.
DEMO_PARTS = [
    "districts.demo",
    "priorities.demo",  # plans and their priorities
    "metrics.demo",
    "checkins.demo",  # a year of check-in cycles, and the current one
    "dashboards.demo",  # highlights (published and a draft) and Riverbend's public page
    "dashboards.demo_reports",  # a ready board report of the latest closed cycle
]


class Command(BaseCommand):
    help = "Load the Riverbend and Lakeside demo districts (safe to run twice)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.THROUGHLINE_ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run with production settings: it creates known passwords.")
        for part in DEMO_PARTS:
            for line in import_module(part).seed():
                self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every demo login uses the password demo-pass."))
