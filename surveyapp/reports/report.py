"""The yearly report of an agency subtree, as plain data that can be frozen.

A :class:`Report` holds everything an export shows (every result row of every
domain of the subtree, the ranking of each tree level, labels, method) as plain
data, so a finalised year can store it as JSON and export it again unchanged.
:mod:`surveyapp.reports.tables` turns it into the tables that the XLSX, CSV
(:mod:`~surveyapp.reports.files`) and PDF (:mod:`~surveyapp.reports.pdf`)
writers share.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from importlib import metadata
from typing import Any

from flask_babel import gettext as _

from surveyapp.analysis.change import compare, compared
from surveyapp.analysis.indicator766 import Indicator766, indicator_766
from surveyapp.analysis.page_data import PageData, read_page_data
from surveyapp.analysis.pooled import PooledScores, pool_versions
from surveyapp.analysis.publication import published
from surveyapp.analysis.ranking import rank_label, rank_levels
from surveyapp.analysis.scores import Scores
from surveyapp.analysis.trend import compute_trend, month_so_far
from surveyapp.core.time import Period
from surveyapp.data import factor_correspondence
from surveyapp.models import SOURCE_LANGUAGE, Agency, Questionnaire, get_by_code
from surveyapp.models.questionnaires import load_wording
from surveyapp.scoring import ResultRow
from surveyapp.scoring.change import Difference


@dataclass(frozen=True)
class AgencyInfo:
    """An agency of the report's subtree; depth 0 is the report's agency."""

    code: str
    name: str
    parent: str | None
    depth: int


@dataclass(frozen=True)
class RankEntry:
    """One agency of a ranking table (joint rank intervals on the index)."""

    code: str
    ranked: bool
    best: int
    worst: int
    out_of: int
    response_rate: float | None
    # A unit whose responses all used another version is ranked on its own
    # index: the version, and that index row (the report's rows are the page's).
    questionnaire: str | None = None
    index: ResultRow | None = None

    @property
    def label(self) -> str:
        return rank_label(self.best, self.worst, self.out_of) if self.ranked else ""


@dataclass(frozen=True)
class TrendEntry:
    """The index of one month ("YYYY-MM") of the trend; None: too few responses."""

    month: str
    row: ResultRow | None


@dataclass(frozen=True)
class FinalisedInfo:
    """When and by whom the year was finalised, and what arrived since."""

    at: datetime
    by: str
    response_count: int
    input_hash: str
    late_responses: int


@dataclass
class Report:
    """The year of an agency subtree as every export shows it (JSON-able)."""

    agency: str
    year: int
    questionnaire: str
    questionnaire_title: str
    legal_basis: str
    method: str
    level: float
    response_count: int
    rows: list[ResultRow]
    agencies: list[AgencyInfo]
    labels: dict[str, str]
    rankings: list[list[RankEntry]]
    response_rates: dict[str, float | None]
    weighting: dict[str, Any]
    app_version: str
    # Reports finalised before the logit composite interval carry no such key:
    # their factor and index intervals were symmetric t intervals.
    composite_method: str = "t"
    # Factors and index over every questionnaire version, when the subtree used
    # more than one (older finalised reports have none).
    pooled_versions: list[str] = field(default_factory=list)
    pooled_rows: list[ResultRow] = field(default_factory=list)
    pooled_labels: dict[str, str] = field(default_factory=dict)
    # The year around the results, as the dashboard shows it: QĐ 766, the
    # monthly trend up to `trend_end` (ISO date) and the root's rows of the
    # previous year. Reports finalised before these were kept have none.
    indicator_766: dict[str, Any] | None = None
    trend: list[TrendEntry] = field(default_factory=list)
    trend_end: str | None = None
    previous_rows: list[ResultRow] = field(default_factory=list)
    finalised: FinalisedInfo | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The report without its finalisation status, for `Finalisation.results`."""
        data = asdict(self)
        data.pop("finalised")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            **{
                **data,
                "agencies": [AgencyInfo(**a) for a in data["agencies"]],
                "rankings": [
                    [RankEntry(**entry) for entry in level]
                    for level in data["rankings"]
                ],
                "rows": [ResultRow(**row) for row in data["rows"]],  # type: ignore[typeddict-item]
                "pooled_rows": [
                    ResultRow(**row)  # type: ignore[typeddict-item]
                    for row in data.get("pooled_rows", [])
                ],
                "trend": [TrendEntry(**entry) for entry in data.get("trend", [])],
            }
        )

    def agency_info(self, code: str) -> AgencyInfo:
        return self._agency_index[code]

    @cached_property
    def _agency_index(self) -> dict[str, AgencyInfo]:
        return {a.code: a for a in self.agencies}

    @cached_property
    def _row_index(self) -> dict[tuple[str, str], ResultRow]:
        return {(r["domain"], r["code"]): r for r in self.published_rows}

    @cached_property
    def published_rows(self) -> list[ResultRow]:
        """The rows as every export shows them: the reliability rules applied.

        `rows` keeps the full numbers, frozen at finalisation for the record.
        """
        return [published(row) for row in self.rows]

    @property
    def published_pooled_rows(self) -> list[ResultRow]:
        """The rows over every questionnaire version, the reliability rules applied."""
        return [published(row) for row in self.pooled_rows]

    @property
    def name(self) -> str:
        return self.agency_info(self.agency).name

    def row(self, domain: str, code: str) -> ResultRow | None:
        """The shown row of `domain` with `code` (criterion, factor or "SIPAS")."""
        return self._row_index.get((domain, code))

    def ranked_index(self, entry: RankEntry) -> ResultRow | None:
        """The index row `entry` was ranked on (its own version's, if it differs)."""
        if entry.questionnaire is not None:
            return entry.index
        return self.row(entry.code, "SIPAS")

    @property
    def overall(self) -> ResultRow | None:
        return self.row(self.agency, "SIPAS")

    @property
    def indicator(self) -> Indicator766 | None:
        """QĐ 766 of the subtree in the year (None: not kept in this report)."""
        if self.indicator_766 is None:
            return None
        return Indicator766(**self.indicator_766)

    @property
    def trend_last_day(self) -> date | None:
        """The trend's last day (None: no trend kept in this report)."""
        return date.fromisoformat(self.trend_end) if self.trend_end else None

    @property
    def month_so_far(self) -> str | None:
        """The trend's month still going on when the report was made."""
        end = self.trend_last_day
        # A year's trend ends on its last day or on the day the report was made.
        return month_so_far(end, end) if end else None

    def previous_row(self, code: str) -> ResultRow | None:
        """The report agency's shown row with `code` in the previous year."""
        return next((r for r in self.previous_rows if r["code"] == code), None)

    def change(self, code: str) -> Difference | None:
        """The report agency's change since the previous year, as on the dashboard."""
        return compared(
            self.row(self.agency, code), self.previous_row(code), self.level
        )


