"""Charts as inline SVG: bars with interval whiskers, a trend line with its band.

Drawn on the server, so a page needs no chart library, prints as it shows, and
reads on a phone. The same SVG goes into the PDF report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

BAR_COLOUR = "#0b4f9c"
THIN_COLOUR = "#9aa8b6"
WHISKER_COLOUR = "#1a1a1a"
BAND_COLOUR = "#b9d3f0"
GRID_COLOUR = "#d5dbe1"


@dataclass(frozen=True)
class Bar:
    """One bar: a share in [0, 1] and its interval; `thin` draws it pale."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    thin: bool = False


@dataclass(frozen=True)
class Point:
    """One month of a trend."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    # The month so far: drawn apart (a hollow point and its interval), never
    # joined to the whole months as if it were one.
    partial: bool = False


def _pct(value: float) -> str:
    return f"{100 * value:.1f}".replace(".", ",")


def interval_bars(bars: Sequence[Bar], title: str, width: int = 400) -> str:
    """Horizontal bars from 0 to 100 % with a whisker for each interval.

    Each label sits on its own line above its bar, so the chart stays narrow
    enough to read on a 360 px phone without shrinking the text.
    """
    left, right_pad, row_height, top = 4, 48, 44, 22
    plot_width = width - left - right_pad
    height = top + row_height * len(bars) + 4

    def x(value: float) -> float:
        return left + plot_width * min(max(value, 0.0), 1.0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        anchor = "start" if tick == 0 else "end" if tick == 1.0 else "middle"
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" '
            f'y2="{height - 4}" stroke="{GRID_COLOUR}"/>'
            f'<text x="{x(tick):.1f}" y="{top - 8}" font-size="11" '
            f'text-anchor="{anchor}" fill="#444">{int(tick * 100)} %</text>'
        )
    for i, bar in enumerate(bars):
        y = top + i * row_height
        parts.append(
            f'<text x="{left}" y="{y + 14}" font-size="13" fill="#1a1a1a">'
            f"{escape(_shorten(bar.label, 52))}</text>"
        )
        bar_top = y + 20
        if bar.value is None:
            parts.append(
                f'<text x="{left + 4}" y="{bar_top + 13}" font-size="12" '
                f'fill="#555">—</text>'
            )
            continue
        colour = THIN_COLOUR if bar.thin else BAR_COLOUR
        parts.append(
            f'<rect x="{left}" y="{bar_top}" width="{x(bar.value) - left:.1f}" '
            f'height="16" fill="{colour}"/>'
        )
        if bar.low is not None and bar.high is not None:
            low, high, mid = x(bar.low), x(bar.high), bar_top + 8
            parts.append(
                f'<path d="M{low:.1f} {mid}H{high:.1f}M{low:.1f} {mid - 6}V{mid + 6}'
                f'M{high:.1f} {mid - 6}V{mid + 6}" stroke="{WHISKER_COLOUR}" '
                f'stroke-width="1.5" fill="none"/>'
            )
        parts.append(
            f'<text x="{width - right_pad + 6}" y="{bar_top + 13}" font-size="12" '
            f'fill="#1a1a1a">{_pct(bar.value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_line(points: Sequence[Point], title: str, width: int = 420) -> str:
    """A line through the monthly values with the interval as a shaded band."""
    height, left, right, top, bottom = 200, 34, 22, 12, 30
    known = [p for p in points if p.value is not None]
    floor = min([p.low for p in known if p.low is not None] + [0.5])
    floor = max(0.0, (int(floor * 10)) / 10)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        share = (min(max(value, floor), 1.0) - floor) / (1.0 - floor or 1.0)
        return left + i * step, top + plot_h * (1 - share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    ticks = 5
    for k in range(ticks + 1):
        value = floor + (1.0 - floor) * k / ticks
        _, y = xy(0, value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/><text x="{left - 6}" y="{y + 4:.1f}" '
            f'font-size="11" text-anchor="end" fill="#444">{round(value * 100)}</text>'
        )
    for segment in _runs(points):
        upper = [xy(i, p.high) for i, p in segment if p.high is not None]
        lower = [xy(i, p.low) for i, p in reversed(segment) if p.low is not None]
        if upper and lower:
            polygon = " ".join(f"{px:.1f},{py:.1f}" for px, py in upper + lower)
            parts.append(f'<polygon points="{polygon}" fill="{BAND_COLOUR}"/>')
        line = " ".join(
            f"{px:.1f},{py:.1f}" for px, py in (xy(i, p.value or 0) for i, p in segment)
        )
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{BAR_COLOUR}" '
            f'stroke-width="2.5"/>'
        )
        for i, p in segment:
            px, py = xy(i, p.value or 0)
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{BAR_COLOUR}"/>'
            )
    for i, p in enumerate(points):
        if p.partial and p.value is not None:
            parts.append(_partial_point(xy(i, p.value), p, xy))
    every = max(1, len(points) // 6)
    last = len(points) - 1
    for i, p in enumerate(points):
        # Every few months, and the last, which no other label may crowd.
        if i == last or (i % every == 0 and last - i >= every):
            px, _ = xy(i, floor)
            parts.append(
                f'<text x="{px:.1f}" y="{height - 12}" font-size="11" '
                f'text-anchor="middle" fill="#444">{escape(p.label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _partial_point(
    at: tuple[float, float],
    point: Point,
    xy: Callable[[int, float], tuple[float, float]],
) -> str:
    """The month so far: a hollow circle on a dashed interval line."""
    px, py = at
    whisker = ""
    if point.low is not None and point.high is not None:
        _, low = xy(0, point.low)
        _, high = xy(0, point.high)
        whisker = (
            f'<line x1="{px:.1f}" y1="{low:.1f}" x2="{px:.1f}" y2="{high:.1f}" '
            f'stroke="{BAR_COLOUR}" stroke-width="1.5" stroke-dasharray="3 3"/>'
        )
    return whisker + (
        f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#fff" '
        f'stroke="{BAR_COLOUR}" stroke-width="2" class="partial-month"/>'
    )


def _runs(points: Sequence[Point]) -> list[list[tuple[int, Point]]]:
    """Consecutive whole months with a value; a month without data (or the
    month so far) breaks the line."""
    runs: list[list[tuple[int, Point]]] = [[]]
    for i, point in enumerate(points):
        if point.value is None or point.partial:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((i, point))
    return [run for run in runs if run]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
