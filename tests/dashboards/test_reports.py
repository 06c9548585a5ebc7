"""Board reports: one report per subject however often it is asked for, made once by the outbox task with
its progress on the page, a PDF of real text (title, language, priorities and metrics), board-safe
content, and the pages' permissions and tenancy."""

from __future__ import annotations

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from pypdf import PdfReader

from dashboards import highlights, reports
from dashboards.models import BoardReport, ReportState, ReportSubject
from districts.models import PendingWork
from districts.roles import Role
from districts.tenancy import district_context
from tests.dashboards.builders import PRIVATE_NOTE, build_district_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(district):
    return build_district_data(district, schools=3, priorities=2, commitments=3, cycles=3)


def request_cycle_report(built, actor=None, cycle=None) -> BoardReport:
    with district_context(built.district):
        return reports.request_board_report(
            district=built.district,
            actor=actor or built.superintendent,
            subject=ReportSubject.CYCLE,
            cycle=cycle or built.cycles[-1],
        )


def fresh(report: BoardReport) -> BoardReport:
    with scopes_disabled():
        return BoardReport.objects.get(pk=report.pk)


def report_url(name: str, report: BoardReport) -> str:
    return reverse(f"dashboards:{name}", kwargs={"district_slug": report.district.slug, "report_id": report.pk})


def list_url(district) -> str:
    return reverse("dashboards:report_list", kwargs={"district_slug": district.slug})


def made(built, **kwargs) -> BoardReport:
    report = request_cycle_report(built, **kwargs)
    assert reports.make_board_report(district=built.district, report_id=report.pk)
    return fresh(report)


# --- Requests and the task ----------------------------------------------------------------------


