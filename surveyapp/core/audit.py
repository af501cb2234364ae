"""The audit log: sign-ins, exports, finalisations, moderation and user changes."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, User


def record(
    action: str,
    *,
    user: User | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller commits it with the change."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        actor=user.email if user is not None else "",
        action=action,
        target=target,
        details=details or {},
    )
    db.session.add(event)
    return event
