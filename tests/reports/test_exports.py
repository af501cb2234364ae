"""Yearly exports (XLSX, CSV, PDF), finalisation and who may do what."""

from __future__ import annotations

import csv
import io
import math
import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select

from surveyapp.analysis.publication import HIDDEN_FLAGS, publishable, published
from surveyapp.analysis.rows import load_rows
from surveyapp.analysis.scores import compute_scores, score_agency
from surveyapp.core.time import Period
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    Answer,
    AuditEvent,
    Finalisation,
    Questionnaire,
    Response,
    ServiceField,
    get_by_code,
)
from surveyapp.reports.finalise import input_hash, year_report
from surveyapp.reports.method import method_table
from surveyapp.reports.pdf import build_pdf
from surveyapp.reports.report import Report
from surveyapp.reports.tables import ranking_table, result_table, tidy_table
from tests.conftest import AuthActions
from tests.helpers import scoring_command_rows

YEAR = date.today().year - 1  # the demo's last two years: this one is complete
ROOTS = ["TM", "TM-PHB"]
TOLERANCE = 1e-9


@pytest.fixture
def demo(runner: FlaskCliRunner) -> int:
    """The demo province with 1,500 responses and dossier counts; the year to use."""
    result = runner.invoke(args=["demo", "load", "--responses", "1500"])
    assert result.exit_code == 0, result.output
    return YEAR


def _scoring_rows(
    runner: FlaskCliRunner, tmp_path: Path, code: str, year: int
) -> dict[tuple[str, str], dict[str, str]]:
    """`python -m surveyapp.scoring` on `flask responses export` of the selection."""
    exported = tmp_path / f"responses-{code}.csv"
    result = runner.invoke(
        args=[
            "responses",
            "export",
            "--year",
            str(year),
            "--agency",
            code,
            "--questionnaire",
            "sipas-2023",
            "-o",
            str(exported),
        ]
    )
    assert result.exit_code == 0, result.output
    rows = scoring_command_rows(exported)
    return {(row["domain"], row["code"]): row for row in rows}


def _number(text: object) -> float | None:
    if text in (None, "", "NA"):
        return None
    return float(text)  # type: ignore[arg-type]


# The report CSV rounds as the page: shares to 0.1 point, standard errors to 0.01.
CSV_TOLERANCE = {"estimate": 0.0005, "ci_low": 0.0005, "ci_high": 0.0005, "se": 5e-5}


def _assert_same(
    app_row: dict[str, object],
    reference: dict[str, str],
    tolerance: dict[str, float] | None = None,
) -> None:
    """The export shows the command's numbers, or none where the rules hide them."""
    hidden = reference["flag"] in HIDDEN_FLAGS
    for key in ("estimate", "se", "ci_low", "ci_high"):
        expected, got = _number(reference[key]), _number(app_row[key])
        allowed = (tolerance or {}).get(key, 0.0) + TOLERANCE
        if hidden or expected is None or math.isnan(expected):
            assert got is None, (key, app_row, reference)
        else:
            assert got is not None and abs(got - expected) <= allowed, (
                key,
                app_row,
                reference,
            )
    assert int(app_row["n"]) == int(reference["n"])  # type: ignore[call-overload]
    assert int(app_row["df"]) == int(reference["df"])  # type: ignore[call-overload]


def _compared(
    reference: dict[tuple[str, str], dict[str, str]],
    found: dict[tuple[str, str], dict[str, object]],
    root: str,
    tolerance: dict[str, float] | None = None,
) -> int:
    """Compare every service point's rows and ALL (= the root); return how many."""
    compared = 0
    for (domain, code), row in reference.items():
        app_domain = root if domain == "ALL" else domain
        assert (app_domain, code) in found, (app_domain, code)
        _assert_same(found[(app_domain, code)], row, tolerance)
        compared += 1
    return compared


