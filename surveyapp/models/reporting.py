"""Dossier counts (for weights and response rates) and finalised years."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utc_now
from surveyapp.models.org import Agency
from surveyapp.models.questionnaires import Questionnaire, ServiceField


class DossierCount(db.Model):  # type: ignore[name-defined,misc]
    """Dossiers an agency handled in a service field and month (one-stop software)."""

    __tablename__ = "dossier_counts"
    __table_args__ = (
        UniqueConstraint("agency_id", "service_field_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("dossiers >= 0", name="dossiers_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    service_field_id: Mapped[int] = mapped_column(
        ForeignKey("service_fields.id", ondelete="RESTRICT")
    )
    year: Mapped[int]
    month: Mapped[int]
    dossiers: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )

    agency: Mapped[Agency] = relationship()
    service_field: Mapped[ServiceField] = relationship()


class Finalisation(db.Model):  # type: ignore[name-defined,misc]
    """A year frozen for an agency subtree: results, method and a hash of the inputs.

    Later exports of the year read these stored results, so they stay identical even
    when late responses arrive.
    """

    __tablename__ = "finalisations"
    __table_args__ = (UniqueConstraint("agency_id", "year", "questionnaire_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT")
    )
    year: Mapped[int]
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT")
    )
    finalised_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    finalised_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    response_count: Mapped[int]
    input_hash: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    results: Mapped[dict[str, Any]] = mapped_column(JSON)

    agency: Mapped[Agency] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
