"""The agency tree, read once per request: subtrees, ancestors, levels and walks.

Every question about the tree (who is below whom, how deep, which ancestor has
dossier counts) goes through :class:`AgencyTree`, so the dashboard, the exports,
the weighting and access control see the same tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flask import g, has_app_context, has_request_context
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Agency


@dataclass(frozen=True)
class Node:
    """One agency as the tree sees it: no lazy loads, no session needed."""

    id: int
    code: str
    name: str
    parent_id: int | None


@dataclass(frozen=True)
class AgencyTree:
    """Every agency by id, with its children in code order."""

    nodes: dict[int, Node]
    children: dict[int | None, list[int]] = field(repr=False)

    @classmethod
    def from_nodes(cls, nodes: Iterable[Node]) -> AgencyTree:
        by_id = {node.id: node for node in nodes}
        children: dict[int | None, list[int]] = {}
        for node in sorted(by_id.values(), key=lambda n: n.code):
            children.setdefault(node.parent_id, []).append(node.id)
        return cls(by_id, children)

    def code(self, agency_id: int) -> str:
        return self.nodes[agency_id].code

    def subtree(self, root_id: int) -> set[int]:
        """Ids of `root_id` and all its descendants."""
        found, stack = set(), [root_id]
        while stack:
            node = stack.pop()
            if node not in found:
                found.add(node)
                stack.extend(self.children.get(node, []))
        return found

    def ancestors(self, agency_id: int) -> list[int]:
        """Ids from `agency_id`'s parent up to the root."""
        chain: list[int] = []
        parent = self.nodes[agency_id].parent_id
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.nodes[parent].parent_id
        return chain

    def nearest(self, agency_id: int, among: set[int]) -> int | None:
        """`agency_id` or its nearest ancestor that is in `among`, if any."""
        for node in [agency_id, *self.ancestors(agency_id)]:
            if node in among:
                return node
        return None

    def walk(self, root_id: int | None = None) -> Iterator[tuple[Node, int]]:
        """Nodes depth-first in code order, with their depth below the start."""
        starts = [root_id] if root_id is not None else self.children.get(None, [])
        stack = [(node_id, 0) for node_id in reversed(starts)]
        while stack:
            node_id, depth = stack.pop()
            yield self.nodes[node_id], depth
            stack.extend(
                (child, depth + 1) for child in reversed(self.children.get(node_id, []))
            )

    def parents_within(self, root_id: int) -> dict[str, str | None]:
        """Code -> parent code for `root_id`'s subtree; the root has no parent."""
        return {
            node.code: None if depth == 0 else self.code(node.parent_id)  # type: ignore[arg-type]
            for node, depth in self.walk(root_id)
        }


def agency_tree() -> AgencyTree:
    """The whole tree, read once per request (rankings ask many subtrees)."""
    if has_app_context() and "agency_tree" in g:
        cached: AgencyTree = g.agency_tree
        return cached
    tree = AgencyTree.from_nodes(
        Node(*row)
        for row in db.session.execute(
            select(Agency.id, Agency.code, Agency.name, Agency.parent_id)
        )
    )
    if has_request_context():
        g.agency_tree = tree
    return tree


def subtree_ids(root_id: int) -> set[int]:
    """Ids of `root_id` and all its descendants."""
    return agency_tree().subtree(root_id)


def walk_tree(root: Agency | None = None) -> Iterator[tuple[Agency, int]]:
    """Agencies depth-first in code order, with their depth below the start."""
    tree = agency_tree()
    agencies = {
        a.id: a
        for a in db.session.scalars(select(Agency).where(Agency.id.in_(tree.nodes)))
    }
    for node, depth in tree.walk(root.id if root is not None else None):
        yield agencies[node.id], depth
