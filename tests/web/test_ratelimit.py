"""Rate limits on survey submissions: per address, per counter, across workers."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.app import create_app
from surveyapp.core.links import counter_token
from surveyapp.core.receipts import issue_receipt
from surveyapp.extensions import csrf, db
from surveyapp.models import Counter, Response, get_by_code
from surveyapp.web.ratelimit import counter_key, limit_submissions
from tests.conftest import unavailable
from tests.factories import SurveySite, make_site
from tests.helpers import fill_form, survey_path

REDIS_URL = "redis://127.0.0.1:6379/15"
FORGED = "T-Q1.AAAAAAAAAAAAAAAAAAAAAA"


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def _post_as(
    client: FlaskClient, path: str, address: str, **overrides: str
) -> tuple[int, str]:
    data = fill_form(client, path, **overrides)
    posted = client.post(path, data=data, environ_base={"REMOTE_ADDR": address})
    return posted.status_code, posted.get_data(as_text=True)


def test_the_address_limit_answers_429_with_a_page_that_keeps_the_answers(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["SURVEY_RATE_LIMIT_IP"] = "3 per minute"
    path = survey_path(app, site.counter) + "?lang=en"
    for _ in range(3):
        accepted = client.post(path, data=fill_form(client, path))
        assert accepted.status_code == 302
        # Only a refusal says how much is left: reading it costs Redis round trips.
        assert "X-RateLimit-Limit" not in accepted.headers
    data = fill_form(client, path, c_A1="2", comment="Chờ lâu")
    refused = client.post(path, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["X-RateLimit-Reset"]) > 0
    assert "Your answers have not been sent" in html
    assert "wait a minute and send them again" in html
    assert "Back button" in html
    # The page can send the same form again, answers and idempotency key included.
    assert f'action="{path}"' in html
    assert f'name="idempotency_key" value="{data["idempotency_key"]}"' in html
    assert 'name="c_A1" value="2"' in html
    assert 'name="comment" value="Chờ lâu"' in html
    # The form itself can still be opened; nothing more was stored.
    assert client.get(path).status_code == 200
    with app.app_context():
        assert stored_count() == 3


def test_the_address_limit_is_per_address(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["SURVEY_RATE_LIMIT_IP"] = "2 per minute"
    path = survey_path(app, site.counter)
    codes = [_post_as(client, path, "10.0.0.1")[0] for _ in range(3)]
    assert codes == [302, 302, 429]
    assert _post_as(client, path, "10.0.0.2")[0] == 302
    with app.app_context():
        assert stored_count() == 3


def test_the_counter_limit_holds_across_addresses(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["SURVEY_RATE_LIMIT_COUNTER"] = "3 per minute"
    path = survey_path(app, site.counter)
    codes = [_post_as(client, path, f"10.0.{n}.1")[0] for n in (1, 2, 3, 4)]
    assert codes == [302, 302, 302, 429]
    # Another counter has its own budget.
    other = survey_path(app, site.other_counter)
    assert _post_as(client, other, "10.0.4.1")[0] == 302
    with app.app_context():
        assert stored_count() == 4


def _json_submit() -> dict[str, bool]:
    return {"ok": True}


# Wrapped once, at import, as the API and kiosk blueprints do (no CSRF for JSON).
json_submit = csrf.exempt(limit_submissions(_json_submit))


def test_other_blueprints_share_the_counter_budget_and_get_json(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.add_url_rule("/test-api/submit", view_func=json_submit, methods=["POST"])
    app.config["SURVEY_RATE_LIMIT_COUNTER"] = "3 per minute"
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        token = counter_token(counter)
    path = survey_path(app, site.counter)
    assert _post_as(client, path, "10.1.0.1")[0] == 302
    codes = [
        client.post(
            "/test-api/submit",
            json={"token": token},
            environ_base={"REMOTE_ADDR": f"10.1.{n}.1"},
        )
        for n in (2, 3, 4)
    ]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert codes[-1].get_json()["error"] == "rate_limited"
    assert codes[-1].headers["X-RateLimit-Limit"] == "3"
    assert int(codes[-1].headers["Retry-After"]) >= 1
    assert "X-RateLimit-Limit" not in codes[0].headers
    # Without a counter token only the address limit applies.
    assert client.post("/test-api/submit", json={}).status_code == 200


def test_counter_key_reads_a_signed_link_from_the_url_or_the_json_body(
    app: Flask, site: SurveySite
) -> None:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        token = counter_token(counter)
        receipt = issue_receipt(counter, "HS-KEY-1").token
    public_id = receipt.partition(".")[0]
    signed = {
        f"/s/{token}": f"counter:{site.counter}",
        f"/r/{receipt}": f"receipt:{public_id}",
    }
    for path, key in signed.items():
        with app.test_request_context(path, method="POST"):
            assert counter_key() == key
    with app.test_request_context("/x", method="POST", json={"token": token}):
        assert counter_key() == f"counter:{site.counter}"
    for body in ({"token": 5}, ["AB-1.sig"], {"token": "x\ud800.sig"}):
        with app.test_request_context("/x", method="POST", json=body):
            assert counter_key() == ""


@pytest.mark.parametrize(
    "path", ["/s/nodot", f"/s/{FORGED}", f"/r/{FORGED}", "/s/T-Q1.", "/s/.sig"]
)
def test_a_link_the_app_did_not_sign_spends_no_budget(app: Flask, path: str) -> None:
    with app.test_request_context(path, method="POST"):
        assert counter_key() == ""


def test_forged_links_cannot_lock_a_counter(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    """Posts naming the counter with a made-up signature leave its budget alone."""
    app.config["SURVEY_RATE_LIMIT_COUNTER"] = "3 per minute"
    forged = f"/s/{site.counter}.{FORGED.partition('.')[2]}"
    body = {"kind": "counter", "token": forged.removeprefix("/s/")}
    for n in range(20):
        environ = {"REMOTE_ADDR": f"10.7.{n}.1"}
        assert client.post(forged, data={}, environ_base=environ).status_code == 404
        sent = client.post("/api/v1/responses", json=body, environ_base=environ)
        assert sent.status_code in (404, 422)
    path = survey_path(app, site.counter)
    codes = [_post_as(client, path, f"10.8.{n}.1")[0] for n in (1, 2, 3, 4)]
    assert codes == [302, 302, 302, 429]  # the honest budget, untouched until spent


# --- Several workers: limits in Redis ----------------------------------------------


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis database, or a skip (a failure under CI) without a server."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {error}")
    finally:
        client.close()
    yield REDIS_URL


def _worker(app: Flask, storage: str) -> Flask:
    """Another app process on the same database, as gunicorn's workers are."""
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI=storage,
        SURVEY_RATE_LIMIT_IP="3 per minute",
    )


