"""`flask responses export`: raw responses in the scoring command's format."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from tests.factories import SurveySite
from tests.helpers import fill_form, scoring_command_rows, survey_path


def _submit(app: Flask, counter_code: str, **answers: str) -> None:
    client = app.test_client()
    path = survey_path(app, counter_code)
    assert client.post(path, data=fill_form(client, path, **answers)).status_code == 302


def test_responses_export_matches_scoring_input_format(
    app: Flask, runner: FlaskCliRunner, site: SurveySite, tmp_path: Path
) -> None:
    _submit(app, site.counter, c_A1="5", c_B2="na", c_E3="2")
    _submit(app, site.other_counter, service_field="dat-dai")
    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["responses", "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    assert header[:4] == ["response_id", "agency", "stratum", "weight"]
    assert header[4:] == [
        "F1.1",
        "F1.2",
        "F1.3",
        "F2.1",
        "F2.2",
        "F2.3",
        "F2.4",
        "F3.1",
        "F3.2",
        "F3.3",
        "F4.1",
        "F4.2",
        "F4.3",
        "F5.1",
        "F5.2",
        "F5.3",
    ]
    assert len(rows) == 2
    first, second = rows
    assert first["agency"] == site.service_point
    # One response per service field: the app pools both cells within the agency.
    assert first["stratum"] == second["stratum"] == f"{site.service_point}:pooled"
    assert first["weight"] == "1"
    assert (first["F1.1"], first["F1.2"], first["F2.2"], first["F5.3"]) == (
        "5",
        "4",
        "",
        "2",
    )


def test_responses_export_filters_year_and_questionnaire(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    _submit(app, site.counter)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        # --year is a local (UTC+7) year: late on 31 December it is the next one.
        submitted = response.submitted_at
        submitted = submitted if submitted.tzinfo else submitted.replace(tzinfo=UTC)
        this_year = submitted.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).year
    current = runner.invoke(args=["responses", "export", "--year", str(this_year)])
    assert current.exit_code == 0
    assert len(list(csv.reader(io.StringIO(current.stdout)))) == 2
    past = runner.invoke(args=["responses", "export", "--year", str(this_year - 5)])
    assert len(list(csv.reader(io.StringIO(past.stdout)))) == 1
    other = runner.invoke(args=["responses", "export", "--questionnaire", "sipas-2017"])
    header = next(csv.reader(io.StringIO(other.stdout)))
    assert header[-1] == "F5.4" and len(header) == 4 + 22
    unknown = runner.invoke(args=["responses", "export", "--questionnaire", "nope"])
    assert unknown.exit_code == 1
    # THE questionnaire choice says it in the CLI's language (Vietnamese by default).
    assert "Không có bộ câu hỏi nope." in unknown.output


def test_export_feeds_the_scoring_command(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    pytest.importorskip("surveyapp.scoring.__main__")
    assert runner.invoke(args=["demo", "load", "--responses", "1500"]).exit_code == 0
    exported = tmp_path / "responses.csv"
    assert (
        runner.invoke(args=["responses", "export", "-o", str(exported)]).exit_code == 0
    )
    rows = scoring_command_rows(exported)
    overall = [r for r in rows if r["domain"] == "ALL" and r["code"] == "SIPAS"]
    assert len(overall) == 1
    assert 0.5 < float(overall[0]["estimate"]) < 1.0
