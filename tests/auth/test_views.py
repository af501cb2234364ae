"""Signing in and out, passwords, rate limits and the audit trail."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User
from surveyapp.web.language import local_datetime
from tests.conftest import AuthActions
from tests.factories import DEFAULT_PASSWORD, SurveySite


def actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
        )


def csrf(client: FlaskClient, path: str) -> str:
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get(path).get_data(as_text=True),
    )
    assert match
    return match.group(1)


def test_sign_in_lands_on_own_dashboard(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("manager", site.commune)
    response = auth.login(email)
    assert response.status_code == 302
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 302
    assert landing.headers["Location"].endswith(f"/quan-ly/co-quan/{site.commune}")
    assert actions(app)[-1] == "sign_in"
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        assert user.last_login_at is not None
        assert user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("manager.t-x@example.gov.vn", "wrong-password"),
        ("nobody@example.gov.vn", DEFAULT_PASSWORD),
        ("", ""),
    ],
)
def test_wrong_credentials_are_refused_and_audited(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    site: SurveySite,
    email: str,
    password: str,
) -> None:
    auth.create("manager", site.commune)
    response = auth.login(email, password)
    assert response.status_code == 200
    assert (
        client.get("/quan-ly/").status_code == 302
    )  # still anonymous: sent to sign in
    if email:
        assert actions(app)[-1] == "sign_in_failed"


def test_disabled_user_cannot_sign_in(
    app: Flask, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("viewer", site.commune)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        user.active = False
        db.session.commit()
    assert auth.login(email).status_code == 200


def test_sign_in_is_rate_limited_per_address(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("manager", site.commune)
    # Ten different emails, so that only the per-address limit is reached.
    codes = [
        auth.login(f"guess{i}@example.gov.vn", "wrong-password").status_code
        for i in range(10)
    ]
    assert codes == [200] * 10
    blocked = auth.login(email)
    assert blocked.status_code == 429
    assert "Quá nhiều yêu cầu" in blocked.get_data(as_text=True)


def test_open_redirect_is_refused(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("manager", site.commune)
    token = csrf(client, "/quan-ly/dang-nhap")
    response = client.post(
        "/quan-ly/dang-nhap?next=https://evil.example/",
        data={"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/quan-ly/"


def test_sign_out(client: FlaskClient, auth: AuthActions, site: SurveySite) -> None:
    auth.login_as("viewer", site.commune)
    token = csrf(client, "/quan-ly/mat-khau")
    assert (
        client.post("/quan-ly/dang-xuat", data={"csrf_token": token}).status_code == 302
    )
    assert client.get("/quan-ly/mat-khau").status_code == 302


def test_change_password_ends_other_sessions(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.login_as("manager", site.commune)
    other = app.test_client()
    other_auth = AuthActions(app, other)
    assert other_auth.login(email).status_code == 302
    token = csrf(client, "/quan-ly/mat-khau")
    short = client.post(
        "/quan-ly/mat-khau",
        data={
            "csrf_token": token,
            "current_password": DEFAULT_PASSWORD,
            "new_password": "short",
            "confirm": "short",
        },
    )
    assert short.status_code == 200
    wrong = client.post(
        "/quan-ly/mat-khau",
        data={
            "csrf_token": token,
            "current_password": "nope-nope-nope",
            "new_password": "a-much-longer-one",
            "confirm": "a-much-longer-one",
        },
    )
    assert wrong.status_code == 200
    changed = client.post(
        "/quan-ly/mat-khau",
        data={
            "csrf_token": token,
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a-much-longer-one",
            "confirm": "a-much-longer-one",
        },
    )
    assert changed.status_code == 302
    # This browser stays signed in; the other session is signed out.
    assert client.get("/quan-ly/mat-khau").status_code == 200
    assert other.get("/quan-ly/mat-khau").status_code == 302
    assert "password_change" in actions(app)
    assert (
        AuthActions(app, app.test_client())
        .login(email, "a-much-longer-one")
        .status_code
        == 302
    )


def test_session_cookie_settings(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_audit_log_is_for_admins(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    page = client.get("/quan-ly/quan-tri/nhat-ky?lang=en")
    assert page.status_code == 200
    assert "sign_in" in page.get_data(as_text=True)
    other = app.test_client()
    AuthActions(app, other).login_as("manager", site.commune)
    assert other.get("/quan-ly/quan-tri/nhat-ky").status_code == 403


def test_the_audit_log_says_actions_in_words_at_local_time(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    html = client.get("/quan-ly/quan-tri/nhat-ky").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_in")
        ).first()
        assert event is not None
        shown = local_datetime(event.at)
    assert "Đăng nhập" in html and shown in html
    assert "UTC" not in html
