"""Security headers on every kind of response, HSTS only where configured."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import Config, ProductionConfig
from tests.conftest import AuthActions
from tests.factories import SurveySite
from tests.helpers import survey_path

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_secured(headers: dict[str, str]) -> None:
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, name
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/quan-ly/dang-nhap",
        "/static/app.css",
        "/static/survey.js",
        "/sw.js",
        "/no-such-page",
    ],
)
def test_every_response_carries_the_headers(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:  # static files stream: close them
        assert response.status_code in (200, 404)
        assert_secured(dict(response.headers))
        assert "Strict-Transport-Security" not in response.headers


def test_citizen_manager_and_api_responses_carry_the_headers(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    survey = client.get(survey_path(app, site.counter))
    assert survey.status_code == 200
    assert_secured(dict(survey.headers))
    api = client.post("/api/v1/responses", json={})
    assert api.status_code >= 400 and api.is_json
    assert_secured(dict(api.headers))
    auth.login_as("manager", site.commune)
    dashboard = client.get(f"/quan-ly/co-quan/{site.commune}")
    assert dashboard.status_code == 200
    assert_secured(dict(dashboard.headers))


def test_hsts_only_when_configured(app: Flask, client: FlaskClient) -> None:
    assert Config.HSTS_SECONDS == 0
    assert ProductionConfig.HSTS_SECONDS == 365 * 24 * 3600
    app.config["HSTS_SECONDS"] = 31536000
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# What `script-src 'self'` and `style-src 'self'` would block in a page.
INLINE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\son[a-z]+\s*=|\sstyle\s*=|javascript:",
    re.IGNORECASE,
)


# Emails are read in mail clients, which ignore a page's policy and drop
# stylesheets: their styles are inline on purpose.
EMAILS = TEMPLATES / "digest"


@pytest.mark.parametrize(
    "template",
    sorted(path for path in TEMPLATES.rglob("*.html") if EMAILS not in path.parents),
    ids=lambda path: str(path.relative_to(TEMPLATES)),
)
def test_templates_need_no_inline_script_or_style(template: Path) -> None:
    """What the policy would block, caught before a browser does."""
    assert INLINE.findall(template.read_text(encoding="utf-8")) == []
