"""Finalised years: freeze an agency subtree's yearly results, export them unchanged.

Finalising (agency, year, questionnaire) stores the :class:`Report` (every result
row of every domain, the ranking of each tree level, labels, weighting notes),
the method settings and a SHA-256 of the exact inputs. Exports of that year read
the stored report, never a recomputation, so they stay identical when late
responses arrive.

"Responses after finalisation" are the responses in the year's window of the
subtree and questionnaire whose id is above the largest id that was finalised
(``settings["max_response_id"]``): ids only grow, so these are exactly the
responses stored after the finalisation.

A finalisation covers the report of the chosen agency. Exports of a descendant
agency (its own subtree as root) are recomputed even when an ancestor is
finalised: the ancestor's frozen report holds the descendant's frozen numbers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from surveyapp.analysis.prepared import PreparedData, prepare_from_responses
from surveyapp.analysis.rows import SurveyRows, format_weight, load_rows
from surveyapp.analysis.scores import Scores, ScoringError, compute_scores
from surveyapp.analysis.selection import choose_questionnaire, scored_responses
from surveyapp.core.time import Period
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    Finalisation,
    Questionnaire,
    Response,
    User,
)
from surveyapp.reports.report import (
    FinalisedInfo,
    Report,
    app_version,
    read_year,
    report_from_scores,
)

NCHS_RULES = (
    "NCHS 2017 (Parker et al.): suppress when n < 30, effective n < 30 or the "
    "interval width >= 30 points, or 5 < width < 30 points with relative width "
    "> 130 %; review when df < 8, the complement's relative width > 130 % or p is "
    "0 or 1. Composites (factors, index): logit-scale t interval with df capped "
    "by the effective number of dissatisfied answers; suppress when n < 30, "
    "effective n < 30, width >= 30 points or logit-scale width >= 4; review when "
    "df < 8, the index is 0 or 1 or some criteria had no answers."
)


class FinaliseError(ValueError):
    """The year cannot be finalised as asked (the message says why)."""


@dataclass(frozen=True)
class YearStatus:
    """What the export page shows about a year before any download."""

    questionnaire: Questionnaire
    responses: int
    finalisation: Finalisation | None
    finalised_by: str
    late_responses: int


def year_questionnaire(agency: Agency, year: int, code: str | None) -> Questionnaire:
    """THE questionnaire choice for `agency`'s subtree in the local `year`."""
    return choose_questionnaire(agency, subtree_ids(agency.id), Period.year(year), code)


def find_finalisation(
    agency: Agency, year: int, questionnaire: Questionnaire
) -> Finalisation | None:
    return db.session.scalars(
        select(Finalisation).where(
            Finalisation.agency_id == agency.id,
            Finalisation.year == year,
            Finalisation.questionnaire_id == questionnaire.id,
        )
    ).first()


def count_responses(
    agency: Agency, year: int, questionnaire: Questionnaire, above_id: int = 0
) -> int:
    """Scored responses of the subtree in the local year, with id above `above_id`."""
    return (
        db.session.scalar(
            select(func.count()).where(
                *scored_responses(
                    subtree_ids(agency.id), Period.year(year), questionnaire
                ),
                Response.id > above_id,
            )
        )
        or 0
    )


def late_responses(finalisation: Finalisation) -> int:
    """Responses of the finalised window stored after the finalisation."""
    return count_responses(
        finalisation.agency,
        finalisation.year,
        finalisation.questionnaire,
        int(finalisation.settings["max_response_id"]),
    )


def year_status(
    agency: Agency, year: int, questionnaire_code: str | None
) -> YearStatus:
    """Responses, finalisation and late responses of a year, for the page."""
    questionnaire = year_questionnaire(agency, year, questionnaire_code)
    finalisation = find_finalisation(agency, year, questionnaire)
    return YearStatus(
        questionnaire,
        count_responses(agency, year, questionnaire),
        finalisation,
        finaliser(finalisation) if finalisation else "",
        late_responses(finalisation) if finalisation else 0,
    )


def finaliser(finalisation: Finalisation) -> str:
    """The email of who finalised (empty when done from the command line)."""
    if finalisation.finalised_by_id is None:
        return ""
    user = db.session.get(User, finalisation.finalised_by_id)
    return user.email if user is not None else ""


def _live_scores(
    agency: Agency,
    year: int,
    questionnaire: Questionnaire,
    data: PreparedData | None = None,
) -> Scores:
    scores = compute_scores(agency, Period.year(year), questionnaire, data=data)
    if scores.results is None:
        raise ScoringError(
            _(
                "Too few responses in %(year)s to compute results for %(agency)s.",
                year=year,
                agency=agency.name,
            )
        )
    return scores


