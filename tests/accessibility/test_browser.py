"""WCAG 2.1 AA with axe-core in Chromium, the keyboard alone, and the page weight."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import select

from surveyapp.core.time import local_today
from surveyapp.extensions import db
from surveyapp.models import Response
from tests.conftest import AuthActions, LiveServer, unavailable
from tests.factories import (
    DEFAULT_PASSWORD,
    SurveySite,
    add_responses,
    make_site,
    make_two_communes,
)
from tests.helpers import survey_path
from tests.kiosk.test_browser import send_kiosk_form
from tests.kiosk.test_views import new_kiosk

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 740}
MAX_REQUESTS = 5
MAX_BYTES = 50_000


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    yield context.new_page()
    context.close()


def violations(page: Any) -> list[tuple[str, str, list[Any]]]:
    """What axe-core finds on the page as it is now, against WCAG 2.1 A and AA."""
    if not AXE.exists():
        unavailable(f"{AXE} is missing: `make test` installs it (npm ci)")
    # Evaluated through the DevTools protocol: a <script> tag with axe inline
    # would be blocked by the page's Content-Security-Policy, as it should be.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_21_AA,
    )
    return [
        (found["id"], found["help"], [node["target"] for node in found["nodes"][:3]])
        for found in result["violations"]
    ]


def test_survey_error_and_thank_you_pages_pass_axe(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any
) -> None:
    phone.goto(live_server.url + survey_path(app, site.counter))
    assert violations(phone) == []
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.locator("#form-errors").wait_for()
    assert violations(phone) == []
    phone.select_option("#service_field", "ho-tich")
    phone.locator("fieldset.rating").first.locator("label[for$='-4']").click()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_url("**/cam-on*")
    assert violations(phone) == []


def test_kiosk_pages_pass_axe(
    app: Flask, live_server: LiveServer, site: SurveySite, browser: Any
) -> None:
    app.config.update(KIOSK_THANKS_SECONDS=60, KIOSK_IDLE_SECONDS=600)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/{new_kiosk(app, site.counter)}")
    assert violations(page) == []
    page.select_option("#service_field", "ho-tich")
    page.get_by_role("button", name="Tiếp theo").click()
    page.locator("fieldset.rating:visible label[for$='-3']").click()
    assert violations(page) == []
    # The question before the form clears itself, as the idle timer opens it.
    page.evaluate("document.getElementById('kiosk-idle').showModal()")
    assert violations(page) == []
    page.get_by_role("button", name="Tiếp tục").click()
    send_kiosk_form(page)
    page.wait_for_url("**/cam-on*")
    assert violations(page) == []
    context.close()


def test_dashboard_passes_axe(
    app: Flask, auth: AuthActions, live_server: LiveServer, browser: Any
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [5, 4, 3, 4], 25, comment="Tốt")
        add_responses(codes["counter_b"], [4, 2, 5], 20)
    email = auth.create("admin", codes["province"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/quan-ly/dang-nhap")
    assert violations(page) == []
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/quan-ly/co-quan/{codes['province']}")
    assert violations(page) == []
    page.goto(live_server.url + "/quan-ly/kiosk/")
    assert violations(page) == []
    context.close()


def test_counters_and_reports_pages_pass_axe(
    app: Flask, auth: AuthActions, live_server: LiveServer, browser: Any
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [5, 4, 3, 4], 25)
        add_responses(
            codes["counter_b"], [4], 1, submitted_at=datetime.now(UTC) - timedelta(9)
        )
    email = auth.create("manager", codes["province"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/quan-ly/dang-nhap")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/quan-ly/co-quan/{codes['province']}")
    page.goto(f"{live_server.url}/quan-ly/quay/{codes['province']}")
    assert page.locator(".badge-silent").count() == 1  # checked with a silent mark
    assert violations(page) == []
    page.goto(f"{live_server.url}/quan-ly/quay/{codes['counter_a']}/dung")
    assert violations(page) == []
    with app.app_context():
        year = local_today().year
    page.goto(f"{live_server.url}/quan-ly/bao-cao/{codes['province']}?year={year}")
    assert page.locator(".year-not-over").is_visible()  # and with the warning
    assert violations(page) == []
    context.close()


def test_survey_can_be_completed_with_the_keyboard_alone(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any
) -> None:
    phone.goto(live_server.url + survey_path(app, site.counter))
    keyboard = phone.keyboard
    for _ in range(10):  # past the skip link and the language switch
        keyboard.press("Tab")
        if phone.evaluate("document.activeElement.id") == "service_field":
            break
    keyboard.press("ArrowDown")
    keyboard.press("ArrowDown")
    keyboard.press("Tab")  # into the first item: its first choice
    keyboard.press("Space")  # rates it 1
    for _ in range(15):
        keyboard.press("Tab")  # the next item
        for _ in range(3):
            keyboard.press("ArrowRight")  # ... rated 4
    keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "comment"
    keyboard.type("Bàn phím")
    keyboard.press("Tab")
    keyboard.press("Enter")
    phone.wait_for_url("**/cam-on*")
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        values = sorted(a.value for a in response.answers)
        assert values == [1] + [4] * 15
        assert response.comment is not None and response.comment.body == "Bàn phím"
        assert response.service_field.code != ""


@pytest.fixture
def server_hits(app: Flask) -> list[str]:
    """Paths of the requests the app receives (registered before it serves)."""
    hits: list[str] = []
    app.before_request(lambda: hits.append(request.path))
    return hits


def load_fresh(browser: Any, url: str) -> list[tuple[str, str, int]]:
    """Open `url` in a new context: URL, type and body size of each request."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    requests: list[Any] = []
    context.on("request", lambda r: requests.append(r))
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(  # the service worker has kept the page
        "caches.open('surveyapp-survey-v2').then(c => c.keys())"
        ".then(keys => keys.length >= 3)",
        polling=100,
    )
    page.wait_for_load_state("networkidle")
    # The worker copies CSS and JS from the HTTP cache: Chromium reports those
    # fetches, but they never reach the server.
    sent = [
        r for r in requests if not (r.service_worker and r.resource_type == "fetch")
    ]
    sizes = [(r.url, r.resource_type, len(r.response().body())) for r in sent]
    context.close()
    return sizes


def test_survey_page_is_light(
    server_hits: list[str],
    app: Flask,
    live_server: LiveServer,
    site: SurveySite,
    browser: Any,
) -> None:
    with app.app_context():
        longest = make_site("U", "sipas-2017")  # 22 items instead of 16
    for counter in (site.counter, longest.counter):
        server_hits.clear()
        sent = load_fresh(browser, live_server.url + survey_path(app, counter))
        assert len(server_hits) == len(sent), (server_hits, sent)
        assert len(sent) <= MAX_REQUESTS, sent
        assert sum(size for _, _, size in sent) <= MAX_BYTES, sent
        assert {kind for _, kind, _ in sent} <= {"document", "stylesheet", "script"}
