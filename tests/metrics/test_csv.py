"""The metric values CSV: formulas in text cells are neutralised, and the file imports back unchanged."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from core.csv import csv_rows, read_cell, safe_cell
from districts.imports import import_preview
from metrics.importers import MetricValueImporter
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory, MetricValueFactory
from tests.plans.factories import in_school_year

pytestmark = pytest.mark.django_db

NOTE = "=cmd|' /C calc'!A0"
SCHOOL = '=HYPERLINK("http://evil.example","Click")'


def _export(client, district, metric) -> str:
    page = reverse("metrics:metric_values_csv", kwargs={"district_slug": district.slug, "metric_id": metric.pk})
    response = client.get(page)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def score(district, priority):
    return MetricFactory(district=district, priority=priority, name="Growth score", unit="score", decimals=1)


def test_text_cells_that_start_a_formula_are_neutralised(district, score, board_member, make_member, client_for):
    school = SchoolFactory(district=district, name=SCHOOL, code="")
    enterer = make_member(district)
    enterer.user.full_name = "@SUM(A1)+1"
    enterer.user.save()
    MetricValueFactory(
        district=district,
        metric=score,
        school=school,
        period=in_school_year(-1),
        value=Decimal("-3.5"),
        note=NOTE,
        entered_by=enterer,
    )
    rows = list(csv.reader(io.StringIO(_export(client_for(board_member), district, score))))
    school_cell, name_cell, _period, value, note, _source, entered_by, _when = rows[1]
    # A spreadsheet treats none of these as a formula: each text cell starts with an apostrophe.
    assert school_cell == name_cell == "'" + SCHOOL
    assert note == "'" + NOTE
    assert entered_by == "'@SUM(A1)+1"
    # A number stays a number.
    assert value == "-3.5"


def test_export_imports_back_unchanged(district, score, schools, board_member, admin_member, client_for, in_district):
    uncoded = SchoolFactory(district=district, name="Dunbar Academy", code="")
    values = [
        (schools[0], in_school_year(-2), Decimal("-3.5"), "-2 since fall"),
        (schools[1], in_school_year(-1), Decimal("12.25"), "'quoted' by hand"),
        (uncoded, in_school_year(-1), Decimal("0"), "@risk, +1 tutor"),
        (schools[2], in_school_year(-1), Decimal("7"), ""),
    ]
    for school, period, value, note in values:
        MetricValueFactory(district=district, metric=score, school=school, period=period, value=value, note=note)
    exported = _export(client_for(board_member), district, score)
    with in_district(district):
        importer = MetricValueImporter(district=district, metric=score)
        _batch, plan = import_preview(
            district=district, actor=admin_member, importer=importer, filename="back.csv", data=exported.encode()
        )
    assert plan.problems == []
    assert [row.action for row in plan.rows] == ["unchanged"] * 4
    read_back = {
        (row.payload.school_id, row.payload.period): (row.payload.value, row.payload.note) for row in plan.rows
    }
    assert read_back == {
        (school.pk if school else None, period): (value, note) for school, period, value, note in values
    }


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "'", "'abc", "'=x", "''", "plain", "", "a=b", "3 - 2"]
)
def test_every_text_cell_reads_back_as_written(text):
    assert read_cell(safe_cell(text)) == text
    assert not safe_cell(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_numbers_are_written_as_numbers():
    assert [safe_cell(n) for n in (Decimal("-3.50"), -2, Decimal("1E+2"), 0.5)] == ["-3.5", "-2", "100", "0.5"]
    assert [cells for _n, cells in csv_rows("value\n-3.5\n")] == [["value"], ["-3.5"]]
