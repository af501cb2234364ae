"""The survey in a real browser: Debian's Chromium on a 360 px phone screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, Response
from tests.conftest import LiveServer
from tests.factories import SurveySite
from tests.helpers import survey_path

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh phone-sized browser context; JavaScript on unless the test says off."""
    javascript = not request.node.get_closest_marker("no_javascript")
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=javascript, locale="vi-VN"
    )
    page = context.new_page()
    yield page
    context.close()


def response_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response)) or 0


def answer_survey(page: Any) -> None:
    page.select_option("#service_field", "ho-tich")
    for index, fieldset in enumerate(page.locator("fieldset.rating").all()):
        value = "na" if index == 3 else str(5 - index % 3)
        fieldset.locator(f"label[for$='-{value}']").click()
    page.fill("#comment", "Cán bộ hướng dẫn tận tình <b>cảm ơn</b>")


def test_citizen_answers_on_a_phone(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any
) -> None:
    phone.goto(live_server.url + survey_path(app, site.counter))
    assert phone.locator("h1").inner_text() == "Bộ phận Một cửa xã Thử Nghiệm"
    # Nothing is wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    answer_survey(phone)
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_url("**/cam-on**")
    assert "Cảm ơn ông/bà!" in phone.locator("h1").inner_text()
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.service_field.code == "ho-tich"
        values = {a.criterion.code: a.value for a in response.answers}
        assert (
            values["A1"] == 5
            and values["A2"] == 4
            and values["A3"] == 3
            and values["B1"] is None
        )
        assert response.comment is not None
        assert response.comment.body == "Cán bộ hướng dẫn tận tình <b>cảm ơn</b>"


@pytest.mark.no_javascript
def test_survey_works_without_javascript(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any
) -> None:
    phone.goto(live_server.url + survey_path(app, site.counter))
    answer_survey(phone)
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_url("**/cam-on**")
    assert response_count(app) == 1


def test_same_form_sent_twice_stores_one_response(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any
) -> None:
    phone.goto(live_server.url + survey_path(app, site.counter))
    answer_survey(phone)
    # A double tap on a slow connection: the browser sends the form twice.
    phone.evaluate(
        "() => { const data = new FormData(document.querySelector('form'));"
        " const send = () => fetch(location.href,"
        " {method: 'POST', body: data, redirect: 'manual'});"
        " return send().then(send).then(r => r.type); }"
    )
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_url("**/cam-on**")
    assert response_count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 16


def test_validation_error_is_shown_next_to_the_field(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any
) -> None:
    phone.goto(live_server.url + survey_path(app, site.counter))
    phone.locator("fieldset.rating").first.locator("label[for$='-4']").click()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    error = phone.locator("#service_field-error")
    assert error.inner_text() == "Vui lòng chọn lĩnh vực thủ tục ông/bà đã thực hiện."
    assert phone.locator("#c_A1-4").is_checked()
    assert response_count(app) == 0


def test_english_is_one_tap_away(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any
) -> None:
    phone.goto(live_server.url + survey_path(app, site.counter))
    phone.get_by_role("link", name="English").click()
    assert phone.get_by_role("button", name="Send my answers").is_visible()
    assert phone.locator("html").get_attribute("lang") == "en"


def test_a_person_answering_in_a_browser_is_not_flagged(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any
) -> None:
    """The render token travels with the answers: shown, read, sent, not flagged."""
    app.config["ANOMALY_MIN_SECONDS"] = 2  # a person's pace, shortened for the test
    phone.goto(live_server.url + survey_path(app, site.counter))
    answer_survey(phone)
    phone.wait_for_timeout(2_500)
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_url("**/cam-on**")
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.anomaly_reasons == [] and response.anomaly_state is None
        assert response.fill_seconds is not None and response.fill_seconds >= 2
