"""Who may see what: a user sees their agency's subtree, an admin sees everything.

The policy only; :mod:`surveyapp.web.access` applies it to requests. Every view,
export and API route asks these; hiding a menu is not access control."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import Agency, Role, User


def visible_agency_ids(user: User) -> set[int]:
    """Agencies `user` may see: the subtree of their agency (admins: all of them)."""
    if user.role == Role.ADMIN:
        return set(db.session.scalars(select(Agency.id)))
    return subtree_ids(user.agency_id)


def can_see(user: User, agency: Agency) -> bool:
    """Whether `agency` is in `user`'s subtree."""
    return user.role == Role.ADMIN or agency.id in subtree_ids(user.agency_id)
