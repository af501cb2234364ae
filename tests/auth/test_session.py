"""Sessions: sign-out ends them, sign-in starts a fresh one, `next` stays on site."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import User
from tests.auth.test_views import actions, csrf
from tests.conftest import AuthActions
from tests.factories import DEFAULT_PASSWORD, SurveySite


def pages_of(code: str) -> list[str]:
    return [f"/quan-ly/co-quan/{code}", f"/quan-ly/bao-cao/{code}"]


def test_a_cookie_copied_before_sign_out_no_longer_opens_anything(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("manager", site.commune)
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert [thief.get(path).status_code for path in pages_of(site.commune)] == [
        200,
        200,
    ]
    token = csrf(client, "/quan-ly/mat-khau")
    assert client.post("/quan-ly/dang-xuat", data={"csrf_token": token}).status_code
    replayed = app.test_client()
    replayed.set_cookie("session", cookie.value)
    for path in pages_of(site.commune):
        answer = replayed.get(path)
        assert answer.status_code == 302
        assert "/quan-ly/dang-nhap" in answer.headers["Location"]
    assert "sign_out" in actions(app)


def test_signing_out_ends_the_other_sessions_and_signing_in_again_works(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.login_as("viewer", site.commune)
    other = app.test_client()
    assert AuthActions(app, other).login(email).status_code == 302
    token = csrf(client, "/quan-ly/mat-khau")
    client.post("/quan-ly/dang-xuat", data={"csrf_token": token})
    assert other.get("/quan-ly/mat-khau").status_code == 302
    assert auth.login(email).status_code == 302
    assert client.get("/quan-ly/mat-khau").status_code == 200


def test_a_disabled_user_is_signed_out_at_the_next_request(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.login_as("manager", site.commune)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        user.active = False
        db.session.commit()
    assert client.get("/quan-ly/mat-khau").status_code == 302


def test_sign_in_rotates_the_csrf_token_and_the_session(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("manager", site.commune)
    before = csrf(client, "/quan-ly/dang-nhap")
    with client.session_transaction() as planted:
        planted["planted"] = "by someone else"
    assert (
        client.post(
            "/quan-ly/dang-nhap",
            data={"email": email, "password": DEFAULT_PASSWORD, "csrf_token": before},
        ).status_code
        == 302
    )
    with client.session_transaction() as fresh:
        assert "planted" not in fresh
    after = csrf(client, "/quan-ly/mat-khau")
    assert after != before
    # The token seen before sign-in no longer signs a form.
    stale = client.post("/quan-ly/dang-xuat", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.get("/quan-ly/mat-khau").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "/quan-ly/\r\nSet-Cookie: stolen=1",
        "/\nfoo",
        "/\x01",
        "/\x7f",
        "/\t/evil.example/",
        "/\\evil.example/",
        "/\\\\evil.example/",
        "//evil.example/",
        "https://evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_a_next_that_is_not_a_plain_path_falls_back_to_the_dashboard(
    client: FlaskClient, auth: AuthActions, site: SurveySite, target: str
) -> None:
    email = auth.create("manager", site.commune)
    token = csrf(client, "/quan-ly/dang-nhap")
    response = client.post(
        "/quan-ly/dang-nhap",
        query_string={"next": target},
        data={"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/quan-ly/"


def test_a_plain_next_path_is_followed(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("manager", site.commune)
    token = csrf(client, "/quan-ly/dang-nhap")
    response = client.post(
        "/quan-ly/dang-nhap",
        query_string={"next": f"/quan-ly/bao-cao/{site.commune}?year=2025"},
        data={"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == f"/quan-ly/bao-cao/{site.commune}?year=2025"
