"""Charts as inline SVG rendered on the server: no script, no asset from the internet."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = {
    "clean": "#2e7d32",
    "suspicious": "#f9a825",
    "mining": "#c62828",
    "incomplete": "#546e7a",
    "none": "#90a4ae",
    "default": "#1565c0",
}


def _nice_max(value: float) -> float:
    """Round the axis maximum up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    color: str = PALETTE["default"],
    width: int = 520,
    height: int = 200,
) -> SafeString:
    """Vertical bars with value labels; `title` is the accessible name of the figure."""
    pad_left, pad_bottom, pad_top = 36, 28, 14
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    top = _nice_max(max(values, default=0))
    count = max(len(values), 1)
    slot = plot_w / count
    bar_w = max(slot * 0.7, 2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for frac in (0, 0.5, 1):
        y = pad_top + plot_h * (1 - frac)
        parts.append(
            f'<line x1="{pad_left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{pad_left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
            f"{top * frac:g}</text>"
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        h = plot_h * (value / top) if top else 0
        x = pad_left + i * slot + (slot - bar_w) / 2
        y = pad_top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{color}"><title>{escape(str(label))}: {value:g}</title></rect>'
        )
        if value:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle" '
                f'class="value">{value:g}</text>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
            f'class="axis">{escape(str(label))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every dynamic value above is escaped


def share_bar(
    items: Sequence[tuple[str, str, float]], *, title: str, width: int = 520
) -> SafeString:
    """One horizontal bar split into shares: items are (key, label, value); key picks the colour."""
    height = 46
    total = sum(v for _, _, v in items) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    x = 0.0
    for key, label, value in items:
        w = width * value / total
        if w <= 0:
            continue
        color = PALETTE.get(key, PALETTE["default"])
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="{w:.1f}" height="22" fill="{color}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
        )
        if w > 40:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="40" text-anchor="middle" class="axis">'
                f"{escape(label)} {value:g}</text>"
            )
        x += w
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every dynamic value above is escaped