def read_year(agency: Agency, year: int) -> PageData:
    """The reads of `agency`'s year as its dashboard page makes them."""
    return read_page_data(agency, Period.year(year))


def _surroundings(scores: Scores, page: PageData) -> dict[str, Any]:
    """QĐ 766, the monthly trend and the previous year's rows of the root."""
    root, end = scores.root, page.trend_end
    previous = compare(scores, page.previous, None).previous
    trend = compute_trend(root, scores.questionnaire, end, data=page.trend)
    return {
        "indicator_766": asdict(indicator_766(root, scores.period, page.period)),
        "trend": [TrendEntry(point.month, point.row) for point in trend],
        "trend_end": end.isoformat(),
        "previous_rows": previous.domain_rows(root.code) if previous else [],
    }


def report_from_scores(scores: Scores, year: int, page: PageData) -> Report:
    """Freeze `scores` (with results) into a :class:`Report`, with the year's
    QĐ 766, trend and previous year read in `page` (:func:`read_year`)."""
    if scores.results is None or scores.weighting is None:
        raise ValueError("there are no results to report")
    agencies = _subtree(scores)
    rankings = _rankings(scores)
    rates = {a.code: scores.response_rate(a.code) for a in agencies}
    weighting = scores.weighting
    # The weighting cells before pooling: (counting unit or service point, field).
    cells = {
        (unit if unit is not None else agency_id, field_id)
        for unit, agency_id, field_id in zip(
            weighting.unit_of_response,
            scores.sums.agency_id.tolist(),
            scores.sums.field_id.tolist(),
            strict=True,
        )
    }
    questionnaire = scores.questionnaire
    pooled = pool_versions(scores.root, scores.data)
    return Report(
        agency=scores.root.code,
        year=year,
        questionnaire=questionnaire.code,
        questionnaire_title=questionnaire.title(SOURCE_LANGUAGE),
        legal_basis=questionnaire.legal_basis,
        method=scores.method,
        level=scores.level,
        response_count=scores.n_responses,
        rows=list(scores.results.rows()),
        agencies=agencies,
        labels=questionnaire_labels(questionnaire),
        rankings=rankings,
        response_rates=rates,
        app_version=app_version(),
        composite_method=scores.results.composite_method,
        weighting={
            "counted": weighting.counted,
            "cells": len(cells),
            "strata": len(set(weighting.strata)),
            "notes": list(weighting.notes),
        },
        pooled_versions=[code for code, _n in pooled.versions] if pooled else [],
        pooled_rows=list(pooled.results.rows()) if pooled else [],
        pooled_labels=pooled_labels(pooled) if pooled else {},
        **_surroundings(scores, page),
    )


