"""Where to look, drawn: the child units by factor, and how people answered.

Both come from what the page already computed: the units' factor rows from
its scores (published by the same rules as every table), the answer counts
from the same cells (:mod:`surveyapp.analysis.distribution`).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from surveyapp.analysis.distribution import AnswerDistribution, answer_distribution
from surveyapp.analysis.publication import flag_label
from surveyapp.analysis.ranking import RankedAgency
from surveyapp.analysis.scores import Scores
from surveyapp.dashboard.charts import (
    ANSWER_COLOURS,
    HeatCell,
    heatmap,
    stacked_bar,
)
from surveyapp.models import Questionnaire
from surveyapp.scoring import ResultRow
from surveyapp.scoring.flags import NO_DATA, REVIEW, SUPPRESS

# A heatmap of one unit would only repeat the factor chart.
HEATMAP_MIN_UNITS = 2


@dataclass(frozen=True)
class UnitFactors:
    """One child unit's published factor rows, in the questionnaire's order.

    `questionnaire` names the version the unit's responses used when it is not
    the page's: its factors are then not on this page's scale (rows None).
    """

    name: str
    factors: list[ResultRow | None]
    questionnaire: str | None


@dataclass(frozen=True)
class DistributionRow:
    """One criterion's answers as the page shows them: counts, shares, a bar."""

    code: str
    label: str
    answers: AnswerDistribution
    bar: Markup

    @property
    def cells(self) -> list[tuple[int, float]]:
        """(count, share) of 1..5 then of "no opinion"."""
        counts = (*self.answers.counts, self.answers.no_opinion)
        return list(zip(counts, self.answers.shares, strict=True))


def unit_factors(scores: Scores, ranking: list[RankedAgency]) -> list[UnitFactors]:
    """The ranked children's factor rows, from the scores the page computed."""
    positions = [factor.position for factor in scores.questionnaire.factors]
    return [
        UnitFactors(
            scores.agencies[unit.code].name,
            [scores.row(unit.code, "factor", f"F{p}") for p in positions],
            unit.questionnaire,
        )
        for unit in ranking
    ]


def units_heatmap(
    units: list[UnitFactors], questionnaire: Questionnaire
) -> Markup | None:
    """Units by factors, coloured by index; None for fewer than two units."""
    if len(units) < HEATMAP_MIN_UNITS:
        return None
    rows = [
        (
            f"{unit.name} ({unit.questionnaire})" if unit.questionnaire else unit.name,
            [
                HeatCell(row["estimate"], row["flag"])
                if row is not None
                else HeatCell(None, NO_DATA)
                for row in unit.factors
            ],
        )
        for unit in units
    ]
    legend = {flag: flag_label(flag) for flag in (REVIEW, SUPPRESS, NO_DATA)}
    svg = heatmap(rows, [factor.code for factor in questionnaire.factors], legend)
    return Markup(svg)  # noqa: S704 - built from escaped parts


def distribution_rows(scores: Scores, language: str) -> list[DistributionRow]:
    """Every criterion's answers in the subtree and period (none: no responses)."""
    if not scores.n_responses:
        return []
    labels = {
        f"F{factor.position}.{criterion.position}": (
            f"{factor.code}{criterion.position}",
            criterion.text(language),
        )
        for factor in scores.questionnaire.factors
        for criterion in factor.criteria
    }
    return [
        DistributionRow(
            *labels[answers.code],
            answers,
            Markup(stacked_bar(answers.shares, ANSWER_COLOURS)),  # noqa: S704 - numbers only
        )
        for answers in answer_distribution(scores.sums)
    ]
