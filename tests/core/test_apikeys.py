"""API keys: stored as a hash, read from the Authorization header."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from surveyapp.core.apikeys import hash_key, key_from_header
from surveyapp.extensions import db
from surveyapp.models import ApiKey
from tests.factories import SurveySite
from tests.receipts.support import new_key


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
