"""The yearly report as XLSX (a sheet per table) or CSV (one tidy table, with BOM).

Shares stay fractions in [0, 1]: full precision in CSV and as XLSX cell values,
shown with a ``0.0 %`` number format."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from surveyapp.reports.method import method_table
from surveyapp.reports.pdf import build_pdf
from surveyapp.reports.report import Report
from surveyapp.reports.tables import (
    SE_FORMAT,
    SHARE_FORMAT,
    Cell,
    Table,
    pooled_table,
    ranking_table,
    result_table,
    tidy_table,
)

FORMATS: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def build_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook, one sheet per table."""
    book = Workbook()
    book.remove(book.active)
    for table in workbook_tables(report):
        sheet = book.create_sheet(_sheet_title(table.title))
        sheet.append([column.heading for column in table.columns])
        for row in table.rows:
            sheet.append(list(row))
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            number_format = {"share": SHARE_FORMAT, "se": SE_FORMAT}.get(column.kind)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def format_csv_cell(value: Cell) -> str:
    """Full precision: floats as the shortest text that reads back exactly."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def build_csv(report: Report) -> bytes:
    """The tidy table as CSV, UTF-8 with a BOM so Excel reads Vietnamese text."""
    table = tidy_table(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.heading for column in table.columns])
    for row in table.rows:
        writer.writerow([format_csv_cell(value) for value in row])
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
    """The sheets of the XLSX file, in order: rankings, factors, criteria, method."""
    return [
        *(ranking_table(report, depth) for depth in range(1, len(report.rankings) + 1)),
        result_table(report, "factor"),
        result_table(report, "criterion"),
        *([pooled_table(report)] if report.pooled_rows else []),
        method_table(report),
    ]
