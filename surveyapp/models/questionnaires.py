"""Service fields and questionnaire versions: factors and their criteria."""

from __future__ import annotations

from sqlalchemy import (
    ForeignKey,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from surveyapp.extensions import db
from surveyapp.models.translations import Translated, Translation, translations_of


class ServiceField(Translated, db.Model):  # type: ignore[name-defined,misc]
    """A field of administrative procedures (lĩnh vực): land, civil status, ..."""

    __tablename__ = "service_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)

    translations: Mapped[list[Translation]] = translations_of(
        "service_fields", "ServiceField"
    )

    def name(self, language: str) -> str:
        """The field's name in `language`, Vietnamese when untranslated."""
        return self.wording("name", language)


class Questionnaire(Translated, db.Model):  # type: ignore[name-defined,misc]
    """A versioned questionnaire (e.g. sipas-2023), stored as data."""

    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    legal_basis: Mapped[str] = mapped_column(String(255), default="")
    # Raised by every translations import: read with the questionnaire on each
    # survey request, it tells every worker that its kept wording is stale.
    wording_revision: Mapped[int] = mapped_column(default=0, server_default="0")

    translations: Mapped[list[Translation]] = translations_of(
        "questionnaires", "Questionnaire"
    )

    factors: Mapped[list[Factor]] = relationship(
        back_populates="questionnaire", order_by="Factor.position"
    )

    def criteria(self) -> list[Criterion]:
        """All criteria, in factor order then item order."""
        return [criterion for factor in self.factors for criterion in factor.criteria]

    def title(self, language: str) -> str:
        """The title in `language`, Vietnamese when untranslated."""
        return self.wording("title", language)


class Factor(Translated, db.Model):  # type: ignore[name-defined,misc]
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

    translations: Mapped[list[Translation]] = translations_of("factors", "Factor")
    questionnaire: Mapped[Questionnaire] = relationship(back_populates="factors")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="factor", order_by="Criterion.position"
    )

    def name(self, language: str) -> str:
        """The factor's name in `language`, Vietnamese when untranslated."""
        return self.wording("name", language)


class Criterion(Translated, db.Model):  # type: ignore[name-defined,misc]
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

    translations: Mapped[list[Translation]] = translations_of("criteria", "Criterion")
    factor: Mapped[Factor] = relationship(back_populates="criteria")

    def text(self, language: str) -> str:
        """The item's wording in `language`, Vietnamese when untranslated."""
        return self.wording("text", language)


def load_wording(questionnaire: Questionnaire) -> Questionnaire:
    """`questionnaire` with its factors, criteria and all their wording loaded.

    Four queries, instead of one per factor and criterion read one by one: for
    pages that label every row of a questionnaire.
    """
    factors = selectinload(Questionnaire.factors)
    statement = (
        select(Questionnaire)
        .where(Questionnaire.id == questionnaire.id)
        .options(
            selectinload(Questionnaire.translations),
            factors.selectinload(Factor.translations),
            factors.selectinload(Factor.criteria).selectinload(Criterion.translations),
        )
        .execution_options(populate_existing=True)
    )
    loaded: Questionnaire = db.session.scalars(statement).one()
    return loaded
