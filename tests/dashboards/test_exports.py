"""Exports: the heat map, check-in statuses and metric values as CSV and Excel, with the district's own names,
formula-looking text neutralised in both formats, only the district's own rows, and the same number of
queries however many rows the file holds."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins.models import CheckinEntry, CheckinState
from districts.models import School
from districts.roles import Role
from metrics.models import MetricValue
from tests.browser.conftest import assert_no_axe_violations, login_as, page  # noqa: F401 - the browser fixtures
from tests.dashboards.builders import build_district_data
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db

EVIL_SCHOOL = '=HYPERLINK("http://evil.example","Click")'
EVIL_COMMITMENT = "+cmd|' /C calc'!A0"
EVIL_PRIORITY = "@SUM(1+1)"
CHECKIN_HEADER = [
    "Cycle",
    "School or department",
    "Place",
    "Priority",
    "Commitment",
    "Asked of",
    "Check-in state",
    "Status",
    "Submitted at (America/Chicago)",
    "Late",
    "Support requested",
]
METRIC_HEADER = ["Priority", "Metric", "School", "Period", "Value", "Target", "Status"]


def exports_url(district) -> str:
    return reverse("dashboards:exports", kwargs={"district_slug": district.slug})


def download_url(district, kind: str, fmt: str) -> str:
    return reverse("dashboards:export_download", kwargs={"district_slug": district.slug, "kind": kind, "fmt": fmt})


def file_rows(response) -> list[list[object]]:
    """The rows of a downloaded CSV (as text) or Excel file (as the workbook's values)."""
    assert response.status_code == 200, response.content[:500]
    if response["Content-Type"].startswith("text/csv"):
        text = b"".join(response.streaming_content).decode("utf-8")
        assert text.startswith("\ufeff")  # Excel reads accented names right
        return list(csv.reader(io.StringIO(text[1:])))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def xlsx_cells(response) -> list[list[openpyxl.cell.Cell]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows()]


@pytest.fixture
def built(district):
    built = build_district_data(district, schools=4, cycles=2)
    with scopes_disabled():
        School.objects.filter(pk=built.schools[0].pk).update(name=EVIL_SCHOOL)
        built.commitments[0].title = EVIL_COMMITMENT
        built.commitments[0].title_es = "Compromiso en español"
        built.commitments[0].save(update_fields=["title", "title_es"])
        built.priorities[1].title = EVIL_PRIORITY
        built.priorities[1].save(update_fields=["title"])
    return built


@pytest.fixture
def other(db):
    """Another district with the same shape of data, its schools named so a leak shows."""
    other_built = build_district_data(DistrictFactory(name="Other District", slug="other-exports"), schools=3, cycles=2)
    with scopes_disabled():
        for school in other_built.schools:
            School.objects.filter(pk=school.pk).update(name=f"Elsewhere {school.name}")
    return other_built


@pytest.fixture
def superintendent_client(built, client_for):
    return client_for(built.superintendent)


def entries_of(cycle) -> int:
    with scopes_disabled():
        return CheckinEntry.objects.filter(checkin__cycle=cycle, set_aside=False).count()


# --- Check-in statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_checkin_statuses_of_a_cycle(built, superintendent_client, fmt):
    cycle = built.cycles[-1]
    rows = file_rows(superintendent_client.get(download_url(built.district, "checkins", fmt), {"cycle": cycle.pk}))
    assert rows[0] == CHECKIN_HEADER
    assert len(rows) - 1 == entries_of(cycle)
    schools = {row[1] for row in rows[1:]}
    # The district's own names; formula-looking text begins with an apostrophe, in both formats.
    assert "'" + EVIL_SCHOOL in schools and EVIL_SCHOOL not in schools
    assert {s.name for s in built.schools[1:]} <= schools
    assert {d.name for d in built.departments} <= schools
    assert "'" + EVIL_COMMITMENT in {row[4] for row in rows[1:]}
    assert any(row[3].endswith(EVIL_PRIORITY) for row in rows[1:])
    assert {row[5] for row in rows[1:]} >= {"Principals"}
    assert {row[9] for row in rows[1:]} <= {"Yes", "No"}
    submitted = [row for row in rows[1:] if row[6] == "Submitted" or row[6] == "Acknowledged"]
    assert submitted and all(row[7] in {"Not started", "On track", "At risk", "Off track", "Done"} for row in submitted)


def test_checkin_statuses_show_submitted_at_in_district_time_and_no_draft_status(built, superintendent_client):
    with scopes_disabled():
        entry = (
            CheckinEntry.objects.filter(checkin__cycle=built.open_cycle, checkin__school=built.schools[1])
            .select_related("checkin")
            .first()
        )
        submitted_at = timezone.make_aware(datetime(2026, 1, 15, 7, 30), built.district.tzinfo)
        type(entry.checkin).objects.filter(pk=entry.checkin_id).update(
            state=CheckinState.DRAFT, submitted_at=submitted_at
        )
        CheckinEntry.objects.filter(checkin_id=entry.checkin_id).update(status="off_track")
    url = download_url(built.district, "checkins", "xlsx")
    rows = file_rows(superintendent_client.get(url, {"cycle": built.open_cycle.pk}))
    mine = [row for row in rows[1:] if row[1] == built.schools[1].name]
    assert mine and all(row[6] == "Draft" and row[7] is None for row in mine)  # a draft's status is not reported
    assert mine[0][8] == datetime(2026, 1, 15, 7, 30)  # Chicago time, not UTC
    csv_rows = file_rows(superintendent_client.get(url.replace(".xlsx", ".csv"), {"cycle": built.open_cycle.pk}))
    assert next(row[8] for row in csv_rows[1:] if row[1] == built.schools[1].name) == "2026-01-15T07:30:00"


def test_checkin_statuses_for_a_range_of_months(built, superintendent_client):
    first, last = built.cycles[0], built.open_cycle
    query = {"start": f"{first.period_start:%Y-%m}", "end": f"{last.period_start:%Y-%m}"}
    response = superintendent_client.get(download_url(built.district, "checkins", "csv"), query)
    rows = file_rows(response)
    assert len(rows) - 1 == sum(entries_of(c) for c in [*built.cycles, built.open_cycle])
    assert f"{first.period_start:%Y-%m}-to-{last.period_start:%Y-%m}.csv" in response["Content-Disposition"]


def test_spanish_reader_gets_the_districts_spanish_titles(built, client_for):
    built.district.languages = ["en", "es"]
    built.district.save()
    user = built.superintendent.user
    user.language = "es"
    user.save()
    client = client_for(built.superintendent)
    for fmt in ("csv", "xlsx"):
        url = download_url(built.district, "checkins", fmt)
        rows = file_rows(client.get(url, {"cycle": built.cycles[-1].pk}))
        commitments = {row[4] for row in rows[1:]}
        assert "Compromiso en español" in commitments and "Commitment 2.1" in commitments  # English where none
        assert {row[10] for row in rows[1:]} <= {"Sí", "No"}  # read while streaming: still in Spanish


# --- Metric values -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_metric_values_of_a_period(built, superintendent_client, fmt):
    cycle = built.cycles[-1]
    with scopes_disabled():
        values = MetricValue.objects.filter(
            metric__in=built.metrics, period__gte=cycle.period_start, period__lte=cycle.period_end
        )
        expected = values.count()
        values.filter(school=built.schools[1]).update(value=Decimal("-3.5"))
    rows = file_rows(superintendent_client.get(download_url(built.district, "metric-values", fmt), {"cycle": cycle.pk}))
    assert rows[0] == METRIC_HEADER
    assert expected and len(rows) - 1 == expected
    assert {row[1] for row in rows[1:]} == {m.name for m in built.metrics}
    assert "'" + EVIL_SCHOOL in {row[2] for row in rows[1:]}
    negative = [row for row in rows[1:] if row[2] == built.schools[1].name]
    # Numbers stay numbers: -3.5 is not neutralised like text.
    assert negative and all(row[4] in ("-3.5", -3.5) for row in negative)
    assert all(row[5] not in ("", None) for row in rows[1:])
    if fmt == "xlsx":
        assert all(isinstance(row[4], int | float) and isinstance(row[5], int | float) for row in rows[1:])


# --- Heat map ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_heatmap_of_a_cycle(built, superintendent_client, fmt):
    response = superintendent_client.get(download_url(built.district, "heatmap", fmt), {"cycle": built.cycles[-1].pk})
    rows = file_rows(response)
    assert rows[0][:3] == ["School", "Level", "Region"]
    assert len(rows[0]) == 3 + 7 * len(built.priorities)
    assert f"{built.priorities[0].code} · {built.priorities[0].title}: health" in rows[0]
    assert f"{built.priorities[1].code} · {EVIL_PRIORITY}: health" in rows[0]
    assert len(rows) - 1 == len(built.schools)
    assert "'" + EVIL_SCHOOL in {row[0] for row in rows[1:]}
    healths = {row[3] for row in rows[1:]}
    assert healths <= {"On track", "At risk", "Off track", "No data"} and healths - {"No data"}
    if fmt == "xlsx":
        cells = xlsx_cells(response)
        evil = next(row[0] for row in cells[1:] if str(row[0].value).endswith(EVIL_SCHOOL))
        assert evil.data_type == "s"  # text, never a formula
        assert all(row[4].data_type == "n" for row in cells[1:])


def test_heatmap_keeps_the_dashboards_filters(built, superintendent_client):
    region = built.schools[0].region
    query = {"cycle": built.cycles[-1].pk, "region": region}
    rows = file_rows(superintendent_client.get(download_url(built.district, "heatmap", "csv"), query))
    assert len(rows) - 1 == sum(1 for s in built.schools if s.region == region) < len(built.schools)


# --- Another district's rows ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["heatmap", "checkins", "metric-values"])
def test_another_districts_rows_never_appear(built, other, superintendent_client, kind):
    cycle = built.cycles[-1]
    response = superintendent_client.get(download_url(built.district, kind, "csv"), {"cycle": cycle.pk})
    text = "\n".join(",".join(row) for row in file_rows(response))
    assert "Elsewhere" not in text
    # Another district's cycle is not one of this plan's: the page says so, nothing of theirs is read.
    response = superintendent_client.get(download_url(built.district, kind, "csv"), {"cycle": other.cycles[-1].pk})
    assert response.status_code == 200
    assert "Choose one of this plan&#x27;s cycles." in response.content.decode()
    assert "Elsewhere" not in response.content.decode()


def test_months_range_reads_only_this_districts_cycles(built, other, superintendent_client):
    query = {"start": f"{built.cycles[0].period_start:%Y-%m}", "end": f"{built.open_cycle.period_start:%Y-%m}"}
    for kind in ("checkins", "metric-values"):
        rows = file_rows(superintendent_client.get(download_url(built.district, kind, "xlsx"), query))
        assert len(rows) > 1
        assert not any("Elsewhere" in str(cell) for row in rows for cell in row)


# --- Permissions, the page and its messages ------------------------------------------------------


@pytest.mark.parametrize("role", ["board", "staff", "principal"])
def test_roles_without_exports_get_403(built, make_member, client_for, role):
    member = make_member(built.district, Role.STAFF) if role == "staff" else getattr(built, role)
    client = client_for(member)
    assert client.get(exports_url(built.district)).status_code == 403
    url = download_url(built.district, "checkins", "csv")
    assert client.get(url, {"cycle": built.cycles[-1].pk}).status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERINTENDENT, Role.CABINET, Role.PARTNER_COACH, Role.DISTRICT_ADMIN])
