"""Receipt tokens, issuing, API keys and the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskCliRunner
from PIL import Image
from sqlalchemy import select

from surveyapp.core.apikeys import hash_key, key_from_header
from surveyapp.core.receipts import (
    ReceiptError,
    ReceiptState,
    check_receipt,
    issue_receipt,
    receipt_from_token,
)
from surveyapp.extensions import db
from surveyapp.models import ApiKey, AuditEvent, Counter, Receipt, get_by_code
from tests.factories import SurveySite
from tests.receipts.support import expire, issue, new_key


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


def test_api_keys_are_stored_hashed(app: Flask, site: SurveySite) -> None:
    secret = new_key(app, site.province)
    with app.app_context():
        key = db.session.scalars(select(ApiKey)).one()
        assert key.key_hash == hash_key(secret) != secret
        assert key.prefix == secret[:8]
        assert key_from_header(f"Bearer {secret}") == key
        assert key_from_header(f"bearer {secret}") == key
        for header in (None, "", secret, f"Bearer {secret}x", f"Token {secret}"):
            assert key_from_header(header) is None


def decode_png(path: Path) -> str:
    with Image.open(path) as image:
        results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0].text


def test_cli_issue(
    app: Flask, runner: FlaskCliRunner, site: SurveySite, tmp_path: Path
) -> None:
    png = tmp_path / "hs.png"
    first = runner.invoke(
        args=["receipts", "issue", site.counter, "--dossier", "HS-9", "-o", str(png)]
    )
    assert first.exit_code == 0, first.output
    url = first.stdout.strip()
    assert "/r/" in url
    assert decode_png(png) == url
    again = runner.invoke(args=["receipts", "issue", site.counter, "--dossier", "HS-9"])
    assert again.exit_code == 0
    assert again.stdout.strip() == url
    svg = tmp_path / "hs.svg"
    assert (
        runner.invoke(
            args=[
                "receipts",
                "issue",
                site.counter,
                "--dossier",
                "HS-9",
                "-o",
                str(svg),
            ]
        ).exit_code
        == 0
    )
    assert svg.read_bytes().lstrip().startswith(b"<?xml")
    elsewhere = runner.invoke(
        args=["receipts", "issue", site.other_counter, "--dossier", "HS-9"]
    )
    assert elsewhere.exit_code != 0
    assert "from another counter" in elsewhere.output
    assert site.counter not in elsewhere.output
    unknown = runner.invoke(args=["receipts", "issue", "NOPE", "--dossier", "HS-10"])
    assert unknown.exit_code != 0 and "no counter" in unknown.output
    bad_file = runner.invoke(
        args=["receipts", "issue", site.counter, "--dossier", "X", "-o", "x.gif"]
    )
    assert bad_file.exit_code != 0
    days = runner.invoke(
        args=["receipts", "issue", site.counter, "--dossier", "HS-11", "--days", "3"]
    )
    assert days.exit_code == 0, days.output
    with app.app_context():
        receipt = db.session.scalars(
            select(Receipt).where(Receipt.dossier_code == "HS-11")
        ).one()
        assert (receipt.expires_at - receipt.issued_at).days == 3


def test_cli_apikeys(app: Flask, runner: FlaskCliRunner, site: SurveySite) -> None:
    created = runner.invoke(
        args=["apikeys", "create", "--agency", site.commune, "--name", "iGate xã"]
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert len(secret) >= 40
    listed = runner.invoke(args=["apikeys", "list"])
    assert secret[:8] in listed.output and "active" in listed.output
    assert secret not in listed.output
    assert runner.invoke(args=["apikeys", "revoke", "zz"]).exit_code != 0
    assert runner.invoke(args=["apikeys", "revoke", "zzzzzzzz"]).exit_code != 0
    revoked = runner.invoke(args=["apikeys", "revoke", secret[:8]])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(args=["apikeys", "list"]).output
    with app.app_context():
        assert key_from_header(f"Bearer {secret}") is None
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert sorted(actions) == ["api_key_create", "api_key_revoke"]
    unknown = runner.invoke(
        args=["apikeys", "create", "--agency", "NOPE", "--name", "x"]
    )
    assert unknown.exit_code != 0


def test_qr_png_of_a_receipt_decodes_to_its_url(app: Flask, site: SurveySite) -> None:
    from surveyapp.core.links import qr_png
    from surveyapp.core.receipts import receipt_url

    issue(app, site.counter, "HS-QR")
    with app.app_context():
        receipt = db.session.scalars(select(Receipt)).one()
        url = receipt_url(receipt)
        with Image.open(io.BytesIO(qr_png(url))) as image:
            assert zxingcpp.read_barcodes(image)[0].text == url
