"""Scored responses as arrays (n responses x C criteria), as scoring wants them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from surveyapp.analysis.selection import scored_responses
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    Questionnaire,
    Response,
    ServiceField,
)


@dataclass(frozen=True)
class SurveyRows:
    """One questionnaire's responses as arrays, n responses x C criteria."""

    response_ids: NDArray[np.int64]
    agency_ids: list[int]
    field_codes: list[str]
    submitted_at: list[datetime]
    answers: NDArray[np.int8]
    columns: list[str]

    def __len__(self) -> int:
        return len(self.agency_ids)


def load_rows(
    agency_ids: set[int], questionnaire: Questionnaire, period: Period
) -> SurveyRows:
    """The responses to `questionnaire` given in `agency_ids` during `period`."""
    chosen = scored_responses(agency_ids, period, questionnaire)
    responses = db.session.execute(
        select(
            Response.id, Response.agency_id, ServiceField.code, Response.submitted_at
        )
        .join(ServiceField, Response.service_field_id == ServiceField.id)
        .where(*chosen)
        .order_by(Response.id)
    ).all()
    columns = criterion_columns(questionnaire)
    column_of = {criterion_id: i for i, (criterion_id, _) in enumerate(columns)}
    row_of = {row[0]: i for i, row in enumerate(responses)}
    answers = np.zeros((len(responses), len(columns)), dtype=np.int8)
    for response_id, criterion_id, value in db.session.execute(
        select(Answer.response_id, Answer.criterion_id, Answer.value)
        .join(Response, Answer.response_id == Response.id)
        .where(*chosen, Answer.value.is_not(None))
    ):
        answers[row_of[response_id], column_of[criterion_id]] = value
    return SurveyRows(
        response_ids=np.array([r[0] for r in responses], dtype=np.int64),
        agency_ids=[r[1] for r in responses],
        field_codes=[r[2] for r in responses],
        submitted_at=[r[3] for r in responses],
        answers=answers,
        columns=[name for _, name in columns],
    )


def criterion_columns(questionnaire: Questionnaire) -> list[tuple[int, str]]:
    """(criterion id, column name) with names F<factor>.<item> by position."""
    return [
        (criterion.id, f"F{factor.position}.{criterion.position}")
        for factor in questionnaire.factors
        for criterion in factor.criteria
    ]


def format_weight(weight: float) -> str:
    """A weight as text that reads back to the same float ("1" for one)."""
    return str(int(weight)) if float(weight).is_integer() else repr(float(weight))
