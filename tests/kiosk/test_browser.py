"""A kiosk tablet in a real browser: one question a screen, a warning before it
clears itself for the next person."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from tests.conftest import LiveServer
from tests.factories import SurveySite
from tests.kiosk.test_views import new_kiosk

pytestmark = pytest.mark.browser
KIOSK_SCREEN = {"width": 1280, "height": 800}
CHECKED = "input[type=radio]:checked"
QUESTIONS = 17  # the service field and the 16 statements of SIPAS 2023
SHOTS = os.environ.get("KIOSK_SHOTS", "")


@pytest.fixture
def tablet(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=KIOSK_SCREEN, locale="vi-VN", has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png")


def next_screen(page: Any) -> None:
    page.get_by_role("button", name="Tiếp theo").tap()


def start_answering(page: Any) -> None:
    """The service field and the first three statements, a screen each."""
    page.select_option("#service_field", "ho-tich")
    next_screen(page)
    for _ in range(3):
        page.locator("fieldset.rating:visible label[for$='-5']").tap()
        next_screen(page)
    assert page.locator(CHECKED).count() == 3


def send_kiosk_form(page: Any) -> None:
    """Skip the remaining statements to the last screen and send."""
    send = page.get_by_role("button", name="Gửi đánh giá")
    while not send.is_visible():
        page.get_by_role("button", name="Tiếp theo").click()
    send.click()


def assert_blank(page: Any, previous_key: str) -> None:
    assert page.locator(CHECKED).count() == 0
    assert page.input_value("#service_field") == ""
    assert page.input_value("#comment") == ""
    assert page.input_value("#idempotency_key") not in ("", previous_key)


def test_one_question_a_screen_with_progress_and_large_targets(
    app: Flask, live_server: LiveServer, site: SurveySite, tablet: Any
) -> None:
    app.config.update(KIOSK_IDLE_SECONDS=600)
    tablet.goto(f"{live_server.url}/kiosk/{new_kiosk(app, site.counter)}")
    progress = tablet.get_by_role("progressbar")
    assert tablet.locator(".kiosk-progress-text").inner_text() == f"Câu 1/{QUESTIONS}"
    assert progress.get_attribute("max") == str(QUESTIONS)
    assert tablet.locator("[data-question]:visible").count() == 1
    assert tablet.get_by_role("button", name="Quay lại").is_disabled()
    tablet.select_option("#service_field", "ho-tich")
    next_screen(tablet)
    tablet.locator("fieldset.rating:visible label[for$='-4']").tap()
    next_screen(tablet)
    # The third screen: its factor's heading and one statement, all on the screen.
    assert tablet.locator(".kiosk-progress-text").inner_text() == f"Câu 3/{QUESTIONS}"
    assert progress.evaluate("bar => bar.value") == 3
    assert tablet.locator("fieldset.rating:visible").count() == 1
    assert tablet.locator("section.factor:visible").count() == 1
    assert not tablet.get_by_role("button", name="Gửi đánh giá").is_visible()
    shot(tablet, "kiosk-question")
    sizes = tablet.eval_on_selector_all(
        "fieldset.rating:not([hidden]) label, select, button, .kiosk-clear",
        "els => els.filter(e => e.offsetWidth)"
        ".map(e => Math.min(e.offsetWidth, e.offsetHeight))",
    )
    assert min(sizes) >= 64
    # Everything on a 1280×800 screen without scrolling, buttons included.
    bottom = tablet.locator(".kiosk-nav").bounding_box()
    assert bottom["y"] + bottom["height"] <= KIOSK_SCREEN["height"]
    clear = tablet.locator(".kiosk-clear").bounding_box()
    assert clear["y"] + clear["height"] <= KIOSK_SCREEN["height"]
    # Back keeps the answer given.
    tablet.get_by_role("button", name="Quay lại").tap()
    assert tablet.locator(".kiosk-progress-text").inner_text() == f"Câu 2/{QUESTIONS}"
    assert (
        tablet.locator("fieldset.rating:visible input:checked").get_attribute("value")
        == "4"
    )
    send_kiosk_form(tablet)
    tablet.wait_for_url(f"{live_server.url}/kiosk/cam-on?lang=vi")


def test_the_form_asks_before_it_clears_and_continue_keeps_the_answers(
    app: Flask, live_server: LiveServer, site: SurveySite, tablet: Any
) -> None:
    # 12 s: the question after 6 s without a touch, the form cleared 6 s later.
    app.config.update(KIOSK_IDLE_SECONDS=12)
    tablet.goto(f"{live_server.url}/kiosk/{new_kiosk(app, site.counter)}")
    first_key = tablet.input_value("#idempotency_key")
    tablet.select_option("#service_field", "ho-tich")
    next_screen(tablet)
    tablet.locator("fieldset.rating:visible label[for$='-2']").tap()
    dialog = tablet.get_by_role("dialog", name="Ông/bà vẫn đang trả lời?")
    dialog.wait_for(timeout=20_000)
    countdown = tablet.locator("#kiosk-idle-countdown")
    assert countdown.get_attribute("aria-live") == "polite"
    shown = countdown.inner_text()
    assert shown.startswith("Câu trả lời của ông/bà sẽ bị xóa sau ")
    tablet.wait_for_function(
        "shown => document.getElementById('kiosk-idle-countdown').textContent"
        " !== shown",
        arg=shown,
    )
    continue_button = tablet.get_by_role("button", name="Tiếp tục")
    assert tablet.evaluate("document.activeElement.textContent.trim()") == "Tiếp tục"
    shot(tablet, "kiosk-dialog")
    continue_button.tap()
    assert not dialog.is_visible()
    assert tablet.url == f"{live_server.url}/kiosk/"
    assert tablet.input_value("#idempotency_key") == first_key
    assert tablet.input_value("#service_field") == "ho-tich"
    assert (
        tablet.locator("fieldset.rating:visible input:checked").get_attribute("value")
        == "2"
    )


def test_the_form_clears_itself_after_the_countdown_and_after_thanks(
    app: Flask, live_server: LiveServer, site: SurveySite, tablet: Any
) -> None:
    app.config.update(KIOSK_IDLE_SECONDS=4, KIOSK_THANKS_SECONDS=1)
    key = new_kiosk(app, site.counter)
    tablet.goto(f"{live_server.url}/kiosk/{key}")
    # The address keeps the key in a cookie and leaves it out of the URL.
    assert tablet.url == f"{live_server.url}/kiosk/"

    # Someone starts and walks away: asked, then the form comes back blank.
    app.config.update(KIOSK_IDLE_SECONDS=60)  # for the blank form, not this one
    first_key = tablet.input_value("#idempotency_key")
    tablet.select_option("#service_field", "ho-tich")
    tablet.get_by_role("dialog").wait_for(timeout=10_000)
    tablet.wait_for_url(f"{live_server.url}/kiosk/?lang=vi", timeout=10_000)
    assert_blank(tablet, first_key)
    assert tablet.locator(".kiosk-progress-text").inner_text() == f"Câu 1/{QUESTIONS}"

    # The next person sends: thanks, then a blank form again by itself.
    second_key = tablet.input_value("#idempotency_key")
    start_answering(tablet)
    send_kiosk_form(tablet)
    tablet.wait_for_url(f"{live_server.url}/kiosk/cam-on?lang=vi")
    tablet.wait_for_url(f"{live_server.url}/kiosk/?lang=vi", timeout=10_000)
    assert_blank(tablet, second_key)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.channel == "kiosk" and response.kiosk_id is not None
        assert [a.value for a in response.answers if a.value] == [5, 5, 5]
        # Shown, then sent by a person: the render token held.
        assert not any(r.startswith("render_") for r in response.anomaly_reasons)

    # The back button leads to the form the last person filled in: blank too.
    tablet.go_back()
    assert tablet.locator("input[type=radio]").count() == 16 * 6
    assert tablet.locator(CHECKED).count() == 0


def test_without_javascript_every_question_shows_as_before(
    app: Flask, live_server: LiveServer, site: SurveySite, browser: Any
) -> None:
    context = browser.new_context(viewport=KIOSK_SCREEN, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/{new_kiosk(app, site.counter)}")
    assert page.locator("fieldset.rating:visible").count() == 16
    assert page.locator(".kiosk-nav").is_hidden()
    assert page.locator(".kiosk-progress").is_hidden()
    assert page.locator("#kiosk-idle").is_hidden()
    page.select_option("#service_field", "ho-tich")
    page.locator("fieldset.rating").nth(5).locator("label[for$='-3']").click()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url("**/kiosk/cam-on*")
    context.close()


def test_sent_back_with_a_problem_it_opens_at_that_question(
    app: Flask, live_server: LiveServer, site: SurveySite, tablet: Any
) -> None:
    app.config.update(KIOSK_IDLE_SECONDS=600)
    tablet.goto(f"{live_server.url}/kiosk/{new_kiosk(app, site.counter)}")
    next_screen(tablet)
    tablet.locator("fieldset.rating:visible label[for$='-4']").tap()
    send_kiosk_form(tablet)  # without the service field
    tablet.locator("#form-errors").wait_for()
    assert tablet.locator(".kiosk-progress-text").inner_text() == f"Câu 1/{QUESTIONS}"
    assert tablet.locator("#service_field").is_visible()
    assert tablet.locator("#service_field-error").is_visible()
    assert tablet.locator(CHECKED).count() == 1  # the answer given is kept
