"""Creating users, with the rules every entry point shares."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from surveyapp.auth.forms import MIN_PASSWORD_LENGTH
from surveyapp.auth.throttle import forget_failures
from surveyapp.core.audit import record
from surveyapp.extensions import db
from surveyapp.models import Agency, Role, User, get_by_code

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A user cannot be created as asked."""


def create_user(email: str, role: str, agency_code: str, password: str) -> User:
    """Add a user to the session (the caller commits); audited."""
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise AccountError(f"not an email address: {email!r}")
    if role not in {r.value for r in Role}:
        raise AccountError(f"unknown role {role!r}; use admin, manager or viewer")
    agency = get_by_code(Agency, agency_code)
    if agency is None:
        raise AccountError(
            f"no agency with code {agency_code!r}; see `flask agencies list`"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    if find_user(email) is not None:
        raise AccountError(f"a user with email {email} exists already")
    user = User(email=email, role=role, agency=agency, session_version=0)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user_create", target=email, details={"role": role, "agency": agency.code})
    return user


def find_user(email: str) -> User | None:
    """The user with `email`, whatever its case and surrounding spaces."""
    email = email.strip().lower()
    return db.session.scalars(
        select(User).where(func.lower(User.email) == email)
    ).first()


def unlock_user(email: str) -> User:
    """Lift a lock-out, forget the failures (the caller commits); audited."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"no user with email {email.strip().lower()}")
    was_locked = user.is_locked
    user.locked_at = None
    user.failed_sign_ins = 0
    forget_failures(user.email)
    record("account_unlock", target=user.email, details={"was_locked": was_locked})
    return user


def set_digest(user: User, enabled: bool, language: str | None = None) -> None:
    """Turn `user`'s weekly digest on or off, and set its language when given
    (the caller commits); audited."""
    user.digest_enabled = enabled
    if language is not None:
        user.language = language
    record(
        "digest_settings",
        target=user.email,
        details={"enabled": enabled, "language": user.language},
    )
