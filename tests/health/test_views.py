"""`/healthz` and `/readyz`: what a balancer and an operator read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from surveyapp.app import create_app
from surveyapp.extensions import db
from surveyapp.health.checks import code_heads

# A port nothing listens on: connection refused at once.
DEAD_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/none"
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


def test_healthz_answers_without_a_database() -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=DEAD_PORT_URL)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in answer.headers


def test_readyz_is_ready_on_a_migrated_database(client: FlaskClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "redis": "not configured"},
    }
    assert "Set-Cookie" not in answer.headers


def test_readyz_says_the_database_is_unreachable() -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=DEAD_PORT_URL)
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == "unreachable"
    assert "127.0.0.1" not in answer.get_data(as_text=True)  # no URL in the body


@pytest.fixture
def older_schema(app: Flask) -> Iterator[str]:
    """The database's recorded revision set back to an older one, then restored."""
    with app.app_context():
        (head,) = code_heads(app.extensions["migrate"].directory)
        db.session.execute(text("UPDATE alembic_version SET version_num = 'older1'"))
        db.session.commit()
    yield head
    with app.app_context():
        db.session.execute(
            text("UPDATE alembic_version SET version_num = :head"), {"head": head}
        )
        db.session.commit()


def test_readyz_says_the_schema_is_behind(
    client: FlaskClient, older_schema: str
) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 503
    migrations = answer.get_json()["checks"]["migrations"]
    assert migrations == f"database at older1, code at {older_schema}"


def test_readyz_says_redis_is_unreachable(app: Flask, client: FlaskClient) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = DEAD_REDIS_URL
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["redis"] == "unreachable"


def test_a_balancer_polling_often_is_never_limited(client: FlaskClient) -> None:
    for _ in range(30):
        for path in ("/healthz", "/readyz"):
            answer = client.get(path)
            assert answer.status_code == 200
            assert "X-RateLimit-Limit" not in answer.headers
