"""Membership.sort_name: the person's name as the people list sorts it, with the index that list pages by.

The backfill computes what districts.models.person_sort_name does (full name, else email, lower-cased).
"""

from django.db import migrations, models

BACKFILL = """
UPDATE districts_membership SET sort_name = (
    SELECT substr(lower(CASE WHEN u.full_name = '' THEN u.email ELSE u.full_name END), 1, 254)
    FROM districts_user u WHERE u.id = districts_membership.user_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0005_pendingwork"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="sort_name",
            field=models.CharField(blank=True, editable=False, max_length=254),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["district", "-is_active", "sort_name", "id"], name="membership_district_people"),
        ),
    ]
