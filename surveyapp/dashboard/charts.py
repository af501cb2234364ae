"""Charts as inline SVG: bars with interval whiskers, a trend line with its band.

Drawn on the server, so a page needs no chart library, prints as it shows, and
reads on a phone. The same SVG goes into the PDF report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from surveyapp.analysis.trend import axis_floor, line_runs
from surveyapp.scoring.flags import NO_DATA, REVIEW, SUPPRESS

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
    floor = axis_floor(
        p.low for p in points if p.value is not None and p.low is not None
    )
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
    for segment in line_runs(points, _joined):
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


def _joined(point: Point) -> bool:
    """A whole month with a value: a month without data (or the month so far)
    breaks the line."""
    return point.value is not None and not point.partial


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class HeatCell:
    """One unit's index on one factor, as it may be shown.

    `flag` is the row's reliability flag: "review" draws the value with a mark,
    "suppress" and "no data" (value None) draw no number.
    """

    value: float | None
    flag: str


# (lowest index, fill, text colour): red where to look, blue where it goes well.
# Text on each fill has a contrast of at least 4.5:1.
HEAT_SCALE = (
    (0.9, "#2c5d9a", "#ffffff"),
    (0.8, "#91bfdb", "#1a1a1a"),
    (0.7, "#e0f3f8", "#1a1a1a"),
    (0.6, "#fee090", "#1a1a1a"),
    (0.5, "#fc8d59", "#1a1a1a"),
    (0.0, "#b2182b", "#ffffff"),
)
HIDDEN_FILL = "url(#heat-hatch)"
NO_DATA_FILL = "#ffffff"
REVIEW_MARK = "*"


def heat_colours(value: float) -> tuple[str, str]:
    """The fill and text colour of an index in [0, 1]."""
    for lowest, fill, text in HEAT_SCALE:
        if value >= lowest:
            return fill, text
    return HEAT_SCALE[-1][1], HEAT_SCALE[-1][2]


def heatmap(
    rows: Sequence[tuple[str, Sequence[HeatCell]]],
    columns: Sequence[str],
    legend: dict[str, str],
) -> str:
    """Units (rows) by factors (columns), each cell coloured by its index.

    Hidden from assistive technology: the page puts the same numbers in a table.
    `legend` words the marks, keyed by flag: REVIEW, SUPPRESS and NO_DATA.
    """
    label_width, cell_width, row_height, top = 210, 78, 30, 26
    width = label_width + cell_width * len(columns) + 4
    legend_top = top + row_height * len(rows) + 14
    height = legend_top + 4 * 22 + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-hidden="true" focusable="false" class="chart heatmap">',
        '<defs><pattern id="heat-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#eeeeee"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/>'
        "</pattern></defs>",
    ]
    for j, column in enumerate(columns):
        x = label_width + j * cell_width + cell_width / 2
        parts.append(
            f'<text x="{x:.1f}" y="{top - 8}" font-size="13" font-weight="600" '
            f'text-anchor="middle" fill="#1a1a1a">{escape(column)}</text>'
        )
    for i, (label, cells) in enumerate(rows):
        y = top + i * row_height
        parts.append(
            f'<text x="4" y="{y + 19}" font-size="12" fill="#1a1a1a">'
            f"{escape(_shorten(label, 32))}</text>"
        )
        for j, cell in enumerate(cells):
            parts.append(_heat_cell(label_width + j * cell_width, y, cell))
    parts.append(_heat_legend(legend_top, legend))
    parts.append("</svg>")
    return "".join(parts)


def _heat_cell(x: float, y: float, cell: HeatCell) -> str:
    width, height = 76, 28
    if cell.value is None:
        fill = NO_DATA_FILL if cell.flag == NO_DATA else HIDDEN_FILL
        text, colour = "—", "#444"
    else:
        fill, colour = heat_colours(cell.value)
        text = _pct(cell.value) + (REVIEW_MARK if cell.flag == REVIEW else "")
    return (
        f'<rect x="{x:.1f}" y="{y}" width="{width}" height="{height}" '
        f'fill="{fill}" stroke="#c4ccd4"/>'
        f'<text x="{x + width / 2:.1f}" y="{y + 19}" font-size="12" '
        f'text-anchor="middle" fill="{colour}">{escape(text)}</text>'
    )


def _heat_legend(top: int, legend: dict[str, str]) -> str:
    """The colour steps on one line, the marks below it."""
    parts = []
    steps = [round(lowest * 100) for lowest, _fill, _text in reversed(HEAT_SCALE)]
    labels = [f"< {steps[1]}"]
    labels += [
        f"{low}–{high}" for low, high in zip(steps[1:-1], steps[2:], strict=True)
    ]
    labels.append(f"≥ {steps[-1]}")
    for k, (lowest, label) in enumerate(zip(steps, labels, strict=True)):
        fill, colour = heat_colours(lowest / 100)
        x = 4 + k * 62
        parts.append(
            f'<rect x="{x}" y="{top}" width="58" height="18" fill="{fill}" '
            f'stroke="#c4ccd4"/><text x="{x + 29}" y="{top + 13}" font-size="11" '
            f'text-anchor="middle" fill="{colour}">{escape(label)}</text>'
        )
    marks = (
        (f"85,0{REVIEW_MARK}", "#ffffff", legend[REVIEW]),
        ("—", HIDDEN_FILL, legend[SUPPRESS]),
        ("—", NO_DATA_FILL, legend[NO_DATA]),
    )
    for k, (sample, fill, meaning) in enumerate(marks):
        y = top + 22 * (k + 1)
        parts.append(
            f'<rect x="4" y="{y}" width="58" height="18" fill="{fill}" '
            f'stroke="#c4ccd4"/><text x="33" y="{y + 13}" font-size="11" '
            f'text-anchor="middle" fill="#1a1a1a">{sample}</text>'
            f'<text x="70" y="{y + 13}" font-size="11" fill="#1a1a1a">'
            f"{escape(meaning)}</text>"
        )
    return "".join(parts)


# Answers 1..5 from red to blue, then "no opinion" left white: the bar's
# outline shows where it ends.
ANSWER_COLOURS = ("#b2182b", "#ef8a62", "#e3dccb", "#67a9cf", "#2166ac", "#ffffff")


def stacked_bar(
    shares: Sequence[float], colours: Sequence[str], width: int = 200
) -> str:
    """One bar of 100 %, split left to right into `shares` (summing to 1).

    Hidden from assistive technology: the page gives the numbers beside it.
    """
    height = 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-hidden="true" focusable="false" '
        f'class="stacked-bar">'
    ]
    x = 0.0
    for share, colour in zip(shares, colours, strict=True):
        part = width * min(max(share, 0.0), 1.0)
        if part > 0:
            parts.append(
                f'<rect x="{x:.2f}" y="0" width="{part:.2f}" height="{height}" '
                f'fill="{colour}"/>'
            )
        x += part
    parts.append(
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
        f'fill="none" stroke="#6b6b6b"/></svg>'
    )
    return "".join(parts)
