"""What the dashboard shows: scores with their labels, charts and the ranking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from surveyapp.analysis.breakdown import (
    by_field,
    counter_breakdown,
    weakest_criteria,
)
from surveyapp.analysis.change import Comparison, compare
from surveyapp.analysis.indicator766 import Indicator766, indicator_766
from surveyapp.analysis.page_data import read_page_data
from surveyapp.analysis.pooled import PooledScores, pool_versions
from surveyapp.analysis.ranking import RankedAgency, rank_children
from surveyapp.analysis.scores import Scores, score_agency
from surveyapp.analysis.trend import (
    TrendPoint,
    compute_trend,
    month_label,
    month_so_far,
)
from surveyapp.core.time import Period, local_today
from surveyapp.dashboard.charts import Bar, Point, interval_bars, trend_line
from surveyapp.dashboard.where_to_look import (
    DistributionRow,
    UnitFactors,
    distribution_rows,
    unit_factors,
    units_heatmap,
)
from surveyapp.extensions import db
from surveyapp.models import (
    SOURCE_LANGUAGE,
    Agency,
    Questionnaire,
    ServiceField,
)
from surveyapp.models.questionnaires import load_wording
from surveyapp.models.translations import Translated
from surveyapp.scoring import ResultRow


@dataclass(frozen=True)
class LabelledRow:
    """A result row with the factor's or criterion's wording."""

    label: str
    code: str
    row: ResultRow | None
    # (domain, level, code) of the row, to find it in other periods.
    key: tuple[str, str, str]


@dataclass
class Dashboard:
    """Everything the dashboard page of one agency shows."""

    agency: Agency
    period: Period
    questionnaire: Questionnaire
    scores: Scores
    overall: ResultRow | None
    factors: list[tuple[LabelledRow, list[LabelledRow]]]
    ranking: list[RankedAgency]
    factor_chart: Markup
    trend_chart: Markup
    other_questionnaires: list[tuple[Questionnaire, int]]
    response_rate: float | None
    indicator_766: Indicator766
    # Over every questionnaire version, when the subtree used more than one.
    pooled: PooledScores | None = None
    comparison: Comparison | None = None
    # Where to look: the lowest criteria, and the index of each service field.
    weakest: list[LabelledRow] = field(default_factory=list)
    fields: list[LabelledRow] = field(default_factory=list)
    # None: too many responses to read them by counter (see by_counter).
    counters: list[LabelledRow] | None = None
    # The child units' factor indices, in ranking order, and their heatmap.
    unit_factors: list[UnitFactors] = field(default_factory=list)
    heatmap: Markup | None = None
    # How many gave each answer to each criterion.
    distribution: list[DistributionRow] = field(default_factory=list)


def parse_period(args: MultiDict[str, str], today: date) -> tuple[Period, str | None]:
    """The period the query string asks for, or this year and an error message."""
    kind = args.get("period", "year")
    try:
        year = int(args.get("year", today.year))
        if kind == "quarter":
            return Period.quarter(year, int(args.get("quarter", 1))), None
        if kind == "month":
            return Period.month(year, int(args.get("month", today.month))), None
        if kind == "range":
            first = date.fromisoformat(args.get("from", ""))
            last = date.fromisoformat(args.get("to", ""))
            if last < first:
                return Period.year(today.year), _(
                    "The end date %(last)s is before the start date %(first)s;"
                    " showing this year.",
                    last=f"{last:%d/%m/%Y}",
                    first=f"{first:%d/%m/%Y}",
                )
            return Period.between(first, last), None
        return Period.year(year), None
    except (ValueError, OverflowError):
        # Hand-edited or half-filled query strings: show the default period instead.
        return Period.year(today.year), _(
            "That period is not valid; showing this year."
        )


def build_dashboard(
    agency: Agency, period: Period, questionnaire_code: str | None, language: str
) -> Dashboard:
    """Compute the scores of `agency`'s subtree and dress them for the page."""
    page = read_page_data(agency, period)
    data = page.period
    scores = score_agency(agency, period, questionnaire_code, data=data)
    questionnaire = scores.questionnaire
    in_use = data.in_use()
    factors = _labelled_factors(scores, questionnaire, agency.code, language)
    ranking = rank_children(scores)
    chart_title = _("Factor indices with %(level)s confidence intervals", level="95 %")
    factor_chart = interval_bars(
        [
            Bar(
                f"{factor.code}. {factor.label}",
                factor.row["estimate"] if factor.row else None,
                factor.row["ci_low"] if factor.row else None,
                factor.row["ci_high"] if factor.row else None,
                thin=factor.row is None or factor.row["flag"] != "ok",
            )
            for factor, _criteria in factors
        ],
        chart_title,
    )
    trend = compute_trend(agency, questionnaire, page.trend_end, data=page.trend)
    trend_chart = _trend_chart(trend, page.trend_end)
    units = unit_factors(scores, ranking)
    return Dashboard(
        agency=agency,
        period=period,
        questionnaire=questionnaire,
        scores=scores,
        overall=scores.row(agency.code, "index", "SIPAS"),
        factors=factors,
        ranking=ranking,
        factor_chart=Markup(factor_chart),  # noqa: S704 - built from escaped parts
        trend_chart=Markup(trend_chart),  # noqa: S704 - built from escaped parts
        other_questionnaires=[(q, n) for q, n in in_use if q.id != questionnaire.id],
        response_rate=scores.response_rate(agency.code),
        indicator_766=indicator_766(agency, period, data),
        pooled=pool_versions(agency, data),
        comparison=compare(scores, page.previous, page.year_ago),
        weakest=_weakest(scores, factors, agency.code),
        fields=_fields(scores, language),
        counters=_counters(scores),
        unit_factors=units,
        heatmap=units_heatmap(units, questionnaire),
        distribution=distribution_rows(scores, language),
    )


