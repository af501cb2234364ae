"""A questionnaire's criteria as plain data, read once per process and version.

A stored questionnaire version is never rewritten (a change of wording is a new
version code, see :mod:`surveyapp.core.catalogue`), so its criteria, and the form
class built from them, are kept for the life of the app instead of being loaded
factor by factor on every submission. Each app keeps its own (in
``app.extensions``): two apps never share ids from different databases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Criterion, Factor, Questionnaire
from surveyapp.models.base import in_language

T = TypeVar("T")


@dataclass(frozen=True)
class Item:
    """One criterion of a questionnaire version, detached from any session."""

    id: int
    code: str
    text_vi: str
    text_en: str

    def text(self, language: str) -> str:
        """The item's wording in `language`, Vietnamese when untranslated."""
        return in_language(language, self.text_vi, self.text_en)


def per_version(kind: str, questionnaire: Questionnaire, *extra: Any) -> Any:
    """The key of something kept for `questionnaire`'s version (and `extra`)."""
    return (kind, questionnaire.id, questionnaire.code, *extra)


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


def _read_items(questionnaire_id: int) -> tuple[Item, ...]:
    criteria = db.session.scalars(
        select(Criterion)
        .join(Factor, Criterion.factor_id == Factor.id)
        .where(Factor.questionnaire_id == questionnaire_id)
        .order_by(Factor.position, Criterion.position)
    )
    return tuple(Item(c.id, c.code, c.text_vi, c.text_en) for c in criteria)
