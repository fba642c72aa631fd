"""Histograms of points: binning, hand-made inline SVG panels, and text sparklines.

Produces markup strings only. It must not load anything from outside the
page (no scripts, fonts or URLs) and must not know about students or the
gradebook: it is given numbers and labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from grader.feedback.values import format_number

_DISCRETE_STEPS = (1.0, 0.5, 0.25)  # point grids a rubric uses; one bar per value on these
_MAX_DISCRETE_BARS = 21
_SPARK_LEVELS = "▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    label: str  # "1.5" for a single value, "10–20" for a range


def _on_grid(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-9


def _nice_width(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least raw (bins read 0–5, 5–10)."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw * (1 - 1e-9))


def histogram(values: Sequence[float], max_value: float, *, max_bins: int = 10) -> tuple[Bin, ...]:
    """Count values from 0 (or below) to max_value: one bar per value on a point grid, else ranges."""
    finite = [float(v) for v in values if math.isfinite(v)]
    low = min([0.0, *finite])
    high = max([float(max_value) if math.isfinite(max_value) else 0.0, *finite])
    if not math.isfinite(high - low):  # absurd points (±1e308): one bar rather than an overflow
        return (Bin(low, high, len(finite), f"{format_number(low)}–{format_number(high)}"),)
    for step in _DISCRETE_STEPS:
        steps = (high - low) / step
        if steps > _MAX_DISCRETE_BARS:  # also catches inf
            continue
        bar_count = round(steps) + 1
        if bar_count <= _MAX_DISCRETE_BARS and all(_on_grid(v, step) for v in (low, high, *finite)):
            counts = [0] * bar_count
            for v in finite:
                counts[round((v - low) / step)] += 1
            return tuple(
                Bin(low + k * step, low + k * step, n, format_number(low + k * step))
                for k, n in enumerate(counts)
            )
    width = _nice_width((high - low) / max(1, max_bins))
    bar_count = max(1, math.ceil((high - low) / width - 1e-9))
    counts = [0] * bar_count
    for v in finite:
        counts[min(int((v - low) / width), bar_count - 1)] += 1
    return tuple(
        Bin(
            low + k * width,
            low + (k + 1) * width,
            n,
            f"{format_number(round(low + k * width, 2))}–{format_number(round(low + (k + 1) * width, 2))}",
        )
        for k, n in enumerate(counts)
    )


def histogram_svg(
    bins: Sequence[Bin],
    *,
    title: str,
    css_class: str = "hist",
    question_id: str | None = None,
    width: int = 200,
    height: int = 120,
) -> Markup:
    """One histogram panel as inline SVG; each bar carries a tooltip with its exact count."""
    left, right, top, bottom = 26, 6, 18, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    tallest = max((b.count for b in bins), default=0)
    slot = plot_w / max(1, len(bins))
    data_attr = f' data-question="{escape(question_id)}"' if question_id is not None else ""
    label = f"{title}: histogram of {sum(b.count for b in bins)} values"
    parts = [
        f'<svg class="{escape(css_class)}"{data_attr} width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'font-size="10" font-family="sans-serif" fill="#333">',
        f"<title>{escape(label)}</title>",
        f'<text x="2" y="12" font-weight="bold">{escape(title)}</text>',
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 3}" y="{top + 8}" text-anchor="end">{tallest}</text>',
    ]
    for k, b in enumerate(bins):
        bar_h = plot_h * b.count / tallest if tallest else 0.0
        x = left + k * slot + 0.5
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{max(slot - 1, 0.5):.1f}" height="{bar_h:.1f}" fill="#5c7cfa">'
            f"<title>{escape(b.label)}: {b.count}</title></rect>"
        )
    if bins:
        baseline = top + plot_h + 13
        # The axis ends: the lowest and highest point the bars cover.
        parts.append(f'<text x="{left}" y="{baseline}">{format_number(bins[0].low)}</text>')
        parts.append(
            f'<text x="{left + plot_w}" y="{baseline}" text-anchor="end">'
            f"{format_number(bins[-1].high)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(bins: Sequence[Bin]) -> str:
    """The histogram as one line of block characters, for Markdown and plain text."""
    tallest = max((b.count for b in bins), default=0)
    if not tallest:
        return "▁" * len(bins)
    levels = len(_SPARK_LEVELS)
    return "".join(
        _SPARK_LEVELS[math.ceil(levels * b.count / tallest) - 1] if b.count else "▁" for b in bins
    )
