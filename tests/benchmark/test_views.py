"""The bare endpoint of the load test: only with the benchmark settings."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp.app import create_app
from surveyapp.extensions import db
from surveyapp.models import Answer, Response
from tests.factories import SurveySite
from tests.receipts.support import SIPAS_2023_CODES


def _body(site: SurveySite, key: str) -> dict[str, object]:
    return {
        "counter": site.counter,
        "service_field": "ho-tich",
        "idempotency_key": key,
        "answers": {code: 4 for code in SIPAS_2023_CODES},
    }


def test_it_is_not_served_by_default(app: Flask, site: SurveySite) -> None:
    answer = app.test_client().post("/_benchmark/bare", json=_body(site, "k" * 16))
    assert answer.status_code == 404


def test_it_stores_one_response_and_its_answers_once(
    app: Flask, database_url: str, site: SurveySite
) -> None:
    bench = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, BENCHMARK_BARE_ENDPOINT=True
    )
    client = bench.test_client()
    first = client.post("/_benchmark/bare", json=_body(site, "bare-key-0000001"))
    again = client.post("/_benchmark/bare", json=_body(site, "bare-key-0000001"))
    assert (first.status_code, again.status_code) == (201, 200)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.public_id == first.get_json()["id"]
        assert db.session.scalar(select(func.count(Answer.criterion_id))) == 16
    with bench.app_context():
        db.engine.dispose()


def test_production_refuses_it(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SURVEYAPP_BENCHMARK_BARE_ENDPOINT", "true")
    with pytest.raises(RuntimeError, match="benchmark only"):
        # Config classes read PUBLIC_BASE_URL when imported: given directly.
        create_app("production", PUBLIC_BASE_URL="https://khaosat.example")
