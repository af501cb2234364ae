"""Random secrets that are safe to type: no leading '-' or '_'."""

from __future__ import annotations

import secrets


def typable_token(nbytes: int) -> str:
    """A URL-safe random token that starts with a letter or digit.

    Keys are revoked by their first characters on the command line, where a
    leading '-' would be read as an option.
    """
    while True:
        token = secrets.token_urlsafe(nbytes)
        if token[0].isalnum():
            return token
