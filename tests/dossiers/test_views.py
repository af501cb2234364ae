"""Admins upload dossier counts: all rows or none, with every problem by line."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent
from tests.conftest import AuthActions
from tests.dossiers.helpers import (
    HEADER,
    HUGE_DIMENSION,
    INDEX,
    TEMPLATE,
    UPLOAD,
    YEAR,
    crafted_xlsx,
    csv_bytes,
    post_without_file,
    stored,
    upload,
    xlsx_bytes,
)
from tests.factories import SurveySite


@pytest.fixture
def admin(auth: AuthActions, site: SurveySite) -> SurveySite:
    """An admin signed in; English pages, so that assertions read the msgids."""
    auth.login_as("admin", site.province)
    auth.client.set_cookie("lang", "en")
    return site


def error_rows(html: str) -> list[tuple[str, str, str]]:
    """(line, column, reason) of the error table."""
    return re.findall(
        r'<tr><td class="num">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html
    )


def test_index_says_weights_are_1_without_counts(
    client: FlaskClient, admin: SurveySite
) -> None:
    page = client.get(INDEX)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "No dossier counts have been uploaded yet." in html
    assert "every response has a weight of 1" in html
    assert "response rates cannot be computed" in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="field-label" for="file">' in html


def test_index_is_vietnamese_by_default(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    page = client.get(INDEX)
    assert page.status_code == 200
    assert 'lang="vi"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("header", "delimiter", "bom"),
    [
        (HEADER, ",", True),
        (HEADER, ";", True),
        (HEADER, ",", False),
        (("ma_co_quan", "ma_linh_vuc", "nam", "thang", "so_ho_so"), ";", True),
        ((" Mã cơ quan ", "MÃ LĨNH VỰC", "Năm", "Tháng", "Số hồ sơ"), ",", True),
    ],
)
def test_upload_valid_csv(
    app: Flask,
    client: FlaskClient,
    admin: SurveySite,
    header: tuple[str, ...],
    delimiter: str,
    bom: bool,
) -> None:
    content = csv_bytes(
        [
            (admin.commune, "dat-dai", YEAR, 1, 1200),
            (admin.commune, "ho-tich", YEAR, 1, 0),
            ("", "", "", "", ""),  # a blank line is skipped
            (admin.service_point, "ho-tich", YEAR, 12, 35),
        ],
        header=header,
        delimiter=delimiter,
        bom=bom,
    )
    posted = upload(client, content, "so-ho-so.csv")
    assert posted.status_code == 302
    assert posted.headers["Location"].endswith(INDEX)
    assert stored(app) == {
        (admin.commune, "dat-dai", YEAR, 1): 1200,
        (admin.commune, "ho-tich", YEAR, 1): 0,
        (admin.service_point, "ho-tich", YEAR, 12): 35,
    }
    html = client.get(INDEX).get_data(as_text=True)
    assert "Imported 3 rows: 3 new, 0 updated; 1,235 dossiers in total." in html
    assert "No dossier counts have been uploaded yet." not in html
    assert "Xã Thử Nghiệm" in html
    assert "1,200" in html


def test_upload_valid_xlsx(app: Flask, client: FlaskClient, admin: SurveySite) -> None:
    content = xlsx_bytes(
        [
            (admin.commune, "dat-dai", YEAR, 3, 1200.0),
            (admin.commune, "dat-dai", float(YEAR), 4.0, 7),
            (None, None, None, None, None),
            (admin.commune, "ho-tich", str(YEAR), "5", "9"),
        ],
        header=("ma_co_quan", "ma_linh_vuc", "nam", "thang", "so_ho_so"),
    )
    posted = upload(client, content, "Báo cáo.xlsx")
    assert posted.status_code == 302
    assert stored(app) == {
        (admin.commune, "dat-dai", YEAR, 3): 1200,
        (admin.commune, "dat-dai", YEAR, 4): 7,
        (admin.commune, "ho-tich", YEAR, 5): 9,
    }


def test_reupload_replaces_counts(
    app: Flask, client: FlaskClient, admin: SurveySite
) -> None:
    first = csv_bytes([(admin.commune, "dat-dai", YEAR, m, 10) for m in (1, 2)])
    assert upload(client, first, "a.csv").status_code == 302
    second = csv_bytes(
        [
            (admin.commune, "dat-dai", YEAR, 2, 25),
            (admin.commune, "dat-dai", YEAR, 3, 5),
        ]
    )
    assert upload(client, second, "b.csv").status_code == 302
    assert stored(app) == {
        (admin.commune, "dat-dai", YEAR, 1): 10,
        (admin.commune, "dat-dai", YEAR, 2): 25,
        (admin.commune, "dat-dai", YEAR, 3): 5,
    }
    html = client.get(INDEX).get_data(as_text=True)
    assert "Imported 2 rows: 1 new, 1 updated; 30 dossiers in total." in html
    assert "3/12" in html


def test_successful_upload_is_audited(
    app: Flask, client: FlaskClient, admin: SurveySite
) -> None:
    content = csv_bytes([(admin.commune, "dat-dai", YEAR, 1, 40)])
    assert upload(client, content, "thang-1.csv").status_code == 302
    assert upload(client, b"nonsense", "bad.csv").status_code == 422
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "dossier_upload")
        ).all()
        assert len(events) == 1
        assert events[0].target == "thang-1.csv"
        assert events[0].actor == f"admin.{admin.province.lower()}@example.gov.vn"
        assert events[0].details["rows"] == 1
        assert events[0].details["inserted"] == 1
        assert events[0].details["dossiers"] == 40
        assert events[0].details["file_format"] == "csv"


GOOD = ("T-X", "dat-dai", YEAR, 1, 100)


@pytest.mark.parametrize(
    ("bad_row", "line", "column", "reason"),
    [
        (("NOPE", "dat-dai", YEAR, 2, 1), "3", "agency_code", "Unknown agency code"),
        (("T-X", "nope", YEAR, 2, 1), "3", "service_field_code", "Unknown service"),
        (("", "dat-dai", YEAR, 2, 1), "3", "agency_code", "This cell is empty."),
        (("T-X", "dat-dai", 1999, 2, 1), "3", "year", "The year must be"),
        (("T-X", "dat-dai", YEAR + 3, 2, 1), "3", "year", "The year must be"),
        (("T-X", "dat-dai", "20x5", 2, 1), "3", "year", "The year must be"),
        (("T-X", "dat-dai", YEAR, 13, 1), "3", "month", "from 1 to 12"),
        (("T-X", "dat-dai", YEAR, 0, 1), "3", "month", "from 1 to 12"),
        (("T-X", "dat-dai", YEAR, 2, "12.5"), "3", "dossiers", "whole number"),
        (("T-X", "dat-dai", YEAR, 2, -3), "3", "dossiers", "whole number"),
        (("T-X", "dat-dai", YEAR, 2, "abc"), "3", "dossiers", "whole number"),
        (("T-X", "dat-dai", YEAR, 2, '"1,200"'), "3", "dossiers", "whole number"),
        (("T-X", "dat-dai", YEAR, 2, ""), "3", "dossiers", "This cell is empty."),
        (("T-X", "dat-dai", YEAR, 2, 10**12), "3", "dossiers", "whole number"),
        (("T-X", "dat-dai", YEAR, 1, 5), "3", "—", "as line 2."),
    ],
)
def test_bad_row_imports_nothing(
    app: Flask,
    client: FlaskClient,
    admin: SurveySite,
    bad_row: tuple[object, ...],
    line: str,
    column: str,
    reason: str,
) -> None:
    content = csv_bytes([GOOD, bad_row, (admin.commune, "ho-tich", YEAR, 3, 7)])
    page = upload(client, content, "counts.csv")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Nothing was imported" in html
    assert "<caption>Problems in the file, by line" in html
    [(found_line, found_column, found_reason)] = error_rows(html)
    assert (found_line, found_column) == (line, column)
    assert reason in found_reason
    assert stored(app) == {}


@pytest.mark.parametrize(
    ("content", "filename", "line", "reason"),
    [
        (b"", "empty.csv", None, "Please choose a file."),  # no file at all
        (b"   \r\n\r\n", "blank.csv", "—", "The file is empty."),
        (csv_bytes([]), "header.csv", "—", "no data rows"),
        (
            csv_bytes([GOOD], header=("agency_code", "service_field_code", "year")),
            "short.csv",
            "1",
            "lacks the columns: month (thang), dossiers (so_ho_so)",
        ),
        (
            csv_bytes([GOOD + (1,)], header=(*HEADER, "so_ho_so")),
            "twice.csv",
            "1",
            "appears twice",
        ),
        ("tên,cơ quan\n".encode("cp1258"), "ansi.csv", "—", "not UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old.xlsx", "—", ".xls"),
        (b"agency_code,year\n", "counts.xlsx", "—", "not a valid .xlsx"),
        (b"PK\x03\x04garbage", "counts.xlsx", "—", "not a valid .xlsx"),
        (b"%PDF-1.4", "counts.pdf", None, "Only .csv and .xlsx files are accepted."),
    ],
)
def test_bad_file_imports_nothing(
    app: Flask,
    client: FlaskClient,
    admin: SurveySite,
    content: bytes,
    filename: str,
    line: str | None,
    reason: str,
) -> None:
    page = upload(client, content, filename) if content else post_without_file(client)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    if line is None:  # the form refuses it before the file is read
        assert 'class="field-error"' in html
        assert reason in html
    else:
        [(found_line, _, found_reason)] = error_rows(html)
        assert found_line == line
        assert reason in found_reason
    assert stored(app) == {}


def test_a_sheet_declaring_a_huge_size_is_refused(
    app: Flask, client: FlaskClient, admin: SurveySite
) -> None:
    page = upload(client, crafted_xlsx(HUGE_DIMENSION, 5000), "probe.xlsx")
    assert page.status_code == 422
    [(line, _, reason)] = error_rows(page.get_data(as_text=True))
    assert line == "—"
    assert reason.startswith("The first sheet spans 5000 rows and 16384 columns;")
    assert stored(app) == {}


def test_every_problem_is_listed_by_line(
    app: Flask, client: FlaskClient, admin: SurveySite
) -> None:
    content = xlsx_bytes(
        [
            GOOD,
            ("T-X", "dat-dai", YEAR, 14, 12.5),
            (None, None, None, None, None),
            ("T-Q", "ho-tich", YEAR, 2, 1),
            GOOD,
        ]
    )
    page = upload(client, content, "many.xlsx")
    assert page.status_code == 422
    assert error_rows(page.get_data(as_text=True)) == [
        ("3", "month", "The month must be a whole number from 1 to 12."),
        ("3", "dossiers", "The number of dossiers must be a whole number, 0 or more."),
        ("5", "agency_code", "Unknown agency code “T-Q”."),
        ("6", "—", "Same agency, service field, year and month as line 2."),
    ]
    assert stored(app) == {}


def page_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of any form page (sign-in, password)."""
    found = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get(path).get_data(as_text=True),
    )
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_admins_may_use_it(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite, role: str
) -> None:
    auth.login_as(role, site.province)
    assert client.get(INDEX).status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    assert client.get(f"{TEMPLATE}?format=csv").status_code == 403
    posted = client.post(
        UPLOAD,
        data={
            "csrf_token": page_token(client, "/quan-ly/mat-khau"),
            "file": (io.BytesIO(csv_bytes([GOOD])), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    assert posted.status_code == 403
    assert stored(app) == {}


@pytest.mark.parametrize("path", [INDEX, TEMPLATE, f"{TEMPLATE}?format=csv"])
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 302
    assert "/quan-ly/dang-nhap" in page.headers["Location"]


def test_anonymous_upload_is_sent_to_sign_in(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    posted = client.post(
        UPLOAD,
        data={
            "csrf_token": page_token(client, "/quan-ly/dang-nhap"),
            "file": (io.BytesIO(csv_bytes([GOOD])), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    assert posted.status_code == 302
    assert "/quan-ly/dang-nhap" in posted.headers["Location"]
    assert stored(app) == {}


def test_xlsx_template_lists_codes_and_reuploads(
    app: Flask, client: FlaskClient, admin: SurveySite
) -> None:
    download = client.get(f"{TEMPLATE}?format=xlsx")
    assert download.status_code == 200
    assert "mau-so-ho-so.xlsx" in download.headers["Content-Disposition"]
    assert download.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(download.data), read_only=True)
    try:
        assert workbook.sheetnames == ["so_ho_so", "co_quan", "linh_vuc"]
        counts = list(workbook["so_ho_so"].iter_rows(values_only=True))
        agencies = list(workbook["co_quan"].iter_rows(values_only=True))
        fields = list(workbook["linh_vuc"].iter_rows(values_only=True))
    finally:
        workbook.close()
    assert counts[0] == ("ma_co_quan", "ma_linh_vuc", "nam", "thang", "so_ho_so")
    assert [row[:2] for row in counts[1:]] == [
        (admin.commune, "dat-dai"),
        (admin.commune, "ho-tich"),
    ]
    assert (admin.commune, "  Xã Thử Nghiệm", admin.province) in agencies
    assert ("ho-tich", "Hộ tịch") in fields
    assert upload(client, download.data, "mau-so-ho-so.xlsx").status_code == 302
    assert len(stored(app)) == 2


def test_csv_template_has_bom_and_reuploads(
    app: Flask, client: FlaskClient, admin: SurveySite
) -> None:
    download = client.get(f"{TEMPLATE}?format=csv")
    assert download.status_code == 200
    assert "mau-so-ho-so.csv" in download.headers["Content-Disposition"]
    assert download.data.startswith(b"\xef\xbb\xbfma_co_quan,ma_linh_vuc,nam,thang")
    assert download.data.count(b"\r\n") == 3
    assert upload(client, download.data, "mau.csv").status_code == 302
    keys = stored(app)
    assert len(keys) == 2
    assert {key[:2] for key in keys} == {
        (admin.commune, "dat-dai"),
        (admin.commune, "ho-tich"),
    }


def test_unknown_template_format_is_404(client: FlaskClient, admin: SurveySite) -> None:
    assert client.get(f"{TEMPLATE}?format=pdf").status_code == 404