def year_report(
    agency: Agency, year: int, questionnaire_code: str | None = None
) -> Report:
    """The finalised report of the year if there is one, else a fresh computation."""
    questionnaire = year_questionnaire(agency, year, questionnaire_code)
    finalisation = find_finalisation(agency, year, questionnaire)
    if finalisation is None:
        page = read_year(agency, year)
        scores = _live_scores(agency, year, questionnaire, page.period)
        return report_from_scores(scores, year, page)
    report = Report.from_json(finalisation.results)
    report.finalised = FinalisedInfo(
        at=finalisation.finalised_at,
        by=finaliser(finalisation),
        response_count=finalisation.response_count,
        input_hash=finalisation.input_hash,
        late_responses=late_responses(finalisation),
    )
    return report


def input_hash(scores: Scores, rows: SurveyRows) -> str:
    """SHA-256 of a canonical JSON of the exact inputs of `scores`.

    Covers the sorted response ids with their service point, service field,
    answers, weight and stratum; the subtree's agencies; the questionnaire's
    columns; the period and time zone.
    """
    weighting = scores.weighting
    if weighting is None:
        raise FinaliseError(_("There are no results to finalise."))
    code_of = {a.id: a.code for a in scores.agencies.values()}
    # Weights and strata belong to (service point, field) cells: look each up.
    cell_of = {
        key: i
        for i, key in enumerate(
            zip(
                scores.sums.agency_id.tolist(),
                scores.sums.field_id.tolist(),
                strict=True,
            )
        )
    }
    responses = []
    for i, response_id in enumerate(rows.response_ids.tolist()):
        cell = cell_of[(rows.agency_ids[i], rows.field_ids[i])]
        responses.append(
            [
                int(response_id),
                code_of[rows.agency_ids[i]],
                rows.field_codes[i],
                rows.answers[i].tolist(),
                format_weight(float(weighting.weights[cell])),
                weighting.strata[cell],
            ]
        )
    responses.sort()
    payload = {
        "questionnaire": scores.questionnaire.code,
        "columns": rows.columns,
        "period": [scores.period.start.isoformat(), scores.period.end.isoformat()],
        "timezone": current_app.config["BABEL_DEFAULT_TIMEZONE"],
        "agencies": sorted(
            [a.code, code_of.get(a.parent_id, "") if a.parent_id else "", a.name]
            for a in scores.agencies.values()
        ),
        "responses": responses,
    }
    text = json.dumps(
        payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def finalise_year(
    agency: Agency, year: int, questionnaire_code: str | None, user: User | None
) -> Finalisation:
    """Compute and store the year of `agency`'s subtree; the caller commits.

    Raises :class:`FinaliseError` when it is already finalised and
    :class:`~surveyapp.analysis.scores.ScoringError` when it cannot be computed.
    """
    questionnaire = year_questionnaire(agency, year, questionnaire_code)
    existing = find_finalisation(agency, year, questionnaire)
    if existing is not None:
        raise FinaliseError(
            _(
                "%(year)s is already finalised for %(agency)s (%(questionnaire)s) "
                "since %(when)s; it cannot be finalised twice.",
                year=year,
                agency=agency.name,
                questionnaire=questionnaire.code,
                when=f"{existing.finalised_at:%d/%m/%Y}",
            )
        )
    period = Period.year(year)
    subtree = subtree_ids(agency.id)
    # Finalised numbers come from the responses themselves, not the cells, and
    # the hash covers exactly the responses they were computed from.
    scores = _live_scores(
        agency, year, questionnaire, prepare_from_responses(subtree, period)
    )
    rows = load_rows(subtree, questionnaire, period)
    report = report_from_scores(scores, year, read_year(agency, year))
    finalisation = Finalisation(
        agency_id=agency.id,
        year=year,
        questionnaire_id=questionnaire.id,
        finalised_by_id=user.id if user is not None else None,
        response_count=scores.n_responses,
        input_hash=input_hash(scores, rows),
        settings={
            "questionnaire": questionnaire.code,
            "interval_method": scores.method,
            "composite_interval_method": report.composite_method,
            "confidence_level": scores.level,
            "aggregation": "factor = mean of criteria; index = mean of factors",
            "period": [scores.period.start.isoformat(), scores.period.end.isoformat()],
            "timezone": current_app.config["BABEL_DEFAULT_TIMEZONE"],
            "weighting_notes": list(scores.notes),
            "nchs_rules": NCHS_RULES,
            "app_version": app_version(),
            "max_response_id": int(rows.response_ids.max()),
        },
        results=report.to_json(),
    )
    db.session.add(finalisation)
    return finalisation
