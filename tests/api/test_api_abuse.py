"""The JSON API shares the survey's rate limits and anomaly rules."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.core.links import counter_token
from surveyapp.extensions import db
from surveyapp.models import Counter, Response, get_by_code
from tests.factories import SurveySite
from tests.receipts.support import issue, response_body


def counter_body(app: Flask, code: str, **overrides: object) -> dict:
    with app.app_context():
        counter = get_by_code(Counter, code)
        assert counter is not None
        return response_body(counter_token(counter), kind="counter", **overrides)


def test_api_is_rate_limited_per_address(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["SURVEY_RATE_LIMIT_IP"] = "3 per minute"
    codes = [
        client.post(
            "/api/v1/responses", json=counter_body(app, site.counter)
        ).status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    limited = client.post("/api/v1/responses", json=counter_body(app, site.counter))
    assert limited.is_json
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 3


def test_api_flags_a_filled_honeypot(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    body = counter_body(app, site.counter, website="http://spam.example")
    assert client.post("/api/v1/responses", json=body).status_code == 201
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.anomaly_state == "flagged"
        assert "honeypot" in response.anomaly_reasons


def test_receipt_page_flags_a_filled_honeypot(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    from tests.helpers import fill_form

    path = "/r/" + issue(app, site.counter, "HS-TRAP-1")
    data = fill_form(client, path, website="http://spam.example")
    assert client.post(path, data=data).status_code == 302
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.channel == "receipt" and response.anomaly_state == "flagged"
