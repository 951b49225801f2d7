"""Charts as inline SVG rendered on the server: no script, no asset from the internet."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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


def _ticks(top: float) -> list[float]:
    """Axis ticks of a count axis: whole numbers only (never 0.5 or 2.5)."""
    half = top / 2
    return [0, half, top] if float(half).is_integer() and half > 0 else [0, top]


def empty_chart(title: str, width: int = 520, height: int = 120) -> SafeString:
    """What a chart without data shows: "No data yet", not bare axes."""
    message = _("No data yet")
    return mark_safe(
        f'<svg class="chart empty" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" class="axis '
        f'no-data">{escape(message)}</text></svg>'
    )  # every dynamic value above is escaped


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
    if not any(values):
        return empty_chart(title, width)
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
    for tick in _ticks(top):
        y = pad_top + plot_h * (1 - tick / top)
        parts.append(
            f'<line x1="{pad_left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{pad_left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
            f"{tick:g}</text>"
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
    if not any(v for _key, _label, v in items):
        return empty_chart(title, width, 60)
    total = sum(v for _key, _label, v in items) or 1
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


def grouped_hbars(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    title: str,
    width: int = 520,
) -> SafeString:
    """Horizontal bars, one group per label (a school), one bar per series (name, colour,
    values); a legend on top. Long names stay readable on the left."""
    if not labels or not any(any(vals) for _n, _c, vals in series):
        return empty_chart(title, width)
    pad_left, pad_right, legend_h = 150, 40, 22
    bar_h, gap = 12, 10
    group_h = bar_h * len(series) + gap
    height = legend_h + group_h * len(labels) + 6
    top = _nice_max(max((v for _n, _c, vals in series for v in vals), default=0))
    plot_w = width - pad_left - pad_right
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    x = pad_left
    for name, color, _vals in series:
        parts.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="13" class="axis">{escape(str(name))}</text>'
        )
        x += 14 + 13 * len(str(name)) + 16
    for i, label in enumerate(labels):
        y0 = legend_h + i * group_h
        shown = str(label) if len(str(label)) <= 12 else str(label)[:11] + "…"
        parts.append(
            f'<text x="{pad_left - 6}" y="{y0 + group_h / 2:.1f}" text-anchor="end" '
            f'class="axis"><title>{escape(str(label))}</title>{escape(shown)}</text>'
        )
        for j, (name, color, vals) in enumerate(series):
            value = vals[i] if i < len(vals) else 0
            w = plot_w * value / top if top else 0
            y = y0 + j * bar_h
            parts.append(
                f'<rect x="{pad_left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{color}"><title>{escape(str(label))} · {escape(str(name))}: '
                f"{value:g}</title></rect>"
                f'<text x="{pad_left + w + 4:.1f}" y="{y + bar_h - 3}" class="value">'
                f"{value:g}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every dynamic value above is escaped
