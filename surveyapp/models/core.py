"""The agency tree, counters, service fields, questionnaires and responses.

A response holds no personal data: no name, phone, IP address or device identifier.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db


def in_language(language: str, vietnamese: str, english: str) -> str:
    """The English text for English pages when there is one, else the Vietnamese."""
    return english if language == "en" and english else vietnamese


def utc_now() -> datetime:
    """Now, in UTC (a callable default, evaluated per row)."""
    return datetime.now(UTC)


class AgencyKind(enum.StrEnum):
    """Levels of the agency tree; any depth is allowed, these name the usual ones."""

    PROVINCE = "province"
    DEPARTMENT = "department"
    COMMUNE = "commune"
    SERVICE_POINT = "service_point"


class Channel(enum.StrEnum):
    """How a response reached us."""

    COUNTER = "counter"
    RECEIPT = "receipt"
    KIOSK = "kiosk"


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

    service_point: Mapped[Agency] = relationship(back_populates="counters")

    def __repr__(self) -> str:
        return f"<Counter {self.code}>"


class ServiceField(db.Model):  # type: ignore[name-defined,misc]
    """A field of administrative procedures (lĩnh vực): land, civil status, ..."""

    __tablename__ = "service_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, language: str) -> str:
        """The field's name in `language`, Vietnamese when untranslated."""
        return in_language(language, self.name_vi, self.name_en)


class Questionnaire(db.Model):  # type: ignore[name-defined,misc]
    """A versioned questionnaire (e.g. sipas-2023), stored as data."""

    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255))
    legal_basis: Mapped[str] = mapped_column(String(255), default="")

    factors: Mapped[list[Factor]] = relationship(
        back_populates="questionnaire", order_by="Factor.position"
    )

    def criteria(self) -> list[Criterion]:
        """All criteria, in factor order then item order."""
        return [criterion for factor in self.factors for criterion in factor.criteria]

    def title(self, language: str) -> str:
        """The title in `language`, Vietnamese when untranslated."""
        return in_language(language, self.title_vi, self.title_en)


class Factor(db.Model):  # type: ignore[name-defined,misc]
    """A group of criteria (A. Tiếp cận dịch vụ, ...)."""

    __tablename__ = "factors"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "code"),
        UniqueConstraint("questionnaire_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="factors")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="factor", order_by="Criterion.position"
    )

    def name(self, language: str) -> str:
        """The factor's name in `language`, Vietnamese when untranslated."""
        return in_language(language, self.name_vi, self.name_en)


class Criterion(db.Model):  # type: ignore[name-defined,misc]
    """One item rated on the 5-point scale."""

    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("factor_id", "code"),
        UniqueConstraint("factor_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    factor_id: Mapped[int] = mapped_column(ForeignKey("factors.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)

    factor: Mapped[Factor] = relationship(back_populates="criteria")

    def text(self, language: str) -> str:
        """The item's wording in `language`, Vietnamese when untranslated."""
        return in_language(language, self.text_vi, self.text_en)


class Response(db.Model):  # type: ignore[name-defined,misc]
    """One citizen's submitted survey. Nothing here identifies the person."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(
            "channel IN ('counter', 'receipt', 'kiosk')", name="channel_known"
        ),
        CheckConstraint(
            "flag_status IS NULL OR flag_status IN ('flagged', 'confirmed', 'cleared')",
            name="flag_status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )
    # The browser-made key of one form instance: a double tap or a resend of the
    # same form hits this unique constraint instead of storing a second response.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    counter_id: Mapped[int | None] = mapped_column(
        ForeignKey("counters.id", ondelete="RESTRICT"), index=True
    )
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT"), index=True
    )
    service_field_id: Mapped[int] = mapped_column(
        ForeignKey("service_fields.id", ondelete="RESTRICT")
    )
    channel: Mapped[str] = mapped_column(String(16), default=Channel.COUNTER)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )
    # A receipt QR can be used once: this unique column is what guarantees it,
    # whatever the number of simultaneous submissions.
    receipt_id: Mapped[int | None] = mapped_column(
        ForeignKey("receipts.id", ondelete="RESTRICT"), unique=True
    )
    dossier_code: Mapped[str | None] = mapped_column(String(64), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(
        ForeignKey("kiosks.id", ondelete="SET NULL")
    )
    # Seconds between showing the form and sending it (None when unknown).
    fill_seconds: Mapped[int | None]
    # A keyed hash of the sender's network (IPv4 /24, IPv6 /48), never the address:
    # enough to see many responses from one network, useless to find a person.
    network_hash: Mapped[str | None] = mapped_column(String(16), index=True)
    # Anomaly review: None (clean), "flagged", "confirmed" (excluded), "cleared".
    flag_status: Mapped[str | None] = mapped_column(String(16), index=True)
    flag_reasons: Mapped[str] = mapped_column(Text, default="", server_default="")

    agency: Mapped[Agency] = relationship()
    counter: Mapped[Counter | None] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    service_field: Mapped[ServiceField] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    comment: Mapped[Comment | None] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


#: Flag states whose responses are left out of scores.
EXCLUDED_FLAG_STATES = ("flagged", "confirmed")


class Answer(db.Model):  # type: ignore[name-defined,misc]
    """A rating of one criterion: 1..5, or NULL for "no opinion / not applicable"."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="value_range"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criteria.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    value: Mapped[int | None] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")
    criterion: Mapped[Criterion] = relationship()


class Comment(db.Model):  # type: ignore[name-defined,misc]
    """A citizen's free-text comment; kept apart so moderation never touches scores."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    response: Mapped[Response] = relationship(back_populates="comment")


CodedT = TypeVar("CodedT", "Agency", "Counter", "ServiceField", "Questionnaire")


def get_by_code(model: type[CodedT], code: str) -> CodedT | None:
    """The row of `model` whose `code` is `code`, or None."""
    return db.session.scalars(select(model).where(model.code == code)).first()
