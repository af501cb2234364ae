"""Raw responses as CSV in the scoring command's input format.

The file holds exactly the responses the app scores for the same selection
(questionnaire, agency subtree, year in local time) with the weights and strata
the app gives them, so ``python -m surveyapp.scoring`` on it reproduces the
app's numbers.
"""

from __future__ import annotations

import csv
from typing import TextIO

from sqlalchemy import func, select

from surveyapp.analysis.rows import criterion_columns, format_weight, load_rows
from surveyapp.analysis.selection import (
    ScoringError,
    choose_questionnaire,
    scored_responses,
)
from surveyapp.analysis.weighting import weigh_responses
from surveyapp.core.time import Period, PeriodError, local_day
from surveyapp.core.tree import agency_tree
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    Questionnaire,
    Response,
    get_by_code,
)


class ExportError(ValueError):
    """The export cannot be made as asked."""


def span_period(agency_ids: set[int], questionnaire: Questionnaire) -> Period | None:
    """Whole local months from the first to the last scored response of the selection.

    Used when no year is given: dossier counts are monthly, so the weights are
    computed over every month that holds an exported response.
    """
    first, last = db.session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at)).where(
            *scored_responses(agency_ids, None, questionnaire)
        )
    ).one()
    if first is None:
        return None
    return Period.months(local_day(first), local_day(last))


def _agency(agency_code: str | None) -> Agency | None:
    if not agency_code:
        return None
    agency = get_by_code(Agency, agency_code)
    if agency is None:
        raise ExportError(f"no agency with code {agency_code!r}")
    return agency


def write_responses_csv(
    out: TextIO,
    year: int | None = None,
    questionnaire_code: str | None = None,
    agency_code: str | None = None,
) -> int:
    """Write one questionnaire version's scored responses to `out`; return how many.

    `year` is a calendar year in local time (``BABEL_DEFAULT_TIMEZONE``), as on
    the dashboard; `agency_code` keeps the responses of that agency and all its
    descendants. The version is THE questionnaire choice
    (:func:`~surveyapp.analysis.selection.choose_questionnaire`). `agency` is the
    response's service point; `stratum` and `weight` are the app's weighting cell
    and weight for exactly these responses
    (:func:`~surveyapp.analysis.weighting.weigh_responses` over the year, or
    without a year over the whole months the responses span): weight 1 and the
    (possibly pooled) agency:field cells until dossier counts exist.
    """
    agency = _agency(agency_code)
    tree = agency_tree()
    agency_ids = tree.subtree(agency.id) if agency is not None else set(tree.nodes)
    try:
        period = Period.year(year) if year is not None else None
        questionnaire = choose_questionnaire(
            agency, agency_ids, period, questionnaire_code
        )
    except (ScoringError, PeriodError) as error:
        raise ExportError(str(error)) from None
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
    for i, response_id in enumerate(rows.response_ids.tolist()):
        writer.writerow(
            [
                response_id,
                tree.code(rows.agency_ids[i]),
                weighting.strata[i],
                format_weight(float(weighting.weights[i])),
                *(str(v) if v else "" for v in rows.answers[i].tolist()),
            ]
        )
    return len(rows)
