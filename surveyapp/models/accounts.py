"""Managers' accounts and the audit log."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from functools import cache
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp.extensions import db
from surveyapp.models.base import utc_now
from surveyapp.models.org import Agency

HASH_METHOD = "scrypt"


@cache
def _dummy_password_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method=HASH_METHOD)


def check_unknown_password(password: str) -> bool:
    """Spend the time a real password check takes, for an email with no account.

    Without it a sign-in answers an unknown email at once and a known one after
    the hash, so the answer time tells which emails have accounts. Always False.
    """
    check_password_hash(_dummy_password_hash(), password)
    return False


class Role(enum.StrEnum):
    """What a user may do within their agency subtree."""

    ADMIN = "admin"  # everything, everywhere
    MANAGER = "manager"  # sees and exports the subtree, manages its counters
    VIEWER = "viewer"  # sees the subtree, read-only


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A manager, viewer or admin, attached to one agency node."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped at sign-out and on a password change: sessions signed in before it
    # stop working, even if their cookie was copied.
    session_version: Mapped[int] = mapped_column(default=1)
    # Wrong passwords since the last sign-in, from any address; at the lock-out
    # threshold `locked_at` is set and only an administrator lifts it.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the app writes to the user unasked (the weekly digest) is in this language.
    language: Mapped[str] = mapped_column(String(8), default="vi", server_default="vi")
    digest_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())

    agency: Mapped[Agency] = relationship()

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of `password` and end other sessions."""
        self.password_hash = generate_password_hash(password, method=HASH_METHOD)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session signed in so far invalid (see `get_id`)."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        """Whether `password` is this user's password."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_active(self) -> bool:
        return self.active and not self.is_locked

    def get_id(self) -> str:
        """The session's user id, tied to the password version."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_manage(self) -> bool:
        """Managers and admins may change things in their subtree; viewers may not."""
        return self.role in (Role.ADMIN, Role.MANAGER)


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who did what, when: sign-ins, exports, finalisations, moderation, users."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Kept as text so the log still reads after a user is removed.
    actor: Mapped[str] = mapped_column(String(255), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(255), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
