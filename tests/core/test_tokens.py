"""Keys are revoked by their prefix on the command line: none may start with '-'."""

from __future__ import annotations

from surveyapp.core.tokens import typable_token


def test_tokens_start_with_a_letter_or_digit() -> None:
    # One token in 32 would start with '-' or '_' if nothing prevented it.
    tokens = [typable_token(8) for _ in range(2000)]
    assert all(token[0].isalnum() for token in tokens)
    assert len(set(tokens)) == len(tokens)
