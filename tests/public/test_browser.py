"""The public results page on a phone: light, readable and accessible."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from surveyapp.extensions import db
from surveyapp.models import Agency
from surveyapp.models.base import get_by_code
from surveyapp.reports.finalise import finalise_year
from tests.accessibility.test_browser import PHONE, violations
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser
MAX_BYTES = 100_000


def test_results_page_is_light_readable_and_accessible_on_a_phone(
    app: Flask,
    runner: FlaskCliRunner,
    live_server: LiveServer,
    browser: Any,
    tmp_path: Path,
) -> None:
    """The demo province (every unit, two tree levels) finalised for a year."""
    assert runner.invoke(args=["demo", "load", "--responses", "1500"]).exit_code == 0
    year = date.today().year - 1
    with app.app_context():
        province = get_by_code(Agency, "TM")
        assert province is not None
        finalise_year(province, year, None, None)
        db.session.commit()
    app.config["PUBLIC_RESULTS"] = True
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    sizes: list[tuple[str, int]] = []
    context.on(
        "requestfinished",
        lambda request: sizes.append((request.url, len(request.response().body()))),
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/ket-qua")
    page.wait_for_load_state("networkidle")
    assert page.locator("h2").first.inner_text() == f"Tỉnh Mẫu — {year}"
    assert page.locator("table.public-results tbody tr").count() >= 5
    assert "trọng số theo số hồ sơ" in page.locator("main").inner_text()
    weight = sum(size for _, size in sizes)
    assert weight < MAX_BYTES, sizes
    page.screenshot(path=tmp_path / "public-results-phone.png", full_page=True)
    # Nothing wider than the phone: no sideways scrolling to read a row.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(page) == []
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="How to read these numbers").is_visible()
    assert violations(page) == []
    context.close()
