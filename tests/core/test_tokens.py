"""Typable keys (revoked by prefix: never a leading "-"), signed link values."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from flask import Flask

from surveyapp.core.tokens import signed, typable_token, verified


def test_tokens_start_with_a_letter_or_digit() -> None:
    # One token in 32 would start with '-' or '_' if nothing prevented it.
    tokens = [typable_token(8) for _ in range(2000)]
    assert all(token[0].isalnum() for token in tokens)
    assert len(set(tokens)) == len(tokens)


@pytest.mark.parametrize("purpose", ["counter-link", "receipt-link"])
def test_signed_values_keep_the_recipe_printed_qr_codes_carry(
    app: Flask, purpose: str
) -> None:
    """HMAC-SHA256 of "purpose:value", 16 bytes, base64url without padding:
    changing it would void every poster and receipt already printed."""
    with app.app_context():
        key = app.config["SECRET_KEY"].encode()
        digest = hmac.new(key, f"{purpose}:AB-12".encode(), hashlib.sha256).digest()
        expected = base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")
        assert signed(purpose, "AB-12") == f"AB-12.{expected}"
        assert verified(purpose, f"AB-12.{expected}") == "AB-12"
        other = "receipt-link" if purpose == "counter-link" else "counter-link"
        assert verified(other, f"AB-12.{expected}") is None
        assert verified(purpose, "AB-12.\ud800") is None