def test_reviewing_roles_may_export(built, make_member, client_for, role):
    client = client_for(make_member(built.district, role))
    assert client.get(exports_url(built.district)).status_code == 200
    url = download_url(built.district, "metric-values", "xlsx")
    assert client.get(url, {"cycle": built.cycles[-1].pk}).status_code == 200


def test_page_offers_the_choices_and_sends_a_complete_form_to_the_download(built, superintendent_client):
    response = superintendent_client.get(exports_url(built.district))
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Heat map of a cycle", "Check-in statuses", "Metric values", "CSV (.csv)", "Excel (.xlsx)"):
        assert label in html
    assert 'type="month"' in html
    query = {"kind": "heatmap", "cycle": built.cycles[-1].pk, "format": "xlsx", "level": "middle"}
    response = superintendent_client.get(exports_url(built.district), query)
    assert response.status_code == 302
    assert response.url == f"{download_url(built.district, 'heatmap', 'xlsx')}?cycle={built.cycles[-1].pk}&level=middle"
    months = {"kind": "checkins", "start": "2026-01", "end": "2026-03", "format": "csv", "level": "middle"}
    response = superintendent_client.get(exports_url(built.district), months)
    assert response.url == f"{download_url(built.district, 'checkins', 'csv')}?start=2026-01&end=2026-03"


