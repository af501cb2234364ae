"""The file reader and checker, without the web layer."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask

from surveyapp.core.uploads import RowError, UploadError, detect_format, fold_header
from surveyapp.dossiers import importer as dossiers
from surveyapp.dossiers.importer import check_file
from tests.dossiers.helpers import HEADER, YEAR, csv_bytes, xlsx_bytes
from tests.factories import SurveySite


@pytest.fixture
def english(app: Flask) -> Iterator[None]:
    """A request in English, so that lazy reasons can be read."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1200", 1200),
        (" 7 ", 7),
        (1200, 1200),
        (1200.0, 1200),
        ("-3", -3),
        ("12.5", None),
        (12.5, None),
        ("1,200", None),
        ("1 200", None),
        ("abc", None),
        ("", None),
        (None, None),
        (True, None),
        ("١٢", None),  # Arabic-Indic digits are not plain integers
        ("9" * 40, None),
        (float("nan"), None),
    ],
)
def test_whole_number(cell: object, expected: int | None) -> None:
    assert dossiers._whole_number(cell) == expected


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("agency_code", "agency_code"),
        ("  AGENCY_CODE ", "agency_code"),
        ("ma_co_quan", "agency_code"),
        ("Mã cơ quan", "agency_code"),
        ("mã_lĩnh_vực", "service_field_code"),
        ("NĂM", "year"),
        ("Tháng", "month"),
        ("số  hồ sơ", "dossiers"),
        ("tên cơ quan", None),
    ],
)
def test_headers(header: str, field: str | None) -> None:
    assert dossiers.HEADER_FIELDS.get(fold_header(header)) == field


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"a,b\n", "x.csv", "csv"),
        (b"a,b\n", "x", "csv"),
        (b"PK\x03\x04...", "x.xlsx", "xlsx"),
        (b"PK\x03\x04...", "X.XLSX", "xlsx"),
    ],
)
def test_detect_format(content: bytes, filename: str, expected: str) -> None:
    assert detect_format(content, filename) == expected


def test_xlsx_header_need_not_be_on_the_first_line(
    app: Flask, english: None, site: SurveySite
) -> None:
    content = xlsx_bytes([HEADER, (site.commune, "ho-tich", YEAR, 2, 3)], header=())
    file_format, rows = check_file(content, "x.xlsx")
    assert file_format == "xlsx"
    assert [(row.line, row.month, row.dossiers) for row in rows] == [(3, 2, 3)]


def test_csv_line_numbers_count_quoted_line_breaks(
    app: Flask, english: None, site: SurveySite
) -> None:
    content = (
        "agency_code,note,service_field_code,year,month,dossiers\n"
        f'{site.commune},"two\nlines",ho-tich,{YEAR},1,5\n'
        f"{site.commune},,ho-tich,{YEAR},13,5\n"
    ).encode()
    with pytest.raises(UploadError) as raised:
        check_file(content, "x.csv")
    [error] = raised.value.errors
    assert str(error) == "line 4, month: The month must be a whole number from 1 to 12."


def test_codes_match_without_case(app: Flask, english: None, site: SurveySite) -> None:
    content = csv_bytes([(site.commune.lower(), "HO-TICH", YEAR, 1, 5)])
    _, [row] = check_file(content, "x.csv")
    assert row.dossiers == 5


def test_too_many_rows(
    app: Flask, english: None, site: SurveySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dossiers, "MAX_ROWS", 2)
    content = csv_bytes([(site.commune, "ho-tich", YEAR, m, 5) for m in (1, 2, 3, 4)])
    with pytest.raises(UploadError) as raised:
        check_file(content, "x.csv")
    assert [str(e) for e in raised.value.errors] == [
        "line 4: The file has more than 2 rows below the header (blank rows count "
        "too): split it into several files."
    ]


def test_file_level_errors_have_no_line(english: None) -> None:
    assert str(RowError(None, "", "The file is empty.")) == "The file is empty."


def test_damaged_workbook_is_reported(english: None) -> None:
    source = io.BytesIO(xlsx_bytes([("T-X", "ho-tich", YEAR, 1, 5)]))
    damaged = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(damaged, "w") as copy:
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                content = content[: len(content) // 2]
            copy.writestr(info, content)
    with pytest.raises(UploadError) as raised:
        check_file(damaged.getvalue(), "x.xlsx")
    assert [str(e) for e in raised.value.errors] == [
        "This file is not a valid .xlsx workbook."
    ]
