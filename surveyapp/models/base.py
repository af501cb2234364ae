"""Helpers shared by every model: the current time, look-up by code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import (
    select,
)

from surveyapp.extensions import db

if TYPE_CHECKING:
    from surveyapp.models.org import Agency, Counter
    from surveyapp.models.questionnaires import Questionnaire, ServiceField


def utc_now() -> datetime:
    """Now, in UTC (a callable default, evaluated per row)."""
    return datetime.now(UTC)


CodedT = TypeVar("CodedT", "Agency", "Counter", "ServiceField", "Questionnaire")


def get_by_code(model: type[CodedT], code: str) -> CodedT | None:
    """The row of `model` whose `code` is `code`, or None."""
    return db.session.scalars(select(model).where(model.code == code)).first()
