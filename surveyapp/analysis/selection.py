"""THE scored-responses selection and THE questionnaire choice.

Every page, export, report and finalisation asks these which responses count and
which questionnaire version to score, so that they all show the same numbers.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, or_, select

from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import (
    EXCLUDED_ANOMALY_STATES,
    Agency,
    Questionnaire,
    Response,
    get_by_code,
)


class ScoringError(ValueError):
    """The scores cannot be computed as asked (the message says why)."""


def counts_in_scores() -> ColumnElement[bool]:
    """Responses flagged as anomalous (and not cleared) stay out of the scores."""
    return or_(
        Response.anomaly_state.is_(None),
        Response.anomaly_state.not_in(EXCLUDED_ANOMALY_STATES),
    )


def scored_responses(
    agency_ids: set[int] | None,
    period: Period | None,
    questionnaire: Questionnaire | None = None,
) -> tuple[ColumnElement[bool], ...]:
    """The WHERE clauses of the responses that count in scores.

    Responses given in `agency_ids` (None: every agency) during `period` (None:
    any time), to `questionnaire` (None: any version), less those flagged as
    anomalous and not cleared.
    """
    clauses: list[ColumnElement[bool]] = [counts_in_scores()]
    if agency_ids is not None:
        clauses.append(Response.agency_id.in_(agency_ids))
    if period is not None:
        start, end = period.utc_bounds()
        clauses += [Response.submitted_at >= start, Response.submitted_at < end]
    if questionnaire is not None:
        clauses.append(Response.questionnaire_id == questionnaire.id)
    return tuple(clauses)


def questionnaires_in_use(
    agency_ids: set[int] | None, period: Period | None
) -> list[tuple[Questionnaire, int]]:
    """Versions answered (scored responses) in the selection, most used first."""
    rows = db.session.execute(
        select(Response.questionnaire_id, func.count())
        .where(*scored_responses(agency_ids, period))
        .group_by(Response.questionnaire_id)
        .order_by(func.count().desc(), Response.questionnaire_id)
    ).all()
    return [(db.session.get(Questionnaire, qid), count) for qid, count in rows]  # type: ignore[misc]


def choose_questionnaire(
    agency: Agency | None,
    agency_ids: set[int] | None,
    period: Period | None,
    code: str | None = None,
) -> Questionnaire:
    """The version to score: THE rule of the dashboard, the exports and the CLI.

    The version `code` when asked for (an unknown code is an error), else the
    agency's own (set on it or inherited), else the one with the most scored
    responses in the selection, else the most answered one anywhere (so that an
    empty selection still has columns). ScoringError when there is none at all.
    """
    if code:
        asked = get_by_code(Questionnaire, code)
        if asked is None:
            raise ScoringError(_("There is no questionnaire %(code)s.", code=code))
        return asked
    own = agency.active_questionnaire() if agency is not None else None
    if own is not None:
        return own
    for selection in ((agency_ids, period), (None, None)):
        in_use = questionnaires_in_use(*selection)
        if in_use:
            return in_use[0][0]
    raise ScoringError(_("No questionnaire is set for this agency."))
