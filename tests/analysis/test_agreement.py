"""Every rule once: the dashboard, diem.json, the raw export scored by the CLI and
the yearly XLSX show the same numbers for the same agency and year.

The data is built so that each rule that used to be written several times would
make them disagree: two questionnaire versions in the subtree (the one most
answered is not the agency's own), flagged responses that must stay out,
a response on the local New Year's morning that belongs to the next year, and
dossier counts that make the weights unequal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import (
    EXCLUDED_ANOMALY_STATES,
    Agency,
    DossierCount,
    Response,
    ServiceField,
    get_by_code,
)
from surveyapp.web.language import percent
from tests.conftest import AuthActions
from tests.factories import add_responses, make_two_communes, questionnaire
from tests.helpers import scoring_command_rows

YEAR = date.today().year - 1
JUNE = datetime(YEAR, 6, 15, 3, 0, tzinfo=UTC)
# 18:00 UTC on 31 December is 01:00 on 1 January in Vietnam: next year's.
NEW_YEAR_MORNING = datetime(YEAR, 12, 31, 18, 0, tzinfo=UTC)
KEYS = ("estimate", "se", "ci_low", "ci_high")
TOLERANCE = 1e-9


def _counts(agency_code: str, field_code: str, dossiers: int) -> DossierCount:
    agency = get_by_code(Agency, agency_code)
    field = get_by_code(ServiceField, field_code)
    assert agency is not None and field is not None
    return DossierCount(
        agency_id=agency.id,
        service_field_id=field.id,
        year=YEAR,
        month=6,
        dossiers=dossiers,
    )


@pytest.fixture
def province(app: Flask) -> str:
    """A province whose own version is sipas-2023, most answers being sipas-2017."""
    with app.app_context():
        codes = make_two_communes("G")
        point_b = get_by_code(Agency, codes["point_b"])
        assert point_b is not None
        point_b.questionnaire = questionnaire("sipas-2017")
        db.session.commit()
        add_responses(codes["counter_b"], [5, 4], 60, submitted_at=JUNE)
        add_responses(codes["counter_a"], [5, 4, 4, 5], 14, submitted_at=JUNE)
        add_responses(codes["counter_a"], [3, 4, None, 5, 2], 9, submitted_at=JUNE)
        add_responses(
            codes["counter_a"], [2, 5, 1], 7, field_code="dat-dai", submitted_at=JUNE
        )
        add_responses(
            codes["counter_a"], [4, 4, 5], 8, field_code="dat-dai", submitted_at=JUNE
        )
        add_responses(codes["counter_a"], [1], 3, submitted_at=NEW_YEAR_MORNING)
        flagged = add_responses(codes["counter_a"], [1], 12, submitted_at=JUNE)
        for response in db.session.scalars(
            select(Response).where(Response.id.in_(flagged))
        ):
            response.anomaly_state = EXCLUDED_ANOMALY_STATES[0]
            response.anomaly_reasons = ["too_fast:2s"]
        db.session.add_all(
            [
                _counts(codes["point_a"], "ho-tich", 400),
                _counts(codes["point_a"], "dat-dai", 90),
            ]
        )
        db.session.commit()
        return codes["province"]


def _from_scoring_command(
    runner: FlaskCliRunner, tmp_path: Path, code: str
) -> dict[str, dict[str, float]]:
    exported = tmp_path / "responses.csv"
    result = runner.invoke(
        args=["responses", "export", "--year", str(YEAR), "--agency", code]
        + ["-o", str(exported)]
    )
    assert result.exit_code == 0, result.output
    assert "38 responses exported" in result.output
    return {
        row["code"]: {key: float(row[key]) for key in (*KEYS, "n")}
        for row in scoring_command_rows(exported)
        if row["domain"] == "ALL" and row["level"] in ("factor", "index")
    }


def _from_json(client: FlaskClient, code: str) -> dict[str, dict[str, float]]:
    answer = client.get(f"/quan-ly/api/co-quan/{code}/diem.json?year={YEAR}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["questionnaire"] == "sipas-2023"
    return {
        row["code"]: {key: float(row[key]) for key in (*KEYS, "n")}
        for row in body["rows"]
        if row["domain"] == code and row["level"] in ("factor", "index")
    }


def _from_xlsx(runner: FlaskCliRunner, tmp_path: Path, code: str) -> dict:  # type: ignore[type-arg]
    target = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=["sipas", "export", "--year", str(YEAR), "--agency", code]
        + ["--format", "xlsx", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "38 responses" in result.output
    book = load_workbook(target)
    try:
        sheet = next(s for s in book.worksheets if s.title in ("Yếu tố", "Factors"))
        factors = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    columns = {"estimate": 5, "ci_low": 6, "ci_high": 7, "se": 8, "n": 10}
    return {
        str(row[3]): {key: float(row[i]) for key, i in columns.items()}  # type: ignore[arg-type]
        for row in factors[1:]
        if row[0] == code
    }


def _assert_agree(found: dict, reference: dict, what: str) -> None:  # type: ignore[type-arg]
    assert set(found) == set(reference), what
    for code, row in reference.items():
        for key, value in row.items():
            assert found[code][key] == pytest.approx(value, abs=TOLERANCE), (
                what,
                code,
                key,
            )


def test_every_view_of_a_year_shows_the_same_numbers(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    province: str,
    tmp_path: Path,
) -> None:
    reference = _from_scoring_command(runner, tmp_path, province)
    assert set(reference) == {"SIPAS", "F1", "F2", "F3", "F4", "F5"}
    assert reference["SIPAS"]["n"] == 38
    auth.login_as("admin", province)
    _assert_agree(_from_json(client, province), reference, "diem.json")
    _assert_agree(_from_xlsx(runner, tmp_path, province), reference, "XLSX")
    page = client.get(f"/quan-ly/co-quan/{province}?period=year&year={YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.test_request_context(), force_locale("vi"):
        shown = percent(reference["SIPAS"]["estimate"])
        low = percent(reference["SIPAS"]["ci_low"])
        high = percent(reference["SIPAS"]["ci_high"])
    assert shown in html and low in html and high in html
    assert "sipas-2023" in html
