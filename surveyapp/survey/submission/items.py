"""A questionnaire's criteria as plain data, read once per process and version.

A stored questionnaire version is never rewritten (a change of wording is a new
version code, see :mod:`surveyapp.core.catalogue`), so its criteria, and the form
class built from them, are kept for the life of the app instead of being loaded
factor by factor on every submission. Each app keeps its own (in
``app.extensions``): two apps never share ids from different databases.

Translations are the one thing that changes under a version: a translations
import raises the questionnaires' `wording_revision`, which is part of every key
here. Each request reads its questionnaire row anyway, so every worker sees the
new revision on its next request and builds the wording again, at no extra query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import select

from surveyapp.analysis.weighting import service_field_codes
from surveyapp.extensions import db
from surveyapp.models import Criterion, Factor, Questionnaire, ServiceField
from surveyapp.models.translations import in_language, read_texts

T = TypeVar("T")


@dataclass(frozen=True)
class Item:
    """One criterion of a questionnaire version, detached from any session."""

    id: int
    code: str
    texts: Mapping[str, str] = field(hash=False)  # language -> wording

    def text(self, language: str) -> str:
        """The item's wording in `language`, Vietnamese when untranslated."""
        return in_language(self.texts, language)


@dataclass(frozen=True)
class PageWording:
    """The other texts of a version's survey page: factor and service field names."""

    factors: Mapping[str, Mapping[str, str]]  # factor code -> language -> name
    service_fields: Mapping[str, Mapping[str, str]]  # field code -> language -> name

    def factor_name(self, code: str, language: str) -> str:
        """The factor's name in `language`, Vietnamese when untranslated."""
        return in_language(self.factors.get(code, {}), language)

    def service_field_name(self, code: str, language: str) -> str:
        """The service field's name in `language`, Vietnamese when untranslated."""
        return in_language(self.service_fields.get(code, {}), language)

    def field_name(self, field: ServiceField, language: str) -> str:
        """`field`'s name in `language`; a field stored after this wording was
        kept is read from its row."""
        return self.service_field_name(field.code, language) or field.name(language)


def per_version(kind: str, questionnaire: Questionnaire, *extra: Any) -> Any:
    """The key of something kept for `questionnaire`'s version (and `extra`)."""
    revision = questionnaire.wording_revision
    return (kind, questionnaire.id, questionnaire.code, revision, *extra)


def kept(key: Any, build: Callable[[], T]) -> T:
    """The app's kept value for `key`, built once by `build`."""
    store: dict[Any, Any] = current_app.extensions.setdefault("survey_versions", {})
    if key not in store:
        # Two requests may build it at once: both results are equal.
        store[key] = build()
    value: T = store[key]
    return value


def questionnaire_items(questionnaire: Questionnaire) -> tuple[Item, ...]:
    """The criteria of `questionnaire`, in factor order then item order."""
    return kept(
        per_version("items", questionnaire), lambda: _read_items(questionnaire.id)
    )


def page_wording(questionnaire: Questionnaire) -> PageWording:
    """The factor and service field names of `questionnaire`'s survey page."""
    return kept(
        per_version("wording", questionnaire), lambda: _read_wording(questionnaire.id)
    )


def _read_items(questionnaire_id: int) -> tuple[Item, ...]:
    criteria = db.session.execute(
        select(Criterion.id, Criterion.code)
        .join(Factor, Criterion.factor_id == Factor.id)
        .where(Factor.questionnaire_id == questionnaire_id)
        .order_by(Factor.position, Criterion.position)
    ).all()
    texts = read_texts("criteria", [row.id for row in criteria])
    return tuple(Item(row.id, row.code, texts.get(row.id, {})) for row in criteria)


def _read_wording(questionnaire_id: int) -> PageWording:
    factors = db.session.execute(
        select(Factor.id, Factor.code).where(
            Factor.questionnaire_id == questionnaire_id
        )
    ).all()
    factor_texts = read_texts("factors", [row.id for row in factors])
    field_codes = service_field_codes()
    return PageWording(
        factors={row.code: factor_texts.get(row.id, {}) for row in factors},
        service_fields={
            field_codes[row_id]: texts
            for row_id, texts in read_texts("service_fields").items()
            if row_id in field_codes
        },
    )
