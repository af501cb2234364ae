"""A kiosk tablet in a real browser: it clears itself for the next person."""

from __future__ import annotations

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
TABLET = {"width": 800, "height": 1280}
CHECKED = "input[type=radio]:checked"


@pytest.fixture
def tablet(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=TABLET, locale="vi-VN", has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def start_answering(page: Any) -> None:
    page.select_option("#service_field", "ho-tich")
    for fieldset in page.locator("fieldset.rating").all()[:3]:
        fieldset.locator("label[for$='-5']").tap()
    assert page.locator(CHECKED).count() == 3


def assert_blank(page: Any, previous_key: str) -> None:
    assert page.locator(CHECKED).count() == 0
    assert page.input_value("#service_field") == ""
    assert page.input_value("#comment") == ""
    assert page.input_value("#idempotency_key") not in ("", previous_key)


def test_kiosk_clears_itself_when_left_and_after_thanks(
    app: Flask, live_server: LiveServer, site: SurveySite, tablet: Any
) -> None:
    app.config.update(KIOSK_IDLE_SECONDS=2, KIOSK_THANKS_SECONDS=1)
    key = new_kiosk(app, site.counter)
    tablet.goto(f"{live_server.url}/kiosk/{key}")
    # The address keeps the key in a cookie and leaves it out of the URL.
    assert tablet.url == f"{live_server.url}/kiosk/"
    # Every choice is a large touch target.
    sizes = tablet.eval_on_selector_all(
        "fieldset.rating label, select, button, .kiosk-clear",
        "els => els.map(e => Math.min(e.offsetWidth, e.offsetHeight))",
    )
    assert min(sizes) >= 64

    # Someone starts and walks away: the form comes back blank.
    first_key = tablet.input_value("#idempotency_key")
    start_answering(tablet)
    tablet.fill("#comment", "Người trước")
    tablet.wait_for_url(f"{live_server.url}/kiosk/?lang=vi", timeout=10_000)
    assert_blank(tablet, first_key)

    # The next person sends: thanks, then a blank form again by itself.
    second_key = tablet.input_value("#idempotency_key")
    start_answering(tablet)
    tablet.get_by_role("button", name="Gửi đánh giá").tap()
    tablet.wait_for_url(f"{live_server.url}/kiosk/cam-on?lang=vi")
    tablet.wait_for_url(f"{live_server.url}/kiosk/?lang=vi", timeout=10_000)
    assert_blank(tablet, second_key)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.channel == "kiosk" and response.kiosk_id is not None
        # Shown, then sent by a person: the render token held.
        assert not any(r.startswith("render_") for r in response.anomaly_reasons)

    # The back button leads to the form the last person filled in: blank too.
    tablet.go_back()
    assert tablet.locator("input[type=radio]").count() == 16 * 6
    assert tablet.locator(CHECKED).count() == 0
