"""Request ids, JSON log lines, and an access log that keeps secrets out."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.app import create_app
from surveyapp.web.requestlog import JsonFormatter, RequestIdFilter
from tests.factories import SurveySite
from tests.helpers import fill_form, survey_path


class Lines(logging.Handler):
    """The app's log lines as JSON objects, formatted as in production."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def logged(app: Flask) -> Iterator[Lines]:
    app.config["ACCESS_LOG"] = True
    handler = Lines()
    logger = logging.getLogger("surveyapp")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_a_request_id_is_made_and_echoed(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_sane_incoming_request_id_is_kept(client: FlaskClient) -> None:
    answer = client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a.9"})
    assert answer.headers["X-Request-ID"] == "nginx-4f2a.9"


@pytest.mark.parametrize(
    "incoming", ["", "x" * 129, "a b", "id;Set-Cookie=x", "<script>", "ồ"]
)
def test_an_odd_incoming_request_id_is_replaced(
    client: FlaskClient, incoming: str
) -> None:
    answer = client.get("/healthz", headers={"X-Request-ID": incoming})
    replaced = answer.headers["X-Request-ID"]
    assert replaced != incoming and len(replaced) == 32


def test_every_line_of_a_request_carries_its_id(
    app: Flask, client: FlaskClient, site: SurveySite, logged: Lines
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(client, path)
    logged.lines.clear()
    answer = client.post(path, data=data, headers={"X-Request-ID": "req-12345678"})
    assert answer.status_code == 302
    assert {line["message"].split()[0] for line in logged.lines} >= {"response"}
    assert all(line["request_id"] == "req-12345678" for line in logged.lines)
    access = logged.lines[-1]
    assert access["status"] == 302 and access["method"] == "POST"
    assert isinstance(access["duration_ms"], float)


def test_the_access_log_hides_signatures_keys_and_query_strings(
    app: Flask, client: FlaskClient, site: SurveySite, logged: Lines
) -> None:
    path = survey_path(app, site.counter)
    code, _, signature = path.removeprefix("/s/").rpartition(".")
    client.get(f"{path}?t=secret-render-token&lang=en")
    client.get("/kiosk/kiosk-secret-key-123")
    client.get("/r/receipt123.receiptsignature")
    client.get("/no-such-place/typed-secret")
    text = json.dumps(logged.lines)
    for secret in (signature, "secret-render-token", "kiosk-secret-key-123"):
        assert secret not in text
    assert "receiptsignature" not in text and "typed-secret" not in text
    paths = [line["path"] for line in logged.lines]
    assert paths == [
        f"/s/{code}.***",
        "/kiosk/***",
        "/r/receipt123.***",
        "/no-such-place/***",
    ]


def test_production_logs_json_lines_to_stdout(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", database_url)
    try:
        # Config classes read PUBLIC_BASE_URL when imported: given directly.
        app = create_app(
            "production",
            SQLALCHEMY_DATABASE_URI=database_url,
            PUBLIC_BASE_URL="https://khaosat.example",
        )
        handlers = logging.getLogger("surveyapp").handlers
        assert any(isinstance(h.formatter, JsonFormatter) for h in handlers)
        assert app.config["ACCESS_LOG"] is True
    finally:
        create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)


def test_a_json_line_keeps_the_exception() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "surveyapp.x", logging.ERROR, __file__, 1, "failed %s", ("it",), None
        )
        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed it" and line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"]
