"""Criterion shares, factor indices and the SIPAS index per domain, with SEs.

Formulas (SIPAS convention, QĐ 2640/QĐ-BNV and QĐ 1001/QĐ-BNV; the reference's
``oracle.R``):

- criterion share ``P_c = sum(w [a >= 4]) / sum(w [answered])`` over the
  domain's responses (a ratio estimator; unanswered criteria are left out of
  both sums);
- factor index ``F_f`` = mean of ``P_c`` over the factor's criteria; overall
  index ``SIPAS`` = mean of the ``F_f`` (:mod:`surveyapp.scoring.composites`);
- mean score: ``sum(w (a - 1) / 4) / sum(w [answered])``, times 100.

Standard errors: Taylor linearisation (Woodruff 1971). The influence value of
response i for ``P_c`` in domain d is ``z_ic = w_i ([a_ic >= 4] - P_c
[answered_ic]) / X_dc`` with ``X_dc = sum(w [answered])`` over the domain, and 0
outside the domain. A composite ``L'P`` has influence ``sum_c L_c z_ic``, so
its variance is ``L' V L`` for the full linearised covariance V of the shares
(R: ``svyratio(covmat = TRUE)`` then ``t(L) %*% V %*% L``) without ever forming
V. Variances per domain come from :mod:`surveyapp.scoring.variance`.

Two entry points share all of this: :func:`estimate` reads responses, and
:func:`estimate_totals` reads :class:`~surveyapp.scoring.totals.CellTotals`,
integer sums per (leaf, stratum, weight) cell, and gives the same results
(within rounding) from a few thousand cells instead of a million rows.

Missing values: a criterion nobody in the domain answered has no estimate (NaN,
flagged ``"no data"``). A factor then averages the criteria that do have
answers there, and the index the factors that do (flagged ``"review"``); with
none, it has no estimate either. The rows themselves (intervals, flags) come
from :mod:`surveyapp.scoring.rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from surveyapp.scoring.composites import CompositeWeights, composite_weights
from surveyapp.scoring.data import SATISFIED_FROM, Criteria, SurveyData
from surveyapp.scoring.domains import DomainSpec
from surveyapp.scoring.intervals import CompositeMethod, IntervalMethod
from surveyapp.scoring.results import Results
from surveyapp.scoring.rows import (
    DomainEstimates,
    DomainTotals,
    Variances,
    checked_settings,
    results_table,
)
from surveyapp.scoring.totals import CellTotals
from surveyapp.scoring.variance import (
    DomainDesign,
    build_cell_design,
    build_domain_design,
)
from surveyapp.scoring.within import WithinCells, within_cells

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Counts:
    """One criterion on every membership pair, each (M,).

    For a response: whether it answered, whether it was satisfied, its answer
    (0 if none). For a cell of totals: X_kc, Y_kc and A_kc.
    """

    answered: NDArray[Any]
    satisfied: NDArray[Any]
    answer_sum: NDArray[Any]


class PairValues(Protocol):
    """What the estimators read per membership pair (M pairs)."""

    @property
    def weight(self) -> FloatArray:
        """The weight of the pair's response (or of each response of its cell)."""
        ...

    def counts(self, criterion: int) -> Counts:
        """The pairs' values for ``criterion``."""
        ...


@dataclass(frozen=True, eq=False)
class ResponsePairs:
    """Pairs of responses: answers (C, M), criterion-major, and weights (M,)."""

    answers: NDArray[np.int8]
    weight: FloatArray

    def counts(self, criterion: int) -> Counts:
        answer = self.answers[criterion]
        return Counts(answer > 0, answer >= SATISFIED_FROM, answer)


@dataclass(frozen=True, eq=False)
class CellPairs:
    """Pairs of cells: the totals' counts, criterion-major (C, K), gathered."""

    answered: NDArray[np.int64]
    satisfied: NDArray[np.int64]
    answer_sum: NDArray[np.int64]
    member_cell: NDArray[np.int64]
    weight: FloatArray

    def counts(self, criterion: int) -> Counts:
        cells = self.member_cell
        return Counts(
            self.answered[criterion][cells],
            self.satisfied[criterion][cells],
            self.answer_sum[criterion][cells],
        )


