"""The comments page in a browser: frequent words, hiding with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.accessibility.test_browser import violations
from tests.conftest import AuthActions, LiveServer
from tests.factories import DEFAULT_PASSWORD, add_responses, make_two_communes

pytestmark = pytest.mark.browser
DESK = {"width": 1366, "height": 768}


def test_a_manager_reads_themes_and_hides_a_comment_for_a_reason(
    app: Flask,
    auth: AuthActions,
    live_server: LiveServer,
    browser: Any,
    tmp_path: Path,
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [2], 4, comment="Hồ sơ bị trả lại nhiều lần")
        add_responses(
            codes["counter_b"], [5], 3, comment="Cán bộ nhiệt tình, hồ sơ nhanh"
        )
        add_responses(codes["counter_b"], [1], 1, comment="Gọi cho tôi 0912 345 678")
    email = auth.create("manager", codes["province"])
    context = browser.new_context(viewport=DESK, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/quan-ly/dang-nhap")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/quan-ly/co-quan/{codes['province']}")
    page.goto(f"{live_server.url}/quan-ly/co-quan/{codes['province']}/gop-y")
    themes = page.locator(".frequent-terms")
    assert themes.get_by_role("link", name="hồ sơ", exact=True).is_visible()
    assert violations(page) == []
    page.screenshot(path=tmp_path / "comments.png", full_page=True)
    # A phrase is a filter: only the comments that use it are left.
    themes.get_by_role("link", name="trả lại", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#q").input_value() == "trả lại"
    assert page.locator("ol.comments > li").count() == 4
    # Hide the comment with a phone number: a reason, then a confirmation.
    page.goto(f"{live_server.url}/quan-ly/co-quan/{codes['province']}/gop-y")
    item = page.locator("ol.comments > li", has_text="0912 345 678")
    item.get_by_label("Lý do ẩn").select_option("personal_data")
    item.get_by_role("button", name="Ẩn…").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Ẩn một góp ý").is_visible()
    assert page.get_by_label(
        "Dữ liệu cá nhân (họ tên, số điện thoại hoặc địa chỉ)"
    ).is_checked()
    assert violations(page) == []
    page.screenshot(path=tmp_path / "hide-confirm.png", full_page=True)
    page.get_by_role("button", name="Đồng ý, ẩn góp ý").click()
    page.wait_for_load_state()
    assert "/gop-y" in page.url
    assert page.get_by_role("status").inner_text().startswith("Đã ẩn góp ý.")
    assert page.get_by_role("link", name="1 góp ý đã ẩn trong đơn vị này").is_visible()
    hidden = page.locator("ol.comments > li.hidden-comment")
    assert "Dữ liệu cá nhân" in hidden.inner_text()
    assert violations(page) == []
    page.screenshot(path=tmp_path / "comments-after-hiding.png", full_page=True)
    context.close()
