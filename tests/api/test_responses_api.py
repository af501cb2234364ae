"""POST /api/v1/responses: the JSON twin of the survey form."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.api import submission as api_submission
from surveyapp.core.links import counter_token
from surveyapp.extensions import db
from surveyapp.models import Counter, Response, get_by_code
from tests.factories import SurveySite
from tests.receipts.support import expire, issue, response_body

URL = "/api/v1/responses"


def stored() -> list[Response]:
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def count_responses(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Response.id))) or 0


def test_receipt_response_is_stored_once_per_key(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = issue(app, site.counter, "HS-001")
    body = response_body(token, answers={"A1": 5, "B2": "na", "C3": None, "D1": 2})
    first = client.post(URL, json=body)
    assert first.status_code == 201
    assert first.json is not None and first.json["status"] == "stored"
    again = client.post(URL, json=body)
    assert again.status_code == 200
    assert again.json == {"status": "duplicate", "id": first.json["id"]}
    with app.app_context():
        (response,) = stored()
        assert response.public_id == first.json["id"]
        assert response.channel == "receipt"
        assert response.dossier_code == "HS-001"
        assert response.receipt_id is not None
        assert response.language == "en"
        values = {a.criterion.code: a.value for a in response.answers}
        assert values["A1"] == 5 and values["D1"] == 2
        assert values["B2"] is None and values["C3"] is None


def test_counter_response(app: Flask, client: FlaskClient, site: SurveySite) -> None:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        token = counter_token(counter)
    posted = client.post(URL, json=response_body(token, kind="counter"))
    assert posted.status_code == 201
    with app.app_context():
        (response,) = stored()
        assert response.channel == "counter"
        assert response.dossier_code is None and response.receipt_id is None


def test_used_receipt_is_409_and_nothing_more_is_stored(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = issue(app, site.counter, "HS-002")
    assert client.post(URL, json=response_body(token)).status_code == 201
    second = client.post(URL, json=response_body(token))
    assert second.status_code == 409
    assert second.json == {"status": "already_rated"}
    assert count_responses(app) == 1


def test_expired_receipt_is_410(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = issue(app, site.counter, "HS-003")
    expire(app, "HS-003")
    posted = client.post(URL, json=response_body(token))
    assert posted.status_code == 410
    assert posted.json == {"status": "expired"}
    assert count_responses(app) == 0


@pytest.mark.parametrize("kind", ["receipt", "counter"])
def test_tampered_token_is_404(
    app: Flask, client: FlaskClient, site: SurveySite, kind: str
) -> None:
    token = issue(app, site.counter, "HS-004")
    if kind == "counter":
        with app.app_context():
            counter = get_by_code(Counter, site.counter)
            assert counter is not None
            token = counter_token(counter)
    public_id, signature = token.rsplit(".", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    posted = client.post(URL, json=response_body(f"{public_id}.{flipped}", kind=kind))
    assert posted.status_code == 404
    assert posted.json == {"status": "not_found"}
    assert count_responses(app) == 0


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"answers": {"A1": 6}}, "answers.A1"),
        ({"answers": {"A1": 0}}, "answers.A1"),
        ({"answers": {"A1": "abc"}}, "answers.A1"),
        ({"answers": {"A1": True}}, "answers.A1"),
        ({"answers": {"A1": 4.5}}, "answers.A1"),
        ({"answers": {"A1": 4, "Z9": 4}}, "answers.Z9"),
        ({"answers": {"A1": "na", "A2": None}}, "answers"),
        ({"answers": []}, "answers"),
        ({"service_field": "khong-ton-tai"}, "service_field"),
        ({"service_field": ""}, "service_field"),
        ({"comment": "x" * 2001}, "comment"),
        ({"comment": 12}, "comment"),
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"kind": "kiosk"}, "kind"),
        ({"language": "fr"}, "language"),
        ({"token": ""}, "token"),
    ],
)
def test_bad_input_is_rejected_and_nothing_stored(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
    override: dict[str, Any],
    field: str,
) -> None:
    body = response_body(issue(app, site.counter, "HS-005"))
    body.update(override)
    posted = client.post(URL, json=body)
    assert posted.status_code == 422
    assert posted.json is not None
    assert posted.json["status"] == "invalid"
    assert field in posted.json["errors"], posted.json
    assert all(
        isinstance(message, str) and message
        for messages in posted.json["errors"].values()
        for message in messages
    )
    assert count_responses(app) == 0


def test_each_problem_gets_one_message_meant_for_a_client(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    """Unknown codes are named; no message written for a browser user leaks in."""
    token = issue(app, site.counter, "HS-007")
    body = response_body(token, service_field="x", answers={"A1": 9, "Q": 1})
    posted = client.post(URL, json=body)
    assert posted.status_code == 422
    assert posted.json == {
        "status": "invalid",
        "errors": {
            "answers.A1": ["Please choose a rating from 1 to 5."],
            "answers.Q": ["Unknown criterion code."],
            "service_field": ["Please choose the service field you used."],
        },
    }


def test_validation_messages_follow_the_language(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = issue(app, site.counter, "HS-006")
    body = response_body(token, language="vi", answers={"A1": 9})
    posted = client.post(URL, json=body)
    assert posted.status_code == 422
    assert posted.json is not None
    assert posted.json["errors"]["answers.A1"] == [
        "Vui lòng chọn mức đánh giá từ 1 đến 5."
    ]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": [1, 2]},
        {"json": "text"},
        {"data": "{not json", "content_type": "application/json"},
        {"data": '{"kind": "receipt"}', "content_type": "text/plain"},
        {"data": {"kind": "receipt"}},
    ],
)
def test_body_that_is_not_a_json_object_is_400(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
    request_kwargs: dict[str, Any],
) -> None:
    posted = client.post(URL, **request_kwargs)
    assert posted.status_code == 400
    assert posted.json == {"status": "bad_request"}


def test_errors_are_json_never_html(app: Flask, client: FlaskClient) -> None:
    wrong_method = client.get(URL)
    assert wrong_method.status_code == 405
    assert wrong_method.json == {"status": "method_not_allowed"}
    assert "POST" in wrong_method.headers["Allow"]
    unknown = client.post("/api/v1/nothing-here", json={})
    assert unknown.status_code == 404
    assert unknown.json == {"status": "not_found"}
    app.config["MAX_CONTENT_LENGTH"] = 100
    too_large = client.post(URL, json={"comment": "x" * 500})
    assert too_large.status_code == 413
    assert too_large.json == {"status": "too_large"}


def _counter_tokens(app: Flask, site: SurveySite) -> tuple[str, str]:
    with app.app_context():
        tokens = []
        for code in (site.counter, site.other_counter):
            counter = get_by_code(Counter, code)
            assert counter is not None
            tokens.append(counter_token(counter))
        return tokens[0], tokens[1]


def test_a_key_reused_on_another_counter_is_refused_not_a_duplicate(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    ours, theirs = _counter_tokens(app, site)
    body = response_body(ours, kind="counter", idempotency_key="k" * 20)
    assert client.post(URL, json=body).status_code == 201
    reused = client.post(URL + "?lang=en", json={**body, "token": theirs})
    assert reused.status_code == 422
    assert reused.json is not None and reused.json["status"] == "invalid"
    assert list(reused.json["errors"]) == ["idempotency_key"]
    assert "another survey link" in reused.json["errors"]["idempotency_key"][0]
    assert count_responses(app) == 1
    # A key first used on a receipt is not a duplicate at a counter either.
    receipt_body = response_body(issue(app, site.counter, "HS-K"))
    assert client.post(URL, json=receipt_body).status_code == 201
    moved = client.post(URL, json={**receipt_body, "kind": "counter", "token": ours})
    assert moved.status_code == 422
    assert count_responses(app) == 2


def test_a_key_reused_at_the_same_moment_is_refused_too(
    app: Flask, client: FlaskClient, site: SurveySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-up before storing misses a key stored meanwhile: the store decides."""
    ours, theirs = _counter_tokens(app, site)
    body = response_body(ours, kind="counter", idempotency_key="r" * 20)
    assert client.post(URL, json=body).status_code == 201
    monkeypatch.setattr(api_submission, "find_by_idempotency_key", lambda key: None)
    reused = client.post(URL, json={**body, "token": theirs})
    assert reused.status_code == 422
    again = client.post(URL, json=body)
    assert again.status_code == 200
    assert again.json is not None and again.json["status"] == "duplicate"
    assert count_responses(app) == 1


def test_a_language_of_languages_is_accepted_another_is_not(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["LANGUAGES"] = ("vi", "en", "xx")
    token = issue(app, site.counter, "HS-007")
    refused = client.post(URL, json=response_body(token, language="qq"))
    assert refused.status_code == 422 and refused.json is not None
    assert refused.json["errors"]["language"] == [
        "Phải là một trong các giá trị “vi”, “en”, “xx”."
    ]
    # No catalogue for "xx": its messages are in Vietnamese.
    body = response_body(token, language="xx", answers={"A1": 9})
    invalid = client.post(URL, json=body).json
    assert invalid is not None
    assert invalid["errors"]["answers.A1"] == ["Vui lòng chọn mức đánh giá từ 1 đến 5."]
    assert client.post(URL, json=response_body(token, language="xx")).status_code == 201
    with app.app_context():
        assert [response.language for response in stored()] == ["xx"]
    schema = client.get("/api/v1/openapi.json").json
    assert schema is not None
    language = schema["components"]["schemas"]["ResponseIn"]["properties"]["language"]
    assert language["enum"] == ["vi", "en", "xx"]
