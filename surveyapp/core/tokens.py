"""Random secrets that are safe to type, and values signed for a link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app


def typable_token(nbytes: int) -> str:
    """A URL-safe random token that starts with a letter or digit.

    Keys are revoked by their first characters on the command line, where a
    leading '-' would be read as an option.
    """
    while True:
        token = secrets.token_urlsafe(nbytes)
        if token[0].isalnum():
            return token


# 128 bits: unguessable, and short enough for a sparse QR code.
SIGNATURE_BYTES = 16


def signed(purpose: str, value: str) -> str:
    """`value` and its HMAC for `purpose` ("counter-link", "receipt-link"), as
    "value.signature": printed in QR codes, so the recipe never changes."""
    return f"{value}.{_signature(purpose, value)}"


def verified(purpose: str, token: str) -> str | None:
    """The value in `token` if the app signed it for `purpose`; None otherwise."""
    value, _, signature = token.rpartition(".")
    try:
        genuine = bool(value) and hmac.compare_digest(
            signature.encode(), _signature(purpose, value).encode()
        )
    except UnicodeEncodeError:  # a lone surrogate: nothing the app ever signed
        return None
    return value if genuine else None


def _signature(purpose: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{purpose}:".encode() + value.encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
