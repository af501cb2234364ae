"""Helpers for receipt and API tests: keys, receipts, JSON bodies, CSRF tokens."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from surveyapp.core.apikeys import create_key
from surveyapp.core.receipts import issue_receipt
from surveyapp.extensions import db
from surveyapp.models import Agency, Counter, Receipt, ServiceField, get_by_code

SIPAS_2023_CODES = [
    f"{factor}{item}"
    for factor, size in zip("ABCDE", (3, 4, 3, 3, 3), strict=True)
    for item in range(1, size + 1)
]
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def new_key(app: Flask, agency_code: str, name: str = "Phần mềm một cửa") -> str:
    """Create an API key for `agency_code`; return its secret."""
    with app.app_context():
        agency = get_by_code(Agency, agency_code)
        assert agency is not None
        _key, secret = create_key(agency, name)
        db.session.commit()
        return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def issue(
    app: Flask, counter_code: str, dossier_code: str, field: str | None = None
) -> str:
    """Issue a receipt at `counter_code` (for service field `field`); its token."""
    with app.app_context():
        counter = get_by_code(Counter, counter_code)
        assert counter is not None
        service_field = get_by_code(ServiceField, field) if field else None
        return issue_receipt(counter, dossier_code, service_field=service_field).token


def expire(app: Flask, dossier_code: str) -> None:
    """Move a receipt's expiry to yesterday."""
    with app.app_context():
        receipt = db.session.scalars(
            select(Receipt).where(Receipt.dossier_code == dossier_code)
        ).one()
        receipt.expires_at = datetime.now(UTC) - timedelta(days=1)
        db.session.commit()


def response_body(token: str, kind: str = "receipt", **overrides: Any) -> dict:
    """A valid JSON response for the API, every sipas-2023 item rated 4."""
    body: dict[str, Any] = {
        "kind": kind,
        "token": token,
        "idempotency_key": uuid.uuid4().hex,
        "service_field": "ho-tich",
        "answers": {code: 4 for code in SIPAS_2023_CODES},
        "comment": "",
        "language": "en",
    }
    body.update(overrides)
    return body


def csrf_token(html: str) -> str:
    found = CSRF_INPUT.search(html)
    assert found is not None
    return found.group(1)
