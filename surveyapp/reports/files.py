"""The yearly report as XLSX (a sheet per table) or CSV (one tidy table, with BOM).

XLSX cells keep full precision (shares as fractions shown with a ``0.0 %``
format), under bold, frozen, filterable headings. The CSV is what the page
shows: its language, its rounding (:mod:`surveyapp.web.language`); the raw
numbers for analysts come from ``flask responses export``. Text that a
spreadsheet would run as a formula is neutralised in both."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from surveyapp.reports.comments import comments_table
from surveyapp.reports.method import method_table
from surveyapp.reports.pdf import build_pdf
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
    tidy_table,
)
from surveyapp.web.language import rounded

FORMATS: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


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


def neutralised(text: str) -> str:
    """`text` as text to a spreadsheet: a leading apostrophe before a formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def build_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook, one sheet per table."""
    book = Workbook()
    book.remove(book.active)
    for table in workbook_tables(report):
        _write_sheet(book.create_sheet(_sheet_title(table.title)), table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_sheet(sheet: Worksheet, table: Table) -> None:
    """Bold headings frozen above an autofilter, number formats by column kind."""
    sheet.append([column.heading for column in table.columns])
    for cell in sheet[1]:
        cell.font = HEADING_FONT
    texts = [i for i, column in enumerate(table.columns) if column.kind == "text"]
    for row in table.rows:
        values = list(row)
        for i in texts:
            if isinstance(values[i], str):
                values[i] = _xlsx_text(values[i])  # type: ignore[arg-type]
        sheet.append(values)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format and table.rows:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"


def _xlsx_text(text: str) -> str:
    # Control characters cannot be stored in the XML of a sheet.
    return neutralised(ILLEGAL_CHARACTERS_RE.sub("", text))


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def format_csv_cell(value: Cell, kind: str) -> str:
    """A value as the page shows it: rounded, in the page's language."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, str):
        return neutralised(value)
    if kind == "share":
        return rounded(100 * value)
    if kind == "se":
        return rounded(100 * value, 2)
    if kind in ("number", "points"):
        return rounded(value)
    if kind == "rating":
        return rounded(value, 2)
    return str(value)


def csv_heading(column: Column) -> str:
    """Shares are written as percentages: their headings say so."""
    return f"{column.heading} (%)" if column.kind in ("share", "se") else column.heading


def build_csv(report: Report) -> bytes:
    """The tidy table as CSV, UTF-8 with a BOM so Excel reads Vietnamese text."""
    table = tidy_table(report)
    kinds = [column.kind for column in table.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_heading(column) for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                format_csv_cell(value, kind)
                for value, kind in zip(row, kinds, strict=True)
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def render(report: Report, file_format: str) -> bytes:
    """The report in `file_format` (a key of :data:`FORMATS`)."""
    builders: dict[str, Callable[[Report], bytes]] = {
        "xlsx": build_xlsx,
        "csv": build_csv,
        "pdf": build_pdf,
    }
    return builders[file_format](report)


def file_name(report: Report, file_format: str) -> str:
    return f"sipas-{report.agency}-{report.year}-{report.questionnaire}.{file_format}"


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
