"""Offline phones in a real browser: the page opens without a connection, answers
sent offline wait in IndexedDB and reach the server once the connection returns."""

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
from tests.helpers import survey_path

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
CACHED = (
    "caches.open('surveyapp-survey-v2').then(c => c.keys())"
    ".then(keys => keys.length >= 3)"
)
QUEUED = """() => new Promise(resolve => {
  const open = indexedDB.open('surveyapp-offline', 1);
  open.onsuccess = () => {
    const request = open.result.transaction('responses').objectStore('responses')
      .count();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
  };
})"""


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    yield context
    context.close()


def stored(app: Flask) -> list[tuple[str, str, set[int | None]]]:
    """Channel, language and set of answer values of each stored response."""
    with app.app_context():
        return [
            (r.channel, r.language, {a.value for a in r.answers})
            for r in db.session.scalars(select(Response))
        ]


def test_answers_sent_offline_are_kept_and_sent_once_back_online(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, site.counter) + "?lang=en")
    first_key = page.input_value("#idempotency_key")
    page.wait_for_function(CACHED, polling=100)  # the worker kept page, CSS, JS

    # The connection drops; the citizen reloads: the page comes from the cache,
    # with a new idempotency key.
    context.set_offline(True)
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.locator("h1").inner_text() == "Bộ phận Một cửa xã Thử Nghiệm"
    assert page.input_value("#idempotency_key") not in ("", first_key)

    page.select_option("#service_field", "ho-tich")
    for fieldset in page.locator("fieldset.rating").all()[:3]:
        fieldset.locator("label[for$='-4']").click()
    page.get_by_role("button", name="Send my answers").click()
    status = page.locator("#offline-status")
    assert "saved on this phone" in status.inner_text()
    assert page.locator("form.survey-form").is_hidden()
    assert page.evaluate(QUEUED) == 1
    assert stored(app) == []

    context.set_offline(False)  # the "online" event sends the queue
    page.wait_for_function(
        "document.getElementById('offline-status').textContent"
        ".includes('now been sent')"
    )
    assert page.evaluate(QUEUED) == 0
    assert stored(app) == [("counter", "en", {4, None})]
    with app.app_context():
        # The queued answers kept the token of the page they were given on.
        response = db.session.scalars(select(Response)).one()
        assert response.render_nonce is not None
        assert not any(r.startswith("render_") for r in response.anomaly_reasons)

    page.reload()  # sends whatever is queued again: nothing
    page.wait_for_load_state("networkidle")
    assert page.locator("#offline-status").count() == 0
    assert len(stored(app)) == 1


def test_invalid_answers_are_not_kept_offline(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, site.counter) + "?lang=en")
    context.set_offline(True)
    page.locator("fieldset.rating").first.locator("label[for$='-5']").click()
    page.get_by_role("button", name="Send my answers").click()
    assert "choose the service field" in page.locator("#offline-status").inner_text()
    assert page.locator("form.survey-form").is_visible()
    assert page.evaluate(QUEUED) == 0