def pooled_labels(pooled: PooledScores) -> dict[str, str]:
    """Pooled row code -> Vietnamese wording, as :func:`questionnaire_labels`."""
    return {
        "SIPAS": _("SIPAS-style index"),
        **{f.code: f"{f.code}. {f.name_vi}" for f in pooled.correspondence.factors},
    }


def in_language(report: Report, language: str) -> Report:
    """`report` worded in `language`, its numbers untouched: the questionnaire's
    title, factor and criterion wording from its translations (Vietnamese where
    untranslated), the index named in the current interface language.

    A finalised report keeps its stored labels for any row its questionnaire no
    longer names.
    """
    questionnaire = get_by_code(Questionnaire, report.questionnaire)
    if questionnaire is None:
        return report
    return replace(
        report,
        questionnaire_title=questionnaire.title(language),
        labels={**report.labels, **questionnaire_labels(questionnaire, language)},
        pooled_labels=_pooled_labels_in(report.pooled_labels, language),
    )


def _pooled_labels_in(stored: dict[str, str], language: str) -> dict[str, str]:
    """The pooled factors' names in English for "en", else in Vietnamese: the
    bundled correspondence names them in these two only."""
    if not stored:
        return stored
    names = {
        f.code: f"{f.code}. {f.name_en if language == 'en' else f.name_vi}"
        for f in factor_correspondence().factors
    }
    return {
        **stored,
        **{code: names[code] for code in stored if code in names},
        "SIPAS": _("SIPAS-style index"),
    }


def app_version() -> str:
    """The installed surveyapp version, written into every report."""
    try:
        return metadata.version("surveyapp")
    except metadata.PackageNotFoundError:  # running from a bare checkout
        return "unknown"


def questionnaire_labels(
    questionnaire: Questionnaire, language: str = SOURCE_LANGUAGE
) -> dict[str, str]:
    """Result row code -> wording in `language` (Vietnamese where untranslated):
    "F1" -> "A. ...", "F1.2" -> "A2. ..."."""
    labels = {"SIPAS": _("SIPAS-style index")}
    for factor in load_wording(questionnaire).factors:
        labels[f"F{factor.position}"] = f"{factor.code}. {factor.name(language)}"
        for criterion in factor.criteria:
            labels[f"F{factor.position}.{criterion.position}"] = (
                f"{factor.code}{criterion.position}. {criterion.text(language)}"
            )
    return labels


def _subtree(scores: Scores) -> list[AgencyInfo]:
    infos = [
        AgencyInfo(
            node.code,
            node.name,
            None if depth == 0 else scores.tree.code(node.parent_id),  # type: ignore[arg-type]
            depth,
        )
        for node, depth in scores.tree.walk(scores.root.id)
    ]
    return sorted(infos, key=lambda a: (a.depth, a.code))


def _rankings(scores: Scores) -> list[list[RankEntry]]:
    """One table per tree level below the root, ranked within the level."""
    return [
        [
            RankEntry(
                e.code,
                e.ranked,
                e.best,
                e.worst,
                e.out_of,
                e.response_rate,
                e.questionnaire,
                e.row if e.questionnaire else None,
            )
            for e in level
        ]
        for level in rank_levels(scores)
    ]
