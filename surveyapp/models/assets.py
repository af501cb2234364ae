"""Images an admin uploads for printed material: the province's logo on posters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.models.base import utc_now


class SiteImage(db.Model):  # type: ignore[name-defined,misc]
    """One named image, kept in the database so every worker and backup has it.

    Only PNG and JPEG are stored (surveyapp.core.branding checks them): an SVG
    could carry script to anyone who opens its address.
    """

    __tablename__ = "site_images"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('image/png', 'image/jpeg')", name="content_type_known"
        ),
    )

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    # Up to 512 KB, read only when the image itself is served: the pages that
    # show the logo need its size and date alone.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    width: Mapped[int]
    height: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
