from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0007_importbatch_preview"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(blank=True, default="", max_length=8, verbose_name="language"),
        ),
    ]
