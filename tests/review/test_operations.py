"""Review operations: the reasons in words, and a decision changing the state."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AnomalyState, AuditEvent, Response
from surveyapp.review.operations import set_review_state
from surveyapp.review.reasons import describe_reason
from tests.factories import SurveySite, add_responses


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("honeypot", "A hidden field that people never see was filled in"),
        ("too_fast:4s", "Sent 4 seconds after the form was shown"),
        ("identical_burst:6", "as 6 other responses at this counter within 15"),
        ("network_burst:12", "12 other responses from the same network"),
        ("network_burst:100+", "At least 100 other responses from the same network"),
        ("identical_burst:50+", "as at least 50 other responses at this counter"),
        ("kiosk_burst:100+", "At least 100 other responses from the same kiosk"),
        ("kiosk_burst:11", "11 other responses from the same kiosk"),
        ("something_new:3", "something_new:3"),
    ],
)
def test_reasons_are_told_in_words(app: Flask, code: str, text: str) -> None:
    app.config["ANOMALY_WINDOW_MINUTES"] = 15
    with app.test_request_context("/?lang=en"), force_locale("en"):
        assert text in describe_reason(code)


def test_a_decision_is_audited_once_and_only_a_decision(
    app: Flask, site: SurveySite
) -> None:
    with app.app_context():
        (response_id,) = add_responses(site.counter, [4], 1)
        response = db.session.get(Response, response_id)
        assert response is not None
        response.anomaly_state = AnomalyState.FLAGGED
        response.anomaly_reasons = ["honeypot", "too_fast:2s"]
        assert set_review_state(response, AnomalyState.CLEARED)
        assert not set_review_state(response, AnomalyState.CLEARED)
        with pytest.raises(ValueError, match="confirms or clears"):
            set_review_state(response, AnomalyState.FLAGGED)
        db.session.commit()
        (event,) = db.session.scalars(select(AuditEvent)).all()
        assert event.action == "response_clear"
        assert event.details["reasons"] == ["honeypot", "too_fast:2s"]
        assert event.details["from"] == "flagged"
        assert db.session.get(Response, response_id).anomaly_state == "cleared"
