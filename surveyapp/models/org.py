"""The agency tree and its counters."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utc_now
from surveyapp.models.questionnaires import Questionnaire


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
        for node in [self, *self.ancestors()]:
            if node.questionnaire is not None:
                return node.questionnaire
        return None

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


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

    def __repr__(self) -> str:
        return f"<Counter {self.code}>"
