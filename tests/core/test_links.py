"""Signed counter links and their QR codes, decoded by a real QR reader."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from surveyapp.core.links import counter_from_token, counter_token, qr_png, survey_url
from surveyapp.models import Counter, get_by_code
from tests.factories import SurveySite
from tests.helpers import survey_path


def decode_png(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_token_round_trip_and_tampering(app: Flask, site: SurveySite) -> None:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        token = counter_token(counter)
        assert token.startswith(f"{site.counter}.")
        assert counter_from_token(token) == counter
        code, signature = token.rsplit(".", 1)
        flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
        assert counter_from_token(f"{code}.{flipped}") is None
        assert counter_from_token(f"{site.other_counter}.{signature}") is None
        assert counter_from_token(signature) is None
        assert counter_from_token("") is None


def test_token_depends_on_secret(app: Flask, site: SurveySite) -> None:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        token = counter_token(counter)
        app.config["SECRET_KEY"] = "another-secret"
        assert counter_from_token(token) is None


def test_qr_png_decodes_to_survey_url(app: Flask, site: SurveySite) -> None:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        url = survey_url(counter)
        assert decode_png(qr_png(url)) == url


def test_served_qr_png_decodes_to_counter_url(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    image = client.get(f"{path}/qr.png")
    assert image.mimetype == "image/png"
    assert decode_png(image.data) == f"http://localhost{path}"


@pytest.mark.parametrize("suffix", ["/qr.svg"])
def test_served_qr_svg(
    app: Flask, client: FlaskClient, site: SurveySite, suffix: str
) -> None:
    image = client.get(survey_path(app, site.counter) + suffix)
    assert image.mimetype == "image/svg+xml"
    assert b"<svg" in image.data[:300] and b"<path" in image.data
