"""The agency tree and its counters."""

from __future__ import annotations

import enum
import functools
from datetime import datetime

from sqlalchemy import (
    CTE,
    Column,
    ColumnElement,
    DateTime,
    ForeignKey,
    Select,
    String,
    Table,
    and_,
    bindparam,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utc_now
from surveyapp.models.questionnaires import Questionnaire, ServiceField


class AgencyKind(enum.StrEnum):
    """Levels of the agency tree; any depth is allowed, these name the usual ones."""

    PROVINCE = "province"
    DEPARTMENT = "department"
    COMMUNE = "commune"
    SERVICE_POINT = "service_point"


class Agency(db.Model):  # type: ignore[name-defined,misc]
    """A node of the agency tree: province, department or commune, service point."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), default=AgencyKind.SERVICE_POINT)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    questionnaire_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT")
    )

    parent: Mapped[Agency | None] = relationship(
        remote_side="Agency.id", back_populates="children"
    )
    children: Mapped[list[Agency]] = relationship(
        back_populates="parent", order_by="Agency.code"
    )
    questionnaire: Mapped[Questionnaire | None] = relationship()
    counters: Mapped[list[Counter]] = relationship(
        back_populates="service_point", order_by="Counter.code"
    )

    def ancestors(self) -> list[Agency]:
        """This agency's parents, nearest first."""
        chain: list[Agency] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def active_questionnaire(self) -> Questionnaire | None:
        """The questionnaire set here, or inherited from the nearest ancestor."""
        if self.id is None:
            db.session.flush()
        return questionnaire_above(self.id)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


# The service fields a counter handles: the survey asks only the citizen of another
# field, and a counter of one field not at all.
counter_service_fields = Table(
    "counter_service_fields",
    db.metadata,
    Column(
        "counter_id",
        ForeignKey("counters.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "service_field_id",
        ForeignKey("service_fields.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Counter(db.Model):  # type: ignore[name-defined,misc]
    """A desk at a service point; its code is public and never changes."""

    __tablename__ = "counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # A new counter is not yet silent; NULL: added before this was recorded, so
    # old enough to be silent.
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )

    service_point: Mapped[Agency] = relationship(back_populates="counters")
    service_fields: Mapped[list[ServiceField]] = relationship(
        secondary=counter_service_fields, order_by=ServiceField.position
    )

    def active_questionnaire(self) -> Questionnaire | None:
        """The questionnaire of the counter's service point (set there or above)."""
        return questionnaire_above(self.service_point_id)

    def __repr__(self) -> str:
        return f"<Counter {self.code}>"


# Deeper than any administrative tree: a guard should a parent loop ever be stored.
MAX_TREE_DEPTH = 32


def questionnaire_above(agency_id: int) -> Questionnaire | None:
    """The questionnaire set at agency `agency_id` or its nearest ancestor.

    One recursive query up the tree, instead of loading each ancestor in turn:
    every survey submission asks.
    """
    statement = _nearest_questionnaire()
    return db.session.scalars(statement, {"agency_id": agency_id}).first()


def counter_with_questionnaire(code: str) -> tuple[Counter, Questionnaire] | None:
    """The active counter `code` and the questionnaire above it, in one query.

    None when no active counter has that code, or when no questionnaire is set
    at its service point or above (see questionnaire_above): every survey request
    needs both, and a link is good only with both.
    """
    row = db.session.execute(_counter_and_questionnaire(), {"code": code}).first()
    return None if row is None else (row[0], row[1])


def _chain_up(start: ColumnElement[bool]) -> CTE:
    """The agency matching `start` and its ancestors, with their depth (0: it)."""
    up = (
        select(
            Agency.id,
            Agency.parent_id,
            Agency.questionnaire_id,
            literal(0).label("depth"),
        )
        .where(start)
        .cte("agency_chain", recursive=True)
    )
    parent = aliased(Agency)
    return up.union_all(
        select(parent.id, parent.parent_id, parent.questionnaire_id, up.c.depth + 1)
        .where(parent.id == up.c.parent_id)
        .where(up.c.depth < MAX_TREE_DEPTH)
    )


@functools.cache
def _nearest_questionnaire() -> Select[tuple[Questionnaire]]:
    """The query of questionnaire_above, built once (it is costly to build)."""
    up = _chain_up(Agency.id == bindparam("agency_id"))
    return (
        select(Questionnaire)
        .join(up, up.c.questionnaire_id == Questionnaire.id)
        .order_by(up.c.depth)
        .limit(1)
    )


@functools.cache
def _counter_and_questionnaire() -> Select[tuple[Counter, Questionnaire]]:
    """The query of counter_with_questionnaire, built once."""
    active = and_(Counter.code == bindparam("code"), Counter.active.is_(True))
    service_point = select(Counter.service_point_id).where(active).scalar_subquery()
    up = _chain_up(Agency.id == service_point)
    return (
        select(Counter, Questionnaire)
        .select_from(Questionnaire)
        .join(up, up.c.questionnaire_id == Questionnaire.id)
        .join(Counter, active)
        .order_by(up.c.depth)
        .limit(1)
    )
