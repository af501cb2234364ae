"""Loading the signed-in user from the session."""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.models import User


def load_user(session_id: str) -> User | None:
    """The user a session names, if the password has not changed since sign-in."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user