def test_asking_twice_while_one_is_on_its_way_gives_the_same_report_and_one_delivery(
    built, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = request_cycle_report(built)
        second = request_cycle_report(built, actor=built.admin)
    assert first.pk == second.pk
    with scopes_disabled():
        assert BoardReport.objects.filter(district=built.district).count() == 1
        assert PendingWork.objects.filter(district=built.district, kind=reports.REPORT_KIND).count() == 1
    assert len(callbacks) == 1  # one nudge of the worker


def test_a_request_that_loses_the_race_gets_the_report_that_won(built):
    winner = request_cycle_report(built)
    # The check saw nothing (the other request had not committed yet); the constraint refuses the second row.
    with mock.patch.object(reports, "_active_report", side_effect=[None, fresh(winner)]):
        loser = request_cycle_report(built)
    assert loser.pk == winner.pk
    with scopes_disabled():
        assert BoardReport.objects.filter(district=built.district).count() == 1


def test_a_ready_report_of_the_subject_does_not_stop_a_new_one(built):
    old = made(built)
    new = request_cycle_report(built)
    assert new.pk != old.pk and new.state == ReportState.QUEUED


def test_request_refuses_an_open_cycle_and_an_unknown_quarter(built):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        request_cycle_report(built, cycle=built.open_cycle)
    with district_context(built.district), pytest.raises(ValidationError):
        reports.request_board_report(
            district=built.district,
            actor=built.superintendent,
            subject=ReportSubject.QUARTER,
            quarter_start=built.cycles[-1].period_start + timedelta(days=1),
        )


def test_the_request_is_delivered_after_the_commit_and_the_report_is_ready(built, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = request_cycle_report(built)
    report = fresh(report)
    assert report.state == ReportState.READY and report.progress == 100
    assert report.pdf and report.html and report.finished_at


def test_the_task_reports_its_progress_as_it_goes(built):
    report = request_cycle_report(built)
    seen = []
    real_html, real_pdf = reports.render_report_html, reports.render_report_pdf

    def html_step(content, **kwargs):
        current = fresh(report)
        seen.append((current.state, current.progress, current.step))
        return real_html(content, **kwargs)

    def pdf_step(html):
        current = fresh(report)
        seen.append((current.state, current.progress, current.step))
        return real_pdf(html)

    with (
        mock.patch.object(reports, "render_report_html", html_step),
        mock.patch.object(reports, "render_report_pdf", pdf_step),
    ):
        assert reports.make_board_report(district=built.district, report_id=report.pk)
    assert seen == [("running", 30, reports.STEP_HTML), ("running", 60, reports.STEP_PDF)]
    done = fresh(report)
    assert (done.state, done.progress, done.step) == ("ready", 100, reports.STEP_DONE)


def test_a_second_run_leaves_a_ready_report_alone(built):
    report = made(built)
    with mock.patch.object(reports, "render_report_pdf") as pdf:
        assert not reports.make_board_report(district=built.district, report_id=report.pk)
    pdf.assert_not_called()
    assert fresh(report).finished_at == report.finished_at


def test_a_run_that_fails_says_so_and_try_again_makes_it(built, client_for, django_capture_on_commit_callbacks):
    no_pdf = mock.patch.object(reports, "render_report_pdf", side_effect=OSError("no pango"))
    with no_pdf, django_capture_on_commit_callbacks(execute=True):
        report = request_cycle_report(built)
    failed = fresh(report)
    assert failed.state == ReportState.FAILED and "PDF could not be made" in failed.error
    client = client_for(built.superintendent)
    page = client.get(report_url("report_detail", report)).content.decode()
    assert "PDF could not be made" in page and "Try again" in page and "every 2s" not in page
    assert "Written in English." in page  # a stored report keeps the language it was asked in
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url("report_retry", report))
    assert response.status_code == 302
    assert fresh(report).state == ReportState.READY


def test_a_task_for_another_district_or_an_unknown_id_does_nothing(built, other_district):
    report = request_cycle_report(built)
    assert not reports.make_board_report(district=other_district, report_id=report.pk)
    assert not reports.make_board_report(district=built.district, report_id=report.pk + 1000)
    assert fresh(report).state == ReportState.QUEUED
    reports.deliver_report(district=other_district, payload={"report_id": report.pk})
    assert fresh(report).state == ReportState.QUEUED


def test_a_report_left_running_by_a_dead_worker_is_taken_over(built):
    report = request_cycle_report(built)
    with scopes_disabled():
        BoardReport.objects.filter(pk=report.pk).update(
            state=ReportState.RUNNING, started_at=timezone.now() - reports.STALE_RUNNING - timedelta(minutes=1)
        )
    assert reports.make_board_report(district=built.district, report_id=report.pk)
    assert fresh(report).state == ReportState.READY


# --- What the report says -----------------------------------------------------------------------


def pdf_of(report: BoardReport) -> PdfReader:
    return PdfReader(io.BytesIO(bytes(report.pdf)))


def test_the_pdf_is_real_text_with_the_priorities_and_metrics_a_title_and_a_language(built):
    report = made(built)
    pdf = pdf_of(report)
    text = " ".join(page.extract_text() for page in pdf.pages)
    for priority in built.priorities:
        assert priority.title in text
    for metric in built.metrics:
        assert metric.name in text
    assert built.district.name in text
    assert pdf.metadata.title.startswith("Board report: " + built.district.name)
    assert pdf.trailer["/Root"]["/Lang"] == "en"
    # Reading order: the cover first, then priorities, metrics, completion and highlights.
    order = [
        text.index(heading)
        for heading in ("Board report", "Priorities", "Metrics against targets", "Check-in completion", "Highlights")
    ]
    assert order == sorted(order)


def test_a_report_asked_for_in_spanish_is_in_spanish(built):
    with translation.override("es-us"):
        report = request_cycle_report(built)
    assert report.language == "es"
    reports.make_board_report(district=built.district, report_id=report.pk)
    report = fresh(report)
    assert '<html lang="es">' in report.html
    assert pdf_of(report).trailer["/Root"]["/Lang"] == "es"


def test_the_report_shows_published_highlights_only_and_no_check_in_text_or_staff_names(built):
    with district_context(built.district):
        shown = highlights.highlight_create(
            district=built.district,
            actor=built.superintendent,
            plan=built.plan,
            title="Reading clubs doubled",
            body="Every school runs one.",
        )
        highlights.highlight_publish(district=built.district, actor=built.superintendent, highlight=shown)
        highlights.highlight_create(
            district=built.district, actor=built.superintendent, plan=built.plan, title="Draft story", body="Not yet."
        )
    report = made(built)
    text = " ".join(page.extract_text() for page in pdf_of(report).pages)
    for document in (report.html, text):
        assert "Reading clubs doubled" in document
        assert "Draft story" not in document
        assert PRIVATE_NOTE not in document
        for person in (built.principal, built.superintendent, built.cabinet):
            assert person.user.get_full_name() not in document


def test_making_the_content_costs_as_many_queries_at_two_sizes(district, other_district):
    def queries(target, **size) -> int:
        built = build_district_data(target, **size)
        report = request_cycle_report(built, cycle=built.cycles[0])
        with district_context(built.district):
            report = BoardReport.objects.select_related("district", "plan", "cycle").get(pk=report.pk)
            with CaptureQueriesContext(connection) as captured:
                reports.report_content(report=report, made_at=timezone.now())
        return len(captured)

    assert queries(district, schools=2, commitments=2, cycles=2) == queries(
        other_district, schools=8, commitments=6, cycles=5
    )


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_request"),
    [
        (Role.SUPERINTENDENT, True),
        (Role.CABINET, True),
        (Role.DISTRICT_ADMIN, True),
        (Role.PRINCIPAL, False),
        (Role.STAFF, False),
        (Role.BOARD_MEMBER, False),
        (Role.PARTNER_COACH, False),
    ],
)
def test_every_role_sees_the_reports_and_only_some_may_ask_for_one(built, make_member, client_for, role, may_request):
    report = made(built)
    place = {"school": built.schools[-1]} if role in (Role.PRINCIPAL, Role.STAFF) else {}
    client = client_for(make_member(built.district, role, **place))
    page = client.get(list_url(built.district))
    assert page.status_code == 200
    assert ("Make the report" in page.content.decode()) is may_request
    for name in ("report_detail", "report_view", "report_pdf"):
        assert client.get(report_url(name, report)).status_code == 200
    response = client.post(list_url(built.district), {"subject": f"cycle:{built.cycles[0].pk}"})
    assert response.status_code == (302 if may_request else 403)


