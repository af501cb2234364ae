"""Scored responses as arrays (n responses x C criteria), as scoring wants them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import BindParameter, ColumnElement, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.types import TypeEngine

from surveyapp.analysis.selection import scored_responses
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    Channel,
    Questionnaire,
    Response,
    ServiceField,
)


@dataclass(frozen=True)
class SurveyRows:
    """One questionnaire's responses as arrays, n responses x C criteria."""

    response_ids: NDArray[np.int64]
    agency_ids: list[int]
    counter_ids: list[int | None]
    field_ids: list[int]
    field_codes: list[str]
    submitted_at: list[datetime]
    receipt: NDArray[np.bool_]
    answers: NDArray[np.int8]
    columns: list[str]

    def __len__(self) -> int:
        return len(self.agency_ids)


def load_rows(
    agency_ids: set[int], questionnaire: Questionnaire, period: Period
) -> SurveyRows:
    """The responses to `questionnaire` given in `agency_ids` during `period`."""
    return load_rows_where(
        questionnaire, scored_responses(agency_ids, period, questionnaire)
    )


def load_rows_where(
    questionnaire: Questionnaire, chosen: Sequence[ColumnElement[bool]]
) -> SurveyRows:
    """The responses to `questionnaire` that meet the WHERE clauses `chosen`."""
    responses = (
        db.session.connection()
        .execute(
            select(
                Response.id,
                Response.agency_id,
                ServiceField.id,
                ServiceField.code,
                Response.submitted_at,
                Response.channel,
                Response.counter_id,
            )
            .join(ServiceField, Response.service_field_id == ServiceField.id)
            .where(*chosen, Response.questionnaire_id == questionnaire.id)
            .order_by(Response.id)
        )
        .all()
    )
    columns = criterion_columns(questionnaire)
    response_ids = np.array([r[0] for r in responses], dtype=np.int64)
    answer_query = select(Answer.response_id, Answer.criterion_id, Answer.value)
    if db.engine.dialect.name == "postgresql":
        # By the ids just read: an index scan of the answers, where a join on
        # the clauses may make the planner read every answer ever given.
        answer_query = answer_query.where(
            Answer.response_id == any_(id_array(response_ids.tolist()))
        )
    else:
        answer_query = answer_query.join(
            Response, Answer.response_id == Response.id
        ).where(*chosen, Response.questionnaire_id == questionnaire.id)
    # Core rows: the ORM's per-row bookkeeping costs seconds at a million answers.
    answer_rows = (
        db.session.connection()
        .execute(answer_query.where(Answer.value.is_not(None)))
        .all()
    )
    # fromiter over the flattened rows: np.array on a list of millions of Row
    # objects inspects each one as a sequence and takes minutes.
    answered = np.fromiter(
        chain.from_iterable(answer_rows), dtype=np.int64, count=3 * len(answer_rows)
    ).reshape(-1, 3)
    return SurveyRows(
        response_ids=response_ids,
        agency_ids=[r[1] for r in responses],
        counter_ids=[r[6] for r in responses],
        field_ids=[r[2] for r in responses],
        field_codes=[r[3] for r in responses],
        submitted_at=[r[4] for r in responses],
        receipt=np.array([r[5] == Channel.RECEIPT for r in responses], dtype=bool),
        answers=_answer_matrix(response_ids, [cid for cid, _ in columns], answered),
        columns=[name for _, name in columns],
    )


def id_array(ids: Sequence[int]) -> BindParameter[Any]:
    """`ids` as one PostgreSQL array parameter (no limit on its length)."""
    array_type: TypeEngine[Any] = ARRAY(BIGINT)
    return bindparam("ids", list(ids), type_=array_type)


def _answer_matrix(
    response_ids: NDArray[np.int64],
    criterion_ids: list[int],
    answered: NDArray[np.int64],
) -> NDArray[np.int8]:
    """Answers n x C (0 where unanswered) from (response id, criterion id, value).

    Placed with array look-ups, not a Python loop: a province-year has millions
    of answers. `response_ids` is sorted (the query orders by id).
    """
    answers = np.zeros((len(response_ids), len(criterion_ids)), dtype=np.int8)
    if not len(answered):
        return answers
    rows = np.searchsorted(response_ids, answered[:, 0])
    column_of = np.full(max(criterion_ids) + 1, -1, dtype=np.int64)
    column_of[criterion_ids] = np.arange(len(criterion_ids))
    answers[rows, column_of[answered[:, 1]]] = answered[:, 2]
    return answers


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