def estimate(
    data: SurveyData,
    domains: DomainSpec,
    method: IntervalMethod = "kg",
    level: float = 0.95,
    *,
    composite_method: CompositeMethod = "logit",
    complement_rule: bool = True,
) -> Results:
    """Estimate every criterion, factor and index in every domain.

    ``method``: interval for criterion shares, one of ``kg`` (Korn-Graubard,
    NCHS), ``r-beta``, ``logit`` (R ``svyciprop``), ``wilson``.
    ``composite_method``: interval for factor and index rows, one of ``logit``
    (the default, asymmetric, inside (0, 1)), ``logit-df``, ``kg``, ``t`` (see
    :mod:`surveyapp.scoring.intervals`). ``level``: the confidence level,
    strictly between 0 and 1. ``complement_rule``: whether share flags apply
    the NCHS complement relative-width rule (see
    :mod:`surveyapp.scoring.flags`).

    Returns D x (C + F + 1) rows: see :class:`Results`. Raises ``ValueError``
    on an unknown method, a bad level or domains that do not fit the data.
    """
    settings = checked_settings(method, level, composite_method, complement_rule)
    design = build_domain_design(data, domains)
    # Per-pair copies of the answers and weights: criteria are then read as
    # contiguous rows instead of gathering from the response arrays each time.
    values = ResponsePairs(
        np.ascontiguousarray(data.answers.T)[:, design.member_response],
        data.weights[design.member_response],
    )
    estimates = _domain_estimates(data, design, values, None)
    return results_table(data, domains.names, estimates, settings)


def estimate_totals(
    totals: CellTotals,
    domains: DomainSpec,
    method: IntervalMethod = "kg",
    level: float = 0.95,
    *,
    composite_method: CompositeMethod = "logit",
    complement_rule: bool = True,
) -> Results:
    """:func:`estimate` from cell totals: the same rows, from K cells.

    ``domains`` is over the cells (its "responses" are the K cells), e.g.
    ``totals.leaf_domains(parent_of)``; a domain holds whole cells. For the
    responses the totals were summed from, the results equal those of
    :func:`estimate` with the same domains on the responses, up to rounding
    (relative 1e-12). The other arguments and errors are those of
    :func:`estimate`, and a stratum with a single response is an error here too.
    """
    settings = checked_settings(method, level, composite_method, complement_rule)
    design = build_cell_design(totals, domains)
    member_cell = design.member_response
    values = CellPairs(
        np.ascontiguousarray(totals.answered.T),
        np.ascontiguousarray(totals.satisfied.T),
        np.ascontiguousarray(totals.answer_sum.T),
        member_cell,
        totals.weight[member_cell],
    )
    within = within_cells(totals, domains)
    estimates = _domain_estimates(totals, design, values, within)
    return results_table(totals, domains.names, estimates, settings)


def _domain_estimates(
    criteria: Criteria,
    design: DomainDesign,
    values: PairValues,
    within: WithinCells | None,
) -> DomainEstimates:
    """Totals, shares, composite weights and variances of every domain."""
    totals = domain_totals(design, values, criteria.n_criteria)
    share, mean_score = ratios(totals)
    weights = composite_weights(criteria, totals.answered_weight > 0)
    coefficients = Coefficients.of(totals, share)
    variances = linearised_variances(design, criteria, values, coefficients, weights)
    if within is not None:
        variances = _add_within(variances, within, criteria, coefficients, weights)
    return DomainEstimates(
        totals=totals,
        share=share,
        mean_score=mean_score,
        weights=weights,
        variances=variances,
        responses=design.domain_responses,
        df=design.domain_df,
    )


def domain_totals(
    design: DomainDesign, values: PairValues, n_criteria: int
) -> DomainTotals:
    shape = (design.n_domains, n_criteria)
    answered_weight = np.empty(shape)
    satisfied_weight = np.empty(shape)
    score_weight = np.empty(shape)
    n = np.empty(shape, dtype=np.int64)
    df = np.empty(shape, dtype=np.int64)
    member_weight = values.weight
    for c in range(n_criteria):  # a loop over the C criteria, not over rows
        counts = values.counts(c)
        # Sums per (domain, stratum) cell first: the cells also give the
        # strata count for df, and domain totals are then cheap.
        answered_per_cell = design.cell_sums(counts.answered.astype(np.float64))
        weight_answered = design.cell_sums(member_weight * counts.answered)
        answered_weight[:, c] = design.domain_sums(weight_answered)
        satisfied_weight[:, c] = design.domain_sums(
            design.cell_sums(member_weight * counts.satisfied)
        )
        # sum w (a - 1) / 4 over answers = (sum w a - sum w [answered]) / 4,
        # since a is 0 where not answered.
        weighted_answer = design.domain_sums(
            design.cell_sums(member_weight * counts.answer_sum)
        )
        score_weight[:, c] = (weighted_answer - answered_weight[:, c]) / 4.0
        n[:, c], df[:, c] = design.answered_counts(counts.answered, answered_per_cell)
    return DomainTotals(answered_weight, satisfied_weight, score_weight, n, df)


