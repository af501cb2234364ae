"""Field collection: API keys, receipt tokens and kiosks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utc_now
from surveyapp.models.org import Agency, Counter
from surveyapp.models.questionnaires import ServiceField


class ApiKey(db.Model):  # type: ignore[name-defined,misc]
    """A key one-stop software uses to issue receipts for an agency subtree.

    Only a SHA-256 hash of the key is stored; the key is shown once, at creation.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Receipt(db.Model):  # type: ignore[name-defined,misc]
    """A one-time survey link printed on a dossier's receipt (phiếu hẹn)."""

    __tablename__ = "receipts"
    # One receipt per dossier of an agency: issuing again returns the same receipt.
    # Agencies number their dossiers on their own, so two may use the same code;
    # unique across all of them, one agency's key could take another's code.
    __table_args__ = (UniqueConstraint("agency_id", "dossier_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random and public: the URL carries it with an HMAC signature.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    dossier_code: Mapped[str] = mapped_column(String(64))
    # The issuing agency: the counter's service point when the receipt was issued.
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT")
    )
    counter_id: Mapped[int] = mapped_column(
        ForeignKey("counters.id", ondelete="RESTRICT"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The dossier's field when the one-stop software knows it: the citizen is then
    # not asked. None: the citizen chooses, as on a counter's poster.
    service_field_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_fields.id", ondelete="RESTRICT")
    )

    counter: Mapped[Counter] = relationship()
    service_field: Mapped[ServiceField | None] = relationship()


class Kiosk(db.Model):  # type: ignore[name-defined,misc]
    """A tablet at a counter, registered by an admin; its key is in its URL."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(
        ForeignKey("counters.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    counter: Mapped[Counter] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
