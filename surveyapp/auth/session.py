"""Loading the signed-in user from the session."""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.models import User


def load_user(session_id: str) -> User | None:
    """The user a session names, if still active and not signed out since.

    The version changes at sign-out, on a password change and at a lock-out, so a
    copied session cookie stops working at each of them.
    """
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
