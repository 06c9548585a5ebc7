"""Recompute the stored check-in roll-ups of a district (or of every district) from its check-ins."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from checkins.rollups import rebuild_district
from districts.models import District


class Command(BaseCommand):
    help = "Recompute the check-in roll-ups of every cycle of a district from source (safe to run any time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="district_slug", help="The districts to rebuild.")
        parser.add_argument("--all", action="store_true", help="Rebuild every district.")

    def handle(self, *args: object, **options: object) -> None:
        slugs, every = options["slugs"], options["all"]
        if every == bool(slugs):
            raise CommandError("Name one or more district slugs, or pass --all.")
        districts = list(District.objects.order_by("slug") if every else District.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {district.slug for district in districts})
        if missing:
            raise CommandError(f"No district with the slug {', '.join(missing)}.")
        for district in districts:
            rows = rebuild_district(district)
            self.stdout.write(f"{district.slug}: check-in roll-ups recomputed, {rows} rows.")
