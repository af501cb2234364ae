"""The yearly report as a printable PDF: title block, factor chart, tables, method.

Shares are printed as percentages; suppressed estimates are hidden, as on the
dashboard."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import TTFFont

from surveyapp.analysis.publication import flag_label
from surveyapp.models import SOURCE_LANGUAGE
from surveyapp.reports.method import method_table, status_lines
from surveyapp.reports.pdf_layout import (
    BAR_RGB,
    FALLBACK_FONT,
    FONT,
    HEADING_HEIGHT,
    THIN_RGB,
    heading,
    pdf_table,
    shorten,
    shown_share,
)
from surveyapp.reports.pdf_year import (
    pdf_change_table,
    pdf_indicator_766,
    pdf_previous_year_line,
    pdf_trend,
)
from surveyapp.reports.report import Report
from surveyapp.reports.tables import (
    Cell,
    Table,
    pooled_table,
    ranking_table,
    result_table,
)
from surveyapp.web.language import percent

logger = logging.getLogger(__name__)


class _ReportPdf(FPDF):
    """A4 portrait with the report's title in the footer."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)


def build_pdf(report: Report, language: str = SOURCE_LANGUAGE) -> bytes:
    """A printable report in `language`'s font (its labels and wording are the
    caller's: the current locale, :func:`~surveyapp.reports.report.in_language`):
    status, overall index, factor chart, tables, method."""
    pdf = _ReportPdf(orientation="P", unit="mm", format="A4")
    pdf.footer_text = f"{report.name} · {report.year}"
    _add_fonts(pdf, language)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(f"{report.name} {report.year}")
    pdf.add_page()
    _pdf_title_block(pdf, report)
    pdf_trend(pdf, report)
    pdf_indicator_766(pdf, report)
    _pdf_factor_chart(pdf, report)
    pdf_change_table(pdf, report)
    _pdf_factor_table(pdf, report)
    if report.pooled_rows:
        _pdf_pooled_table(pdf, report)
    for depth in range(1, len(report.rankings) + 1):
        _pdf_ranking(pdf, ranking_table(report, depth), report.questionnaire)
    _pdf_method(pdf, report)
    content = bytes(pdf.output())
    _warn_missing_glyphs(pdf, language)
    return content


def _add_fonts(pdf: FPDF, language: str) -> None:
    """The language's fonts (PDF_FONTS, checked at start-up); when they are not
    the Vietnamese ones, those fill in the characters they lack."""
    fonts: dict[str, tuple[str, str]] = current_app.config["PDF_FONTS"]
    regular, bold = fonts.get(language, fonts[SOURCE_LANGUAGE])
    pdf.add_font(FONT, "", regular)
    pdf.add_font(FONT, "B", bold)
    if (regular, bold) != fonts[SOURCE_LANGUAGE]:
        fallback_regular, fallback_bold = fonts[SOURCE_LANGUAGE]
        pdf.add_font(FALLBACK_FONT, "", fallback_regular)
        pdf.add_font(FALLBACK_FONT, "B", fallback_bold)
        pdf.set_fallback_fonts([FALLBACK_FONT])


def _warn_missing_glyphs(pdf: FPDF, language: str) -> None:
    """Characters that no font had are printed as empty boxes: say which, and
    for which language, so that PDF_FONTS gets a font that has them."""
    missing = sorted(
        {
            chr(code)
            for font in pdf.fonts.values()
            if isinstance(font, TTFFont)
            for code in font.missing_glyphs
        }
    )
    if missing:
        logger.warning(
            "The %r PDF report has characters its fonts lack, printed as boxes: "
            "%s; set PDF_FONTS[%r] to a font that has them",
            language,
            " ".join(f"{char} (U+{ord(char):04X})" for char in missing[:20]),
            language,
        )


