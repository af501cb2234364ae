"""`flask demo load`: the demo province, once, with its logins."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Agency, Counter, Response
from tests.conftest import AuthActions


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


def test_demo_load_creates_demo_logins(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "load", "--responses", "300"])
    assert "admin@tinhmau.example / tinhmau-admin-2025" in result.output
    assert (
        "quanly.hoabinh@tinhmau.example / hoabinh-quanly-2025 (TM-PHB)" in result.output
    )
    client = app.test_client()
    assert (
        AuthActions(app, client)
        .login("quanly.hoabinh@tinhmau.example", "hoabinh-quanly-2025")
        .status_code
        == 302
    )
