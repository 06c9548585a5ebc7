"""Charts drawn on the server as SVG: a metric's trend, and sparklines for cards.

No JavaScript and no inline styles (the CSP forbids `style=""`): colours and
line patterns come from classes in static/css/app.css, with SVG presentation
attributes (stroke-dasharray, fill) so the chart still reads when printed or
without the stylesheet. Colour never carries meaning alone: the actual values
are a solid line whose markers are shaped by status (circle on track,
triangle at risk, square off track), the target line is dashed, the target
a filled diamond and interim targets hollow diamonds, each named in a legend
and in text labels. Every chart has a <title> and <desc> (its text
alternative); pages put a data table beside it.

Values are drawn from exact decimals converted to floats for pixel
positions only; no number a reader sees is computed from a float.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .choices import Status
from .formatting import format_value

Number = Decimal | Fraction


@dataclass(frozen=True)
class ChartPoint:
    day: date  # where the point sits on the time axis (the period's last day)
    label: str  # the period as people read it: "Sep 2025", "2024–25"
    value: Number | None  # None: no value for this period (the line breaks)
    status: str = Status.NO_DATA


@dataclass(frozen=True)
class ChartMarker:
    day: date
    value: Number
    label: str


@dataclass(frozen=True)
class TrendChart:
    chart_id: str  # unique in the page; ids of <title> and <desc> derive from it
    title: str
    description: str
    unit: str
    decimals: int
    points: Sequence[ChartPoint]
    baseline: ChartMarker | None = None
    target: ChartMarker | None = None
    interims: Sequence[ChartMarker] = field(default_factory=tuple)
    value_label: str = ""  # the y axis, e.g. "District value (%)"


WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 64, 48


def _f(number: Number) -> float:
    return float(number)


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _y_ticks(low: float, high: float) -> list[float]:
    if high == low:
        high, low = high + 1, low - 1
    step = _nice_step(high - low)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    ticks = []
    value = start
    while value <= end + step / 2:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}"


def _marker(shape: str, x: float, y: float, css: str, *, size: float = 5, paint: str = "", title: str = "") -> str:
    """A point marker; `paint` holds presentation attributes, `title` a tooltip."""
    if shape == "triangle":
        top, left, right, bottom = _num(y - size - 1), _num(x - size - 1), _num(x + size + 1), _num(y + size)
        points = f"{_num(x)},{top} {left},{bottom} {right},{bottom}"
        tag, geometry = "polygon", f'points="{points}"'
    elif shape == "square":
        tag = "rect"
        geometry = f'x="{_num(x - size)}" y="{_num(y - size)}" width="{_num(2 * size)}" height="{_num(2 * size)}"'
    elif shape == "diamond":
        s = size + 2
        points = f"{_num(x)},{_num(y - s)} {_num(x + s)},{_num(y)} {_num(x)},{_num(y + s)} {_num(x - s)},{_num(y)}"
        tag, geometry = "polygon", f'points="{points}"'
    else:
        tag, geometry = "circle", f'cx="{_num(x)}" cy="{_num(y)}" r="{_num(size)}"'
    opening = f'<{tag} class="{css}" {geometry} {paint}'.rstrip()
    if title:
        return f"{opening}><title>{escape(title)}</title></{tag}>"
    return f"{opening}/>"


ACTUAL_PAINT = 'fill="#1d4e89"'
TARGET_PAINT = 'fill="#1b1f24"'
INTERIM_PAINT = 'fill="#ffffff" stroke="#1b1f24" stroke-width="2"'


STATUS_SHAPE = {
    Status.ON_TRACK: "circle",
    Status.AT_RISK: "triangle",
    Status.OFF_TRACK: "square",
    Status.NO_DATA: "circle",
}


def trend_chart(chart: TrendChart) -> SafeString:
    """The trend of a metric with its target, trajectory and interim targets, as inline SVG."""
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    valued = [p for p in chart.points if p.value is not None]
    markers = [m for m in (chart.baseline, chart.target) if m is not None] + list(chart.interims)
    numbers = [_f(p.value) for p in valued] + [_f(m.value) for m in markers]  # type: ignore[arg-type]
    days = [p.day for p in chart.points] + [m.day for m in markers]
    parts: list[str] = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false" '
        f'preserveAspectRatio="xMidYMid meet" id="{_attr(chart.chart_id)}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    if not numbers or not days:
        parts.append(
            f'<text class="chart-empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            f"{escape(_('No values yet'))}</text></svg>"
        )
        return mark_safe("".join(parts))

    ticks = _y_ticks(min(numbers), max(numbers))
    y_low, y_high = ticks[0], ticks[-1]
    first_day, last_day = min(days), max(days)
    span_days = max((last_day - first_day).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: date) -> float:
        return LEFT + plot_w * (day - first_day).days / span_days

    def y_of(number: Number | float) -> float:
        return TOP + plot_h * (1 - (float(number) - y_low) / (y_high - y_low))

    # Grid and y axis labels.
    parts.append('<g class="chart-grid" aria-hidden="true">')
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_num(y)}" y2="{_num(y)}" stroke="#d3d9df"/>')
        label = format_value(Decimal(str(tick)), chart.unit, _tick_decimals(ticks))
        parts.append(
            f'<text class="chart-label" x="{LEFT - 8}" y="{_num(y + 4)}" text-anchor="end">{escape(label)}</text>'
        )
    parts.append("</g>")
    if chart.value_label:
        parts.append(
            f'<text class="chart-label" x="{LEFT - 60}" y="{TOP - 14}" text-anchor="start">'
            f"{escape(chart.value_label)}</text>"
        )

    # x axis: a label per year (or per point when there are few).
    parts.append('<g class="chart-axis" aria-hidden="true">')
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" stroke="#4a5560"/>'
    )
    for day, label in _x_ticks(first_day, last_day, chart.points):
        x = x_of(day)
        parts.append(
            f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 5}" stroke="#4a5560"/>'
        )
        parts.append(
            f'<text class="chart-label" x="{_num(x)}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</g>")

    # The trajectory: dashed, from baseline to target.
    if chart.baseline and chart.target:
        parts.append(
            f'<line class="chart-trajectory" x1="{_num(x_of(chart.baseline.day))}" '
            f'y1="{_num(y_of(chart.baseline.value))}" '
            f'x2="{_num(x_of(chart.target.day))}" y2="{_num(y_of(chart.target.value))}" '
            f'stroke="#4a5560" stroke-width="2" stroke-dasharray="8 5" fill="none"/>'
        )
    # Interim targets: hollow diamonds.
    for interim in chart.interims:
        parts.append(
            _marker(
                "diamond",
                x_of(interim.day),
                y_of(interim.value),
                "chart-interim",
                paint=INTERIM_PAINT,
                title=interim.label,
            )
        )
    # The final target: a filled diamond with its label.
    if chart.target:
        tx, ty = x_of(chart.target.day), y_of(chart.target.value)
        parts.append(_marker("diamond", tx, ty, "chart-target", paint=TARGET_PAINT, title=chart.target.label))
        anchor = "end" if tx > WIDTH - RIGHT - 120 else "start"
        dx = -12 if anchor == "end" else 12
        parts.append(
            f'<text class="chart-label chart-target-label" x="{_num(tx + dx)}" y="{_num(ty - 10)}" '
            f'text-anchor="{anchor}">{escape(chart.target.label)}</text>'
        )

    # The actual values: a solid line, broken where a period has no value.
    segments: list[list[tuple[float, float]]] = [[]]
    for point in chart.points:
        if point.value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((x_of(point.day), y_of(point.value)))
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(f"{'M' if i == 0 else 'L'}{_num(x)},{_num(y)}" for i, (x, y) in enumerate(segment))
            parts.append(f'<path class="chart-actual" d="{path}" fill="none" stroke="#1d4e89" stroke-width="2.5"/>')
    for point in valued:
        shape = STATUS_SHAPE.get(point.status, "circle")
        css = f"chart-point chart-point-{point.status}"
        title = f"{point.label}: {format_value(point.value, chart.unit, chart.decimals)}"
        parts.append(_marker(shape, x_of(point.day), y_of(point.value), css, size=4, paint=ACTUAL_PAINT, title=title))  # type: ignore[arg-type]
    if valued:
        last = valued[-1]
        lx, ly = x_of(last.day), y_of(last.value)  # type: ignore[arg-type]
        anchor = "end" if lx > WIDTH - RIGHT - 80 else "start"
        parts.append(
            f'<text class="chart-label chart-value-label" x="{_num(lx + (-10 if anchor == "end" else 10))}" '
            f'y="{_num(ly + 18)}" text-anchor="{anchor}">'
            f"{escape(format_value(last.value, chart.unit, chart.decimals))}</text>"
        )

    parts.append(_legend(has_trajectory=bool(chart.baseline and chart.target), has_interims=bool(chart.interims)))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _tick_decimals(ticks: list[float]) -> int:
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1
    if step >= 1:
        return 0
    return min(4, max(0, -math.floor(math.log10(step))))


def _x_ticks(first: date, last: date, points: Sequence[ChartPoint]) -> list[tuple[date, str]]:
    if len(points) <= 8:
        return [(p.day, p.label) for p in points]
    ticks = []
    for year in range(first.year + (1 if first.month > 1 else 0), last.year + 1):
        ticks.append((date(year, 1, 1), str(year)))
    return ticks


def _legend(*, has_trajectory: bool, has_interims: bool) -> str:
    items = [
        (
            '<line x1="0" x2="22" y1="0" y2="0" stroke="#1d4e89" stroke-width="2.5" class="chart-actual"/>'
            + _marker("circle", 11, 0, "chart-point", size=4, paint=ACTUAL_PAINT),
            _("Actual, on track"),
        ),
    ]
    if has_trajectory:
        items.append(
            (
                '<line x1="0" x2="22" y1="0" y2="0" stroke="#4a5560" stroke-width="2" stroke-dasharray="8 5" '
                'class="chart-trajectory"/>',
                _("Target line"),
            )
        )
    items.append((_marker("diamond", 11, 0, "chart-target", paint=TARGET_PAINT), _("Target")))
    if has_interims:
        items.append((_marker("diamond", 11, 0, "chart-interim", paint=INTERIM_PAINT), _("Interim target")))
    items.append((_marker("triangle", 11, 0, "chart-point", size=4, paint=ACTUAL_PAINT), _("At risk")))
    items.append((_marker("square", 11, 0, "chart-point", size=4, paint=ACTUAL_PAINT), _("Off track")))
    parts = ['<g class="chart-legend" aria-hidden="true">']
    x = 8
    for symbol, label in items:
        parts.append(
            f'<g transform="translate({x},16)">{symbol}'
            f'<text class="chart-label" x="28" y="4">{escape(str(label))}</text></g>'
        )
        x += 34 + 7 * len(str(label)) + 14
    parts.append("</g>")
    return "".join(parts)


SPARK_W, SPARK_H, SPARK_PAD = 120, 32, 4


def _polyline(points: Sequence[tuple[float, float] | None]) -> str:
    """An SVG path through the points, lifting the pen at each None."""
    path: list[str] = []
    pen_up = True
    for point in points:
        if point is None:
            pen_up = True
            continue
        path.append(f"{'M' if pen_up else 'L'}{_num(point[0])},{_num(point[1])}")
        pen_up = False
    return " ".join(path)


def sparkline(
    values: Sequence[Number | None],
    *,
    label: str,
    expected: Sequence[Number | None] = (),
    last_status: str = Status.NO_DATA,
) -> SafeString:
    """A small trend for cards: the values, and dashed, the target line at the same periods.

    `label` is its text alternative, e.g. "District value, Sep 2025 to Aug 2026: from 62% to 71%, on track".
    """
    parts = [
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_W} {SPARK_H}" '
        f'width="{SPARK_W}" height="{SPARK_H}" role="img" aria-label="{_attr(label)}" focusable="false">',
        f"<title>{escape(label)}</title>",
    ]
    if not any(v is not None for v in values):
        parts.append(
            f'<line x1="{SPARK_PAD}" x2="{SPARK_W - SPARK_PAD}" y1="{SPARK_H / 2}" y2="{SPARK_H / 2}" '
            'stroke="#d3d9df" stroke-dasharray="2 3" class="sparkline-empty"/></svg>'
        )
        return mark_safe("".join(parts))
    numbers = [float(v) for v in [*values, *expected] if v is not None]
    low, high = min(numbers), max(numbers)
    if high == low:
        high, low = high + 1, low - 1
    count = max(len(values) - 1, 1)

    def at(index: int, number: Number | None) -> tuple[float, float] | None:
        if number is None:
            return None
        x = SPARK_PAD + (SPARK_W - 2 * SPARK_PAD - 6) * index / count
        y = SPARK_PAD + (SPARK_H - 2 * SPARK_PAD) * (1 - (float(number) - low) / (high - low))
        return (x, y)

    if any(e is not None for e in expected):
        line = _polyline([at(i, e) for i, e in enumerate(expected)])
        parts.append(f'<path class="sparkline-target" d="{line}" fill="none" stroke="#4a5560" stroke-dasharray="3 3"/>')
    points = [at(i, v) for i, v in enumerate(values)]
    parts.append(
        f'<path class="sparkline-line" d="{_polyline(points)}" fill="none" stroke="#1d4e89" stroke-width="2"/>'
    )
    last_point = next(p for p in reversed(points) if p is not None)
    shape = STATUS_SHAPE.get(last_status, "circle")
    parts.append(_marker(shape, last_point[0], last_point[1], "sparkline-point", size=3, paint=ACTUAL_PAINT))
    parts.append("</svg>")
    return mark_safe("".join(parts))
