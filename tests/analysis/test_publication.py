"""The reliability rules hide a number everywhere it could appear.

A commune with 12 responses has every estimate suppressed (n < 30). Its numbers
exist in the scoring results, and must not reach the page, the factor chart, the
trend, the province's ranking, diem.json, or the yearly XLSX, CSV and PDF.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader

from surveyapp.analysis.publication import HIDDEN_FLAGS, publishable, published
from surveyapp.analysis.scores import compute_scores
from surveyapp.analysis.trend import compute_trend
from surveyapp.core.time import Period
from surveyapp.models import Agency, get_by_code
from surveyapp.scoring import ResultRow
from surveyapp.web.language import percent
from tests.conftest import AuthActions
from tests.factories import add_responses, make_two_communes

YEAR = date.today().year - 1
JUNE = datetime(YEAR, 6, 15, 3, 0, tzinfo=UTC)
ESTIMATED = ("estimate", "se", "ci_low", "ci_high", "n_eff", "mean_score")


def _row(flag: str) -> ResultRow:
    return ResultRow(
        domain="X",
        level="index",
        code="SIPAS",
        n=12,
        df=11,
        estimate=0.61,
        se=0.08,
        ci_low=0.44,
        ci_high=0.76,
        n_eff=12.0,
        flag=flag,
        flag_reasons="n < 30",
        mean_score=63.5,
    )


@pytest.mark.parametrize("flag", sorted(HIDDEN_FLAGS))
def test_a_hidden_row_keeps_its_sample_size_and_loses_its_estimates(
    flag: str,
) -> None:
    row = _row(flag)
    shown = published(row)
    assert not publishable(row)
    assert all(shown[key] is None for key in ESTIMATED)  # type: ignore[literal-required]
    assert (shown["n"], shown["df"], shown["flag"]) == (12, 11, flag)
    assert row["estimate"] == 0.61  # the full row is left as it was


@pytest.mark.parametrize("flag", ["ok", "review"])
def test_a_publishable_row_is_shown_whole(flag: str) -> None:
    row = _row(flag)
    assert publishable(row) and published(row) == row


@pytest.fixture
def province(app: Flask) -> dict[str, str]:
    """Commune A with enough responses to publish, commune B with 12."""
    with app.app_context():
        codes = make_two_communes("S")
        for ratings, count in (([5, 4, 4, 3], 20), ([4, 5, 3, 2, 5], 15)):
            add_responses(codes["counter_a"], ratings, count, submitted_at=JUNE)
        add_responses(codes["counter_a"], [2, 3, 4], 10, submitted_at=JUNE)
        add_responses(codes["counter_b"], [4, 4, 5, 2, 3, 1, 5], 9, submitted_at=JUNE)
        add_responses(codes["counter_b"], [5, 2, 4], 3, submitted_at=JUNE)
        return codes


def _hidden_numbers(app: Flask, code: str) -> list[str]:
    """The numbers the rules hide for `code`'s subtree, as a page would print them."""
    with app.test_request_context(), force_locale("vi"):
        agency = get_by_code(Agency, code)
        assert agency is not None
        scores = compute_scores(
            agency, Period.year(YEAR), agency.active_questionnaire()
        )
        assert scores.results is not None
        hidden = [
            row
            for row in scores.results.rows()
            if row["flag"] in HIDDEN_FLAGS
            and row["estimate"] is not None
            and row["level"] != "criterion"
        ]
        return sorted({percent(row["estimate"]) for row in hidden})


def _shows(text: str, number: str) -> bool:
    """Whether `text` prints `number` ("57,1 %"), not merely a longer one."""
    digits = re.escape(number.removesuffix("%").strip())
    return re.search(rf"(?<![\d,]){digits}(?![\d,])", text) is not None


def test_the_page_chart_trend_and_json_show_no_hidden_number(
    app: Flask, client: FlaskClient, auth: AuthActions, province: dict[str, str]
) -> None:
    commune = province["commune_b"]
    hidden = _hidden_numbers(app, commune)
    assert len(hidden) >= 3, "the fixture must have numbers to hide"
    auth.login_as("admin", province["province"])

    html = client.get(
        f"/quan-ly/co-quan/{commune}?period=year&year={YEAR}&lang=vi"
    ).get_data(as_text=True)
    assert "không công bố" in html
    for number in hidden:  # in the tables, and in the chart without its "%"
        assert not _shows(html, number)
    assert "<circle" not in html, "a trend point of a hidden month is drawn"

    body = client.get(
        f"/quan-ly/api/co-quan/{commune}/diem.json?year={YEAR}"
    ).get_json()
    hidden_rows = [row for row in body["rows"] if row["flag"] in HIDDEN_FLAGS]
    assert hidden_rows and all(
        row[key] is None for row in hidden_rows for key in ESTIMATED
    )
    assert all(row["n"] > 0 for row in hidden_rows if row["flag"] != "no data")

    with app.app_context():
        agency = get_by_code(Agency, commune)
        assert agency is not None
        questionnaire = agency.active_questionnaire()
        assert questionnaire is not None
        trend = compute_trend(agency, questionnaire, date(YEAR, 12, 31))
    june = next(point for point in trend if point.month == f"{YEAR}-06")
    assert june.row is not None and june.row["n"] == 12
    assert june.row["estimate"] is None


def test_the_province_ranking_and_yearly_files_show_no_hidden_number(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    province: dict[str, str],
    tmp_path: Path,
) -> None:
    hidden = _hidden_numbers(app, province["commune_b"])
    hidden_codes = {province["commune_b"], province["point_b"]}
    auth.login_as("admin", province["province"])
    html = client.get(
        f"/quan-ly/co-quan/{province['province']}?period=year&year={YEAR}&lang=vi"
    ).get_data(as_text=True)
    assert "Phường Bình Minh" in html
    for number in hidden:
        assert not _shows(html, number)

    files = {}
    for fmt in ("xlsx", "csv", "pdf"):
        target = tmp_path / f"report.{fmt}"
        result = runner.invoke(
            args=["sipas", "export", "--year", str(YEAR)]
            + ["--agency", province["province"], "--format", fmt, "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
        files[fmt] = target

    book = load_workbook(files["xlsx"])
    try:
        checked = 0
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            for row in rows[1:]:
                if row and row[0] in hidden_codes:
                    shares = [value for value in row if isinstance(value, float)]
                    assert all(value > 1 for value in shares), (sheet.title, row)
                    checked += 1
        assert checked >= 4
    finally:
        book.close()

    text = files["csv"].read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    estimate_columns = range(5, 10)  # estimate, se, ci_low, ci_high, n_eff
    blank = [row for row in rows[1:] if row[0] in hidden_codes]
    assert blank and all(row[i] == "" for row in blank for i in estimate_columns)

    pdf_text = "".join(
        page.extract_text() for page in PdfReader(files["pdf"]).pages
    ).replace("\xa0", " ")
    assert "Phường Bình Minh" in pdf_text
    for number in hidden:
        assert not _shows(pdf_text, number)
