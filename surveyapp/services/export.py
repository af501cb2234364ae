"""Raw responses as CSV in the scoring command's input format."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    Answer,
    Questionnaire,
    Response,
    ServiceField,
    get_by_code,
)

UNIT_WEIGHT = "1"


class ExportError(ValueError):
    """The export cannot be made as asked."""


def most_used_questionnaire() -> Questionnaire | None:
    """The questionnaire with the most responses."""
    row = db.session.execute(
        select(Response.questionnaire_id, func.count())
        .group_by(Response.questionnaire_id)
        .order_by(func.count().desc(), Response.questionnaire_id)
        .limit(1)
    ).first()
    return db.session.get(Questionnaire, row[0]) if row else None


def criterion_columns(questionnaire: Questionnaire) -> list[tuple[int, str]]:
    """(criterion id, column name) with names F<factor>.<item> by position."""
    return [
        (criterion.id, f"F{factor.position}.{criterion.position}")
        for factor in questionnaire.factors
        for criterion in factor.criteria
    ]


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def write_responses_csv(
    out: TextIO, year: int | None = None, questionnaire_code: str | None = None
) -> int:
    """Write one questionnaire version's responses to `out`; return how many.

    `stratum` is the weighting cell, agency code and service field; `weight` is 1
    until dossier counts exist.
    """
    if questionnaire_code:
        questionnaire = get_by_code(Questionnaire, questionnaire_code)
        if questionnaire is None:
            raise ExportError(f"no questionnaire with code {questionnaire_code!r}")
    else:
        questionnaire = most_used_questionnaire()
        if questionnaire is None:
            raise ExportError("there are no responses to export")
    columns = criterion_columns(questionnaire)
    index_of = {criterion_id: i for i, (criterion_id, _) in enumerate(columns)}

    query = (
        select(Response.id, Agency.code, ServiceField.code)
        .join(Agency, Response.agency_id == Agency.id)
        .join(ServiceField, Response.service_field_id == ServiceField.id)
        .where(Response.questionnaire_id == questionnaire.id)
        .order_by(Response.id)
    )
    answers = (
        select(Answer.response_id, Answer.criterion_id, Answer.value)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.questionnaire_id == questionnaire.id)
    )
    if year is not None:
        start, end = _year_bounds(year)
        query = query.where(Response.submitted_at >= start, Response.submitted_at < end)
        answers = answers.where(
            Response.submitted_at >= start, Response.submitted_at < end
        )

    values: dict[int, list[str]] = {}
    for response_id, criterion_id, value in db.session.execute(answers):
        row = values.setdefault(response_id, [""] * len(columns))
        if value is not None:
            row[index_of[criterion_id]] = str(value)

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["response_id", "agency", "stratum", "weight", *(n for _, n in columns)]
    )
    count = 0
    for response_id, agency_code, field_code in db.session.execute(query):
        cells = values.get(response_id, [""] * len(columns))
        writer.writerow(
            [
                response_id,
                agency_code,
                f"{agency_code}:{field_code}",
                UNIT_WEIGHT,
                *cells,
            ]
        )
        count += 1
    return count