@pytest.mark.parametrize(
    ("kind", "fmt", "query", "message"),
    [
        ("heatmap", "csv", {}, "The heat map shows one cycle: choose it."),
        ("checkins", "csv", {}, "Choose the first month, or a cycle above."),
        ("checkins", "xlsx", {"start": "2026-05", "end": "2026-02"}, "The last month can&#x27;t be before the first."),
        ("checkins", "csv", {"start": "March", "end": "2026-02"}, "Enter a year and month, for example 2026-03."),
        ("metric-values", "csv", {"start": "2020-01", "end": "2026-02"}, "One file covers at most 60 months."),
        ("metric-values", "csv", {"cycle": "abc"}, "Choose one of this plan&#x27;s cycles."),
        ("heatmap", "csv", {"cycle": "abc", "supervisor": "x"}, "Choose one of this plan&#x27;s cycles."),
        ("checkins", "pdf", {"start": "2026-01", "end": "2026-02"}, "Choose CSV or Excel."),
        ("everything", "csv", {"start": "2026-01", "end": "2026-02"}, "Choose what to export."),
    ],
)
def test_bad_or_missing_parameters_get_the_page_with_a_message(built, superintendent_client, kind, fmt, query, message):
    response = superintendent_client.get(download_url(built.district, kind, fmt), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_more_rows_than_excel_opens_asks_for_csv(built, superintendent_client, monkeypatch):
    monkeypatch.setattr("dashboards.views.exports.XLSX_MOST_ROWS", 3)
    query = {"cycle": built.cycles[-1].pk}
    response = superintendent_client.get(download_url(built.district, "checkins", "xlsx"), query)
    assert response["Content-Type"].startswith("text/html")
    assert "This is more rows than Excel can open: choose CSV, or fewer months." in response.content.decode()
    assert len(file_rows(superintendent_client.get(download_url(built.district, "checkins", "csv"), query))) > 4


def test_a_cycle_and_months_together_are_refused(built, superintendent_client):
    query = {"cycle": built.cycles[-1].pk, "start": "2026-01", "end": "2026-02"}
    response = superintendent_client.get(download_url(built.district, "checkins", "csv"), query)
    assert response.status_code == 200
    assert "Choose a cycle or a range of months, not both." in response.content.decode()


# --- Queries: the same number whatever the number of rows ---------------------------------------


def _queries(client, url: str, query: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        file_rows(client.get(url, query))
    return len(captured)


@pytest.mark.parametrize("kind", ["heatmap", "checkins", "metric-values"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_queries_do_not_grow_with_rows(client_for, kind, fmt):
    counts = []
    for n, (schools, cycles) in enumerate([(2, 1), (7, 3)]):
        built = build_district_data(DistrictFactory(slug=f"size-{n}"), schools=schools, cycles=cycles, seed=n + 1)
        client = client_for(built.superintendent)
        client.get(exports_url(built.district))  # the session and the district's first reads
        last = built.cycles[-1]
        if kind == "heatmap":
            query = {"cycle": last.pk}
        else:
            query = {"start": f"{built.cycles[0].period_start:%Y-%m}", "end": f"{last.period_start:%Y-%m}"}
        counts.append(_queries(client, download_url(built.district, kind, fmt), query))
    assert counts[0] == counts[1]


# --- In a browser: axe-core, 390 px, and a real download -----------------------------------------


SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(SIZES))
def test_the_exports_page_in_a_browser(page, login_as, assert_no_axe_violations, district, size):  # noqa: F811
    page.set_viewport_size(SIZES[size])
    width = SIZES[size]["width"]
    built = build_district_data(district, schools=3, cycles=2)
    login_as(page, built.superintendent.user.email)
    page.goto(exports_url(district))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_axe_violations(page)
    page.get_by_label("Metric values").check()
    page.get_by_label("Excel (.xlsx)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active.iter_rows(values_only=True)
    )
    assert list(rows[0]) == METRIC_HEADER and len(rows) > 1
    # A download asked without a period: the page, with what to choose, is as accessible.
    page.goto(download_url(district, "checkins", "csv"))
    assert "Choose the first month, or a cycle above." in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_axe_violations(page)
