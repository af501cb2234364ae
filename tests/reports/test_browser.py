"""In a real browser: finalising warns while the year runs and wants it typed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp.core.time import local_today
from surveyapp.extensions import db
from surveyapp.models import Finalisation
from tests.conftest import AuthActions, LiveServer
from tests.factories import DEFAULT_PASSWORD, add_responses, make_two_communes

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    yield context.new_page()
    context.close()


def finalisations(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Finalisation)) or 0


def test_finalising_warns_and_needs_the_year_typed(
    app: Flask, auth: AuthActions, live_server: LiveServer, desk: Any
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [4, 5, 3], 30)
        year = local_today().year
    email = auth.create("manager", codes["commune_a"])
    desk.goto(live_server.url + "/quan-ly/dang-nhap")
    desk.get_by_label("Thư điện tử").fill(email)
    desk.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.wait_for_url("**/quan-ly/co-quan/**")
    desk.goto(f"{live_server.url}/quan-ly/bao-cao/{codes['commune_a']}?year={year}")

    warning = desk.locator(".year-not-over")
    box = desk.get_by_label(f"Để xác nhận, hãy gõ năm {year}")
    finalise = desk.get_by_role("button", name=f"Chốt năm {year}")
    assert warning.is_visible() and f"Năm {year} chưa kết thúc" in warning.inner_text()
    assert warning.bounding_box()["y"] < box.bounding_box()["y"]

    finalise.click()  # nothing typed: the browser itself asks for the year
    assert desk.evaluate("document.activeElement.id") == "confirm_year"
    assert finalisations(app) == 0
    box.fill(str(year - 1))
    finalise.click()
    desk.locator(".flash-error").wait_for()
    assert f"hãy gõ năm {year}" in desk.locator(".flash-error").inner_text()
    assert finalisations(app) == 0

    desk.get_by_label(f"Để xác nhận, hãy gõ năm {year}").fill(str(year))
    desk.get_by_role("button", name=f"Chốt năm {year}").click()
    desk.get_by_text(f"Đã chốt năm {year}.").wait_for()
    assert finalisations(app) == 1
