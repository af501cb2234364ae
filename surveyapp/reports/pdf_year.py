"""The PDF's year around the results: the change since the previous year, the
monthly trend with its band and QĐ 766, drawn with PDF primitives.

Every number comes from the :class:`Report` through the same helpers as the XLSX
sheets (:mod:`surveyapp.reports.sheets`) and the dashboard's formatting."""

from __future__ import annotations

from flask_babel import gettext as _
from fpdf import FPDF

from surveyapp.analysis.trend import axis_floor, line_runs
from surveyapp.reports.pdf_layout import (
    BAND_RGB,
    BAR_RGB,
    FONT,
    GRID_RGB,
    HEADING_HEIGHT,
    INK_RGB,
    heading,
    pdf_table,
    shorten,
    shown_share,
)
from surveyapp.reports.report import Report, TrendEntry
from surveyapp.reports.sheets import change_rows, month_label, significance
from surveyapp.scoring import ResultRow
from surveyapp.scoring.change import Difference
from surveyapp.web.language import percent, points

CHART_HEIGHT = 55.0


def change_text(change: Difference | None) -> str:
    """ "+2,2 [+0,5; +3,9] ▲ significant increase", as the dashboard shows it."""
    if change is None:
        return "—"
    text = (
        f"{points(change.estimate)} [{points(change.ci_low)}; {points(change.ci_high)}]"
    )
    marker = significance(change.estimate, change.significant)
    return f"{text} {marker}" if marker else text


def pdf_previous_year_line(pdf: FPDF, report: Report) -> None:
    """Under the overall index: last year's index and the change since."""
    if not report.previous_rows:
        return
    previous = report.previous_row("SIPAS")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(
        0,
        6,
        _(
            "%(period)s: %(value)s",
            period=report.year - 1,
            value=shown_share(previous["estimate"] if previous else None),
        )
        + " · "
        + _("change (percentage points, %(level)s interval)", level="95 %")
        + ": "
        + change_text(report.change("SIPAS")),
        new_x="LMARGIN",
        new_y="NEXT",
    )


def pdf_change_table(pdf: FPDF, report: Report) -> None:
    """The index and factors of both years with the change and its interval."""
    if not report.previous_rows:
        return
    heading(pdf, _("Change since previous year"))
    rows = [
        [label, shown_share(now), shown_share(then), change_text(change)]
        for _code, label, now, then, change in change_rows(report)
    ]
    headings = [
        _("Factor"),
        str(report.year),
        str(report.year - 1),
        _("change (percentage points, %(level)s interval)", level="95 %"),
    ]
    pdf_table(pdf, headings, rows, [78, 18, 18, 66])


