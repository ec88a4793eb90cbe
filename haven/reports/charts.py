"""Charts drawn on the server as SVG: no script, a few kilobytes, scaled to the phone's width by its
viewBox. Each chart stands beside its table, which is the accessible form of the same figures; the
chart itself is one image with a short description.

A bar per area: its value this period, a thin mark for the previous period, a dashed line for the
target. A hidden value draws no bar (the table says "hidden").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from haven.reports.targets import Status

# Drawn for a phone: at 360 px the text stays about 10 px high.
WIDTH = 360
LABEL = 118
BAR_H = 14
GAP = 6
VALUE_W = 52
FONT = 11
# The table beside holds every row; the chart shows the largest of a long list.
MOST_BARS = 30
COLOURS = {Status.GREEN: "#1a7f37", Status.AMBER: "#9a6700", Status.RED: "#cf222e", None: "#0969da"}


@dataclass
class Bar:
    label: str
    value: float | None
    shown: str
    previous: float | None = None
    status: Status | None = None


def bar_chart(
    bars: list[Bar], *, title: str, scale_max: float | None = None, target: float | None = None
) -> SafeString:
    """Horizontal bars, one per row; ``scale_max`` fixes the scale (100 for a share). Of more than
    ``MOST_BARS`` rows, the largest are drawn."""
    if len(bars) > MOST_BARS:
        bars = sorted(bars, key=lambda b: -(b.value or 0))[:MOST_BARS]
    values = [b.value for b in bars if b.value is not None] + [
        b.previous for b in bars if b.previous is not None
    ]
    if target is not None:
        values.append(target)
    top = scale_max or max(values, default=0) or 1
    plot = WIDTH - LABEL - VALUE_W
    height = len(bars) * (BAR_H + GAP) + GAP

    def x(v: float) -> float:
        return LABEL + plot * max(0.0, min(v, top)) / top

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_H + GAP)
        label = bar.label if len(bar.label) <= 20 else bar.label[:19] + "…"
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + BAR_H - 4}" text-anchor="end" font-size="{FONT}">'
            f"{escape(label)}</text>"
        )
        if bar.value is not None:
            colour = COLOURS.get(bar.status, COLOURS[None])
            parts.append(
                f'<rect x="{LABEL}" y="{y}" width="{x(bar.value) - LABEL:.1f}" height="{BAR_H}" '
                f'fill="{colour}"/>'
            )
        if bar.previous is not None:
            px = x(bar.previous)
            parts.append(
                f'<rect x="{px - 1:.1f}" y="{y - 2}" width="3" height="{BAR_H + 4}" fill="#57606a"/>'
            )
        end = x(bar.value) if bar.value is not None else LABEL
        parts.append(
            f'<text x="{end + 4:.1f}" y="{y + BAR_H - 4}" font-size="{FONT}">{escape(bar.shown)}</text>'
        )
    if target is not None:
        tx = x(target)
        parts.append(
            f'<line x1="{tx:.1f}" y1="0" x2="{tx:.1f}" y2="{height}" stroke="#24292f" '
            'stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
