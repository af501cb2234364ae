"""The QĐ 766 indicator against a hand-worked example."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from scipy import stats
from sqlalchemy import select

from surveyapp.analysis.indicator766 import indicator_766
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    Answer,
    Counter,
    Response,
    ServiceField,
    get_by_code,
)
from tests.conftest import AuthActions
from tests.factories import SurveySite, make_site

MARCH = datetime(2025, 3, 15, 3, 0, tzinfo=UTC)


def add(
    counter_code: str,
    ratings: dict[str, int | None],
    *,
    channel: str = "receipt",
    flag: str | None = None,
    at: datetime = MARCH,
) -> None:
    """A response rating every item 4, except `ratings` (code -> value or None)."""
    counter = get_by_code(Counter, counter_code)
    assert counter is not None
    survey = counter.service_point.active_questionnaire()
    assert survey is not None
    field = db.session.scalars(select(ServiceField)).first()
    assert field is not None
    response = Response(
        idempotency_key=uuid.uuid4().hex,
        agency_id=counter.service_point_id,
        counter_id=counter.id,
        questionnaire_id=survey.id,
        service_field_id=field.id,
        channel=channel,
        submitted_at=at,
        dossier_code=uuid.uuid4().hex[:12] if channel == "receipt" else None,
        anomaly_state=flag,
    )
    response.answers = [
        Answer(
            criterion_id=criterion.id,
            value=ratings.get(f"{criterion.factor.code}{criterion.position}", 4),
        )
        for criterion in survey.criteria()
    ]
    db.session.add(response)


def all_items(value: int | None, factor: str, size: int) -> dict[str, int | None]:
    return {f"{factor}{i}": value for i in range(1, size + 1)}


def test_hand_worked_example(app: Flask, site: SurveySite) -> None:
    with app.test_request_context("/?lang=en"):
        other = make_site("U")
        # Rated in March 2025, in the subtree (7):
        add(site.counter, {})  # 1. all 4: satisfied
        add(site.counter, {"A1": 2, "A2": 3, "A3": None})  # 2. A mean 2.5: NOT
        add(site.counter, {"A1": 2, "A2": 3, "A3": 4})  # 3. A mean exactly 3: ok
        add(site.other_counter, {"B1": 1, "B2": 5, "B3": 5, "B4": 5})  # 4. B 4.0: ok
        add(site.counter, all_items(None, "B", 4))  # 5. B unanswered: ok
        add(site.counter, all_items(1, "E", 3))  # 6. E mean 1: NOT
        add(site.counter, all_items(1, "C", 3) | {"C1": 5}, flag="cleared")  # 7. NOT
        # Left out:
        add(site.counter, all_items(1, "A", 3), channel="counter")  # not a receipt
        add(site.counter, all_items(1, "A", 3), flag="flagged")  # anomalous
        add(site.counter, all_items(1, "A", 3), flag="confirmed")  # anomalous
        # 1 April 2025, 01:00 in Hà Nội: next month.
        add(site.counter, {}, at=datetime(2025, 3, 31, 18, 0, tzinfo=UTC))
        add(other.counter, all_items(1, "A", 3))  # another province
        db.session.commit()

        province = get_by_code(Agency, site.province)
        assert province is not None
        result = indicator_766(province, Period.month(2025, 3))
        assert (result.rated, result.dissatisfied, result.satisfied) == (7, 3, 4)
        assert result.share == pytest.approx(4 / 7)
        # Clopper-Pearson for 4 of 7: the bounds where the binomial tails are 2.5 %.
        assert result.ci_low == pytest.approx(0.18405, abs=5e-5)
        assert result.ci_high == pytest.approx(0.90101, abs=5e-5)
        assert stats.binom.sf(3, 7, result.ci_low) == pytest.approx(0.025)
        assert stats.binom.cdf(4, 7, result.ci_high) == pytest.approx(0.025)

        other_agency = get_by_code(Agency, other.province)
        assert other_agency is not None
        elsewhere = indicator_766(other_agency, Period.month(2025, 3))
        assert (elsewhere.rated, elsewhere.dissatisfied) == (1, 1)
        assert (elsewhere.share, elsewhere.ci_low) == (0.0, 0.0)
        april = indicator_766(province, Period.month(2025, 4))
        assert (april.rated, april.share, april.ci_high) == (1, 1.0, 1.0)
        empty = indicator_766(province, Period.month(2025, 5))
        assert (empty.rated, empty.share, empty.ci_low, empty.ci_high) == (
            0,
            None,
            None,
            None,
        )


def test_dashboard_shows_the_indicator(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    path = f"/quan-ly/co-quan/{site.province}?lang=en&period=month&year=2025&month=3"
    html = client.get(path).get_data(as_text=True)
    assert "QĐ 766" in html
    assert "No dossier has been rated with a receipt QR code" in html
    with app.app_context():
        add(site.counter, {})
        add(site.counter, all_items(1, "E", 3))
        db.session.commit()
    html = client.get(path).get_data(as_text=True)
    assert "50.0\u00a0%" in html
    section = html[html.index('id="qd766-title"') :]
    assert "Dossiers rated with a receipt QR code: <strong>2</strong>" in section