def _export(runner: FlaskCliRunner, tmp_path: Path, code: str, fmt: str) -> Path:
    target = tmp_path / f"report-{code}.{fmt}"
    result = runner.invoke(
        args=[
            "sipas",
            "export",
            "--year",
            str(YEAR),
            "--agency",
            code,
            "--format",
            fmt,
            "-o",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    return target


SHEET_COLUMNS = {"estimate": 5, "ci_low": 6, "ci_high": 7, "se": 8, "df": 9, "n": 10}


def _sheet_rows(path: Path) -> dict[str, list[list[object]]]:
    book = load_workbook(path)
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


@pytest.mark.parametrize("root", ROOTS)
def test_xlsx_and_csv_numbers_equal_the_scoring_command(
    runner: FlaskCliRunner, demo: int, tmp_path: Path, root: str
) -> None:
    reference = _scoring_rows(runner, tmp_path, root, demo)

    sheets = _sheet_rows(_export(runner, tmp_path, root, "xlsx"))
    found: dict[tuple[str, str], dict[str, object]] = {}
    # Factors (with the index) and criteria; not the versions pooled.
    for sheet in (sheets["Yếu tố"], sheets["Tiêu chí"]):
        for row in sheet[1:]:
            values = {key: row[i] for key, i in SHEET_COLUMNS.items()}
            found[(str(row[0]), str(row[3]))] = values
    assert _compared(reference, found, root) >= 22
    # The ranking sheet of service points holds the same index rows.
    titles = list(sheets)
    ranking = sheets[titles[titles.index("Yếu tố") - 1]]
    for row in ranking[1:]:
        if (str(row[0]), "SIPAS") in reference and row[2] is not None:
            values = dict(
                estimate=row[2], ci_low=row[3], ci_high=row[4], n=row[5], se=row[9]
            )
            values["df"] = row[10]
            _assert_same(values, reference[(str(row[0]), "SIPAS")])

    content = _export(runner, tmp_path, root, "csv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert "Phường Hòa Bình" in text
    columns = {"n": 3, "df": 4, "estimate": 5, "se": 6, "ci_low": 7, "ci_high": 8}
    found = {
        (row[0], row[2]): {
            key: _csv_share(row[i]) if i >= 5 else row[i] for key, i in columns.items()
        }
        for row in list(csv.reader(io.StringIO(text)))[1:]
        if "gộp" not in row[1]  # over both versions: not the command's
    }
    assert _compared(reference, found, root, CSV_TOLERANCE) >= 22


def _csv_share(text: str) -> float | None:
    """A percentage of the Vietnamese report CSV ("85,3") as a share."""
    return float(text.replace(",", ".")) / 100 if text else None


def test_pdf_embeds_a_font_and_renders_vietnamese(
    app: Flask, runner: FlaskCliRunner, demo: int, tmp_path: Path
) -> None:
    content = _export(runner, tmp_path, "TM", "pdf").read_bytes()
    assert content.startswith(b"%PDF")
    assert b"/FontFile2" in content
    with app.app_context(), force_locale("vi"):
        report = year_report(get_by_code(Agency, "TM-PHB"), demo)  # type: ignore[arg-type]
        report.labels["F1"] = "Tiếp nhận, xử lý phản ánh"
        assert report.name == "Phường Hòa Bình"
        built = build_pdf(report)
    assert built.startswith(b"%PDF") and b"/FontFile2" in built


def test_tables_of_every_format_come_from_the_results(app: Flask, demo: int) -> None:
    with app.app_context(), force_locale("en"):
        agency = get_by_code(Agency, "TM")
        assert agency is not None
        report = year_report(agency, demo)
        scores = compute_scores(
            agency, Period.year(demo), agency.active_questionnaire()
        )
        expected = {
            (r["domain"], r["code"]): published(r)
            for r in scores.results.rows()  # type: ignore[union-attr]
        }
        assert {(r["domain"], r["code"]) for r in report.rows} == set(expected)
        hidden = [r for r in scores.results.rows() if not publishable(r)]  # type: ignore[union-attr]
        assert any(r["estimate"] is not None for r in hidden), "nothing to hide"
        tidy = tidy_table(report)
        # Units ranked on another questionnaire version add their own index row.
        other_version = [
            entry for level in report.rankings for entry in level if entry.questionnaire
        ]
        # Then the rows over both versions, at levels of their own.
        pooled = [row for row in tidy.rows if str(row[1]).startswith("pooled ")]
        assert len(pooled) == len(report.pooled_rows) > 0
        assert len(tidy.rows) == len(expected) + len(other_version) + len(pooled)
        for row in tidy.rows[: len(expected)]:
            assert row[5] == expected[(str(row[0]), str(row[2]))]["estimate"]
        others = tidy.rows[len(expected) : len(expected) + len(other_version)]
        for row, entry in zip(others, other_version, strict=True):
            assert (row[0], row[5]) == (
                entry.code,
                report.ranked_index(entry)["estimate"],
            )  # type: ignore[index]
        levels = [ranking_table(report, depth) for depth in (1, 2)]
        children = {a.code for a in agency.children}
        assert {row[0] for row in levels[0].rows} == children
        for row in levels[0].rows + levels[1].rows:
            reference = expected.get((str(row[0]), "SIPAS"))
            if row[11] != report.questionnaire:
                continue  # ranked on its own version's index, checked above
            assert row[2] == (reference["estimate"] if reference else None)
            assert row[7] == "not ranked" or re.fullmatch(
                r"\d+(–\d+)? / \d+", str(row[7])
            )
        ranked = [row for row in levels[0].rows if row[7] != "not ranked"]
        assert ranked and all(row[8] != "suppressed: too little data" for row in ranked)
        factors = result_table(report, "factor", ["TM"])
        assert [row[3] for row in factors.rows] == [
            "SIPAS",
            "F1",
            "F2",
            "F3",
            "F4",
            "F5",
        ]


def test_method_sheet_names_the_interval_the_numbers_were_built_with(
    app: Flask, demo: int
) -> None:
    with app.app_context(), force_locale("en"):
        agency = get_by_code(Agency, "TM")
        assert agency is not None
        report = year_report(agency, demo)
        assert report.composite_method == "logit"
        sheet = dict(method_table(report).rows)
        assert "logit scale" in str(sheet["Interval of factors and the index"])
        # A report finalised before the logit interval has no such key in its
        # stored JSON: its frozen factor and index intervals were symmetric.
        stored = report.to_json()
        del stored["composite_method"]
        older = Report.from_json(stored)
        assert older.composite_method == "t"
        sheet = dict(method_table(older).rows)
        assert "Symmetric t" in str(sheet["Interval of factors and the index"])


def _csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    return token.group(1)


def test_access_control(client: FlaskClient, auth: AuthActions, demo: int) -> None:
    page = f"/quan-ly/bao-cao/TM-PHB?year={demo}"
    anonymous = client.get(page)
    assert anonymous.status_code == 302 and "dang-nhap" in anonymous.location
    assert client.get(f"/quan-ly/bao-cao/TM-PHB/{demo}.xlsx").status_code == 302

    auth.login_as("manager", "TM-PHB")
    assert client.get(page).status_code == 200
    assert client.get(f"/quan-ly/bao-cao/TM-PHB/{demo}.csv").status_code == 200
    assert client.get(f"/quan-ly/bao-cao/TM-PHB/{demo}.docx").status_code == 404
    token = _csrf(client, page)
    for path in (
        f"/quan-ly/bao-cao/TM-PTT?year={demo}",
        f"/quan-ly/bao-cao/TM-PTT/{demo}.xlsx",
        f"/quan-ly/bao-cao/TM/{demo}.pdf",
    ):
        assert client.get(path).status_code == 404, path
    other = client.post(
        f"/quan-ly/bao-cao/TM-PTT/{demo}/chot", data={"csrf_token": token}
    )
    assert other.status_code == 404
    client.post("/quan-ly/dang-xuat", data={"csrf_token": token})

    viewer = AuthActions(auth.app, client)
    viewer.login_as("viewer", "TM")
    assert client.get(f"/quan-ly/bao-cao/TM-PHB?year={demo}&lang=en").status_code == 200
    assert client.get(f"/quan-ly/bao-cao/TM-PHB/{demo}.xlsx").status_code == 403
    token = _csrf(client, page)
    refused = client.post(
        f"/quan-ly/bao-cao/TM-PHB/{demo}/chot", data={"csrf_token": token}
    )
    assert refused.status_code == 403


def test_bad_input_is_never_a_server_error(
    client: FlaskClient, auth: AuthActions, demo: int
) -> None:
    auth.login_as("admin", "TM")
    empty = client.get(f"/quan-ly/bao-cao/TM-PHB/{demo - 10}.xlsx")
    assert empty.status_code == 302
    assert client.get(empty.location).status_code == 200
    assert client.get("/quan-ly/bao-cao/TM-PHB?year=abc").status_code == 200
    assert client.get("/quan-ly/bao-cao/TM-PHB?year=2025&q=nope").status_code == 200
    assert client.get(f"/quan-ly/bao-cao/NOPE/{demo}.csv").status_code == 404


def _add_late_response(year: int) -> None:
    point = get_by_code(Agency, "TM-PHB-MC")
    questionnaire = get_by_code(Questionnaire, "sipas-2023")
    field = get_by_code(ServiceField, "ho-tich")
    assert point and questionnaire and field
    response = Response(
        idempotency_key=uuid.uuid4().hex,
        agency_id=point.id,
        questionnaire_id=questionnaire.id,
        service_field_id=field.id,
        submitted_at=datetime(year, 6, 3, 3, 0, tzinfo=UTC),
        answers=[Answer(criterion_id=c.id, value=1) for c in questionnaire.criteria()],
    )
    db.session.add(response)
    db.session.commit()


def test_finalised_year_exports_stay_identical(
    app: Flask, client: FlaskClient, auth: AuthActions, demo: int
) -> None:
    auth.login_as("manager", "TM-PHB")
    page = f"/quan-ly/bao-cao/TM-PHB?year={demo}"
    finalise = f"/quan-ly/bao-cao/TM-PHB/{demo}/chot"
    done = client.post(
        finalise,
        data={"csrf_token": _csrf(client, page), "confirm_year": str(demo)},
    )
    assert done.status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(Finalisation)).one()
        agency = get_by_code(Agency, "TM-PHB")
        scores = score_agency(agency, Period.year(demo))  # type: ignore[arg-type]
        rows = load_rows(
            subtree_ids(agency.id),  # type: ignore[union-attr]
            scores.questionnaire,
            Period.year(demo),
        )
        # The page's scores come from the cells, the finalisation from the
        # responses: the same weights, strata and counts.
        assert stored.input_hash == input_hash(scores, rows)
        assert stored.response_count == scores.n_responses == len(rows)
        assert stored.settings["questionnaire"] == "sipas-2023"
    before = client.get(f"/quan-ly/bao-cao/TM-PHB/{demo}.xlsx")
    assert before.status_code == 200
    with app.app_context():
        _add_late_response(demo)
    after = client.get(f"/quan-ly/bao-cao/TM-PHB/{demo}.xlsx")
    assert 'data-late="1"' in client.get(page).get_data(as_text=True)

    first, second = (_sheets_from_bytes(r.data) for r in (before, after))
    assert list(first) == list(second)
    differences = [
        (title, r, c, first[title][r][c], second[title][r][c])
        for title in first
        for r in range(len(first[title]))
        for c in range(len(first[title][r]))
        if first[title][r][c] != second[title][r][c]
    ]
    # Only the count of responses after finalisation changed.
    assert [(d[3], d[4]) for d in differences] == [("0", "1")]
    assert differences[0][0] == list(first)[-1]

    again = client.post(
        finalise,
        data={"csrf_token": _csrf(client, page), "confirm_year": str(demo)},
    )
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Finalisation)) == 1
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("finalise") == 1 and actions.count("export") == 2
    # The message is made in the language of the request that failed: Vietnamese.
    followed = client.get(again.location).get_data(as_text=True)
    assert "không thể chốt lần thứ hai" in followed


def _sheets_from_bytes(content: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(content))
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def test_sipas_export_command(
    app: Flask, runner: FlaskCliRunner, demo: int, tmp_path: Path
) -> None:
    magic = {"xlsx": b"PK", "csv": b"\xef\xbb\xbf", "pdf": b"%PDF"}
    for fmt, start in magic.items():
        target = _export(runner, tmp_path, "TM-PHB", fmt)
        assert target.read_bytes().startswith(start)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export")
        ).all()
        assert [(e.target, e.details["format"], e.details["year"]) for e in events] == [
            ("TM-PHB", fmt, demo) for fmt in magic
        ]
    empty = runner.invoke(
        args=["sipas", "export", "--year", "1999", "--agency", "TM-PHB"]
        + ["--format", "pdf", "-o", str(tmp_path / "x")]
    )
    assert empty.exit_code == 1 and "Error" in empty.output
    unknown = runner.invoke(
        args=["sipas", "export", "--year", str(demo), "--agency", "NOPE"]
        + ["--format", "csv", "-o", str(tmp_path / "x")]
    )
    assert unknown.exit_code == 1 and "no agency with code 'NOPE'" in unknown.output
