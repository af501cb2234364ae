"""Fixtures: an app on SQLite and on PostgreSQL, clients, a counter, a live server.

Every test that uses `app` runs once per database. PostgreSQL tests skip with the
reason when no server answers, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import TestResponse

from surveyapp.app import create_app
from surveyapp.core.catalogue import load_builtin_questionnaires, load_service_fields
from surveyapp.extensions import db
from tests.factories import DEFAULT_PASSWORD, SurveySite, make_site, make_user

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip on a developer's machine, fail under CI: CI must test everything."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


def _create_postgres_database() -> tuple[str, str]:
    try:
        with psycopg.connect(
            POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3
        ) as conn:
            name = f"surveyapp_test_{uuid.uuid4().hex[:12]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace(
        "postgresql://", "postgresql+psycopg://", 1
    )
    return name, f"{base}/{name}"


def _drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each kind, for the whole session."""
    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        pg_name, url = _create_postgres_database()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if pg_name:
        _drop_postgres_database(pg_name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind with no tables at all, for migration tests."""
    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        pg_name, url = _create_postgres_database()
    yield url
    if pg_name:
        _drop_postgres_database(pg_name)


def _empty_all_tables() -> None:
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in tables)
        db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        # The agency tree references itself; SQLite checks row by row.
        db.session.execute(text("PRAGMA foreign_keys=OFF"))
        for name in tables:
            db.session.execute(text(f'DELETE FROM "{name}"'))
        db.session.commit()
        db.session.execute(text("PRAGMA foreign_keys=ON"))
    db.session.commit()


@pytest.fixture
def app_settings() -> dict[str, object]:
    """Settings of the `app` fixture beyond the testing ones; a module overrides it."""
    return {}


@pytest.fixture
def app(database_url: str, app_settings: dict[str, object]) -> Iterator[Flask]:
    """The app on a database holding the bundled questionnaires and service fields."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **app_settings)
    with app.app_context():
        load_builtin_questionnaires()
        load_service_fields()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def site(app: Flask) -> SurveySite:
    """A province, a commune, its service point and two counters."""
    with app.app_context():
        return make_site()


class AuthActions:
    """Sign users in and out through the real login form."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client

    def create(self, role: str, agency_code: str, email: str | None = None) -> str:
        """Create a user with the default test password; return the email."""
        with self.app.app_context():
            return make_user(role, agency_code, email)

    def login(self, email: str, password: str = DEFAULT_PASSWORD) -> TestResponse:
        page = self.client.get("/quan-ly/dang-nhap")
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            page.get_data(as_text=True),
        )
        assert token is not None
        return self.client.post(
            "/quan-ly/dang-nhap",
            data={"email": email, "password": password, "csrf_token": token.group(1)},
        )

    def login_as(self, role: str, agency_code: str) -> str:
        """Create a user and sign them in; return the email."""
        email = self.create(role, agency_code)
        assert self.login(email).status_code == 302
        return email


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    return AuthActions(app, client)


class LiveServer:
    """The app served over HTTP on a free loopback port, in a thread."""

    def __init__(self, app: Flask) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The test app on a real HTTP port, for the browser."""
    app.config["PUBLIC_BASE_URL"] = ""
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        yield server


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()
