"""The `flask` commands, run through Click's test runner."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Agency, Counter, Response
from tests.factories import SurveySite
from tests.helpers import fill_form, survey_path


def test_demo_load_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["demo", "load", "--responses", "600"])
    assert first.exit_code == 0, first.output
    assert "Tỉnh Mẫu" in first.output
    with app.app_context():
        responses = db.session.scalar(select(func.count()).select_from(Response))
        agencies = db.session.scalar(select(func.count()).select_from(Agency))
        counters = db.session.scalar(select(func.count()).select_from(Counter))
        assert responses is not None and 550 <= responses <= 650
        # Departments and communes under the province, each with a service point.
        assert agencies is not None and agencies >= 1 + 2 * 10
        assert counters is not None and counters >= 20
        by_agency = db.session.execute(
            select(Response.agency_id, func.count()).group_by(Response.agency_id)
        ).all()
        assert len(by_agency) >= 10
        versions = set(db.session.scalars(select(Response.questionnaire_id).distinct()))
        assert len(versions) == 2
    second = runner.invoke(args=["demo", "load", "--responses", "600"])
    assert second.exit_code == 0
    assert "nothing added" in second.output
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Response)) == responses
        )


def test_counters_list_and_url(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    listing = runner.invoke(args=["counters", "list"])
    assert listing.exit_code == 0
    assert re.search(
        rf"^{site.counter}\tBộ phận Một cửa xã Thử Nghiệm\tQuầy số 1$",
        listing.output,
        re.M,
    )
    url = runner.invoke(args=["counters", "url", site.counter])
    assert url.exit_code == 0
    assert url.output.strip().endswith(survey_path(app, site.counter))
    assert url.output.startswith("http://127.0.0.1:5000/s/")


def test_counters_url_uses_public_base_url(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.example.gov.vn"
    url = runner.invoke(args=["counters", "url", site.counter]).output.strip()
    assert url == "https://khaosat.example.gov.vn" + survey_path(app, site.counter)


def test_unknown_counter_is_a_clear_error(
    runner: FlaskCliRunner, site: SurveySite
) -> None:
    result = runner.invoke(args=["counters", "url", "NOPE"])
    assert result.exit_code == 1
    assert "no counter with code 'NOPE'" in result.output


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_counters_qr_writes_image(
    runner: FlaskCliRunner, site: SurveySite, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"qr{suffix}"
    result = runner.invoke(args=["counters", "qr", site.counter, "-o", str(target)])
    assert result.exit_code == 0, result.output
    content = target.read_bytes()
    assert (
        content.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in content[:300]
    )


def test_counters_qr_rejects_other_formats(
    runner: FlaskCliRunner, site: SurveySite, tmp_path: Path
) -> None:
    result = runner.invoke(
        args=["counters", "qr", site.counter, "-o", str(tmp_path / "qr.jpg")]
    )
    assert result.exit_code == 2
    assert ".png or .svg" in result.output


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
    import subprocess
    import sys

    assert runner.invoke(args=["demo", "load", "--responses", "1500"]).exit_code == 0
    exported = tmp_path / "responses.csv"
    assert (
        runner.invoke(args=["responses", "export", "-o", str(exported)]).exit_code == 0
    )
    scored = subprocess.run(
        [sys.executable, "-m", "surveyapp.scoring", str(exported)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert scored.returncode == 0, scored.stderr
    rows = list(csv.DictReader(io.StringIO(scored.stdout)))
    overall = [r for r in rows if r["domain"] == "ALL" and r["code"] == "SIPAS"]
    assert len(overall) == 1
    assert 0.5 < float(overall[0]["estimate"]) < 1.0


def test_questionnaires_load_is_idempotent(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["questionnaires", "load"])
    assert result.exit_code == 0
    assert "nothing to add" in result.output


@pytest.mark.parametrize("group", ["demo", "counters", "responses", "questionnaires"])
def test_commands_have_help(runner: FlaskCliRunner, group: str) -> None:
    result = runner.invoke(args=[group, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output and "Commands" in result.output
