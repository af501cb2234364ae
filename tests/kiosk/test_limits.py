"""A kiosk has its own budget: the office's shared address does not stop it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from tests.factories import SurveySite
from tests.helpers import all_answers, hidden_fields
from tests.kiosk.test_views import new_kiosk


def send(client: FlaskClient, key: str, value: str = "4") -> int:
    data = hidden_fields(client.get(f"/kiosk/{key}").get_data(as_text=True))
    data.update(all_answers(value), service_field="ho-tich")
    return client.post(f"/kiosk/{key}", data=data).status_code


def test_kiosk_is_not_held_to_the_per_address_limit(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["SURVEY_RATE_LIMIT_IP"] = "2 per minute"
    app.config["SURVEY_RATE_LIMIT_COUNTER"] = "4 per minute"
    key = new_kiosk(app, site.counter)
    codes = [send(client, key, value) for value in "12345"]
    assert codes == [302, 302, 302, 302, 429]


def test_kiosk_responses_are_not_flagged_for_sharing_a_network(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["ANOMALY_NETWORK_COUNT"] = 2
    key = new_kiosk(app, site.counter)
    for value in "1234":
        assert send(client, key, value) == 302
    with app.app_context():
        flags = db.session.scalars(select(Response.anomaly_reasons)).all()
        assert len(flags) == 4
        codes = [code for reasons in flags for code in reasons]
        assert not any(code.startswith("network_burst") for code in codes)
