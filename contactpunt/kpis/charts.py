"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable at a glance."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contactpunt import formats

WIDTH = 640
HEIGHT = 160
_PAD = 24


def bar_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    label: str,
    maximum: float | None = None,
    target: float | None = None,
    percent: bool = False,
) -> SafeString:
    """Bars for `points` (label, value); None draws no bar. `target` draws a dashed line at that value."""
    values = [v for _, v in points if v is not None]
    top = maximum if maximum is not None else max([*values, target or 0.0, 1e-9])
    count = max(len(points), 1)
    slot = (WIDTH - 2 * _PAD) / count
    inner = HEIGHT - 2 * _PAD
    parts = [
        f'<svg class="kpi-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{_PAD}" y1="{HEIGHT - _PAD}" x2="{WIDTH - _PAD}" y2="{HEIGHT - _PAD}" class="axis"/>',
    ]
    for index, (name, value) in enumerate(points):
        if value is None:
            continue
        height = inner * min(value / top, 1.0) if top else 0.0
        x = _PAD + index * slot + slot * 0.1
        shown = formats.percent(value) if percent else formats.number(value)
        parts.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - _PAD - height:.1f}" width="{slot * 0.8:.1f}" height="{height:.1f}" '
            f'class="bar"><title>{escape(formats.day(name))}: {shown}</title></rect>'
        )
    if target is not None and top:
        y = HEIGHT - _PAD - inner * min(target / top, 1.0)
        parts.append(f'<line x1="{_PAD}" y1="{y:.1f}" x2="{WIDTH - _PAD}" y2="{y:.1f}" class="target"/>')
    if points:
        first, last = escape(formats.day(points[0][0])), escape(formats.day(points[-1][0]))
        parts.append(f'<text x="{_PAD}" y="{HEIGHT - 6}" class="tick">{first}</text>')
        if len(points) > 1:  # one day is named once
            parts.append(f'<text x="{WIDTH - _PAD}" y="{HEIGHT - 6}" class="tick" text-anchor="end">{last}</text>')
    top_label = formats.percent(top, 0) if percent else formats.number(top)
    parts.append(f'<text x="2" y="{_PAD - 6}" class="tick">{top_label}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