def pdf_indicator_766(pdf: FPDF, report: Report) -> None:
    """QĐ 766 with its exact interval and the dossiers it counts."""
    indicator = report.indicator
    if indicator is None:
        return
    heading(pdf, _("Satisfaction in receiving and handling procedures (QĐ 766)"))
    if indicator.share is None:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(
            0,
            6,
            _("No dossier has been rated with a receipt QR code in this period."),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return
    pdf.set_font(FONT, "B", 18)
    pdf.cell(0, 9, percent(indicator.share), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    lines = [
        _("Confidence interval (%(level)s)", level="95 %")
        + f": {percent(indicator.ci_low)} – {percent(indicator.ci_high)}",
        f"{_('Dossiers rated with a receipt QR code')}: {indicator.rated} · "
        f"{_('dissatisfied (a factor below 3)')}: {indicator.dissatisfied}",
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")


def pdf_trend(pdf: FPDF, report: Report) -> None:
    """The monthly index as a line in its band, then the months as a table."""
    if not report.trend:
        return
    # The heading goes over the page with its chart and the months' labels
    # under it (12 mm), never alone at the foot; 4 mm to spare.
    heading(
        pdf,
        _("Monthly SIPAS-style index with its %(level)s confidence band", level="95 %"),
        room=HEADING_HEIGHT + CHART_HEIGHT + 16,
    )
    _draw_trend(pdf, report, pdf.get_y() + 3)
    rows = [
        [
            month_label(entry.month, report),
            shown_share(entry.row["estimate"] if entry.row else None),
            f"{shown_share(entry.row['ci_low'])} – {shown_share(entry.row['ci_high'])}"
            if entry.row and entry.row["estimate"] is not None
            else "—",
            str(entry.row["n"] if entry.row else 0),
        ]
        for entry in report.trend
    ]
    headings = [_("Month"), _("Index"), _("Interval"), _("Responses")]
    pdf_table(pdf, headings, rows, [30, 22, 40, 22])


class _TrendFrame:
    """Where a share of a month falls on the page (mm)."""

    def __init__(self, pdf: FPDF, trend: list[TrendEntry], top: float) -> None:
        self.floor = axis_floor(
            e.row["ci_low"] for e in trend if e.row and e.row["ci_low"] is not None
        )
        self.left, self.top = pdf.l_margin + 10, top
        self.width, self.height = 160.0, CHART_HEIGHT - 10
        self.step = self.width / max(len(trend) - 1, 1)

    def x(self, month: int) -> float:
        return self.left + month * self.step

    def y(self, share: float) -> float:
        scaled = (min(max(share, self.floor), 1.0) - self.floor) / (
            1.0 - self.floor or 1.0
        )
        return self.top + self.height * (1 - scaled)


def _draw_trend(pdf: FPDF, report: Report, top: float) -> None:
    frame = _TrendFrame(pdf, report.trend, top)
    pdf.set_font(FONT, "", 7)
    pdf.set_draw_color(*GRID_RGB)
    pdf.set_line_width(0.2)
    for k in range(6):
        share = frame.floor + (1.0 - frame.floor) * k / 5
        pdf.line(frame.left, frame.y(share), frame.left + frame.width, frame.y(share))
        pdf.text(frame.left - 8, frame.y(share) + 1, str(round(share * 100)))
    so_far = report.month_so_far
    for run in line_runs(report.trend, lambda e: _joined(e, so_far)):
        _draw_run(pdf, frame, run)
    for i, entry in enumerate(report.trend):
        if entry.month == so_far and entry.row is not None:
            _draw_partial(pdf, frame, i, entry.row)
        label = shorten(month_label(entry.month, report, short=True), 10)
        pdf.set_text_color(68, 68, 68)
        pdf.text(
            frame.x(i) - pdf.get_string_width(label) / 2, top + frame.height + 5, label
        )
    pdf.set_text_color(*INK_RGB)
    pdf.set_line_width(0.2)
    pdf.set_xy(pdf.l_margin, top + CHART_HEIGHT)


def _joined(entry: TrendEntry, so_far: str | None) -> bool:
    """A whole month with an estimate: a gap (or the month so far) breaks the line."""
    return (
        entry.row is not None
        and entry.row["estimate"] is not None
        and entry.month != so_far
    )


def _draw_run(pdf: FPDF, frame: _TrendFrame, run: list[tuple[int, TrendEntry]]) -> None:
    rows = [(i, e.row) for i, e in run if e.row is not None]
    upper = [
        (frame.x(i), frame.y(r["ci_high"])) for i, r in rows if r["ci_high"] is not None
    ]
    lower = [
        (frame.x(i), frame.y(r["ci_low"]))
        for i, r in reversed(rows)
        if r["ci_low"] is not None
    ]
    if len(upper) > 1 and len(lower) > 1:
        pdf.set_fill_color(*BAND_RGB)
        pdf.polygon(upper + lower, style="F")
    line = [(frame.x(i), frame.y(r["estimate"] or 0.0)) for i, r in rows]
    pdf.set_draw_color(*BAR_RGB)
    pdf.set_fill_color(*BAR_RGB)
    pdf.set_line_width(0.7)
    if len(line) > 1:
        pdf.polyline(line)
    for x, y in line:
        pdf.circle(x, y, 0.9, style="F")


def _draw_partial(pdf: FPDF, frame: _TrendFrame, i: int, row: ResultRow) -> None:
    """The month so far: a hollow point on a dashed interval line."""
    estimate = row["estimate"]
    if estimate is None:
        return
    x = frame.x(i)
    pdf.set_draw_color(*BAR_RGB)
    pdf.set_line_width(0.4)
    if row["ci_low"] is not None and row["ci_high"] is not None:
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.line(x, frame.y(row["ci_low"]), x, frame.y(row["ci_high"]))
        pdf.set_dash_pattern()
    pdf.set_fill_color(255, 255, 255)
    pdf.circle(x, frame.y(estimate), 1.2, style="DF")
