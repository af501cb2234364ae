"""A kiosk has its own budget and rules: the office's shared address stops neither
it nor the citizens' phones, and a tablet used by a script is still bounded."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from tests.factories import SurveySite
from tests.helpers import fill_form, survey_path
from tests.kiosk.test_views import kiosk_form, new_kiosk


def send(client: FlaskClient, key: str, value: str = "4") -> int:
    return client.post("/kiosk/", data=kiosk_form(client, key, value)).status_code


def test_each_kiosk_has_a_budget_of_its_own(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["SURVEY_RATE_LIMIT_IP"] = "2 per minute"
    app.config["KIOSK_RATE_LIMIT"] = "4 per minute"
    key = new_kiosk(app, site.counter)
    codes = [send(client, key, value) for value in "12345"]
    assert codes == [302, 302, 302, 302, 429]
    # Another kiosk at the same counter, and a phone on the office's address,
    # still have theirs.
    second = new_kiosk(app, site.counter, name="Máy tính bảng 2")
    assert send(client, second) == 302
    path = survey_path(app, site.counter)
    assert client.post(path, data=fill_form(client, path)).status_code == 302


def test_kiosk_responses_are_not_flagged_for_sharing_a_network(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["ANOMALY_NETWORK_COUNT"] = 2
    key = new_kiosk(app, site.counter)
    for value in "1234":
        assert send(client, key, value) == 302
    # Nor is a phone on the office network, where the kiosk sent four.
    path = survey_path(app, site.counter)
    assert client.post(path, data=fill_form(client, path, c_A1="2")).status_code == 302
    with app.app_context():
        flags = db.session.scalars(select(Response.anomaly_reasons)).all()
        assert len(flags) == 5
        codes = [code for reasons in flags for code in reasons]
        assert not any(code.startswith("network_burst") for code in codes)


def test_a_kiosk_sending_more_than_a_counter_serves_is_flagged(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["ANOMALY_KIOSK_COUNT"] = 3
    key = new_kiosk(app, site.counter)
    other = new_kiosk(app, site.counter, name="Máy tính bảng 2")
    for value in "1234":
        assert send(client, key, value) == 302
    assert send(client, other, "5") == 302
    with app.app_context():
        flags = db.session.scalars(
            select(Response.anomaly_reasons).order_by(Response.id)
        ).all()
    bursts = [[code for code in reasons if "burst" in code] for reasons in flags]
    assert bursts == [[], [], [], ["kiosk_burst:3"], []]
