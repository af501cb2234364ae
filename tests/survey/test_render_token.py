"""The render token: scripts that never showed the form, or reuse one, are flagged.

Flagged, never refused: every response below is stored.
"""

from __future__ import annotations

import random
import time
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from surveyapp.core.links import counter_token
from surveyapp.extensions import db
from surveyapp.models import Counter, Response, ServiceField, get_by_code
from surveyapp.survey.submission import Submission, Target, issue_render_token
from surveyapp.survey.submission.render import SALT, RenderCheck, check_render_token
from tests.factories import SurveySite
from tests.helpers import fill_form, survey_path
from tests.receipts.support import SIPAS_2023_CODES, issue, response_body

HOUR = 3600


def submission_at(code: str, **fields: object) -> Submission:
    counter = get_by_code(Counter, code)
    assert counter is not None
    survey = counter.service_point.active_questionnaire()
    assert survey is not None
    service_field = get_by_code(ServiceField, "ho-tich")
    assert service_field is not None
    return Submission(
        counter=counter,
        questionnaire=survey,
        service_field=service_field,
        answers={},
        comment="",
        idempotency_key=uuid.uuid4().hex,
        language="vi",
        **fields,  # type: ignore[arg-type]
    )


def token_for(submission: Submission, now: float) -> str:
    target = Target(
        submission.counter,
        submission.questionnaire,
        receipt_id=submission.receipt_id,
        kiosk_id=submission.kiosk_id,
    )
    return issue_render_token(target, now=now)


def test_a_token_tells_how_long_the_form_was_open(app: Flask, site: SurveySite) -> None:
    with app.app_context():
        submission = submission_at(site.counter)
        shown = time.time()
        token = token_for(submission, shown)
        check = check_render_token(token, submission, now=shown + 42)
        assert check.problem is None and check.seconds == 42
        assert check.nonce and len(check.nonce) <= 24
        other = check_render_token(token_for(submission, shown), submission)
        assert other.nonce != check.nonce


@pytest.mark.parametrize(
    ("mangle", "problem"),
    [
        (lambda token: None, "render_missing"),
        (lambda token: "", "render_missing"),
        (lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "forged"),
        (lambda token: "1712345678", "forged"),
        (lambda token: "x\ud800." + token, "forged"),
        (lambda token: token + "A" * 600, "forged"),
    ],
)
def test_a_missing_or_tampered_token_proves_nothing(
    app: Flask, site: SurveySite, mangle: object, problem: str
) -> None:
    with app.app_context():
        submission = submission_at(site.counter)
        token = token_for(submission, time.time() - 60)
        check = check_render_token(mangle(token), submission)  # type: ignore[operator]
        assert check.problem == problem.replace("forged", "render_forged")
        assert check.seconds is None and check.nonce is None


def test_a_token_of_another_secret_shape_or_link_is_forged(
    app: Flask, site: SurveySite
) -> None:
    with app.app_context():
        here = submission_at(site.counter)
        elsewhere = submission_at(site.other_counter)
        receipt = submission_at(site.counter, receipt_id=1)
        now = time.time()
        stranger = URLSafeTimedSerializer("another-secret", salt=SALT)
        ours = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT)
        for token in (
            token_for(elsewhere, now),  # another counter's page
            token_for(receipt, now),  # a receipt's page at the same counter
            stranger.dumps([f"counter:{here.counter.id}", "n" * 16]),
            ours.dumps({"link": f"counter:{here.counter.id}"}),
        ):
            assert check_render_token(token, here) == RenderCheck("render_forged")


def test_an_old_token_is_expired(app: Flask, site: SurveySite) -> None:
    app.config["RENDER_TOKEN_MAX_HOURS"] = 24
    with app.app_context():
        submission = submission_at(site.counter)
        token = token_for(submission, time.time() - 25 * HOUR)
        assert check_render_token(token, submission) == RenderCheck("render_expired")
        fresh = token_for(submission, time.time() - 23 * HOUR)
        assert check_render_token(fresh, submission).seconds is not None


def reasons(app: Flask) -> list[list[str]]:
    with app.app_context():
        return [
            response.anomaly_reasons
            for response in db.session.scalars(select(Response).order_by(Response.id))
        ]


def random_vote(token: str, network: int) -> tuple[dict, dict[str, str]]:
    """The issue's script: random 4 or 5 answers, each from another /24 network."""
    answers = {code: random.choice((4, 5)) for code in SIPAS_2023_CODES}
    body = response_body(token, kind="counter", answers=answers)
    return body, {"REMOTE_ADDR": f"198.51.{network}.7"}


@pytest.mark.parametrize(
    ("render_token", "reason"),
    [(None, "render_missing"), ("1712345678.forged.sig", "render_forged")],
)
def test_scripted_api_votes_without_a_shown_form_are_stored_and_flagged(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
    render_token: str | None,
    reason: str,
) -> None:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        token = counter_token(counter)
    for network in range(30):
        body, environ = random_vote(token, network)
        if render_token is not None:
            body["render_token"] = render_token
        sent = client.post("/api/v1/responses", json=body, environ_base=environ)
        assert sent.status_code == 201
    stored = reasons(app)
    assert len(stored) == 30
    assert all(reason in flags for flags in stored)


def test_a_shown_page_sent_through_the_api_is_not_flagged(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
) -> None:
    """The offline client: the page's answers, queued, sent later as JSON."""
    path = survey_path(app, site.counter)
    form = fill_form(client, path)
    body = response_body(
        path.removeprefix("/s/"),
        kind="counter",
        idempotency_key=form["idempotency_key"],
        render_token=form["render_token"],
    )
    assert client.post("/api/v1/responses", json=body).status_code == 201
    assert reasons(app) == [[]]


def test_one_shown_form_sent_as_several_responses_is_flagged_replayed(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(client, path)
    assert client.post(path, data=data).status_code == 302
    assert client.post(path, data=data).status_code == 302  # a resend: no response
    for value in "345":
        data.update(idempotency_key=uuid.uuid4().hex, c_A1=value)
        assert client.post(path, data=data).status_code == 302
    assert reasons(app) == [
        [],
        ["render_replayed"],
        ["render_replayed"],
        ["render_replayed"],
    ]


def test_a_page_of_one_counter_sent_to_another_is_flagged(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
) -> None:
    here = survey_path(app, site.counter)
    data = fill_form(client, here)
    other = survey_path(app, site.other_counter)
    data["render_token"] = fill_form(client, other)["render_token"]
    assert client.post(here, data=data).status_code == 302
    assert reasons(app) == [["render_forged"]]


def test_a_receipt_page_token_is_checked_too(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
) -> None:
    shown = "/r/" + issue(app, site.counter, "HS-TOKEN-1")
    data = fill_form(client, shown)
    assert client.post(shown, data=data).status_code == 302
    # A second receipt's survey sent with the first receipt's page token.
    second = "/r/" + issue(app, site.counter, "HS-TOKEN-2")
    data2 = fill_form(client, second)
    data2["render_token"] = data["render_token"]
    assert client.post(second, data=data2).status_code == 302
    assert reasons(app) == [[], ["render_forged"]]
