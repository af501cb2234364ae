"""Kiosks: registered by admins, opened by their key, storing kiosk responses."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from surveyapp.extensions import db
from surveyapp.kiosk.operations import hash_key, register_kiosk
from surveyapp.models import AuditEvent, Counter, Kiosk, Response, get_by_code
from tests.conftest import AuthActions
from tests.factories import SurveySite
from tests.helpers import all_answers, hidden_fields

KIOSK_URL = re.compile(r"http://[^\s\"<]+/kiosk/([A-Za-z0-9_-]{32})")


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match
    return match.group(1)


def new_kiosk(app: Flask, counter_code: str, name: str = "Máy tính bảng 1") -> str:
    """Register a kiosk directly; return its key."""
    with app.app_context():
        counter = get_by_code(Counter, counter_code)
        assert counter is not None
        _, key = register_kiosk(counter, name)
        db.session.commit()
        return key


def open_kiosk(client: FlaskClient, key: str) -> TestResponse:
    """Open a kiosk's address as its tablet does: the cookie, then the key-less form."""
    return client.get(f"/kiosk/{key}", follow_redirects=True)


def kiosk_form(client: FlaskClient, key: str, value: str = "4") -> dict[str, str]:
    """Valid answers on the kiosk's form, opened through its address."""
    data = hidden_fields(open_kiosk(client, key).get_data(as_text=True))
    data.update(all_answers(value), service_field="ho-tich")
    return data


def response_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response)) or 0


def test_admin_registers_a_kiosk_and_sees_its_url_once(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    page = client.get("/quan-ly/kiosk/?lang=en")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    created = client.post(
        "/quan-ly/kiosk/",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "counter": site.counter,
            "name": "Tablet 1",
        },
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    match = KIOSK_URL.search(created.get_data(as_text=True))
    assert match, "the new kiosk's URL is shown"
    key = match.group(1)
    with app.app_context():
        kiosk = db.session.scalars(select(Kiosk)).one()
        assert kiosk.key_hash == hash_key(key) and key not in kiosk.key_hash
        assert kiosk.prefix == key[:8] and kiosk.counter.code == site.counter
        assert db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "kiosk_create")
        ).one()
    listing = client.get("/quan-ly/kiosk/").get_data(as_text=True)
    assert key[:8] in listing and "Tablet 1" in listing
    assert key not in listing


@pytest.mark.parametrize(("counter", "name"), [("", "Tablet"), ("NOPE", "Tablet")])
def test_registration_needs_a_known_counter_and_a_name(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    site: SurveySite,
    counter: str,
    name: str,
) -> None:
    auth.login_as("admin", site.province)
    page = client.get("/quan-ly/kiosk/")
    response = client.post(
        "/quan-ly/kiosk/",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "counter": counter,
            "name": name,
        },
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 0


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_admins_manage_kiosks(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite, role: str
) -> None:
    key = new_kiosk(app, site.counter)
    auth.login_as(role, site.province)
    home = client.get("/quan-ly/", follow_redirects=True)
    token = csrf_token(home.get_data(as_text=True))
    assert client.get("/quan-ly/kiosk/").status_code == 403
    data = {"csrf_token": token, "counter": site.counter, "name": "x"}
    assert client.post("/quan-ly/kiosk/", data=data).status_code == 403
    with app.app_context():
        kiosk_id = db.session.scalars(select(Kiosk.id)).one()
    revoke = client.post(f"/quan-ly/kiosk/{kiosk_id}/thu-hoi", data=data)
    assert revoke.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 1
        assert db.session.get(Kiosk, kiosk_id).revoked_at is None
    assert open_kiosk(client, key).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(
    client: FlaskClient, site: SurveySite
) -> None:
    response = client.get("/quan-ly/kiosk/")
    assert response.status_code == 302
    assert "/quan-ly/dang-nhap" in response.headers["Location"]


