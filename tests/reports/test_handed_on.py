"""Exports people can hand on: XLSX sheets, the page's CSV, the PDF's year."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from statistics import mean

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader
from sqlalchemy import func, select

from surveyapp.analysis.indicator766 import indicator_766
from surveyapp.analysis.trend import compute_trend
from surveyapp.core.time import Period, local_time
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import Agency, Comment, Questionnaire, Response, get_by_code
from surveyapp.reports.files import build_xlsx
from surveyapp.reports.finalise import year_report
from surveyapp.reports.pdf import build_pdf
from surveyapp.reports.report import Report
from surveyapp.web.language import percent
from tests.conftest import AuthActions

YEAR = date.today().year - 1  # the demo's last two years: this one is complete
FORMULA = '=HYPERLINK("http://example.com/x","Bấm vào đây")'
HIDDEN = "Bình luận đã bị ẩn, không được xuất"


@pytest.fixture
def demo(runner: FlaskCliRunner) -> int:
    """The demo province with 1,500 responses; the year to use."""
    result = runner.invoke(args=["demo", "load", "--responses", "1500"])
    assert result.exit_code == 0, result.output
    return YEAR


def _comment_two_responses(app: Flask) -> int:
    """A formula comment and a hidden one in the year at Hòa Bình; the formula's
    response id."""
    with app.app_context():
        agency = get_by_code(Agency, "TM-PHB")
        assert agency is not None
        start, end = Period.year(YEAR).utc_bounds()
        free = db.session.scalars(
            select(Response)
            .where(
                Response.agency_id.in_(subtree_ids(agency.id)),
                Response.submitted_at >= start,
                Response.submitted_at < end,
                ~Response.comment.has(),
                Response.counter_id.is_not(None),
            )
            .order_by(Response.id)
            .limit(2)
        ).all()
        free[0].comment = Comment(body=FORMULA)
        free[1].comment = Comment(body=HIDDEN, hidden=True)
        db.session.commit()
        return free[0].id


def _sheet(book_bytes: bytes, title: str) -> Worksheet:
    return load_workbook(io.BytesIO(book_bytes))[title]


def test_xlsx_sheets_are_headed_filtered_and_hold_the_year(
    app: Flask, client: FlaskClient, auth: AuthActions, demo: int
) -> None:
    formula_response = _comment_two_responses(app)
    auth.login_as("admin", "TM")
    answer = client.get(f"/quan-ly/bao-cao/TM/{demo}.xlsx?lang=vi")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    for sheet in book.worksheets:
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
    # No cell of the workbook is a formula, whatever the citizens wrote.
    assert not [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    comments = [list(row) for row in book["Góp ý"].iter_rows(values_only=True)]
    assert comments[0][4] == "Điểm đánh giá trung bình (1–5)"
    with app.app_context():
        response = db.session.get(Response, formula_response)
        assert response is not None
        start, end = Period.year(demo).utc_bounds()
        visible = db.session.scalar(
            select(func.count())
            .select_from(Comment)
            .join(Response, Comment.response_id == Response.id)
            .where(
                Comment.hidden.is_(False),
                Response.submitted_at >= start,
                Response.submitted_at < end,
            )
        )
        expected = [
            local_time(response.submitted_at).replace(tzinfo=None, microsecond=0),
            response.agency.code,
            response.agency.name,
            f"{response.counter.name} ({response.counter.code})",
            mean(a.value for a in response.answers if a.value is not None),
            "'" + FORMULA,
        ]
        indicator = indicator_766(get_by_code(Agency, "TM"), Period.year(demo))  # type: ignore[arg-type]
    assert len(comments) - 1 == visible > 2
    assert not any(HIDDEN in str(row) for row in comments)
    found = [row for row in comments if row[5] == "'" + FORMULA]
    assert len(found) == 1
    row = found[0]
    assert abs((row[0] - expected[0]).total_seconds()) < 1
    assert row[1:4] == expected[1:4] and row[5] == expected[5]
    assert row[4] == pytest.approx(expected[4])
    assert book["Góp ý"]["F1"].data_type == "s"

    qd766 = [list(r) for r in book["QĐ 766"].iter_rows(values_only=True)]
    assert qd766[1][:5] == [
        "TM",
        "Tỉnh Mẫu",
        indicator.rated,
        indicator.dissatisfied,
        indicator.satisfied,
    ]
    assert indicator.rated > 0 and qd766[1][5] == pytest.approx(indicator.share)

    # The change since the previous year is the dashboard's own.
    scores = client.get(f"/quan-ly/api/co-quan/TM/diem.json?year={demo}").get_json()
    index = next(
        r for r in scores["rows"] if (r["domain"], r["code"]) == ("TM", "SIPAS")
    )
    change = [
        list(r) for r in book["Thay đổi so với năm trước"].iter_rows(values_only=True)
    ]
    assert change[0][2:4] == [str(demo), str(demo - 1)]
    assert change[1][0] == "SIPAS"
    assert change[1][3] == pytest.approx(index["previous"]["estimate"])
    assert change[1][4] == pytest.approx(100 * index["change"]["estimate"])
    assert change[1][5] == pytest.approx(100 * index["change"]["ci_low"])
    assert len(change) == 1 + 1 + 5  # the index and five factors

    trend = [list(r) for r in book["Xu hướng theo tháng"].iter_rows(values_only=True)]
    with app.app_context():
        agency = get_by_code(Agency, "TM")
        questionnaire = get_by_code(Questionnaire, "sipas-2023")
        points = compute_trend(agency, questionnaire, date(demo, 12, 31))  # type: ignore[arg-type]
    assert [r[0] for r in trend[1:]] == [f"{m:02d}/{demo}" for m in range(1, 13)]
    assert [r[1] for r in trend[1:]] == [
        pytest.approx(p.row["estimate"]) if p.row else None for p in points
    ]


def _dashboard_index(client: FlaskClient, year: int, language: str) -> tuple[str, str]:
    page = client.get(
        f"/quan-ly/co-quan/TM?period=year&year={year}&lang={language}"
    ).get_data(as_text=True)
    big = re.search(r'class="big-number">([^<]+)<', page)
    ci = re.search(r'class="ci">([^<]+) – ([^<]+)<', page)
    assert big and ci
    return big.group(1).strip(), ci.group(1).strip()


@pytest.mark.parametrize(
    ("language", "level", "flag"),
    [("vi", "chỉ số", "tin cậy"), ("en", "index", "reliable")],
)
def test_report_csv_reads_as_the_page(
    client: FlaskClient,
    auth: AuthActions,
    demo: int,
    language: str,
    level: str,
    flag: str,
) -> None:
    auth.login_as("admin", "TM")
    shown, shown_low = _dashboard_index(client, demo, language)
    answer = client.get(f"/quan-ly/bao-cao/TM/{demo}.csv?lang={language}")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    heading, body = rows[0], rows[1:]
    index = next(r for r in body if (r[0], r[2]) == ("TM", "SIPAS"))
    # The page's "76,6 %" is the CSV's "76,6" under a heading that says "%".
    assert shown == index[5] + "\u00a0%" and shown_low == index[7] + "\u00a0%"
    assert heading[5].endswith("(%)")
    assert index[1] == level and index[10] == flag
    english = {"index", "factor", "criterion", "ok", "review", "suppress"}
    if language == "vi":
        assert not english & {cell for r in body for cell in r}
    decimal = "," if language == "vi" else "."
    share = re.compile(rf"\d{{1,3}}\{decimal}\d")
    for r in body:
        for cell in (r[5], r[7], r[8], r[17]):
            assert cell == "" or share.fullmatch(cell), (cell, r)


def test_pdf_shows_the_trend_qd766_and_the_previous_year(
    app: Flask, runner: FlaskCliRunner, demo: int, tmp_path: Path
) -> None:
    target = tmp_path / "report.pdf"
    result = runner.invoke(
        args=["sipas", "export", "--year", str(demo), "--agency", "TM"]
        + ["--format", "pdf", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    text = text.replace("\u00a0", " ")
    with app.app_context(), force_locale("vi"):
        agency = get_by_code(Agency, "TM")
        assert agency is not None
        report = year_report(agency, demo)
        indicator = report.indicator
        previous = report.previous_row("SIPAS")
        assert indicator is not None and indicator.share is not None and previous
        expected = [
            "Chỉ số hài lòng kiểu SIPAS theo tháng",
            f"12/{demo}",
            "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC (QĐ 766)",
            percent(indicator.share).replace("\u00a0", " "),
            f"Số hồ sơ được đánh giá qua mã QR trên phiếu hẹn: {indicator.rated}",
            f"{demo - 1}: {percent(previous['estimate'])}".replace("\u00a0", " "),
            "Thay đổi so với năm trước",
        ]
    for part in expected:
        assert part in text, part


def test_reports_finalised_before_the_year_was_kept_still_export(
    app: Flask, demo: int
) -> None:
    with app.app_context(), force_locale("vi"):
        agency = get_by_code(Agency, "TM-PHB")
        assert agency is not None
        stored = year_report(agency, demo).to_json()
        for key in ("indicator_766", "trend", "trend_end", "previous_rows"):
            del stored[key]
        older = Report.from_json(stored)
        assert older.indicator is None and older.change("SIPAS") is None
        assert build_pdf(older).startswith(b"%PDF")
        book = load_workbook(io.BytesIO(build_xlsx(older)))
    assert "QĐ 766" not in book.sheetnames and "Góp ý" in book.sheetnames
