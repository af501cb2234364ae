"""Access control for requests: signed-in roles and agencies the user may see.

The policy itself (:mod:`surveyapp.core.access`) is request-free; these helpers
apply it in every blueprint, answering 404 or 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from surveyapp.core.access import can_see
from surveyapp.extensions import db
from surveyapp.models import Agency, Role

P = ParamSpec("P")
R = TypeVar("R")


def get_visible_agency_or_404(code: str) -> Agency:
    """The agency with `code` if the current user may see it; 404 otherwise.

    404 rather than 403, so that codes outside the subtree do not leak.
    """
    agency = db.session.scalars(select(Agency).where(Agency.code == code)).first()
    if agency is None or not can_see(current_user, agency):
        abort(404)
    return agency


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let signed-in users with one of `roles` through; others get 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
