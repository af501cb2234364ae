"""From stored responses to satisfaction indices: ORM rows -> arrays -> scoring.

The scoring library knows nothing of agencies or dates; this module takes THE
scored responses of an agency subtree in a period for one questionnaire version
(:mod:`surveyapp.analysis.rows`), asks :mod:`surveyapp.analysis.weighting` for
weights and strata, and hands arrays to :func:`surveyapp.scoring.estimate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from flask_babel import gettext as _

from surveyapp.analysis.publication import published
from surveyapp.analysis.rows import SurveyRows, load_rows
from surveyapp.analysis.selection import ScoringError, choose_questionnaire
from surveyapp.analysis.weighting import Weighting, weigh_responses
from surveyapp.core.time import Period
from surveyapp.core.tree import AgencyTree, Node, agency_tree
from surveyapp.models import Agency, Questionnaire
from surveyapp.scoring import (
    CompositeMethod,
    DomainSpec,
    IntervalMethod,
    ResultRow,
    Results,
    SurveyData,
    estimate,
)

DEFAULT_METHOD: IntervalMethod = "kg"
# Factor and index intervals on the logit scale (benchmarks/coverage.py).
DEFAULT_COMPOSITE_METHOD: CompositeMethod = "logit"
DEFAULT_LEVEL = 0.95

__all__ = [
    "DEFAULT_COMPOSITE_METHOD",
    "DEFAULT_LEVEL",
    "DEFAULT_METHOD",
    "Scores",
    "ScoringError",
    "compute_scores",
    "score_agency",
]


@dataclass
class Scores:
    """Estimates for an agency subtree in a period, with what produced them."""

    root: Agency
    period: Period
    questionnaire: Questionnaire
    rows: SurveyRows
    weighting: Weighting | None
    results: Results | None
    tree: AgencyTree
    method: str
    level: float
    notes: list[str] = field(default_factory=list)

    @cached_property
    def agencies(self) -> dict[str, Node]:
        """The agencies of the root's subtree, by code."""
        return {node.code: node for node, _depth in self.tree.walk(self.root.id)}

    def row(self, domain: str, level: str, code: str) -> ResultRow | None:
        """One result row as it may be shown; None when the domain has no responses."""
        return self._row_index.get((domain, level, code))

    def domain_rows(self, domain: str) -> list[ResultRow]:
        """All rows of one domain: criteria, factors, then the index."""
        return [row for key, row in self._row_index.items() if key[0] == domain]

    @cached_property
    def _row_index(self) -> dict[tuple[str, str, str], ResultRow]:
        if self.results is None:
            return {}
        return {
            (r["domain"], r["level"], r["code"]): published(r)
            for r in self.results.rows()
        }

    def published_rows(self) -> list[ResultRow]:
        """Every result row as it may be shown (the reliability rules applied)."""
        return list(self._row_index.values())

    def response_count(self, domain: str) -> int:
        row = self.row(domain, "index", "SIPAS")
        return row["n"] if row else 0

    def response_rate(self, code: str) -> float | None:
        """Responses ÷ dossiers in the subtree of agency `code` (None: no counts)."""
        if self.weighting is None or not self.weighting.counted:
            return None
        node = self.agencies[code]
        return self.weighting.response_rate(self.tree.subtree(node.id))


def compute_scores(
    root: Agency,
    period: Period,
    questionnaire: Questionnaire,
    method: IntervalMethod = DEFAULT_METHOD,
    level: float = DEFAULT_LEVEL,
) -> Scores:
    """Estimate every agency of `root`'s subtree over `period`."""
    tree = agency_tree()
    rows = load_rows(tree.subtree(root.id), questionnaire, period)
    scores = Scores(root, period, questionnaire, rows, None, None, tree, method, level)
    if len(rows) < 2:
        scores.notes.append(_("Too few responses to estimate anything."))
        return scores
    weighting = weigh_responses(
        rows.agency_ids, rows.field_codes, period.start, period.end
    )
    scores.weighting = weighting
    scores.notes.extend(weighting.notes)
    labels = np.array([tree.code(a) for a in rows.agency_ids], dtype=object)
    try:
        data = SurveyData.from_arrays(
            rows.answers,
            rows.columns,
            weighting.weights,
            np.array(weighting.strata, dtype=object),
        )
        domains = DomainSpec.from_tree(
            labels, tree.parents_within(root.id), include_all=False
        )
        scores.results = estimate(
            data,
            domains,
            method=method,
            level=level,
            composite_method=DEFAULT_COMPOSITE_METHOD,
        )
    except ValueError as error:
        raise ScoringError(str(error)) from error
    return scores


def score_agency(
    agency: Agency, period: Period, questionnaire_code: str | None = None
) -> Scores:
    """THE scores of `agency`'s subtree in `period`, for every page and export.

    The questionnaire is THE choice of
    :func:`~surveyapp.analysis.selection.choose_questionnaire`.
    """
    questionnaire = choose_questionnaire(
        agency, agency_tree().subtree(agency.id), period, questionnaire_code
    )
    return compute_scores(agency, period, questionnaire)
