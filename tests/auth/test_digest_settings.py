"""Turning the weekly digest off: on the account page and with `flask users digest`."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User
from tests.accessibility.test_browser import violations
from tests.auth.test_views import csrf
from tests.conftest import AuthActions, LiveServer
from tests.factories import DEFAULT_PASSWORD, SurveySite

ACCOUNT = "/quan-ly/mat-khau"
SETTINGS = "/quan-ly/mat-khau/thu-tom-tat"


def _user(app: Flask, email: str) -> tuple[bool, str]:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        return user.digest_enabled, user.language


def test_a_manager_turns_the_digest_off_and_on(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.login_as("manager", site.commune)
    page = client.get(ACCOUNT).get_data(as_text=True)
    assert 'name="digest_enabled"' in page and "checked" in page
    token = csrf(client, ACCOUNT)
    off = client.post(SETTINGS, data={"csrf_token": token, "language": "en"})
    assert off.status_code == 302 and off.location.endswith(ACCOUNT)
    assert _user(app, email) == (False, "en")
    page = client.get(ACCOUNT).get_data(as_text=True)
    assert "Bạn sẽ không nhận thư tóm tắt hằng tuần nữa." in page
    assert 'value="en" selected' in page or 'selected value="en"' in page
    on = client.post(
        SETTINGS, data={"csrf_token": token, "digest_enabled": "y", "language": "vi"}
    )
    assert on.status_code == 302
    assert _user(app, email) == (True, "vi")
    with app.app_context():
        logged = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "digest_settings")
        ).all()
    assert [event.details["enabled"] for event in logged] == [False, True]


@pytest.mark.parametrize(
    "data",
    [{"language": "fr"}, {"language": ""}, {"digest_enabled": "y"}],
)
def test_bad_settings_are_refused_not_a_500(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    site: SurveySite,
    data: dict[str, str],
) -> None:
    email = auth.login_as("manager", site.commune)
    answer = client.post(SETTINGS, data={"csrf_token": csrf(client, ACCOUNT), **data})
    assert answer.status_code == 400
    assert _user(app, email) == (True, "vi")


def test_viewers_get_no_digest_so_see_no_setting(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("viewer", site.commune)
    assert "digest_enabled" not in client.get(ACCOUNT).get_data(as_text=True)


def test_users_digest_command(
    app: Flask, runner: FlaskCliRunner, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("manager", site.commune)
    off = runner.invoke(args=["users", "digest", email.upper(), "off"])
    assert off.exit_code == 0, off.output
    assert f"weekly digest off for {email} (vi)" in off.output
    assert _user(app, email) == (False, "vi")
    on = runner.invoke(args=["users", "digest", email, "on", "--language", "en"])
    assert on.exit_code == 0 and _user(app, email) == (True, "en")
    unknown = runner.invoke(args=["users", "digest", "nobody@x.vn", "on"])
    assert unknown.exit_code == 1 and "no user with email" in unknown.output


@pytest.mark.browser
def test_the_account_page_passes_axe_and_saves_without_javascript(
    app: Flask,
    auth: AuthActions,
    live_server: LiveServer,
    browser: Any,
    site: SurveySite,
) -> None:
    email = auth.create("manager", site.commune)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/quan-ly/dang-nhap")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server.url + ACCOUNT)
    page.get_by_label("Gửi cho tôi thư tóm tắt hằng tuần").uncheck()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"**{ACCOUNT}")
    assert _user(app, email) == (False, "vi")
    context.close()
    # axe runs its script through the DevTools protocol: JavaScript on here.
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/quan-ly/dang-nhap")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/quan-ly/co-quan/**")
    page.goto(live_server.url + ACCOUNT)
    assert violations(page) == []
    context.close()
