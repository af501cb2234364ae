"""The PDF report's type, colours, headings and tables, shared by its parts."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace

from surveyapp.reports.tables import Cell
from surveyapp.web.language import percent

# The family every part of the PDF writes in: the language's font (PDF_FONTS).
FONT = "Text"


# The Vietnamese font, for what another language's font lacks: agency names and
# untranslated wording are Vietnamese.
FALLBACK_FONT = "Vietnamese"


BAR_RGB = (11, 79, 156)


THIN_RGB = (154, 168, 182)


BAND_RGB = (185, 211, 240)


GRID_RGB = (213, 219, 225)


INK_RGB = (26, 26, 26)


def shown_share(value: Cell) -> str:
    """A share for print: "85,3 %", or "—" when missing or suppressed.

    The tables hold published rows, where the reliability rules have already
    blanked what may not be shown.
    """
    if not isinstance(value, float):
        return "—"
    return percent(value)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# A heading needs this much room under it (mm), or it starts the next page.
HEADING_ROOM = 30.0
# A one-line heading's own height (mm): a gap of 3 and a line of 7.
HEADING_HEIGHT = 10.0


def heading(pdf: FPDF, text: str, size: int = 13, room: float = HEADING_ROOM) -> None:
    """`text` in bold; on the next page when fewer than `room` mm (the heading
    and what must stay with it, at least HEADING_ROOM) are left on this one."""
    if pdf.get_y() + max(room, HEADING_ROOM) > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)


def pdf_table(
    pdf: FPDF, headings: list[str], rows: list[list[str]], widths: list[float]
) -> None:
    pdf.set_font(FONT, "", 8)
    # The charts leave their colours as the fill colour; tables set their own.
    pdf.set_fill_color(255, 255, 255)
    pdf.set_text_color(*INK_RGB)
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=4.5,
        repeat_headings=1,
        width=sum(widths),
        align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=(222, 231, 241)),
        cell_fill_color=(245, 247, 250),
        cell_fill_mode="ROWS",
    ) as table:
        header = table.row()
        for text in headings:
            header.cell(text)
        for values in rows:
            line = table.row()
            for value in values:
                line.cell(value)
