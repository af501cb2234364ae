"""A manager's morning in a real browser: sign in, read the dashboard, download."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask

from tests.accessibility.test_browser import violations
from tests.conftest import AuthActions, LiveServer
from tests.factories import DEFAULT_PASSWORD, add_responses, make_two_communes

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def test_manager_signs_in_and_reads_the_dashboard(
    app: Flask, client: Any, auth: AuthActions, live_server: LiveServer, desk: Any
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [5, 4, 3, 4], 25)
        add_responses(codes["counter_b"], [4, 2, 5], 20)
    email = auth.create("manager", codes["province"])
    desk.goto(live_server.url + "/quan-ly/dang-nhap")
    desk.get_by_label("Thư điện tử").fill(email)
    desk.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.wait_for_url(f"**/quan-ly/co-quan/{codes['province']}")
    assert desk.locator("h1").first.inner_text().startswith("Tỉnh Hai Xã")
    assert re.fullmatch(r"\d+,\d\xa0%", desk.locator(".big-number").inner_text())
    assert re.fullmatch(r"\d+,\d\xa0% – \d+,\d\xa0%", desk.locator(".ci").inner_text())
    chart = desk.locator("svg.chart").first
    assert chart.is_visible()
    assert chart.bounding_box()["height"] > 100
    assert desk.locator("table.ranking tbody tr").count() == 2
    # The year's results as a spreadsheet, from the dashboard's link.
    desk.get_by_role("link", name="Xuất báo cáo và chốt số liệu năm").click()
    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="Excel (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    content = Path(download.path()).read_bytes()
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    try:
        ranking = [row for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    names = {cell for row in ranking for cell in row if isinstance(cell, str)}
    assert {"Xã An Phú", "Phường Bình Minh"} <= names


def test_the_period_form_shows_only_the_chosen_kinds_controls(
    app: Flask, auth: AuthActions, live_server: LiveServer, desk: Any
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [5, 4, 3, 4], 25)
    email = auth.create("viewer", codes["province"])
    desk.goto(live_server.url + "/quan-ly/dang-nhap")
    desk.get_by_label("Thư điện tử").fill(email)
    desk.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.wait_for_url(f"**/quan-ly/co-quan/{codes['province']}")
    form = desk.locator("form.period-form")
    assert form.get_by_label("Năm").is_visible()
    assert not form.get_by_label("Quý").is_visible()
    assert not form.get_by_label("Từ ngày").is_visible()
    form.get_by_label("Kỳ").select_option("range")
    assert form.get_by_label("Từ ngày").is_visible()
    assert not form.get_by_label("Năm").is_visible()
    form.get_by_label("Từ ngày").fill("2026-01-01")
    form.get_by_label("Đến ngày").fill("2026-02-28")
    form.get_by_role("button", name="Xem").click()
    desk.wait_for_load_state()
    # Hidden controls are not sent: no stale year or quarter in the address.
    assert "year=" not in desk.url and "quarter=" not in desk.url
    assert "01/01/2026–28/02/2026" in desk.locator("main").inner_text()


def test_units_by_factor_and_answer_distribution_in_the_browser(
    app: Flask,
    auth: AuthActions,
    live_server: LiveServer,
    browser: Any,
    tmp_path: Path,
) -> None:
    """A province's page at 1366x768: the heatmap of its communes with its
    table for screen readers, the answers to each criterion, passing axe."""
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [5, 4, 3, 4, None], 25)
        add_responses(codes["counter_a"], [2, 3, 5, 1], 15)
        add_responses(codes["counter_b"], [4, 2, 5], 12)
    email = auth.create("manager", codes["province"])
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(live_server.url + "/quan-ly/dang-nhap")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/quan-ly/co-quan/{codes['province']}")
    heatmap = page.locator("svg.heatmap")
    assert heatmap.is_visible()
    box = heatmap.bounding_box()
    assert box["width"] > 400 and box["height"] > 100
    heatmap.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "heatmap.png"))
    table = page.get_by_role("table", name="Chỉ số các yếu tố của từng đơn vị")
    assert table.locator("tbody tr").count() == 2
    answers = page.locator("table.distribution")
    page.locator("#answers-title").evaluate("heading => heading.scrollIntoView()")
    page.screenshot(path=str(tmp_path / "distribution.png"))
    assert answers.locator("tbody tr").count() == 16
    first = answers.locator("tbody tr").first
    assert first.locator("svg.stacked-bar").bounding_box()["width"] > 100
    # A1: 25 fives, 15 twos and 12 fours of the 52 responses.
    assert [
        cell.split("\n")[0] for cell in first.locator("td.num").all_inner_texts()
    ] == ["0", "15", "0", "12", "25", "0"]
    assert violations(page) == []
    context.close()
