"""No unit vanishes: a commune on another questionnaire version is ranked on its own.

In the demo, Xã Suối Hoa's counters use sipas-2017 while the province uses
sipas-2023. It used to show as "0 responses / no data" in the province ranking,
the XLSX and the PDF, with a 0 % response rate, and was left out of the CSV.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from surveyapp.analysis.ranking import rank_children
from surveyapp.analysis.scores import compute_scores, score_agency
from surveyapp.analysis.selection import scored_responses
from surveyapp.core.time import Period
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import Agency, Questionnaire, Response, get_by_code
from tests.conftest import AuthActions

YEAR = date.today().year - 1  # complete in the demo's two years
UNIT = "TM-XSH"
NAME = "Xã Suối Hoa"


@pytest.fixture
def demo(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "load", "--responses", "20000"])
    assert result.exit_code == 0, result.output


def _yearly_files(runner: FlaskCliRunner, tmp_path: Path) -> dict[str, Path]:
    """The province's yearly XLSX, CSV and PDF, by format."""
    files = {}
    for fmt in ("xlsx", "csv", "pdf"):
        files[fmt] = tmp_path / f"report.{fmt}"
        result = runner.invoke(
            args=["sipas", "export", "--year", str(YEAR), "--agency", "TM"]
            + ["--format", fmt, "-o", str(files[fmt])]
        )
        assert result.exit_code == 0, result.output
    return files


def _unit_responses() -> int:
    unit = get_by_code(Agency, UNIT)
    assert unit is not None
    return db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(*scored_responses(subtree_ids(unit.id), Period.year(YEAR)))
    )


def test_a_unit_on_another_version_is_ranked_and_listed_everywhere(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    demo: None,
    tmp_path: Path,
) -> None:
    with app.test_request_context():
        province = get_by_code(Agency, "TM")
        unit = get_by_code(Agency, UNIT)
        old = get_by_code(Questionnaire, "sipas-2017")
        assert province is not None and unit is not None and old is not None
        scores = score_agency(province, Period.year(YEAR))
        assert scores.questionnaire.code == "sipas-2023"
        entry = next(e for e in rank_children(scores) if e.code == UNIT)
        own = compute_scores(unit, Period.year(YEAR), old).row(UNIT, "index", "SIPAS")
        count = _unit_responses()
    assert count >= 30
    assert entry.questionnaire == "sipas-2017"
    assert entry.row == own and own is not None and own["n"] == count
    assert entry.response_rate is not None and entry.response_rate > 0

    auth.login_as("admin", "TM")
    html = client.get(f"/quan-ly/co-quan/TM?period=year&year={YEAR}&lang=vi").get_data(
        as_text=True
    )
    ranking = html[html.index('class="data ranking"') :]
    row = ranking[ranking.index(NAME) : ranking.index("</tr>", ranking.index(NAME))]
    assert "(bộ câu hỏi sipas-2017)" in row
    assert f'<td class="num">{count}</td>' in row
    # In the heatmap too, named with its version (its factors are not this one's).
    heatmap = html[html.index('class="chart heatmap"') :]
    assert f"{NAME} (sipas-2017)" in heatmap[: heatmap.index("</svg>")]
    assert "có phiếu trả lời theo bộ câu hỏi khác" in html

    files = _yearly_files(runner, tmp_path)

    book = load_workbook(files["xlsx"])
    try:
        ranking = [
            row
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            if row[0] == UNIT and len(row) == 12
        ]
    finally:
        book.close()
    assert ranking and ranking[0][5] == count and ranking[0][11] == "sipas-2017"

    rows = list(csv.reader(io.StringIO(files["csv"].read_text("utf-8-sig"))))
    index_rows = [  # its own version's index row; the pooled one says "a + b"
        row
        for row in rows
        if row[0] == UNIT and row[2] == "SIPAS" and "+" not in row[15]
    ]
    assert len(index_rows) == 1 and int(index_rows[0][3]) == count
    assert "sipas-2017" in index_rows[0][15]

    text = "".join(page.extract_text() for page in PdfReader(files["pdf"]).pages)
    assert f"{NAME} (sipas-2017)" in " ".join(text.split())


