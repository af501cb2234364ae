"""Build upload files and post them like a browser would."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.extensions import db
from surveyapp.models import Agency, DossierCount, ServiceField

INDEX = "/quan-ly/ho-so/"
UPLOAD = "/quan-ly/ho-so/tai-len"
TEMPLATE = "/quan-ly/ho-so/mau"
HEADER = ("agency_code", "service_field_code", "year", "month", "dossiers")
YEAR = date.today().year - 1
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

Key = tuple[str, str, int, int]


def csv_bytes(
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    bom: bool = True,
) -> bytes:
    """A CSV file as Excel's "CSV UTF-8" writes it (BOM, CRLF)."""
    lines = [delimiter.join(str(cell) for cell in row) for row in [header, *rows]]
    text = "\r\n".join(lines) + "\r\n"
    return text.encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(
    rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER
) -> bytes:
    """An XLSX workbook whose first sheet holds `header` and `rows`."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.close()
    return buffer.getvalue()


# The probe's file: a few KB that declare 5,000 rows of 16,384 columns.
HUGE_DIMENSION = "A1:XFD5000"


def crafted_xlsx(dimension: str | None, last_row: int, last_column: str = "B") -> bytes:
    """A workbook with cells in row 1 and `last_row` only, its dimension rewritten.

    `dimension` None drops the dimension element, as some software writes.
    """
    source = io.BytesIO(xlsx_bytes([], header=("counter_code", "dossier_code")))
    crafted = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(crafted, "w") as copy:
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                xml = content.decode()
                far_row = (
                    f'<row r="{last_row}"><c r="{last_column}{last_row}" '
                    f't="inlineStr"><is><t>far</t></is></c></row>'
                )
                xml = xml.replace("</sheetData>", far_row + "</sheetData>")
                replacement = f'<dimension ref="{dimension}"/>' if dimension else ""
                xml = re.sub(r"<dimension [^>]*/>", replacement, xml)
                content = xml.encode()
            copy.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return crafted.getvalue()


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the upload form."""
    found = CSRF.search(client.get(INDEX).get_data(as_text=True))
    assert found is not None
    return found.group(1)


def upload(client: FlaskClient, content: bytes, filename: str) -> TestResponse:
    """Post `content` as the upload form's file, in English."""
    return client.post(
        f"{UPLOAD}?lang=en",
        data={
            "csrf_token": csrf_token(client),
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def post_without_file(client: FlaskClient) -> TestResponse:
    """Post the upload form with no file chosen."""
    return client.post(
        f"{UPLOAD}?lang=en",
        data={"csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )


def stored(app: Flask) -> dict[Key, int]:
    """Stored counts: (agency code, service field code, year, month) -> dossiers."""
    with app.app_context():
        rows = db.session.execute(
            select(
                Agency.code,
                ServiceField.code,
                DossierCount.year,
                DossierCount.month,
                DossierCount.dossiers,
            )
            .join(Agency, Agency.id == DossierCount.agency_id)
            .join(ServiceField, ServiceField.id == DossierCount.service_field_id)
        ).tuples()
        return {(a, f, y, m): n for a, f, y, m, n in rows}
