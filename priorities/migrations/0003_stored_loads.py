"""Stored load counts (priorities.loads): a commitment's reach on the commitment, and per (district,
school, commitment end date) a school's active assignments in the active plan; both backfilled here."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL_SCHOOL_LOADS = """
INSERT INTO priorities_schoolload (district_id, school_id, ends_on, active)
SELECT a.district_id, a.school_id, c.ends_on, COUNT(*)
FROM priorities_assignment a
JOIN priorities_commitment c ON c.id = a.commitment_id
JOIN priorities_priority p ON p.id = c.priority_id
JOIN plans_strategicplan s ON s.id = p.plan_id
WHERE a.status = 'active' AND a.school_id IS NOT NULL AND s.state = 'active'
GROUP BY a.district_id, a.school_id, c.ends_on
"""

BACKFILL_REACH = """
UPDATE priorities_commitment SET
  active_school_count = (
    SELECT COUNT(*) FROM priorities_assignment a
    WHERE a.commitment_id = priorities_commitment.id AND a.status = 'active' AND a.school_id IS NOT NULL
  ),
  paused_count = (
    SELECT COUNT(*) FROM priorities_assignment a
    WHERE a.commitment_id = priorities_commitment.id AND a.status = 'paused'
  )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0005_pendingwork"),
        ("plans", "0001_initial"),
        ("priorities", "0002_assignment_active_school_reach"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="active_school_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="commitment",
            name="paused_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.CreateModel(
            name="SchoolLoad",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("ends_on", models.DateField()),
                ("active", models.PositiveIntegerField()),
                (
                    "district",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="districts.district"
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="districts.school"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["district", "ends_on"], name="school_load_district_ends")],
                "constraints": [
                    models.UniqueConstraint(fields=("district", "school", "ends_on"), name="school_load_unique")
                ],
            },
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("department__isnull", False)),
                fields=["district", "commitment"],
                name="assignment_department_reach",
            ),
        ),
        migrations.RunSQL(BACKFILL_SCHOOL_LOADS, migrations.RunSQL.noop),
        migrations.RunSQL(BACKFILL_REACH, migrations.RunSQL.noop),
    ]