def test_the_province_headline_pools_every_version(
    app: Flask, client: FlaskClient, auth: AuthActions, demo: None
) -> None:
    """Factors and index over both versions: in the JSON and on the page; a
    single-version unit's pooled index is its own version's."""
    auth.login_as("admin", "TM")
    body = client.get(f"/quan-ly/api/co-quan/TM/diem.json?period=year&year={YEAR}")
    assert body.status_code == 200
    scores = body.get_json()
    assert scores["pooled_versions"] == ["sipas-2017", "sipas-2023"]
    pooled = {(r["domain"], r["code"]): r for r in scores["pooled_rows"]}
    assert {code for domain, code in pooled if domain == "TM"} == {
        "A",
        "B",
        "C",
        "D",
        "E",
        "SIPAS",
    }
    with app.app_context():
        province = get_by_code(Agency, "TM")
        assert province is not None
        total = db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(*scored_responses(subtree_ids(province.id), Period.year(YEAR)))
        )
        old = get_by_code(Questionnaire, "sipas-2017")
        unit = get_by_code(Agency, UNIT)
        assert old is not None and unit is not None
        own = compute_scores(unit, Period.year(YEAR), old).row(UNIT, "index", "SIPAS")
    headline = pooled[("TM", "SIPAS")]
    assert headline["n"] == total
    assert 0 < headline["ci_low"] < headline["estimate"] < headline["ci_high"] < 1
    assert own is not None
    assert pooled[(UNIT, "SIPAS")]["estimate"] == pytest.approx(own["estimate"])
    page = client.get(f"/quan-ly/co-quan/TM?period=year&year={YEAR}&lang=vi")
    html = page.get_data(as_text=True)
    assert "Gộp tất cả các phiên bản phiếu" in html
    assert "A. Tiếp cận dịch vụ" in html
    alone = client.get(f"/quan-ly/co-quan/{UNIT}?period=year&year={YEAR}&lang=vi")
    assert "Gộp tất cả các phiên bản phiếu" not in alone.get_data(as_text=True)


def test_the_yearly_files_carry_the_pooled_rows(
    app: Flask, runner: FlaskCliRunner, demo: None, tmp_path: Path
) -> None:
    files = _yearly_files(runner, tmp_path)
    book = load_workbook(files["xlsx"])
    try:
        titles = [sheet.title for sheet in book.worksheets]
        pooled_sheet = next(s for s in book.worksheets if "sipas-2017" in s.title)
        pooled = [
            row for row in pooled_sheet.iter_rows(values_only=True) if row[0] == "TM"
        ]
        method = [
            row
            for row in book.worksheets[-1].iter_rows(values_only=True)
            if row[0] == "Mọi phiên bản phiếu"
        ]
    finally:
        book.close()
    # With the other score tables, before the QĐ 766, trend, change, comments
    # and method sheets.
    assert titles.index(pooled_sheet.title) == titles.index("Tiêu chí") + 1
    assert [row[3] for row in pooled] == ["SIPAS", "A", "B", "C", "D", "E"]
    assert pooled[1][4] == "A. Tiếp cận dịch vụ" and 0 < pooled[0][5] < 1
    assert method and "sipas-2017, sipas-2023" in method[0][1]

    rows = list(csv.reader(io.StringIO(files["csv"].read_text("utf-8-sig"))))
    headline = [r for r in rows if r[0] == "TM" and r[2] == "SIPAS" and "+" in r[15]]
    assert len(headline) == 1
    assert "sipas-2017 + sipas-2023" in headline[0][15]
    # The CSV reads as the page: a percentage with one decimal, decimal comma.
    assert float(headline[0][5].replace(",", ".")) == pytest.approx(
        100 * pooled[0][5], abs=0.05
    )

    text = " ".join(
        "".join(page.extract_text() for page in PdfReader(files["pdf"]).pages).split()
    )
    assert "Gộp các phiên bản (sipas-2017 + sipas-2023)" in text
