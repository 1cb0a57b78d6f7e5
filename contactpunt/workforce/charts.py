"""The forecast-against-actual chart, drawn on the server as inline SVG like the KPI charts (`kpis.charts`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contactpunt.kpis.charts import WIDTH

HEIGHT = 220
_PAD = 28


@dataclass(frozen=True)
class Point:
    """One interval: its label, the forecast with its 80% interval, and the actual count (None: not yet)."""

    label: str
    forecast: float
    lower: float | None
    upper: float | None
    actual: float | None


@dataclass(frozen=True)
class Marked:
    """A stretch of points to shade (a peak or holiday day), by index, with its label."""

    first: int
    last: int
    label: str


def forecast_chart(points: Sequence[Point], *, label: str, marked: Sequence[Marked] = ()) -> SafeString:
    """A band for the 80% interval, a line for the forecast, dots joined for the actual, shaded peak days."""
    count = max(len(points), 1)
    values = [p.upper if p.upper is not None else p.forecast for p in points] + [p.actual or 0.0 for p in points]
    top = max([*values, 1.0])
    inner_w = WIDTH - 2 * _PAD
    inner_h = HEIGHT - 2 * _PAD

    def x(index: float) -> float:
        return _PAD + inner_w * (index + 0.5) / count

    def y(value: float) -> float:
        return HEIGHT - _PAD - inner_h * min(value / top, 1.0)

    parts = [
        f'<svg class="kpi-chart wf-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for mark in marked:
        left = _PAD + inner_w * mark.first / count
        width = inner_w * (mark.last - mark.first + 1) / count
        parts.append(
            f'<rect x="{left:.1f}" y="{_PAD}" width="{width:.1f}" height="{inner_h}" class="peak">'
            f"<title>{escape(mark.label)}</title></rect>"
            f'<text x="{left + 2:.1f}" y="{_PAD + 10}" class="tick peak-label">{escape(mark.label[:28])}</text>'
        )
    parts.append(f'<line x1="{_PAD}" y1="{HEIGHT - _PAD}" x2="{WIDTH - _PAD}" y2="{HEIGHT - _PAD}" class="axis"/>')
    banded = [(i, p) for i, p in enumerate(points) if p.lower is not None and p.upper is not None]
    if banded:
        upper = " ".join(f"{x(i):.1f},{y(p.upper or 0.0):.1f}" for i, p in banded)
        lower = " ".join(f"{x(i):.1f},{y(p.lower or 0.0):.1f}" for i, p in reversed(banded))
        parts.append(f'<polygon points="{upper} {lower}" class="band"><title>80%</title></polygon>')
    if points:
        line = " ".join(f"{x(i):.1f},{y(p.forecast):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline points="{line}" class="forecast"/>')
    actual = [(i, p.actual) for i, p in enumerate(points) if p.actual is not None]
    if actual:
        line = " ".join(f"{x(i):.1f},{y(value):.1f}" for i, value in actual)
        parts.append(f'<polyline points="{line}" class="actual"/>')
    if points:
        parts.append(f'<text x="{_PAD}" y="{HEIGHT - 8}" class="tick">{escape(points[0].label)}</text>')
        last = escape(points[-1].label)
        parts.append(f'<text x="{WIDTH - _PAD}" y="{HEIGHT - 8}" class="tick" text-anchor="end">{last}</text>')
    parts.append(f'<text x="2" y="{_PAD - 8}" class="tick">{top:.0f}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
