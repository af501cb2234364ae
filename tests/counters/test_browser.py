"""In a real browser: silent counters are marked in words, stopping asks first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from surveyapp.extensions import db
from surveyapp.models import Counter, get_by_code
from tests.accessibility.test_browser import violations
from tests.conftest import AuthActions, LiveServer
from tests.factories import DEFAULT_PASSWORD, add_responses, make_two_communes

pytestmark = pytest.mark.browser
MANAGER_SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    """A desktop context with JavaScript off: every step must work without it."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        java_script_enabled=False,
        locale="vi-VN",
    )
    yield context.new_page()
    context.close()


def sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/quan-ly/dang-nhap")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/quan-ly/co-quan/**")


def test_silent_counter_is_marked_and_stopping_asks_first(
    app: Flask, auth: AuthActions, live_server: LiveServer, desk: Any
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [4], 3)
        add_responses(
            codes["counter_b"],
            [4],
            1,
            submitted_at=datetime.now(UTC) - timedelta(days=9),
        )
    sign_in(desk, live_server, auth.create("manager", codes["province"]))
    desk.goto(f"{live_server.url}/quan-ly/quay/{codes['province']}")
    quiet = desk.locator("tr", has=desk.locator(f"th:text-is('{codes['counter_b']}')"))
    mark = quiet.locator(".badge-silent")
    assert mark.is_visible()
    assert mark.inner_text() == "Im lặng: không có phản hồi trong 7 ngày"
    busy = desk.locator("tr", has=desk.locator(f"th:text-is('{codes['counter_a']}')"))
    assert busy.locator(".badge-silent").count() == 0
    assert busy.locator(".month-responses").inner_text() == "3"

    busy.get_by_role("link", name="Dừng").click()
    desk.wait_for_url(f"**/quan-ly/quay/{codes['counter_a']}/dung*")
    assert desk.get_by_text("không tìm thấy").is_visible()
    with app.app_context():
        assert get_by_code(Counter, codes["counter_a"]).active  # type: ignore[union-attr]
    desk.get_by_role("button", name="Đồng ý dừng quầy").click()
    desk.wait_for_url(f"**/quan-ly/quay/{codes['province']}")
    assert busy.get_by_role("button", name="Tiếp tục").is_visible()
    with app.app_context():
        db.session.expire_all()
        assert not get_by_code(Counter, codes["counter_a"]).active  # type: ignore[union-attr]


def test_a_manager_ties_a_counter_to_fields_with_checkboxes(
    app: Flask,
    auth: AuthActions,
    live_server: LiveServer,
    browser: Any,
    tmp_path: Path,
) -> None:
    with app.app_context():
        codes = make_two_communes()
    context = browser.new_context(viewport=MANAGER_SCREEN, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server, auth.create("manager", codes["province"]))
    page.goto(f"{live_server.url}/quan-ly/quay/{codes['province']}")
    row = page.locator("tr", has=page.locator(f"th:text-is('{codes['counter_a']}')"))
    assert row.locator(".counter-fields").inner_text().startswith("mọi lĩnh vực")
    row.get_by_role(
        "link", name=f"Chọn lĩnh vực thủ tục của quầy {codes['counter_a']}"
    ).click()
    page.wait_for_url(f"**/quan-ly/quay/{codes['counter_a']}/linh-vuc*")
    group = page.get_by_role("group", name="Các lĩnh vực thủ tục quầy này tiếp nhận")
    assert group.get_by_role("checkbox").count() == 11
    assert violations(page) == []
    # By label, and by keyboard: Space ticks the focused box.
    group.get_by_label("Hộ tịch").check()
    group.get_by_label("Chứng thực").focus()
    page.keyboard.press("Space")
    assert group.get_by_label("Chứng thực").is_checked()
    page.screenshot(path=tmp_path / "counter-fields.png", full_page=True)
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"**/quan-ly/quay/{codes['province']}")
    assert row.locator(".counter-fields").inner_text().startswith("Hộ tịch, Chứng thực")
    assert violations(page) == []
    page.screenshot(path=tmp_path / "counters.png", full_page=True)
    context.close()
    with app.app_context():
        counter = get_by_code(Counter, codes["counter_a"])
        assert counter is not None
        assert [field.code for field in counter.service_fields] == [
            "ho-tich",
            "chung-thuc",
        ]