def _dispose(*workers: Flask) -> None:
    for worker in workers:
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()


def test_limits_hold_across_workers_sharing_redis(app: Flask, redis_url: str) -> None:
    # Keys of their own, so that runs sharing this Redis never meet.
    with app.app_context():
        site = make_site(prefix=f"R{uuid.uuid4().hex[:6].upper()}")
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.7"
    first = _worker(app, redis_url)
    path = survey_path(first, site.counter)
    codes = [_post_as(first.test_client(), path, address)[0] for _ in range(2)]
    # A second worker starts: with memory storage it would start from zero.
    second = _worker(app, redis_url)
    codes += [_post_as(second.test_client(), path, address)[0] for _ in range(2)]
    codes.append(_post_as(first.test_client(), path, address)[0])
    assert codes == [302, 302, 302, 429, 429]
    keys = redis.Redis.from_url(redis_url)
    try:
        assert any(address.encode() in key for key in keys.scan_iter("LIMITS*"))
    finally:
        keys.close()
    with first.app_context():
        assert stored_count() == 3
    _dispose(first, second)


def test_memory_storage_is_per_worker(app: Flask, site: SurveySite) -> None:
    """Why production needs REDIS_URL: each worker counts on its own."""
    first = _worker(app, "memory://")
    path = survey_path(first, site.counter)
    codes = [_post_as(first.test_client(), path, "10.9.9.9")[0] for _ in range(3)]
    second = _worker(app, "memory://")
    codes.append(_post_as(second.test_client(), path, "10.9.9.9")[0])
    assert codes == [302, 302, 302, 302]
    _dispose(first, second)
