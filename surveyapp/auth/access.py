"""Who may see what: a user sees their agency's subtree, an admin sees everything.

Every view, export and API route asks these helpers; hiding a menu is not access
control.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, g, has_app_context, has_request_context
from flask_login import current_user, login_required
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Agency, Role, User

P = ParamSpec("P")
R = TypeVar("R")


def _children_map() -> dict[int | None, list[int]]:
    """Parent id -> child ids, read once per request (rankings ask many subtrees)."""
    if has_app_context() and "agency_children" in g:
        cached: dict[int | None, list[int]] = g.agency_children
        return cached
    children: dict[int | None, list[int]] = {}
    for agency_id, parent_id in db.session.execute(select(Agency.id, Agency.parent_id)):
        children.setdefault(parent_id, []).append(agency_id)
    if has_request_context():
        g.agency_children = children
    return children


def subtree_ids(root_id: int) -> set[int]:
    """Ids of `root_id` and all its descendants."""
    children = _children_map()
    found, stack = set(), [root_id]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children.get(node, []))
    return found


def visible_agency_ids(user: User) -> set[int]:
    """Agencies `user` may see: the subtree of their agency (admins: all of them)."""
    if user.role == Role.ADMIN:
        return set(db.session.scalars(select(Agency.id)))
    return subtree_ids(user.agency_id)


def can_see(user: User, agency: Agency) -> bool:
    """Whether `agency` is in `user`'s subtree."""
    return user.role == Role.ADMIN or agency.id in subtree_ids(user.agency_id)


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