def test_revoked_kiosk_answers_not_found(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    key = new_kiosk(app, site.counter)
    assert open_kiosk(client, key).status_code == 200
    auth.login_as("admin", site.province)
    page = client.get("/quan-ly/kiosk/").get_data(as_text=True)
    with app.app_context():
        kiosk_id = db.session.scalars(select(Kiosk.id)).one()
    revoked = client.post(
        f"/quan-ly/kiosk/{kiosk_id}/thu-hoi", data={"csrf_token": csrf_token(page)}
    )
    assert revoked.status_code == 302
    with app.app_context():
        assert db.session.get(Kiosk, kiosk_id).revoked_at is not None
        assert db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "kiosk_revoke")
        ).one()
    # Its address, and the tablet that keeps its key in a cookie, both stop.
    for path in (f"/kiosk/{key}", "/kiosk/", "/kiosk/cam-on"):
        gone = client.get(path)
        assert gone.status_code == 404
        assert 'class="error-page"' in gone.get_data(as_text=True)


@pytest.mark.parametrize(
    "key", ["unknown-key-0000000000000000000", "x", "%00", "a" * 300]
)
def test_unknown_key_is_a_friendly_not_found(
    client: FlaskClient, site: SurveySite, key: str
) -> None:
    for method in (client.get, client.post):
        response = method(f"/kiosk/{key}")
        assert response.status_code == 404
        assert 'class="error-page"' in response.get_data(as_text=True)


def test_stopped_counter_stops_its_kiosk(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    key = new_kiosk(app, site.counter)
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        counter.active = False
        db.session.commit()
    assert client.get(f"/kiosk/{key}").status_code == 404
    assert client.get("/kiosk/").status_code == 404


def test_kiosk_page_is_never_cached_and_has_no_autocomplete(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    key = new_kiosk(app, site.counter)
    app.config["KIOSK_IDLE_SECONDS"] = 7
    page = open_kiosk(client, key)
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert 'autocomplete="off"' in html
    assert 'data-idle-seconds="7"' in html
    assert 'data-reset-url="/kiosk/?lang=vi"' in html
    assert 'class="manage-nav"' not in html
    assert html.count('type="radio"') == 16 * 6
    assert "checked" not in html


def test_kiosk_submission_is_stored_with_its_channel_and_kiosk(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    key = new_kiosk(app, site.other_counter)
    data = kiosk_form(client, key, "5")
    data["comment"] = "Rất tốt"
    sent = client.post("/kiosk/", data=data)
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/kiosk/cam-on?lang=vi"
    assert client.post("/kiosk/", data=data).status_code == 302  # double tap
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        kiosk = db.session.scalars(select(Kiosk)).one()
        assert response.channel == "kiosk" and response.kiosk_id == kiosk.id
        assert response.counter is not None
        assert response.counter.code == site.other_counter
        assert {a.value for a in response.answers} == {5}
        assert response.comment is not None and response.comment.body == "Rất tốt"
    thanks = client.get("/kiosk/cam-on")
    assert thanks.status_code == 200
    assert thanks.headers["Cache-Control"] == "no-store"
    assert 'content="6;url=/kiosk/?lang=vi"' in thanks.get_data(as_text=True)


def test_invalid_kiosk_submission_stores_nothing(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    key = new_kiosk(app, site.counter)
    data = hidden_fields(open_kiosk(client, key).get_data(as_text=True))
    data.update({"c_A1": "9", "service_field": "nope"})
    response = client.post("/kiosk/", data=data)
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    assert response_count(app) == 0


def test_service_worker_is_served_for_the_whole_site(client: FlaskClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.mimetype == "text/javascript"
    assert b"addEventListener" in response.data
    response.close()


def test_cli_creates_lists_and_revokes_kiosks(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, site: SurveySite
) -> None:
    created = runner.invoke(args=["kiosks", "create", site.counter, "--name", "Tab"])
    assert created.exit_code == 0, created.output
    match = KIOSK_URL.search(created.output)
    assert match
    key = match.group(1)
    assert open_kiosk(client, key).status_code == 200
    listed = runner.invoke(args=["kiosks", "list"])
    assert key[:8] in listed.output and "active" in listed.output
    assert key not in listed.output
    revoked = runner.invoke(args=["kiosks", "revoke", key[:5]])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(args=["kiosks", "list"]).output
    assert client.get(f"/kiosk/{key}").status_code == 404


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "NOPE", "--name", "Tab"], "No counter"),
        (["create", "TX-Q1", "--name", " "], "name"),
        (["revoke", "zzzzzzzz"], "No kiosk"),
    ],
)
def test_cli_errors_are_explained(
    runner: FlaskCliRunner, site: SurveySite, args: list[str], message: str
) -> None:
    result = runner.invoke(args=["kiosks", *args])
    assert result.exit_code == 1
    assert message in result.output
