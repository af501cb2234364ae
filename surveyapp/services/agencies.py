"""The agency tree: walking it, and the roll-up of each agency to its ancestors."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Agency


def walk_tree(root: Agency | None = None) -> Iterator[tuple[Agency, int]]:
    """Agencies depth-first in code order, with their depth below the start."""
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.code)))
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    stack = (
        [(root, 0)]
        if root is not None
        else [(a, 0) for a in reversed(children.get(None, []))]
    )
    while stack:
        agency, depth = stack.pop()
        yield agency, depth
        stack.extend(
            (child, depth + 1) for child in reversed(children.get(agency.id, []))
        )
