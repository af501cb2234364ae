"""Wording in any language: one row per (table, row, field, language).

Questionnaires, factors, criteria and service fields keep no text columns of
their own: their title, names and item wording live in `translations`, the
Vietnamese source included, so a language the province adds is data, not a
schema change. A text missing in a language falls back to the Vietnamese.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db

#: The language every wording is written in first; the others translate it.
SOURCE_LANGUAGE = "vi"

#: The translated fields of each table, as stored in `Translation.field`.
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "questionnaires": ("title",),
    "factors": ("name",),
    "criteria": ("text",),
    "service_fields": ("name",),
}


def in_language(texts: Mapping[str, str], language: str) -> str:
    """The text in `language` (language -> text), else the Vietnamese source."""
    return texts.get(language) or texts.get(SOURCE_LANGUAGE, "")


class Translation(db.Model):  # type: ignore[name-defined,misc]
    """One field of one row in one language."""

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("table_name", "row_id", "field", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int]
    field: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


def translations_of(table: str, model: str) -> Any:
    """The relationship from a row of `table` (mapped by `model`) to its wording.

    Read-only: wording is written as Translation rows (see `Translated.add_wording`),
    because a row's id, which they refer to, exists only once the row is flushed.
    """
    return relationship(
        Translation,
        primaryjoin=(
            f"and_(Translation.table_name == '{table}', "
            f"foreign(Translation.row_id) == {model}.id)"
        ),
        viewonly=True,
    )


class Translated:
    """A row whose wording is in `translations` (`translations_of` its table)."""

    __tablename__: str
    id: Mapped[int]
    translations: Mapped[list[Translation]]

    def wording(self, field: str, language: str) -> str:
        """`field` in `language`, the Vietnamese source when untranslated."""
        texts = {t.language: t.text for t in self.translations if t.field == field}
        return in_language(texts, language)

    def is_translated(self, field: str, language: str) -> bool:
        """Whether `field` has its own text in `language` (no fall-back needed)."""
        return any(
            t.field == field and t.language == language and t.text
            for t in self.translations
        )

    def add_wording(self, field: str, texts: dict[str, str]) -> None:
        """Store `field` in each language of `texts` (language -> text); flushes."""
        if self.id is None:
            db.session.flush()
        for language, text in texts.items():
            if text:
                db.session.add(
                    Translation(
                        table_name=self.__tablename__,
                        row_id=self.id,
                        field=field,
                        language=language,
                        text=text,
                    )
                )
        db.session.expire(self, ["translations"])


def read_texts(
    table: str, row_ids: Collection[int] | None = None
) -> dict[int, dict[str, str]]:
    """Row id -> language -> text of `table`'s one translated field, in one query.

    Every row of `table` when `row_ids` is None.
    """
    (field,) = TRANSLATED_FIELDS[table]
    statement = select(
        Translation.row_id, Translation.language, Translation.text
    ).where(Translation.table_name == table, Translation.field == field)
    if row_ids is not None:
        statement = statement.where(Translation.row_id.in_(row_ids))
    texts: dict[int, dict[str, str]] = {}
    for row_id, language, text in db.session.execute(statement):
        texts.setdefault(row_id, {})[language] = text
    return texts
