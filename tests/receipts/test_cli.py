"""`flask receipts issue` and `flask apikeys`."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from flask import Flask
from flask.testing import FlaskCliRunner
from PIL import Image
from sqlalchemy import select

from surveyapp.core.apikeys import key_from_header
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Receipt
from tests.factories import SurveySite


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
