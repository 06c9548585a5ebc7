"""Server-rendered SVG charts: the target, the trajectory, the text alternative, no inline styles."""

from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

from metrics.charts import ChartMarker, ChartPoint, TrendChart, sparkline, trend_chart
from metrics.choices import Status, Unit

D = Decimal  # short for readable tables of numbers

SVG = "{http://www.w3.org/2000/svg}"


def chart(**overrides) -> TrendChart:
    fields = {
        "chart_id": "metric-7-chart",
        "title": "Attendance rate, district value",
        "description": "From 88.0% in 2023–24 to 91.2% in 2025–26; target 95.0% by June 2028. Latest: on track.",
        "unit": Unit.PERCENT,
        "decimals": 1,
        "points": [
            ChartPoint(date(2024, 7, 31), "2023–24", D("88.0"), Status.AT_RISK),
            ChartPoint(date(2025, 7, 31), "2024–25", None),
            ChartPoint(date(2026, 7, 31), "2025–26", D("91.2"), Status.ON_TRACK),
        ],
        "baseline": ChartMarker(date(2023, 6, 30), D("87.5"), "Baseline 87.5%"),
        "target": ChartMarker(date(2028, 6, 30), D("95.0"), "Target 95.0% by Jun 2028"),
        "interims": [ChartMarker(date(2026, 7, 31), D("91.0"), "2025–26 interim target 91.0%")],
        "value_label": "District value",
    }
    fields.update(overrides)
    return TrendChart(**fields)


def test_trend_chart_is_an_image_with_title_and_description():
    svg = str(trend_chart(chart()))
    root = ElementTree.fromstring(svg)  # well-formed XML
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "metric-7-chart-title metric-7-chart-desc"
    assert root.find(f"{SVG}title").text == "Attendance rate, district value"
    assert "target 95.0% by June 2028" in root.find(f"{SVG}desc").text


def test_trend_chart_draws_target_trajectory_interims_and_status_shapes():
    svg = str(trend_chart(chart()))
    assert 'class="chart-trajectory"' in svg and 'stroke-dasharray="8 5"' in svg
    assert 'class="chart-target"' in svg and "Target 95.0% by Jun 2028" in svg
    assert 'class="chart-interim"' in svg and "2025–26 interim target 91.0%" in svg
    # Status is carried by shape and text, not colour alone: a triangle for at risk, a circle for on track.
    assert '<polygon class="chart-point chart-point-at_risk"' in svg
    assert '<circle class="chart-point chart-point-on_track"' in svg
    assert "2023–24: 88.0%" in svg
    # A missing period breaks the line rather than drawing through zero.
    assert svg.count('class="chart-actual" d=') == 0


def test_no_inline_styles_and_text_is_escaped():
    svg = str(trend_chart(chart(title='<script>alert("x")</script>')))
    assert "style=" not in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_empty_chart_still_has_its_text_alternative():
    svg = str(trend_chart(chart(points=[], baseline=None, target=None, interims=[])))
    ElementTree.fromstring(svg)
    assert "No values yet" in svg and "<title" in svg


def test_sparkline_has_a_label_and_breaks_at_gaps():
    svg = str(
        sparkline(
            [D("1"), D("2"), None, D("4"), D("5")],
            label="Trend: 1 to 5",
            expected=[D("2"), D("3"), D("4"), D("5"), D("6")],
            last_status=Status.OFF_TRACK,
        )
    )
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Trend: 1 to 5"
    line = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "sparkline-line")
    assert line.get("d").count("M") == 2
    assert 'class="sparkline-target"' in svg
    assert "<rect" in svg  # off track: a square
    assert "style=" not in svg
    assert "sparkline-empty" in str(sparkline([None, None], label="No values yet"))
