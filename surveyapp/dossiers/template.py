"""The dossier-count template: the columns, two example rows and the valid codes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveyapp.core.tree import walk_tree
from surveyapp.dossiers.importer import COLUMNS
from surveyapp.extensions import db
from surveyapp.models import SOURCE_LANGUAGE, Agency, AgencyKind, ServiceField

TEMPLATE_HEADER = tuple(names[1] for names in COLUMNS.values())
TEMPLATE_SHEET = "so_ho_so"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXAMPLE_DOSSIERS = (120, 45)


def example_rows() -> list[tuple[str, str, int, int, int]]:
    """Two example rows with real codes when the database has some."""
    agency = (
        db.session.scalars(
            select(Agency.code)
            .where(Agency.kind.in_([AgencyKind.DEPARTMENT, AgencyKind.COMMUNE]))
            .order_by(Agency.code)
            .limit(1)
        ).first()
        or db.session.scalars(select(Agency.code).order_by(Agency.code)).first()
    )
    fields = list(
        db.session.scalars(
            select(ServiceField.code)
            .order_by(ServiceField.position, ServiceField.code)
            .limit(2)
        )
    )
    fields += ["dat-dai", "ho-tich"][len(fields) :]
    today = date.today()
    year, month = (
        (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    )
    return [
        (agency or "MA-CO-QUAN", field, year, month, dossiers)
        for field, dossiers in zip(fields, EXAMPLE_DOSSIERS, strict=True)
    ]


def template_csv() -> bytes:
    """The CSV template: UTF-8 with a BOM (so Excel reads the accents), two examples."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerows(example_rows())
    return buffer.getvalue().encode("utf-8-sig")


def _append_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[int],
) -> None:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title)
    for letter, width in zip("ABCDEFG", widths, strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    bold = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append(list(row))


def template_xlsx() -> bytes:
    """The XLSX template: the counts sheet with examples, then the valid codes."""
    workbook = Workbook(write_only=True)
    _append_sheet(
        workbook, TEMPLATE_SHEET, TEMPLATE_HEADER, example_rows(), [18, 22, 8, 8, 12]
    )
    agencies = (
        (
            agency.code,
            "  " * depth + agency.name,
            agency.parent.code if agency.parent else "",
        )
        for agency, depth in walk_tree()
    )
    _append_sheet(
        workbook,
        "co_quan",
        ("ma_co_quan", "ten_co_quan", "ma_co_quan_cap_tren"),
        agencies,
        [18, 50, 22],
    )
    fields = [
        (field.code, field.name(SOURCE_LANGUAGE))
        for field in db.session.scalars(
            select(ServiceField)
            .options(selectinload(ServiceField.translations))
            .order_by(ServiceField.position, ServiceField.code)
        )
    ]
    _append_sheet(
        workbook, "linh_vuc", ("ma_linh_vuc", "ten_linh_vuc"), fields, [22, 40]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
