"""Citizens' responses, their answers and comments.

A response holds no personal data: no name, phone, IP address or device identifier.
"""

from __future__ import annotations

import enum
import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    event,
    false,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utc_now
from surveyapp.models.org import Agency, Counter
from surveyapp.models.questionnaires import Criterion, Questionnaire, ServiceField
from surveyapp.models.text import fold


class Channel(enum.StrEnum):
    """How a response reached us."""

    COUNTER = "counter"
    RECEIPT = "receipt"
    KIOSK = "kiosk"


class AnomalyState(enum.StrEnum):
    """Where a response flagged by the anomaly rules stands; None: never flagged."""

    FLAGGED = "flagged"  # flagged, not yet reviewed: out of the scores
    CONFIRMED = "confirmed"  # an admin confirmed the anomaly: out of the scores
    CLEARED = "cleared"  # an admin cleared it: counted again


#: Anomaly states whose responses are left out of scores.
EXCLUDED_ANOMALY_STATES = (AnomalyState.FLAGGED, AnomalyState.CONFIRMED)


def _one_of(column: str, values: type[enum.StrEnum]) -> str:
    """A CHECK condition: `column` is NULL or one of the enum's values."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IS NULL OR {column} IN ({listed})"


class Response(db.Model):  # type: ignore[name-defined,misc]
    """One citizen's submitted survey. Nothing here identifies the person."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(
            "channel IN ('counter', 'receipt', 'kiosk')", name="channel_known"
        ),
        CheckConstraint(
            _one_of("anomaly_state", AnomalyState), name="anomaly_state_known"
        ),
        # The few responses not yet folded into cells, found without a scan.
        Index(
            "ix_responses_unfolded",
            "submitted_at",
            postgresql_where=text("NOT folded"),
            sqlite_where=text("NOT folded"),
        ),
        # Each counter's last response and this month's count, read from the
        # index alone for the counters page; the kiosk rule's recent responses of
        # a counter.
        Index("ix_responses_counter_submitted", "counter_id", "submitted_at"),
        # The burst rules count only the recent responses that match (the same
        # answers, the same network), not every recent response of the counter:
        # a burst must not make each later submission slower.
        Index(
            "ix_responses_counter_answers",
            "counter_id",
            "answers_hash",
            "submitted_at",
        ),
        Index(
            "ix_responses_counter_network",
            "counter_id",
            "network_hash",
            "submitted_at",
            "channel",
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
    # No index of its own: the (counter_id, ...) indexes above lead with it.
    counter_id: Mapped[int | None] = mapped_column(
        ForeignKey("counters.id", ondelete="RESTRICT")
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
    # The nonce of the render token the form was sent with: a second response
    # with the same nonce reused one shown form (surveyapp.survey.submission.render).
    render_nonce: Mapped[str | None] = mapped_column(String(24), index=True)
    # A digest of the answers, item for item (answers_digest): the "identical
    # answers" rule compares one column instead of reading every answer.
    answers_hash: Mapped[str | None] = mapped_column(String(16))
    # Anomaly review: None (never flagged) or an AnomalyState, and the reason codes
    # the rules gave ("too_fast:4s", ...). Not the scoring library's reliability
    # flags, which are computed per score, never stored here.
    anomaly_state: Mapped[str | None] = mapped_column(String(16), index=True)
    anomaly_reasons: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default="[]"
    )
    # True while the response is summed into its response cell
    # (surveyapp.models.cells); readers add the unfolded scored ones themselves.
    folded: Mapped[bool] = mapped_column(default=False, server_default=false())

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
    # The response's service point, copied here so that a subtree's comments
    # are counted from this table alone, not by joining a million responses.
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    # The body folded (no accents, lower case): "ho so" finds "hồ sơ".
    search_text: Mapped[str] = mapped_column(Text, default="")
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Why it was hidden, a code of the moderation page's short list
    # ("personal_data", "abusive", "spam", "off_topic"); empty before it had one.
    hidden_reason: Mapped[str | None] = mapped_column(String(32))

    response: Mapped[Response] = relationship(back_populates="comment")


def answers_digest(answers: Iterable[tuple[int, int | None]]) -> str:
    """16 hex characters naming a set of (criterion id, value or None) answers."""
    text = ";".join(f"{criterion}:{value}" for criterion, value in sorted(answers))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@event.listens_for(Response, "before_insert")
def _digest_answers(
    _mapper: Mapper[Response], _connection: Connection, response: Response
) -> None:
    """Every response created with its answers gets their digest, whoever creates it."""
    if response.answers_hash is None and response.answers:
        response.answers_hash = answers_digest(
            (answer.criterion_id, answer.value) for answer in response.answers
        )


@event.listens_for(Comment, "before_insert")
def _copy_agency(
    _mapper: Mapper[Comment], _connection: Connection, comment: Comment
) -> None:
    """A comment's agency is its response's, and its search text its body's,
    whoever creates it."""
    if comment.agency_id is None:
        comment.agency_id = comment.response.agency_id
    comment.search_text = fold(comment.body)
