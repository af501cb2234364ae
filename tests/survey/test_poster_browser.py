"""The counter's A4 poster in Chromium: one page, nothing clipped, no empty third."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from surveyapp.core.branding import check_logo, store_logo
from surveyapp.extensions import db
from surveyapp.models import Counter, get_by_code
from tests.accessibility.test_browser import violations
from tests.admin.test_logo import image_bytes
from tests.conftest import AuthActions, LiveServer, unavailable
from tests.factories import DEFAULT_PASSWORD, SurveySite
from tests.helpers import survey_path

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("KIOSK_SHOTS", "")
# An A4 page less the 10 mm margins, in CSS pixels (96 per inch).
PRINTABLE_HEIGHT = (297 - 20) / 25.4 * 96
LONG_UNIT_NAME = (
    "Bộ phận Tiếp nhận và Trả kết quả thuộc Trung tâm Phục vụ hành chính công "
    "thành phố Điện Biên Phủ"
)


def pdf_pages(pdf: Path) -> int:
    if shutil.which("pdfinfo") is None:
        unavailable("pdfinfo is not installed (apt-get install poppler-utils)")
    info = subprocess.run(
        ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return int(
        next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1]
    )


def layout(page: Any) -> dict[str, Any]:
    """The poster's box and its parts' boxes, as printed."""
    return page.evaluate(
        """() => {
          const poster = document.querySelector('.poster').getBoundingClientRect();
          const parts = [...document.querySelector('.poster').children]
            .map(e => e.getBoundingClientRect());
          return {top: poster.top, bottom: poster.bottom, height: poster.height,
                  lowest: Math.max(...parts.map(r => r.bottom)),
                  filled: parts.reduce((sum, r) => sum + r.height, 0)};
        }"""
    )


@pytest.mark.parametrize("with_extras", [False, True], ids=["bare", "full"])
def test_the_poster_prints_on_one_a4_page_and_fills_it(
    app: Flask,
    live_server: LiveServer,
    site: SurveySite,
    browser: Any,
    tmp_path: Path,
    with_extras: bool,
) -> None:
    if with_extras:  # the fullest poster: logo, hotline and the longest names
        app.config["FEEDBACK_HOTLINE"] = "0209 3870 123 – 1900 1234"
        with app.app_context():
            store_logo(check_logo(image_bytes("PNG", (240, 240))))
            counter = get_by_code(Counter, site.counter)
            assert counter is not None
            counter.name = "Quầy tiếp nhận và trả kết quả số 12 (đất đai, xây dựng)"
            counter.service_point.name = LONG_UNIT_NAME
            db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, site.counter) + "/poster")
    page.locator(".poster-qr").wait_for()
    assert page.locator(".poster-logo").count() == int(with_extras)
    if with_extras:
        assert page.locator(".poster-logo").evaluate("img => img.naturalWidth") == 240
    assert violations(page) == []
    page.emulate_media(media="print")
    box = layout(page)
    assert box["bottom"] <= PRINTABLE_HEIGHT
    assert box["lowest"] <= box["bottom"]  # nothing hangs out of the sheet
    # The parts take most of the page, down to its foot: no empty third.
    assert box["filled"] >= 0.75 * PRINTABLE_HEIGHT
    assert box["lowest"] >= 0.9 * PRINTABLE_HEIGHT
    pdf = tmp_path / "poster.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf_pages(pdf) == 1
    if SHOTS:
        shutil.copy(pdf, f"{SHOTS}/poster-{'logo' if with_extras else 'bare'}.pdf")
    context.close()


def test_the_logo_page_passes_axe(
    app: Flask,
    auth: AuthActions,
    live_server: LiveServer,
    site: SurveySite,
    browser: Any,
) -> None:
    with app.app_context():
        store_logo(check_logo(image_bytes("JPEG", (300, 200))))
        db.session.commit()
    email = auth.create("admin", site.province)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(live_server.url + "/quan-ly/dang-nhap")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/quan-ly/co-quan/**")
    page.get_by_role("link", name="Logo áp phích").click()
    page.get_by_role("img", name="Logo in trên các áp phích").wait_for()
    assert violations(page) == []
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/logo-admin.png", full_page=True)
    context.close()
