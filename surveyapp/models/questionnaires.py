"""Service fields and questionnaire versions: factors and their criteria."""

from __future__ import annotations

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import in_language


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
