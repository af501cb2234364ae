"""A lone UTF-16 surrogate anywhere in a request is a clear 400, never a 500.

JSON's "\\ud800" decodes to a Python string that no UTF-8 encoder accepts: the
database (SQLite and PostgreSQL), the HMAC of a token and the rate limiter's key
would each raise deep in a view.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.core.links import counter_token
from surveyapp.extensions import db
from surveyapp.models import Counter, Receipt, Response, get_by_code
from surveyapp.web.hygiene import has_lone_surrogate
from tests.factories import SurveySite
from tests.helpers import survey_path
from tests.kiosk.test_views import new_kiosk
from tests.receipts.support import bearer, issue, new_key, response_body

LONE = "\ud800"
MESSAGE = (
    "The request contains a character that is not valid Unicode (a lone UTF-16 "
    "surrogate). Remove it and send the request again."
)


def stored(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def post_json(client: FlaskClient, path: str, body: Any, **kwargs: Any) -> Any:
    # json.dumps writes a lone surrogate as the escape "\ud800", as a client would.
    return client.post(
        f"{path}?lang=en",
        data=json.dumps(body),
        content_type="application/json",
        **kwargs,
    )


def counter_link(app: Flask, site: SurveySite) -> str:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        return counter_token(counter)


@pytest.mark.parametrize(
    "change",
    [
        {"comment": f"x{LONE}"},
        {"token": f"x{LONE}.abc"},
        {"idempotency_key": f"abcdefghijklmnop{LONE}"},
        {"service_field": f"ho-tich{LONE}"},
        {"rendered_at": LONE},
        {"answers": {f"A1{LONE}": 4}},
        {"website": [LONE]},
    ],
)
def test_api_response_with_a_lone_surrogate_is_a_400(
    app: Flask, client: FlaskClient, site: SurveySite, change: dict[str, Any]
) -> None:
    body = {**response_body(counter_link(app, site), kind="counter"), **change}
    answer = post_json(client, "/api/v1/responses", body)
    assert answer.status_code == 400
    assert answer.json == {"status": "bad_request", "message": MESSAGE}
    assert stored(app, Response) == 0


def test_a_receipt_token_with_a_lone_surrogate_is_a_400(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = issue(app, site.counter, "HS-1")
    body = response_body(f"{token[:-1]}{LONE}")
    answer = post_json(client, "/api/v1/responses", body)
    assert answer.status_code == 400
    assert stored(app, Response) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"counter": f"T-Q1{LONE}"},
        {"dossier_code": f"HS{LONE}"},
        {"note": LONE},
    ],
)
def test_api_receipt_with_a_lone_surrogate_is_a_400(
    app: Flask, client: FlaskClient, site: SurveySite, change: dict[str, str]
) -> None:
    secret = new_key(app, site.commune)
    body = {"counter": site.counter, "dossier_code": "HS-1", **change}
    answer = post_json(client, "/api/v1/receipts", body, headers=bearer(secret))
    assert answer.status_code == 400
    assert answer.json == {"status": "bad_request", "message": MESSAGE}
    assert stored(app, Receipt) == 0


def test_survey_receipt_and_kiosk_pages_refuse_it_too(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    paths = [
        survey_path(app, site.counter),
        f"/r/{issue(app, site.counter, 'HS-1')}",
        f"/kiosk/{new_kiosk(app, site.counter)}",
    ]
    for path in paths:
        answer = post_json(client, path, {"comment": f"x{LONE}"})
        assert answer.status_code == 400, path
        assert "Bad request" in answer.get_data(as_text=True)
    assert stored(app, Response) == 0


def test_form_fields_cannot_carry_one(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    # Werkzeug leaves undecodable bytes of a form percent-encoded: the page
    # answers as for any bad form, and nothing crashes.
    path = survey_path(app, site.counter)
    answer = client.post(
        path,
        data="comment=x%ED%A0%80&idempotency_key=%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code in (200, 400, 422)


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("plain tiếng Việt 😀", False),
        ({"a": [1, None, {"b": "c"}]}, False),
        ({"a": [1, {"b": f"c{LONE}"}]}, True),
        ({f"k{LONE}": 1}, True),
        ("\udfff", True),
    ],
)
def test_lone_surrogates_are_found_anywhere(value: object, found: bool) -> None:
    assert has_lone_surrogate(value) is found


def test_a_deep_body_is_walked_without_recursion() -> None:
    value: object = LONE
    for _ in range(100_000):
        value = [value]
    assert has_lone_surrogate(value)
