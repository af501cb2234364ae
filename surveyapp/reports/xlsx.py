"""The yearly report as an XLSX workbook: a sheet per table, under bold, frozen,
filterable headings, with number formats by column kind.

Cells keep full precision (shares as fractions shown with a ``0.0 %`` format).
openpyxl lays the workbook out (sheets, widths, panes, filters, styles); the
cells themselves are written straight into each sheet's XML, because openpyxl's
objects for each cell cost seconds for the tens of thousands of comments a
province receives in a year."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import Cell as SheetCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from surveyapp.reports.comments import comments_table
from surveyapp.reports.method import method_table
from surveyapp.reports.report import Report
from surveyapp.reports.sheets import change_table, indicator_table, trend_table
from surveyapp.reports.tables import (
    DATETIME_FORMAT,
    POINTS_FORMAT,
    RATING_FORMAT,
    SE_FORMAT,
    SHARE_FORMAT,
    Cell,
    Column,
    Table,
    pooled_table,
    ranking_table,
    result_table,
)

NUMBER_FORMATS = {
    "share": SHARE_FORMAT,
    "se": SE_FORMAT,
    "points": POINTS_FORMAT,
    "rating": RATING_FORMAT,
    "datetime": DATETIME_FORMAT,
}


# A cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets (OWASP "CSV injection"); citizens' comments can start so.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


HEADING_FONT = Font(bold=True)


# Day 0 of spreadsheet dates (with Excel's 1900 leap-year bug folded in).
SPREADSHEET_EPOCH = datetime(1899, 12, 30)


SHEET_DATA = re.compile(r"<sheetData>.*?</sheetData>|<sheetData\s*/>", re.S)


def neutralised(text: str) -> str:
    """`text` as text to a spreadsheet: a leading apostrophe before a formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def workbook_tables(report: Report) -> list[Table]:
    """The sheets of the XLSX file, in order: rankings, factors, criteria, the
    versions pooled, QĐ 766, trend, change, comments, method."""
    around = (indicator_table(report), trend_table(report), change_table(report))
    return [
        *(ranking_table(report, depth) for depth in range(1, len(report.rankings) + 1)),
        result_table(report, "factor"),
        result_table(report, "criterion"),
        *([pooled_table(report)] if report.pooled_rows else []),
        *(table for table in around if table is not None),
        comments_table(report.agency, report.year),
        method_table(report),
    ]


def build_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook, one sheet per table."""
    book = Workbook()
    book.remove(book.active)
    sheet_data = []
    for table in workbook_tables(report):
        sheet = book.create_sheet(_sheet_title(table.title))
        _lay_out(sheet, table)
        sheet_data.append(_sheet_data(table, *_style_ids(sheet, table.columns)))
    out = io.BytesIO()
    book.save(out)
    return _with_sheet_data(out.getvalue(), sheet_data)


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def _lay_out(sheet: Worksheet, table: Table) -> None:
    """Widths, the frozen heading row and the filter over every row."""
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    last = f"{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"
    # Empty cells at both corners give the sheet its dimension (readers that
    # stream a sheet trust it).
    sheet.cell(row=1, column=1)
    sheet.cell(row=len(table.rows) + 1, column=len(table.columns))


def _style_ids(sheet: Worksheet, columns: Sequence[Column]) -> tuple[int, list[int]]:
    """The workbook's style numbers of the heading and of each column's cells."""
    heading = SheetCell(sheet)
    heading.font = HEADING_FONT
    ids = []
    for column in columns:
        cell = SheetCell(sheet)
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format:
            cell.number_format = number_format
        ids.append(cell.style_id)
    return heading.style_id, ids


def _sheet_data(table: Table, heading_style: int, styles: list[int]) -> str:
    letters = [get_column_letter(i) for i in range(1, len(table.columns) + 1)]
    kinds = [column.kind for column in table.columns]
    headings = "".join(
        _cell_xml(f"{letter}1", column.heading, "heading", heading_style)
        for letter, column in zip(letters, table.columns, strict=True)
    )
    parts = ["<sheetData>", f'<row r="1">{headings}</row>']
    for number, row in enumerate(table.rows, start=2):
        cells = "".join(
            _cell_xml(f"{letter}{number}", value, kind, style)
            for letter, value, kind, style in zip(
                letters, row, kinds, styles, strict=True
            )
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData>")
    return "".join(parts)


def _cell_xml(ref: str, value: Cell, kind: str, style: int) -> str:
    """One cell of sheet XML; nothing for an empty value."""
    if value is None:
        return ""
    styled = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return _text_xml(ref, value, kind, styled)
    if isinstance(value, datetime):
        days = (value - SPREADSHEET_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}"{styled}><v>{days!r}</v></c>'
    if not math.isfinite(value):
        return ""
    return f'<c r="{ref}"{styled}><v>{value!r}</v></c>'


def _text_xml(ref: str, value: str, kind: str, styled: str) -> str:
    inline = _inline_text(value, kind == "text")
    return f'<c r="{ref}"{styled} t="inlineStr">{inline}</c>' if inline else ""


# Names of service points and counters repeat on every comment's row.
@lru_cache(maxsize=4096)
def _inline_text(value: str, neutralise: bool) -> str:
    # Control characters cannot be stored in the XML of a sheet.
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text:
        return ""
    if neutralise:
        text = neutralised(text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{escape(text)}</t></is>"


def _with_sheet_data(content: bytes, sheet_data: list[str]) -> bytes:
    """The saved workbook with each sheet's cells (openpyxl numbers the sheets'
    files in order: xl/worksheets/sheet1.xml, ...)."""
    parts = {f"xl/worksheets/sheet{i}.xml": xml for i, xml in enumerate(sheet_data, 1)}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename in parts:
                xml = data.decode("utf-8")
                found = SHEET_DATA.search(xml)
                if found is None:
                    raise RuntimeError(f"no sheetData in {item.filename}")
                cells = parts.pop(item.filename)
                data = (xml[: found.start()] + cells + xml[found.end() :]).encode()
            target.writestr(item, data)
    if parts:
        raise RuntimeError(f"sheets not found in the workbook: {sorted(parts)}")
    return out.getvalue()
