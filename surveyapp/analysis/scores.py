"""From stored responses to satisfaction indices: ORM rows -> arrays -> scoring.

The scoring library knows nothing of agencies or dates; this module takes THE
scored responses of an agency subtree in a period for one questionnaire version,
summed into cells (:mod:`surveyapp.analysis.prepared`), asks
:mod:`surveyapp.analysis.weighting` for weights and strata, and hands the cell
totals to :func:`surveyapp.scoring.estimate_totals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from flask_babel import gettext as _

from surveyapp.analysis.cells import CellLayout, CellSums
from surveyapp.analysis.prepared import PreparedData, prepare
from surveyapp.analysis.publication import published
from surveyapp.analysis.selection import ScoringError, choose_questionnaire
from surveyapp.analysis.weighting import Weighting, weigh_cells
from surveyapp.core.time import Period
from surveyapp.core.tree import AgencyTree, Node, agency_tree
from surveyapp.models import Agency, Questionnaire
from surveyapp.scoring import (
    CompositeMethod,
    DomainSpec,
    IntervalMethod,
    ResultRow,
    Results,
    estimate_totals,
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
    sums: CellSums  # one cell per (service point, field): months summed
    # What the scores were computed from: rankings score other versions from it.
    data: PreparedData
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

    @property
    def n_responses(self) -> int:
        """Scored responses of the subtree in the period, for this version."""
        return self.sums.n_responses

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
    data: PreparedData | None = None,
    subtree_domains: bool = True,
) -> Scores:
    """Estimate every agency of `root`'s subtree over `period` (only `root`
    itself when not `subtree_domains`).

    From `data` when given (it must cover the subtree and period), else read.
    """
    tree = agency_tree()
    subtree = tree.subtree(root.id)
    if data is None:
        data = prepare(subtree, period)
    elif data.period != period:
        data = data.within(period)
    cells = data.of(questionnaire).of_agencies(subtree)
    sums = CellSums.combine(CellLayout.of(questionnaire), [cells], by_month=False)
    scores = Scores(
        root, period, questionnaire, sums, data, None, None, tree, method, level
    )
    if sums.n_responses < 2:
        scores.notes.append(_("Too few responses to estimate anything."))
        return scores
    weighting = weigh_cells([sums], period.start, period.end, data.dossiers)
    scores.weighting = weighting
    scores.notes.extend(weighting.notes)
    try:
        totals = sums.estimable(
            [tree.code(a) for a in sums.agency_id.tolist()],
            weighting.strata,
            weighting.weights,
        )
        scores.results = estimate_totals(
            totals,
            totals.leaf_domains(tree.parents_within(root.id), include_all=False)
            if subtree_domains
            else DomainSpec.whole_sample(totals.n_cells, root.code),
            method=method,
            level=level,
            composite_method=DEFAULT_COMPOSITE_METHOD,
        )
    except ValueError as error:
        raise ScoringError(str(error)) from error
    return scores


def score_agency(
    agency: Agency,
    period: Period,
    questionnaire_code: str | None = None,
    data: PreparedData | None = None,
) -> Scores:
    """THE scores of `agency`'s subtree in `period`, for every page and export.

    The questionnaire is THE choice of
    :func:`~surveyapp.analysis.selection.choose_questionnaire`.
    """
    questionnaire = choose_questionnaire(
        agency, agency_tree().subtree(agency.id), period, questionnaire_code
    )
    return compute_scores(agency, period, questionnaire, data=data)
