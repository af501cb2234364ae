"""The Content-Security-Policy in Chromium: the pages and their scripts break nothing.

Chromium enforces the policy, so a violation would block a script or a style;
it also reports each one, as a console message and a DOM event, which these
tests collect while citizens and managers use the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import AuthActions, LiveServer
from tests.factories import (
    DEFAULT_PASSWORD,
    SurveySite,
    add_responses,
    make_two_communes,
)
from tests.helpers import survey_path
from tests.kiosk.test_browser import send_kiosk_form
from tests.kiosk.test_views import new_kiosk

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
# Init scripts run outside the page's policy, before the page's own scripts.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


class Watched:
    """A browser page whose policy violations are kept, from every document."""

    def __init__(self, context: Any) -> None:
        context.add_init_script(RECORD_VIOLATIONS)
        self.page = context.new_page()
        self.messages: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.messages.append(str(error)))

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.messages.append(message.text)

    def violations(self) -> list[str]:
        """Console reports so far, and the current document's violation events."""
        events = self.page.evaluate("window.__cspViolations || []")
        return self.messages + list(events)


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    yield Watched(context)
    context.close()


def test_survey_page_and_its_scripts_keep_to_the_policy(
    app: Flask, live_server: LiveServer, site: SurveySite, watched: Watched
) -> None:
    page = watched.page
    page.goto(live_server.url + survey_path(app, site.counter))
    # survey.js registered the service worker, which kept the page, CSS and JS.
    page.wait_for_function(
        "caches.open('surveyapp-survey-v1').then(c => c.keys())"
        ".then(keys => keys.length >= 3)",
        polling=100,
    )
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.locator("#form-errors").wait_for()
    assert watched.violations() == []
    page.select_option("#service_field", "ho-tich")
    page.locator("fieldset.rating").first.locator("label[for$='-4']").click()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url("**/cam-on*")
    assert watched.violations() == []


def test_kiosk_page_and_its_script_keep_to_the_policy(
    app: Flask, live_server: LiveServer, site: SurveySite, watched: Watched
) -> None:
    app.config.update(KIOSK_THANKS_SECONDS=1)
    page = watched.page
    page.goto(f"{live_server.url}/kiosk/{new_kiosk(app, site.counter)}")
    page.select_option("#service_field", "ho-tich")
    page.get_by_role("button", name="Tiếp theo").click()
    page.locator("fieldset.rating:visible label[for$='-3']").click()
    send_kiosk_form(page)
    page.wait_for_url("**/cam-on*")
    # kiosk.js takes the tablet back to a blank form after the thanks.
    page.wait_for_url(lambda url: "cam-on" not in url)
    page.locator("#service_field").wait_for()
    assert watched.violations() == []


def test_dashboard_keeps_to_the_policy(
    app: Flask, auth: AuthActions, live_server: LiveServer, watched: Watched
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [5, 4, 3, 4], 25, comment="Tốt")
        add_responses(codes["counter_b"], [4, 2, 5], 20)
    email = auth.create("admin", codes["province"])
    page = watched.page
    page.goto(live_server.url + "/quan-ly/dang-nhap")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/quan-ly/co-quan/{codes['province']}")
    assert page.locator("svg.chart").first.is_visible()
    # The year box is sized by the style sheet now, not a style attribute.
    assert page.locator("#year").evaluate("e => getComputedStyle(e).width") != "auto"
    assert watched.violations() == []
    for path in ("/quan-ly/ho-so/", "/quan-ly/kiosk/", "/quan-ly/quan-tri/nhat-ky"):
        page.goto(live_server.url + path)
        assert watched.violations() == [], path