def _pdf_title_block(pdf: FPDF, report: Report) -> None:
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, report.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(
        0,
        6,
        _("SIPAS-style service satisfaction — not the official SIPAS"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    facts = [
        (_("Agency code"), report.agency),
        (_("Year"), str(report.year)),
        (_("Questionnaire"), f"{report.questionnaire} — {report.questionnaire_title}"),
        (_("Responses"), str(report.response_count)),
        *status_lines(report)[:3],
    ]
    for label, text in facts:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(55, 6, label)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    overall = report.overall
    heading(pdf, _("Overall index"))
    if overall is None or overall["estimate"] is None:
        pdf.cell(0, 6, "—", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(FONT, "B", 22)
    pdf.cell(0, 11, shown_share(overall["estimate"]))
    pdf.ln(11)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(
        0,
        6,
        _(
            "Confidence interval (%(level)s): %(low)s – %(high)s; reliability: "
            "%(flag)s",
            level=percent(report.level, 0),
            low=percent(overall["ci_low"]),
            high=percent(overall["ci_high"]),
            flag=flag_label(overall["flag"]),
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf_previous_year_line(pdf, report)


def _pdf_factor_chart(pdf: FPDF, report: Report) -> None:
    """Bars 0–100 % with interval whiskers, drawn with PDF primitives."""
    factors = [
        r
        for r in report.published_rows
        if r["domain"] == report.agency and r["level"] == "factor"
    ]
    if not factors:
        return
    label_w, plot_w, row_h = 70.0, 100.0, 8.0
    # The heading goes over the page with its chart, never alone at the foot
    # (the chart: a row per factor and the axis, and 4 mm to spare).
    heading(
        pdf,
        _("Factor indices with %(level)s confidence intervals", level="95 %"),
        room=HEADING_HEIGHT + row_h * (len(factors) + 1) + 4,
    )
    left = pdf.l_margin + label_w
    top = pdf.get_y() + 4
    pdf.set_font(FONT, "", 7)
    pdf.set_draw_color(213, 219, 225)
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + plot_w * tick
        pdf.line(x, top - 1, x, top + row_h * len(factors))
        pdf.text(x - 3, top - 2, f"{int(tick * 100)} %")
    for i, row in enumerate(factors):
        y = top + i * row_h
        pdf.set_font(FONT, "", 8)
        pdf.set_xy(pdf.l_margin, y + 1)
        pdf.cell(
            label_w - 2, 5, shorten(report.labels.get(row["code"], row["code"]), 44)
        )
        estimate = row["estimate"]
        if estimate is None:
            continue
        thin = row["flag"] != "ok"
        pdf.set_fill_color(*(THIN_RGB if thin else BAR_RGB))
        pdf.rect(left, y + 1.5, plot_w * min(max(estimate, 0.0), 1.0), 4.5, style="F")
        if row["ci_low"] is not None and row["ci_high"] is not None:
            low = left + plot_w * max(row["ci_low"], 0.0)
            high = left + plot_w * min(row["ci_high"], 1.0)
            mid = y + 3.75
            pdf.set_draw_color(26, 26, 26)
            pdf.line(low, mid, high, mid)
            pdf.line(low, mid - 2, low, mid + 2)
            pdf.line(high, mid - 2, high, mid + 2)
            pdf.set_draw_color(213, 219, 225)
        pdf.set_xy(left + plot_w + 2, y + 1)
        pdf.cell(20, 5, percent(estimate))
    pdf.set_xy(pdf.l_margin, top + row_h * len(factors) + 2)


def _pdf_factor_table(pdf: FPDF, report: Report) -> None:
    """The report agency's index, factors and criteria."""
    heading(pdf, _("Factors and criteria"))
    factors = result_table(report, "factor", [report.agency])
    criteria = result_table(report, "criterion", [report.agency])
    rows = []
    for row in factors.rows:
        rows.append(_pdf_result_cells(row))
        prefix = f"{row[3]}."
        rows.extend(
            _pdf_result_cells(c) for c in criteria.rows if str(c[3]).startswith(prefix)
        )
    headings = [
        factors.columns[4].heading + " / " + criteria.columns[4].heading,
        factors.columns[5].heading,
        _("Interval (%(level)s)", level=percent(report.level, 0)),
        factors.columns[10].heading,
        factors.columns[12].heading,
    ]
    pdf_table(pdf, headings, rows, [84, 18, 34, 16, 28])


def _pdf_pooled_table(pdf: FPDF, report: Report) -> None:
    """The report agency's index and factors over every questionnaire version."""
    table = pooled_table(report, [report.agency])
    heading(pdf, table.title)
    headings = [
        table.columns[4].heading,
        table.columns[5].heading,
        _("Interval (%(level)s)", level=percent(report.level, 0)),
        table.columns[10].heading,
        table.columns[12].heading,
    ]
    rows = [_pdf_result_cells(row) for row in table.rows]
    pdf_table(pdf, headings, rows, [84, 18, 34, 16, 28])


def _pdf_result_cells(row: list[Cell]) -> list[str]:
    interval = "—"
    if shown_share(row[5]) != "—":
        interval = f"{shown_share(row[6])} – {shown_share(row[7])}"
    return [str(row[4]), shown_share(row[5]), interval, str(row[10]), str(row[12])]


def _pdf_ranking(pdf: FPDF, table: Table, questionnaire: str) -> None:
    heading(pdf, table.title)
    headings = [table.columns[i].heading for i in (7, 1, 2)] + [
        _("Interval"),
        table.columns[5].heading,
        table.columns[6].heading,
        table.columns[8].heading,
    ]
    rows = [
        [
            str(row[7]),
            # A unit ranked on another version's index says so by its name.
            str(row[1]) if row[11] == questionnaire else f"{row[1]} ({row[11]})",
            shown_share(row[2]),
            f"{shown_share(row[3])} – {shown_share(row[4])}"
            if shown_share(row[2]) != "—"
            else "—",
            str(row[5]),
            shown_share(row[6]),
            str(row[8]),
        ]
        for row in table.rows
    ]
    pdf_table(pdf, headings, rows, [20, 56, 16, 32, 14, 16, 26])


def _pdf_method(pdf: FPDF, report: Report) -> None:
    table = method_table(report)
    heading(pdf, table.title)
    pdf_table(
        pdf,
        [c.heading for c in table.columns],
        [[str(cell) for cell in row] for row in table.rows],
        [50, 130],
    )
