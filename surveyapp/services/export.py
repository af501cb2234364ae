"""Raw responses as CSV in the scoring command's input format.

The file holds exactly the responses the app scores for the same selection
(questionnaire, agency subtree, year in local time) with the weights and strata
the app gives them, so ``python -m surveyapp.scoring`` on it reproduces the
app's numbers.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    Questionnaire,
    Response,
    get_by_code,
)

if TYPE_CHECKING:
    from surveyapp.services.results import Period


class ExportError(ValueError):
    """The export cannot be made as asked."""


def most_used_questionnaire(
    agency_ids: set[int] | None = None, bounds: tuple[datetime, datetime] | None = None
) -> Questionnaire | None:
    """The questionnaire with the most responses (within the agencies and bounds)."""
    query = select(Response.questionnaire_id, func.count())
    if agency_ids is not None:
        query = query.where(Response.agency_id.in_(agency_ids))
    if bounds is not None:
        query = query.where(
            Response.submitted_at >= bounds[0], Response.submitted_at < bounds[1]
        )
    row = db.session.execute(
        query.group_by(Response.questionnaire_id)
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


def format_weight(weight: float) -> str:
    """A weight as text that reads back to the same float ("1" for one)."""
    return str(int(weight)) if float(weight).is_integer() else repr(float(weight))


def span_period(agency_ids: set[int], questionnaire: Questionnaire) -> Period | None:
    """Whole local months from the first to the last response of the selection.

    Used when no year is given: dossier counts are monthly, so the weights are
    computed over every month that holds an exported response.
    """
    from surveyapp.services.results import Period

    first, last = db.session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at)).where(
            Response.questionnaire_id == questionnaire.id,
            Response.agency_id.in_(agency_ids),
        )
    ).one()
    if first is None:
        return None
    first_day, last_day = local_day(first), local_day(last)
    start = first_day.replace(day=1)
    after = last_day.replace(day=28) + timedelta(days=4)
    end = after.replace(day=1)
    return Period(start, end, "range", f"{start:%m/%Y}–{last_day:%m/%Y}")


def _selection(
    year: int | None, agency_code: str | None
) -> tuple[set[int], Period | None]:
    from surveyapp.auth.access import subtree_ids
    from surveyapp.services.results import Period

    if agency_code:
        agency = get_by_code(Agency, agency_code)
        if agency is None:
            raise ExportError(f"no agency with code {agency_code!r}")
        agency_ids = subtree_ids(agency.id)
    else:
        agency_ids = set(db.session.scalars(select(Agency.id)))
    return agency_ids, Period.year(year) if year is not None else None


def write_responses_csv(
    out: TextIO,
    year: int | None = None,
    questionnaire_code: str | None = None,
    agency_code: str | None = None,
) -> int:
    """Write one questionnaire version's responses to `out`; return how many.

    `year` is a calendar year in local time (``BABEL_DEFAULT_TIMEZONE``), as on
    the dashboard; `agency_code` keeps the responses of that agency and all its
    descendants. `agency` is the response's service point; `stratum` and
    `weight` are the app's weighting cell and weight for exactly these
    responses (:func:`surveyapp.services.weights.weigh_responses` over the year,
    or without a year over the whole months the responses span): weight 1 and
    the (possibly pooled) agency:field cells until dossier counts exist.
    """
    # Imported here: services.results imports this module for criterion_columns.
    from surveyapp.services.results import load_rows
    from surveyapp.services.weights import weigh_responses

    agency_ids, period = _selection(year, agency_code)
    if questionnaire_code:
        questionnaire = get_by_code(Questionnaire, questionnaire_code)
        if questionnaire is None:
            raise ExportError(f"no questionnaire with code {questionnaire_code!r}")
    else:
        bounds = period.utc_bounds() if period is not None else None
        # An empty selection still gets a header: the most used version overall.
        questionnaire = (
            most_used_questionnaire(agency_ids, bounds) or most_used_questionnaire()
        )
        if questionnaire is None:
            raise ExportError("there are no responses to export")
    columns = [name for _, name in criterion_columns(questionnaire)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["response_id", "agency", "stratum", "weight", *columns])
    period = period or span_period(agency_ids, questionnaire)
    if period is None:
        return 0
    rows = load_rows(agency_ids, questionnaire, period)
    if not len(rows):
        return 0
    weighting = weigh_responses(
        rows.agency_ids, rows.field_codes, period.start, period.end
    )
    code_of = dict(
        db.session.execute(
            select(Agency.id, Agency.code).where(Agency.id.in_(agency_ids))
        )
        .tuples()
        .all()
    )
    for i, response_id in enumerate(rows.response_ids.tolist()):
        writer.writerow(
            [
                response_id,
                code_of[rows.agency_ids[i]],
                weighting.strata[i],
                format_weight(float(weighting.weights[i])),
                *(str(v) if v else "" for v in rows.answers[i].tolist()),
            ]
        )
    return len(rows)


def local_day(moment: datetime) -> date:
    """The local calendar day of a stored UTC instant."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).date()
