"""On a phone: the receipt survey names its dossier, says it is linked; axe passes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.accessibility.test_browser import PHONE, violations
from tests.conftest import LiveServer
from tests.factories import SurveySite
from tests.helpers import survey_path
from tests.receipts.support import issue
from tests.survey.test_service_fields import tie

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    ("language", "named", "linked"),
    [
        ("vi", "Ông/bà đang đánh giá hồ sơ 00••••••••••••••••••••001", "không ẩn danh"),
        ("en", "You are rating dossier 00••••••••••••••••••••001", "not anonymous"),
    ],
)
def test_the_receipt_page_on_a_phone(
    app: Flask,
    live_server: LiveServer,
    site: SurveySite,
    phone: Any,
    tmp_path: Path,
    language: str,
    named: str,
    linked: str,
) -> None:
    token = issue(app, site.counter, "000.00.20.H56-250812-0001", field="ho-tich")
    phone.goto(f"{live_server.url}/r/{token}?lang={language}")
    notice = phone.locator(".receipt-note")
    assert notice.is_visible()
    assert named in notice.inner_text() and linked in notice.inner_text()
    # The field is known: shown, not asked.
    assert phone.locator("select#service_field").count() == 0
    assert phone.locator(".known-field").is_visible()
    # Nothing wider than the phone: the long code wraps.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(phone) == []
    phone.screenshot(path=tmp_path / f"receipt-{language}.png")
    assert linked in phone.locator("footer").inner_text()


def test_a_counter_of_several_fields_on_a_phone(
    app: Flask, live_server: LiveServer, site: SurveySite, phone: Any, tmp_path: Path
) -> None:
    tie(app, site.counter, "y-te", "dat-dai")
    phone.goto(live_server.url + survey_path(app, site.counter))
    groups = phone.locator("select#service_field optgroup")
    assert [groups.nth(i).get_attribute("label") for i in range(2)] == [
        "Lĩnh vực của quầy này",
        "Các lĩnh vực khác",
    ]
    assert violations(phone) == []
    phone.select_option("#service_field", "y-te")
    phone.screenshot(path=tmp_path / "counter-fields.png")
