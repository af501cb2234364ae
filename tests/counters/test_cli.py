"""`flask counters`: list, survey URLs and QR codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.factories import SurveySite
from tests.helpers import survey_path


def test_counters_list_and_url(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    listing = runner.invoke(args=["counters", "list"])
    assert listing.exit_code == 0
    assert re.search(
        rf"^{site.counter}\tBộ phận Một cửa xã Thử Nghiệm\tQuầy số 1$",
        listing.output,
        re.M,
    )
    url = runner.invoke(args=["counters", "url", site.counter])
    assert url.exit_code == 0
    assert url.output.strip().endswith(survey_path(app, site.counter))
    assert url.output.startswith("http://127.0.0.1:5000/s/")


def test_counters_url_uses_public_base_url(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.example.gov.vn"
    url = runner.invoke(args=["counters", "url", site.counter]).output.strip()
    assert url == "https://khaosat.example.gov.vn" + survey_path(app, site.counter)


def test_unknown_counter_is_a_clear_error(
    runner: FlaskCliRunner, site: SurveySite
) -> None:
    result = runner.invoke(args=["counters", "url", "NOPE"])
    assert result.exit_code == 1
    assert "no counter with code 'NOPE'" in result.output


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_counters_qr_writes_image(
    runner: FlaskCliRunner, site: SurveySite, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"qr{suffix}"
    result = runner.invoke(args=["counters", "qr", site.counter, "-o", str(target)])
    assert result.exit_code == 0, result.output
    content = target.read_bytes()
    assert (
        content.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in content[:300]
    )


def test_counters_qr_rejects_other_formats(
    runner: FlaskCliRunner, site: SurveySite, tmp_path: Path
) -> None:
    result = runner.invoke(
        args=["counters", "qr", site.counter, "-o", str(tmp_path / "qr.jpg")]
    )
    assert result.exit_code == 2
    assert ".png or .svg" in result.output
