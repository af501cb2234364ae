"""The store writes its rows without the ORM's unit of work: they must hold what
the models' own hooks would have filled in (the answers' digest, the comment's
agency and folded text), on both databases."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Answer, Comment, Criterion, Response, answers_digest
from surveyapp.survey.submission import find_by_idempotency_key
from tests.factories import SurveySite
from tests.helpers import survey_path
from tests.receipts.support import response_body

URL = "/api/v1/responses"


def test_a_stored_response_has_every_column_its_hooks_would_fill(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = survey_path(app, site.counter).removeprefix("/s/")
    body = response_body(
        token,
        kind="counter",
        comment="  Hồ sơ  ĐƯỢC giải quyết nhanh ",
        answers={"A1": 5, "A2": "na", "B1": None, "C3": "2"},
    )
    sent = client.post(URL, json=body)
    assert sent.status_code == 201
    with app.app_context():
        response = db.session.scalars(
            select(Response).where(Response.public_id == sent.get_json()["id"])
        ).one()
        values = dict(
            db.session.execute(
                select(Criterion.code, Answer.value)
                .join(Answer, Answer.criterion_id == Criterion.id)
                .where(Answer.response_id == response.id)
            ).all()
        )
        assert len(values) == 16
        assert {code: value for code, value in values.items() if value} == {
            "A1": 5,
            "C3": 2,
        }
        by_criterion = db.session.execute(
            select(Answer.criterion_id, Answer.value).where(
                Answer.response_id == response.id
            )
        ).all()
        assert response.answers_hash == answers_digest(by_criterion)
        assert response.idempotency_key == body["idempotency_key"]
        assert response.agency_id == response.counter.service_point_id
        assert response.anomaly_reasons == ["render_missing"]
        assert response.anomaly_state == "flagged"
        assert response.folded is False
        assert response.submitted_at is not None
        comment = db.session.scalars(
            select(Comment).where(Comment.response_id == response.id)
        ).one()
        assert comment.body == "Hồ sơ  ĐƯỢC giải quyết nhanh"
        assert comment.search_text == "ho so duoc giai quyet nhanh"
        assert comment.agency_id == response.agency_id
        assert comment.hidden is False


def test_a_response_without_a_comment_stores_no_comment(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = survey_path(app, site.counter).removeprefix("/s/")
    sent = client.post(URL, json=response_body(token, kind="counter", comment="   "))
    assert sent.status_code == 201
    with app.app_context():
        assert db.session.scalars(select(Comment)).all() == []


def test_the_key_look_up_finds_the_stored_response_and_nothing_else(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = survey_path(app, site.counter).removeprefix("/s/")
    body = response_body(token, kind="counter")
    sent = client.post(URL, json=body)
    with app.app_context():
        found = find_by_idempotency_key(body["idempotency_key"])
        assert found is not None and found.public_id == sent.get_json()["id"]
        assert find_by_idempotency_key("x" * 20) is None
