"""A kiosk's key leaves the URL after the first visit: it lives in a cookie."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from tests.factories import SurveySite
from tests.kiosk.test_views import kiosk_form, new_kiosk, open_kiosk


def test_the_address_sets_a_cookie_and_redirects_to_a_keyless_url(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    key = new_kiosk(app, site.counter)
    first = client.get(f"/kiosk/{key}?lang=en")
    assert first.status_code == 303
    assert first.headers["Location"] == "/kiosk/?lang=en"
    assert first.headers["Cache-Control"] == "no-store"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"kiosk_key={key};")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/kiosk", "Max-Age="):
        assert attribute in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; see the production test

    # From then on the key is in no URL, form or page of the kiosk.
    page = client.get("/kiosk/?lang=en")
    assert page.status_code == 200
    assert key not in page.get_data(as_text=True)
    assert "kiosk_key=" in page.headers["Set-Cookie"]  # renewed while in use
    data = kiosk_form(client, key)
    sent = client.post("/kiosk/", data=data)
    assert sent.status_code == 302 and key not in sent.headers["Location"]
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200 and key not in thanks.get_data(as_text=True)


def test_the_cookie_is_secure_in_production(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    key = new_kiosk(app, site.counter)
    assert "Secure" in client.get(f"/kiosk/{key}").headers["Set-Cookie"]


def test_a_form_posted_to_the_old_address_is_kept(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    """A tablet showing a form from before the move: 307 resends its answers."""
    key = new_kiosk(app, site.counter)
    data = kiosk_form(client, key)
    moved = client.post(f"/kiosk/{key}", data=data)
    assert moved.status_code == 307 and moved.headers["Location"] == "/kiosk/"
    # The browser sends the same body on (the test client would send it empty).
    assert client.post(moved.headers["Location"], data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Response.channel)).all() == ["kiosk"]


@pytest.mark.parametrize("cookie", [None, "", "not-a-kiosk-key-000000000000000"])
def test_a_browser_without_a_kiosk_cookie_gets_not_found(
    client: FlaskClient, site: SurveySite, cookie: str | None
) -> None:
    if cookie is not None:
        client.set_cookie("kiosk_key", cookie, path="/kiosk")
    for method, path in (
        (client.get, "/kiosk/"),
        (client.post, "/kiosk/"),
        (client.get, "/kiosk/cam-on"),
    ):
        response = method(path)
        assert response.status_code == 404
        assert 'class="error-page"' in response.get_data(as_text=True)


def test_a_kiosk_page_works_with_the_first_visit_only(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    key = new_kiosk(app, site.counter)
    assert open_kiosk(client, key).status_code == 200
    for _ in range(3):
        assert client.get("/kiosk/").status_code == 200