def ratios(totals: DomainTotals) -> tuple[FloatArray, FloatArray]:
    """Shares and mean scores (0..100), (D, C); NaN where nobody answered."""
    has_data = totals.answered_weight > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            has_data, totals.satisfied_weight / totals.answered_weight, np.nan
        )
        mean_score = np.where(
            has_data, 100.0 * totals.score_weight / totals.answered_weight, np.nan
        )
    return share, mean_score


@dataclass(frozen=True, eq=False)
class Coefficients:
    """Influence of a response: ``z = w (satisfied y - answered x)``, each (D, C).

    ``satisfied`` = 1 / X_dc and ``answered`` = P_dc / X_dc; 0 where nobody
    answered.
    """

    satisfied: FloatArray
    answered: FloatArray

    @classmethod
    def of(cls, totals: DomainTotals, share: FloatArray) -> Coefficients:
        inverse_total = np.zeros_like(totals.answered_weight)
        np.divide(
            1.0,
            totals.answered_weight,
            out=inverse_total,
            where=totals.answered_weight > 0,
        )
        return cls(inverse_total, np.nan_to_num(share, nan=0.0) * inverse_total)


def linearised_variances(
    design: DomainDesign,
    criteria: Criteria,
    values: PairValues,
    coefficients: Coefficients,
    weights: CompositeWeights,
    extra: FloatArray | None = None,
) -> Variances:
    """Variances of shares, factors and the index from one pass over criteria.

    ``extra`` (F, M), if given, is added to each factor's influence values on
    the pairs: the part of a pooled factor's influence that comes from its
    estimated version shares (:mod:`surveyapp.scoring.pooled`).
    """
    member_domain = design.member_domain
    member_weight = values.weight
    n_factors = len(criteria.factor_codes)
    share_var = np.empty(coefficients.satisfied.shape)
    factor_var = np.empty((design.n_domains, n_factors))
    # Criterion-major so that each gather reads one row.
    satisfied_coefficient = np.ascontiguousarray(coefficients.satisfied.T)
    answered_coefficient = np.ascontiguousarray(coefficients.answered.T)
    factor_weight_t = np.ascontiguousarray(weights.factor.T)
    index_weight_t = np.ascontiguousarray(weights.index.T)
    index_influence = np.zeros(member_domain.size)
    for f in range(n_factors):
        factor_influence = np.zeros(member_domain.size)
        for c in np.flatnonzero(criteria.factor_of_criterion == f):
            counts = values.counts(int(c))
            influence = counts.satisfied * satisfied_coefficient[c][member_domain]
            influence -= counts.answered * answered_coefficient[c][member_domain]
            influence *= member_weight
            share_var[:, c] = design.variance(influence)
            influence *= factor_weight_t[c][member_domain]
            factor_influence += influence
        if extra is not None:
            factor_influence += extra[f]
        factor_var[:, f] = design.variance(factor_influence)
        factor_influence *= index_weight_t[f][member_domain]
        index_influence += factor_influence
    index_var = design.variance(index_influence)
    return Variances(share_var, factor_var, index_var)


def _add_within(
    between: Variances,
    within: WithinCells,
    criteria: Criteria,
    coefficients: Coefficients,
    weights: CompositeWeights,
) -> Variances:
    """Add the within-cell parts, with the influence coefficients used above.

    In the (satisfied, answered but not satisfied) indicators the influence
    ``w (satisfied y - answered x)`` is ``w (alpha y - beta u)`` with
    ``alpha = satisfied - answered`` and ``beta = answered``.
    """
    alpha = coefficients.satisfied - coefficients.answered
    beta = coefficients.answered
    share_var = between.share.copy()
    for c in range(criteria.n_criteria):
        column = np.array([c])
        share_var[:, c] += within.variance(
            alpha[:, column], beta[:, column], column, between.share[:, c]
        )
    factor_var = between.factor.copy()
    alpha = alpha * weights.factor
    beta = beta * weights.factor
    for f in range(len(criteria.factor_codes)):
        columns = np.flatnonzero(criteria.factor_of_criterion == f)
        factor_var[:, f] += within.variance(
            alpha[:, columns], beta[:, columns], columns, between.factor[:, f]
        )
    index_weight = weights.index[:, criteria.factor_of_criterion]
    index_var = between.index + within.variance(
        alpha * index_weight,
        beta * index_weight,
        np.arange(criteria.n_criteria),
        between.index,
    )
    return Variances(share_var, factor_var, index_var)
