"""CSV import of metric values: preview lists every row's problem, confirm imports all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from districts.imports import import_batch_plan, import_confirm, import_preview
from districts.models import ImportBatch
from metrics.choices import Level, ValueSource
from metrics.importers import MetricValueImporter
from metrics.models import MetricRollup, MetricValue
from tests.metrics.factories import MetricFactory, MetricValueFactory
from tests.plans.factories import csv_school_year, in_school_year, school_year_label

pytestmark = pytest.mark.django_db

TWO_YEARS_BEFORE, YEAR_BEFORE = in_school_year(-2), in_school_year(-1)


def preview(district, actor, metric, text):
    importer = MetricValueImporter(district=district, metric=metric)
    return import_preview(district=district, actor=actor, importer=importer, filename="values.csv", data=text.encode())


def confirm(district, actor, metric, batch):
    importer = MetricValueImporter(district=district, metric=metric)
    return import_confirm(district=district, actor=actor, importer=importer, batch=batch)


def stored(metric):
    with scopes_disabled():
        return {
            (v.school.code if v.school else None, v.period): v.value for v in MetricValue.objects.filter(metric=metric)
        }


def test_preview_lists_each_rows_problem_and_confirm_imports_nothing(
    district, admin_member, metric, schools, in_district
):
    text = (
        "School,Period,Value,Note\n"
        f"A1,{csv_school_year(-1)},90,\n"  # row 2: fine
        f"Nowhere High,{csv_school_year(-1)},88,\n"  # row 3: unknown school
        f"B1,{csv_school_year(-1)},ninety,\n"  # row 4: bad number
        "C1,2024-26,80,\n"  # row 5: unknown period
        f"a1,{csv_school_year(-1)},91,\n"  # row 6: duplicate of row 2 (codes match case-insensitively)
        f"B1,{csv_school_year(-1)},104,\n"  # row 7: out of range
        f"C1,{csv_school_year(10)},80,\n"  # row 8: hasn't started
    )
    with in_district(district):
        batch, plan = preview(district, admin_member, metric, text)
    problems = [(p.row, p.column, p.message) for p in plan.problems]
    assert problems == [
        (3, "school", "No school has the code or name “Nowhere High”."),
        (4, "value", "“ninety” isn't a number."),
        (5, "period", "“2024-26” isn't a school year: the second year must follow the first, like 2024-25."),
        (6, "", "Duplicate row: same school and period as row 2."),
        (7, "value", "104 is outside the allowed range for this metric: 0.0% to 100.0%."),
        (8, "period", f"{school_year_label(10)} hasn't started yet."),
    ]
    with in_district(district), pytest.raises(ValidationError) as error:
        confirm(district, admin_member, metric, batch)
    assert "Nothing was imported: 6 problems in 6 rows." in error.value.messages[0]
    assert stored(metric) == {}


def test_clean_file_creates_updates_and_keeps_history(district, admin_member, metric, schools, in_district):
    MetricValueFactory(
        district=district, metric=metric, school=schools[0], period=TWO_YEARS_BEFORE, value=Decimal("86")
    )
    MetricValueFactory(district=district, metric=metric, school=schools[1], period=YEAR_BEFORE, value=Decimal("80"))
    text = (
        "school,period,value\n"
        f"A1,{csv_school_year(-2)},87\n"  # update 86 → 87
        f"Baker Middle,{csv_school_year(-1)},80.0\n"  # same value: unchanged (matched by name)
        f"C1,{csv_school_year(-1)},92.5%\n"  # create
        f"A1,{csv_school_year(-1)},\n"  # empty value: skipped
    )
    with in_district(district):
        batch, plan = preview(district, admin_member, metric, text)
        assert plan.ok and (plan.create_count, plan.update_count, plan.unchanged_count) == (1, 1, 1)
        assert [str(r.description) for r in plan.rows] == [
            f"Adams Elementary · {school_year_label(-2)}: 86.0% → 87.0%",
            f"Baker Middle · {school_year_label(-1)}: 80.0%",
            f"Carver High · {school_year_label(-1)}: 92.5%",
        ]
        assert any(
            "1 row with an empty value will be skipped: nothing is stored for it." in note for note in plan.notes
        )
        done = confirm(district, admin_member, metric, batch)
        assert (done.created_count, done.updated_count, done.status) == (1, 1, ImportBatch.Status.IMPORTED)
        again = confirm(district, admin_member, metric, batch)  # a second confirm does nothing
        assert again.created_count == 1
    assert stored(metric) == {
        ("A1", TWO_YEARS_BEFORE): Decimal("87"),
        ("B1", YEAR_BEFORE): Decimal("80"),
        ("C1", YEAR_BEFORE): Decimal("92.5"),
    }
    with scopes_disabled():
        updated = MetricValue.objects.get(metric=metric, school=schools[0])
        assert [h.value for h in updated.history.order_by("history_date", "history_id")] == [
            Decimal("86"),
            Decimal("87"),
        ]
        assert updated.source == ValueSource.IMPORT and updated.import_batch_id == batch.pk
        rollup = MetricRollup.objects.get(metric=metric, period=YEAR_BEFORE)
    assert (rollup.value, rollup.reporting_schools) == (Decimal("86.25"), 2)  # (80 + 92.5) / 2


def test_district_only_metric_rows_name_the_district(district, admin_member, priority, in_district):
    district_metric = MetricFactory(district=district, priority=priority, level=Level.DISTRICT)
    with in_district(district):
        batch, plan = preview(
            district,
            admin_member,
            district_metric,
            f"school,period,value\ndistrict,{csv_school_year(-2)},70\n,{csv_school_year(-1)},72\n",
        )
        assert plan.ok
        confirm(district, admin_member, district_metric, batch)
    assert stored(district_metric) == {(None, TWO_YEARS_BEFORE): Decimal("70"), (None, YEAR_BEFORE): Decimal("72")}


def test_a_file_planned_clean_is_planned_again_at_confirm(district, admin_member, metric, schools, in_district):
    """Confirm plans against the database as it is then: a school deleted in between stops the import."""
    with in_district(district):
        batch, plan = preview(district, admin_member, metric, f"school,period,value\nC1,{csv_school_year(-1)},90\n")
        assert plan.ok
        schools[2].code = "C9"
        schools[2].save()
        assert import_batch_plan(importer=MetricValueImporter(district=district, metric=metric), batch=batch).problems
        with pytest.raises(ValidationError):
            confirm(district, admin_member, metric, batch)
    assert stored(metric) == {}


def test_import_pages_end_to_end(district, cabinet_member, metric, schools, client_for):
    client = client_for(cabinet_member)  # the priority's owner
    base = {"district_slug": district.slug, "metric_id": metric.pk}
    sample = client.get(reverse("metrics:value_import_sample", kwargs=base)).content.decode()
    lines = sample.splitlines()
    assert lines[0] == "school,period,value,note" and lines[1].startswith("A1,") and lines[1].endswith(",92.5,")
    upload = SimpleUploadedFile(
        "attendance.csv",
        (f"school,period,value\nA1,{csv_school_year(-1)},90\nB1,{csv_school_year(-1)},eighty\n").encode(),
    )
    response = client.post(reverse("metrics:value_import", kwargs=base), {"file": upload})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Nothing can be imported yet" in page and "“eighty” isn&#x27;t a number." in page
    upload = SimpleUploadedFile(
        "attendance.csv", (f"school,period,value\nA1,{csv_school_year(-1)},90\nB1,{csv_school_year(-1)},80\n").encode()
    )
    response = client.post(reverse("metrics:value_import", kwargs=base), {"file": upload})
    page = client.get(response.url).content.decode()
    assert "Ready to import" in page and "2 to create, 0 to update" in page
    batch_id = int(response.url.rstrip("/").split("/")[-1])
    done = client.post(reverse("metrics:value_import_confirm", kwargs={**base, "batch_id": batch_id}))
    result = client.get(done.url).content.decode()
    assert "2 values were created. 0 values were updated." in result
    assert stored(metric) == {("A1", YEAR_BEFORE): Decimal("90"), ("B1", YEAR_BEFORE): Decimal("80")}


def test_unreadable_upload_is_a_message_at_the_file_field(district, admin_member, metric, client_for):
    client = client_for(admin_member)
    upload = SimpleUploadedFile("values.csv", (f"school;period;value\nA1;{csv_school_year(-1)};90\n").encode())
    response = client.post(
        reverse("metrics:value_import", kwargs={"district_slug": district.slug, "metric_id": metric.pk}),
        {"file": upload},
    )
    assert response.status_code == 200 and "separated by semicolons" in response.content.decode()
