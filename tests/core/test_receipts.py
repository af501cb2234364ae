"""Receipt tokens, their states, issuing and the receipt's QR code."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from flask import Flask
from PIL import Image
from sqlalchemy import select

from surveyapp.core.links import qr_png
from surveyapp.core.receipts import (
    ReceiptError,
    ReceiptState,
    check_receipt,
    issue_receipt,
    receipt_from_token,
    receipt_url,
)
from surveyapp.extensions import db
from surveyapp.models import Counter, Receipt, get_by_code
from tests.factories import SurveySite
from tests.receipts.support import expire, issue


def test_token_round_trip_and_tampering(app: Flask, site: SurveySite) -> None:
    token = issue(app, site.counter, "HS-1")
    with app.app_context():
        receipt = receipt_from_token(token)
        assert receipt is not None and receipt.dossier_code == "HS-1"
        public_id, signature = token.rsplit(".", 1)
        assert public_id == receipt.public_id
        flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
        for forged in (f"{public_id}.{flipped}", public_id, signature, "", "."):
            assert receipt_from_token(forged) is None
            assert check_receipt(forged).state == ReceiptState.NOT_FOUND
        app.config["SECRET_KEY"] = "another-secret"
        assert receipt_from_token(token) is None


def test_states_valid_expired_used(app: Flask, site: SurveySite) -> None:
    token = issue(app, site.counter, "HS-2")
    with app.app_context():
        assert check_receipt(token).state == ReceiptState.VALID
    expire(app, "HS-2")
    with app.app_context():
        assert check_receipt(token).state == ReceiptState.EXPIRED


def test_issue_is_idempotent_and_refuses_another_counter(
    app: Flask, site: SurveySite
) -> None:
    with app.test_request_context("/?lang=en"):
        counter = get_by_code(Counter, site.counter)
        other = get_by_code(Counter, site.other_counter)
        assert counter is not None and other is not None
        first = issue_receipt(counter, "  HS-3 ")
        again = issue_receipt(counter, "HS-3")
        assert first.created and not again.created
        assert first.token == again.token
        with pytest.raises(ReceiptError, match="from another counter"):
            issue_receipt(other, "HS-3")
        with pytest.raises(ReceiptError):
            issue_receipt(counter, "HS 4")
        with pytest.raises(ReceiptError):
            issue_receipt(counter, "HS-4", days=0)
        assert len(db.session.scalars(select(Receipt)).all()) == 1


def test_qr_png_of_a_receipt_decodes_to_its_url(app: Flask, site: SurveySite) -> None:
    issue(app, site.counter, "HS-QR")
    with app.app_context():
        receipt = db.session.scalars(select(Receipt)).one()
        url = receipt_url(receipt)
        with Image.open(io.BytesIO(qr_png(url))) as image:
            assert zxingcpp.read_barcodes(image)[0].text == url
