"""Each value keeps its own judgement (status, meets target) beside its roll-up; existing values are judged here."""

from collections import defaultdict

from django.db import migrations, models

METRIC_FIELDS = (
    "id",
    "district_id",
    "direction",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "level",
    "aggregation",
    "school_target_value",
    "frequency",
)


def judge_existing_values(apps, schema_editor):
    """Judge every stored value as metrics.rollups does from now on.

    The computation is the app's (pure functions of a metric's numbers and dates); the rows are read and
    written through this migration's historical models, and the app's Metric is only built unsaved from
    their fields to reuse that computation, never queried.
    """
    from metrics.models import Metric as AppMetric
    from metrics.rollups import value_judgement

    Metric = apps.get_model("metrics", "Metric")
    MetricValue = apps.get_model("metrics", "MetricValue")
    District = apps.get_model("districts", "District")
    tolerances = dict(District.objects.values_list("pk", "metric_tolerance_percent"))
    for row in Metric.objects.order_by("pk").values(*METRIC_FIELDS).iterator():
        metric = AppMetric(**row)
        periods = MetricValue.objects.filter(metric_id=metric.pk).values_list("period", flat=True).distinct()
        for period in periods:
            judge = value_judgement(metric, period, tolerances[metric.district_id])
            groups = defaultdict(list)  # judgement -> value ids
            for pk, number in MetricValue.objects.filter(metric_id=metric.pk, period=period).values_list("pk", "value"):
                groups[judge(number)].append(pk)
            for (status, meets), ids in groups.items():
                for start in range(0, len(ids), 2000):
                    MetricValue.objects.filter(pk__in=ids[start : start + 2000]).update(
                        status=status, meets_target=meets
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("districts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="metricvalue",
            name="meets_target",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="metricvalue",
            name="status",
            field=models.CharField(
                choices=[
                    ("on_track", "On track"),
                    ("at_risk", "At risk"),
                    ("off_track", "Off track"),
                    ("no_data", "No data"),
                ],
                db_default="no_data",
                default="no_data",
                max_length=20,
            ),
        ),
        migrations.RunPython(judge_existing_values, migrations.RunPython.noop),
    ]
