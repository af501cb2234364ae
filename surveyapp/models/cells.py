"""Response cells: scored responses summed per service point, field, month and version.

A cell holds the exact integer sums the estimates need
(:mod:`surveyapp.scoring.totals`), so that a province-year is read as a few
thousand cells instead of a million responses. Cells are derived data: they are
rebuilt from the responses by ``flask cells rebuild`` and kept up to date by
folding new responses in (:mod:`surveyapp.analysis.folding`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.models.base import utc_now


class ResponseCell(db.Model):  # type: ignore[name-defined,misc]
    """The folded scored responses of one service point, field, local month, version.

    Beside each year's month cells its year cells (month YYYY00) hold the sums of
    those months, kept by the same folds.

    ``sums`` packs the criterion totals as little-endian int32, in the order of
    ``layout`` (the questionnaire's criterion ids, comma-separated): answered,
    satisfied and answer sums (C each), then the C x C cross-products xx, yx, yy,
    then how many gave each answer 1, 2, 3, 4 and 5 (C each).
    """

    __tablename__ = "response_cells"
    __table_args__ = (
        UniqueConstraint(
            "questionnaire_id",
            "month",
            "agency_id",
            "service_field_id",
            name="uq_response_cells_key",
        ),
        CheckConstraint("responses >= 0", name="responses_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT")
    )
    # The local (Asia/Ho_Chi_Minh) month as YYYYMM; YYYY00 for the whole year.
    month: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT")
    )
    service_field_id: Mapped[int] = mapped_column(
        ForeignKey("service_fields.id", ondelete="RESTRICT")
    )
    responses: Mapped[int] = mapped_column(Integer)
    # QĐ 766: responses given with a receipt QR, and those rated dissatisfied.
    receipt_responses: Mapped[int] = mapped_column(Integer, default=0)
    receipt_dissatisfied: Mapped[int] = mapped_column(Integer, default=0)
    layout: Mapped[str] = mapped_column(String(2000))
    sums: Mapped[bytes] = mapped_column(LargeBinary)


class CellUpdate(db.Model):  # type: ignore[name-defined,misc]
    """One change to the cells (a fold, an unfold or a rebuild), in commit order.

    Insert-only, so that folds never wait on a shared row; a reader compares the
    last id before and after reading cells and unfolded responses, and reads
    again if a change committed in between.
    """

    __tablename__ = "cell_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    responses: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
