"""The race: many simultaneous submissions of one receipt store exactly one."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Receipt, Response
from tests.conftest import LiveServer
from tests.factories import SurveySite
from tests.receipts.support import issue, response_body

SUBMISSIONS = 50


def post_json(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 - a loopback test server
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_fifty_concurrent_submissions_of_one_receipt_store_one(
    app: Flask, site: SurveySite, live_server: LiveServer
) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the race is decided by PostgreSQL's unique constraint")
    # The race is about the database, not the rate limits one address would hit.
    app.config["SURVEY_RATE_LIMIT_IP"] = "1000 per minute"
    app.config["SURVEY_RATE_LIMIT_COUNTER"] = "1000 per minute"
    token = issue(app, site.counter, "HS-RACE-1")
    bodies = [
        response_body(token, idempotency_key=uuid.uuid4().hex)
        for _ in range(SUBMISSIONS)
    ]
    url = f"{live_server.url}/api/v1/responses"
    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        answers = list(pool.map(lambda body: post_json(url, body), bodies))
    statuses = Counter(status for status, _ in answers)
    assert statuses == {201: 1, 409: SUBMISSIONS - 1}, statuses
    assert all(
        body == {"status": "already_rated"} for status, body in answers if status == 409
    )
    (stored_id,) = [body["id"] for status, body in answers if status == 201]
    with app.app_context():
        receipt = db.session.scalars(
            select(Receipt).where(Receipt.dossier_code == "HS-RACE-1")
        ).one()
        responses = db.session.scalars(
            select(Response).where(Response.receipt_id == receipt.id)
        ).all()
        assert [r.public_id for r in responses] == [stored_id]
        assert db.session.scalar(select(func.count(Response.id))) == 1