def _trend_chart(trend: list[TrendPoint], trend_end: date) -> str:
    """The monthly index with its band; the month so far drawn apart."""
    so_far = month_so_far(trend_end, local_today())
    return trend_line(
        [
            Point(
                month_label(point.month, trend_end, point.month == so_far, short=True),
                point.row["estimate"] if point.row else None,
                point.row["ci_low"] if point.row else None,
                point.row["ci_high"] if point.row else None,
                partial=point.month == so_far,
            )
            for point in trend
        ],
        _("Monthly SIPAS-style index with its %(level)s confidence band", level="95 %"),
    )


def _weakest(
    scores: Scores, factors: list[tuple[LabelledRow, list[LabelledRow]]], domain: str
) -> list[LabelledRow]:
    labelled = {c.key[2]: c for _factor, criteria in factors for c in criteria}
    return [labelled[row["code"]] for row in weakest_criteria(scores, domain)]


def _counters(scores: Scores) -> list[LabelledRow] | None:
    found = counter_breakdown(scores)
    if found is None:
        return None
    index = {row["domain"]: row for row in found.rows if row["level"] == "index"}
    return [
        LabelledRow(
            f"{found.names.get(code, code)} ({code})",
            code,
            index[code],
            (code, "index", "SIPAS"),
        )
        for code in sorted(index)
    ]


def _fields(scores: Scores, language: str) -> list[LabelledRow]:
    """The index of each service field with responses, in the catalogue's order."""
    index = {row["domain"]: row for row in by_field(scores) if row["level"] == "index"}
    return [
        LabelledRow(
            _wording(service, "name", language),
            service.code,
            index[service.code],
            (service.code, "index", "SIPAS"),
        )
        for service in db.session.scalars(
            select(ServiceField)
            .options(selectinload(ServiceField.translations))
            .order_by(ServiceField.position)
        )
        if service.code in index
    ]


def _labelled_factors(
    scores: Scores, questionnaire: Questionnaire, domain: str, language: str
) -> list[tuple[LabelledRow, list[LabelledRow]]]:
    labelled = []
    for factor in load_wording(questionnaire).factors:
        factor_code = f"F{factor.position}"
        criteria = [
            _labelled(
                scores,
                _wording(criterion, "text", language),
                f"{factor.code}{criterion.position}",
                (domain, "criterion", f"{factor_code}.{criterion.position}"),
            )
            for criterion in factor.criteria
        ]
        labelled.append(
            (
                _labelled(
                    scores,
                    _wording(factor, "name", language),
                    factor.code,
                    (domain, "factor", factor_code),
                ),
                criteria,
            )
        )
    return labelled


def _wording(row: Translated, field: str, language: str) -> str:
    """`field` in `language`; managers see a fall-back to Vietnamese marked."""
    text = row.wording(field, language)
    if language == SOURCE_LANGUAGE or row.is_translated(field, language):
        return text
    return str(_("%(text)s (in Vietnamese: not yet translated)", text=text))


def _labelled(
    scores: Scores, label: str, code: str, key: tuple[str, str, str]
) -> LabelledRow:
    return LabelledRow(label, code, scores.row(*key), key)
