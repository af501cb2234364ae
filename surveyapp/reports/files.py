"""The yearly report's files: XLSX (:mod:`~surveyapp.reports.xlsx`), CSV and PDF.

The CSV (one tidy table, UTF-8 with BOM) is what the page shows: its language,
its rounding (:mod:`surveyapp.web.language`); the raw numbers for analysts come
from ``flask responses export``. Text that a spreadsheet would run as a formula
is neutralised, as in the XLSX."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from datetime import datetime

from surveyapp.models import SOURCE_LANGUAGE
from surveyapp.reports.pdf import build_pdf
from surveyapp.reports.report import Report, in_language
from surveyapp.reports.tables import Cell, Column, tidy_table
from surveyapp.reports.xlsx import build_xlsx, neutralised
from surveyapp.web.language import rounded

FORMATS: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


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


def render(report: Report, file_format: str, language: str = SOURCE_LANGUAGE) -> bytes:
    """The report in `file_format` (a key of :data:`FORMATS`), its wording in
    `language` (its interface text in the current locale)."""
    builders: dict[str, Callable[[Report], bytes]] = {
        "xlsx": build_xlsx,
        "csv": build_csv,
        "pdf": lambda worded: build_pdf(worded, language),
    }
    return builders[file_format](in_language(report, language))


def file_name(report: Report, file_format: str) -> str:
    return f"sipas-{report.agency}-{report.year}-{report.questionnaire}.{file_format}"
