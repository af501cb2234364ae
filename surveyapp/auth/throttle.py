"""Per-account sign-in throttling: a growing wait, then a lock-out an admin lifts.

A limit per address alone let ten addresses try fifty passwords on one account.
Wrong passwords are also counted per account, whatever the address:

- in the rate limiter (Redis in production), keyed by a digest of the email as
  typed, so that an unknown email is throttled exactly like a known one and the
  answers tell nothing about which accounts exist. Its windows (a few minutes,
  then an hour) make the wait grow with the failures;
- on the user, as a run of failures since the last sign-in; at the threshold the
  account is locked, its sessions end, and it stays locked until an
  administrator runs `flask users unlock`. A slow guesser who stays inside the
  windows still reaches it.

A wrong current password on the password-change form counts the same way, so a
stolen session cannot be used to guess the password either.
"""

from __future__ import annotations

import hashlib

from flask import Response, current_app, g, request
from flask_login import current_user
from limits import parse_many

from surveyapp.core.audit import record
from surveyapp.extensions import db, limiter
from surveyapp.models import User, utc_now

ACCOUNT_SCOPE = "sign-in-account"


def account_key(email: str) -> str:
    """The limiter's key for an account: a digest, so no email lands in Redis."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"account:{digest[:32]}"


def _request_account_key() -> str:
    if current_user.is_authenticated:  # the password-change form
        return account_key(current_user.email)
    return account_key(request.form.get("email", ""))


def _password_failed(_response: Response) -> bool:
    return bool(g.get("password_failed"))


# Tested before the view, counted after it only when the password was wrong: a
# manager who types it right is never slowed down by someone else's guesses
# until the account's budget is spent.
limit_account_failures = limiter.shared_limit(
    lambda: str(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]),
    scope=ACCOUNT_SCOPE,
    key_func=_request_account_key,
    methods=["POST"],
    deduct_when=_password_failed,
)


def note_wrong_password(user: User | None) -> None:
    """Count a wrong password against the account; lock it at the threshold."""
    g.password_failed = True
    if user is None:
        return
    # Incremented in SQL: parallel guesses from many addresses must all count.
    user.failed_sign_ins = User.failed_sign_ins + 1
    db.session.flush()
    failures = user.failed_sign_ins
    if user.is_locked or failures < current_app.config["LOGIN_LOCKOUT_FAILURES"]:
        return
    user.locked_at = utc_now()
    user.end_sessions()
    record("account_locked", target=user.email, details={"failures": failures})


def note_sign_in(user: User) -> None:
    """A right password starts the run of failures again."""
    user.failed_sign_ins = 0


def forget_failures(email: str) -> None:
    """Empty the account's limiter windows, so an unlocked user can sign in now."""
    # The identifiers Flask-Limiter counts under: [prefix,] key, scope.
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    identifiers = [prefix] if prefix else []
    identifiers += [account_key(email), ACCOUNT_SCOPE]
    for item in parse_many(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]):
        limiter.limiter.clear(item, *identifiers)