def test_the_form_queues_a_report_and_shows_its_progress(built, client_for):
    client = client_for(built.superintendent)
    response = client.post(list_url(built.district), {"subject": f"cycle:{built.cycles[-1].pk}"})
    with scopes_disabled():
        report = BoardReport.objects.get(district=built.district)
    assert response["Location"] == report_url("report_detail", report)
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Refresh to see the progress" in page
    partial = client.get(report_url("report_detail", report), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="report-progress"') and "every 2s" in partial
    assert "<html" not in partial


def test_a_quarter_can_be_asked_for(built, client_for):
    client = client_for(built.superintendent)
    with district_context(built.district):
        quarter = reports.plan_quarters(district=built.district, plan=built.plan)[0]
    page = client.get(list_url(built.district)).content.decode()
    assert f'value="quarter:{quarter.first_day.isoformat()}"' in page
    response = client.post(list_url(built.district), {"subject": f"quarter:{quarter.first_day.isoformat()}"})
    assert response.status_code == 302
    with scopes_disabled():
        assert BoardReport.objects.get(district=built.district).subject_key == f"quarter:{quarter.first_day}"


def test_a_bad_choice_gets_a_message_at_the_field(built, client_for):
    response = client_for(built.superintendent).post(
        list_url(built.district), {"subject": f"cycle:{built.open_cycle.pk}"}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    with scopes_disabled():
        assert not BoardReport.objects.filter(district=built.district).exists()


def test_a_ready_report_stops_polling_and_offers_the_pdf_and_the_html(built, client_for):
    report = made(built)
    client = client_for(built.board)
    partial = client.get(report_url("report_detail", report), headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in partial
    assert report_url("report_pdf", report) in partial and report_url("report_view", report) in partial
    pdf = client.get(report_url("report_pdf", report))
    assert pdf["Content-Type"] == "application/pdf"
    start = built.cycles[-1].period_start.isoformat()
    assert pdf["Content-Disposition"] == f'attachment; filename="{built.district.slug}-board-report-cycle-{start}.pdf"'
    view = client.get(report_url("report_view", report))
    nonce = view.wsgi_request.csp_nonce
    assert f'<style nonce="{nonce}">' in view.content.decode()
    assert f"'nonce-{nonce}'" in view["Content-Security-Policy"]


def test_a_report_not_ready_has_no_pdf_or_html_yet(built, client_for):
    report = request_cycle_report(built)
    client = client_for(built.superintendent)
    assert client.get(report_url("report_pdf", report)).status_code == 404
    assert client.get(report_url("report_view", report)).status_code == 404


def test_another_districts_report_is_not_found(built, other_district, make_member, client_for):
    report = made(built)
    outsider = client_for(make_member(other_district, Role.SUPERINTENDENT))
    for name in ("report_detail", "report_view", "report_pdf"):
        url = reverse(f"dashboards:{name}", kwargs={"district_slug": other_district.slug, "report_id": report.pk})
        assert outsider.get(url).status_code == 404
    retry = reverse("dashboards:report_retry", kwargs={"district_slug": other_district.slug, "report_id": report.pk})
    assert outsider.post(retry).status_code == 404


# --- In a browser -------------------------------------------------------------------------------

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE_TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(params=list(SIZES))
def sized(request, browser, live_server):
    viewport = SIZES[request.param]
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, viewport["width"]
    context.close()


def checked(page, axe, width: int) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation, and nothing is wider than the window."""
    results = axe.run(page, options=AXE_TAGS)
    assert not results.response["violations"], results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_superintendent_asks_for_a_report_and_opens_it(sized, axe, district):
    from playwright.sync_api import expect

    from tests.factories import TEST_PASSWORD

    page, width = sized
    built = build_district_data(district, schools=3, priorities=3, commitments=3, cycles=3)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(built.superintendent.user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto(list_url(district))
    expect(page.get_by_role("heading", level=1)).to_have_text("Board reports")
    checked(page, axe, width)
    with district_context(district):
        label = reports.cycle_subject_label(built.cycles[-1])
    page.get_by_label("What the report covers").select_option(label=label)
    page.get_by_role("button", name="Make the report").click()
    page.wait_for_load_state()
    # The test's worker runs at once (eager): the page shows the report ready, with its links.
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(page.locator("#report-progress")).not_to_have_attribute("hx-trigger", "every 2s")
    checked(page, axe, width)

    page.get_by_role("link", name="Open the report").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board report")
    assert page.title().startswith(f"Board report: {district.name}")
    for priority in built.priorities:
        expect(page.get_by_role("heading", name=f"{priority.code} · {priority.title}", exact=True)).to_be_visible()
    checked(page, axe, width)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_progress_polls_until_the_report_is_ready(sized, axe, district):
    from playwright.sync_api import expect

    from tests.factories import TEST_PASSWORD

    page, width = sized
    built = build_district_data(district, schools=2, priorities=2, commitments=2, cycles=2)
    with mock.patch.object(reports, "_enqueue"):  # no worker: the report waits
        report = request_cycle_report(built)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(built.board.user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(report_url("report_detail", report))
    expect(page.get_by_text("0% done.")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh to see the progress")).to_be_visible()
    checked(page, axe, width)
    reports.make_board_report(district=district, report_id=report.pk)
    # The next poll (every 2 s) swaps in the ready state and stops polling.
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible(timeout=6_000)
    expect(page.get_by_text("100% done.")).to_be_visible()
    checked(page, axe, width)


def test_the_list_and_a_report_page_cost_as_many_queries_with_more_reports(built, client_for):
    client = client_for(built.superintendent)

    def counts() -> tuple[int, int]:
        with scopes_disabled():
            newest = BoardReport.objects.filter(district=built.district).first()
        with CaptureQueriesContext(connection) as listing:
            assert client.get(list_url(built.district)).status_code == 200
        with CaptureQueriesContext(connection) as detail:
            assert client.get(report_url("report_detail", newest)).status_code == 200
        return len(listing), len(detail)

    made(built, cycle=built.cycles[0])
    with district_context(built.district):
        quarter = reports.plan_quarters(district=built.district, plan=built.plan)[0]
    few = counts()
    for cycle in built.cycles[1:]:
        made(built, cycle=cycle)
    with district_context(built.district):
        reports.request_board_report(
            district=built.district, actor=built.admin, subject=ReportSubject.QUARTER, quarter_start=quarter.first_day
        )
    assert counts() == few
