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

Missing values: a criterion nobody in the domain answered has no estimate (NaN,
flagged ``"no data"``). A factor then averages the criteria that do have
answers there, and the index the factors that do (flagged ``"review"``); with
none, it has no estimate either. Standard errors below 1e-12 are rounding noise
of an exactly zero variance and are reported as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surveyapp.scoring.composites import (
    CompositeWeights,
    composite_estimates,
    composite_weights,
    criteria_counts,
)
from surveyapp.scoring.data import SATISFIED_FROM, SurveyData
from surveyapp.scoring.domains import DomainSpec
from surveyapp.scoring.flags import composite_flags, share_flags
from surveyapp.scoring.intervals import (
    COMPOSITE_METHODS,
    INTERVAL_METHODS,
    CompositeMethod,
    IntervalMethod,
    check_level,
    composite_interval,
    nchs_effective_n,
    share_interval,
)
from surveyapp.scoring.results import CRITERION, FACTOR, INDEX, INDEX_CODE, Results
from surveyapp.scoring.variance import DomainDesign, build_domain_design

#: A standard error below this is the rounding noise of a zero variance.
ZERO_SE = 1e-12

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class _Settings:
    """The caller's choices of :func:`estimate`, validated."""

    method: IntervalMethod
    level: float
    composite_method: CompositeMethod
    complement_rule: bool


@dataclass(frozen=True, eq=False)
class _Totals:
    """Weighted totals per domain and criterion, each (D, C)."""

    answered_weight: FloatArray
    satisfied_weight: FloatArray
    score_weight: FloatArray
    n: NDArray[np.int64]
    df: NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class _Variances:
    """Linearised variances of shares (D, C), factors (D, F) and the index (D,)."""

    share: FloatArray
    factor: FloatArray
    index: FloatArray


@dataclass(frozen=True, eq=False)
class _RowBlock:
    """One kind of row for every domain, each array D x k values.

    Criterion rows have k = C, composite rows (factors, then the index)
    k = F + 1; arrays may be (D, k) or flat (D * k,), in domain-major order.
    Undefined values are NaN.
    """

    n: NDArray[np.int64]
    df: NDArray[np.int64]
    estimate: FloatArray
    se: FloatArray
    low: FloatArray
    high: FloatArray
    n_eff: FloatArray
    flag: NDArray[np.object_]
    reasons: NDArray[np.object_]
    mean_score: FloatArray


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
    settings = _checked_settings(method, level, composite_method, complement_rule)
    design = build_domain_design(data, domains)
    # Per-pair copies of the answers and weights: criteria are then read as
    # contiguous rows instead of gathering from the response arrays each time.
    answers_by_criterion = np.ascontiguousarray(data.answers.T)[
        :, design.member_response
    ]
    member_weight = data.weights[design.member_response]
    totals = _domain_totals(design, answers_by_criterion, member_weight)
    share, mean_score = _ratios(totals)
    weights = composite_weights(data, totals.answered_weight > 0)
    variances = _linearised_variances(
        design, data, answers_by_criterion, member_weight, totals, share, weights
    )
    criteria = _criterion_rows(share, variances.share, mean_score, totals, settings)
    composites = _composite_rows(
        data, design, share, mean_score, weights, variances, settings
    )
    return _results_table(data, domains, criteria, composites, settings)


def _checked_settings(
    method: IntervalMethod,
    level: float,
    composite_method: CompositeMethod,
    complement_rule: bool,
) -> _Settings:
    if method not in INTERVAL_METHODS:
        raise ValueError(
            f"unknown interval method {method!r}; "
            f"use one of {', '.join(INTERVAL_METHODS)}"
        )
    if composite_method not in COMPOSITE_METHODS:
        raise ValueError(
            f"unknown composite interval method {composite_method!r}; "
            f"use one of {', '.join(COMPOSITE_METHODS)}"
        )
    return _Settings(method, check_level(level), composite_method, complement_rule)


def _domain_totals(
    design: DomainDesign,
    answers_by_criterion: NDArray[np.int8],
    member_weight: FloatArray,
) -> _Totals:
    n_criteria = answers_by_criterion.shape[0]
    shape = (design.n_domains, n_criteria)
    answered_weight = np.empty(shape)
    satisfied_weight = np.empty(shape)
    score_weight = np.empty(shape)
    n = np.empty(shape, dtype=np.int64)
    df = np.empty(shape, dtype=np.int64)
    for c in range(n_criteria):  # a loop over the C criteria, not over rows
        answer = answers_by_criterion[c]
        answered = answer > 0
        # Sums per (domain, stratum) cell first: the cells also give the
        # strata count for df, and domain totals are then cheap.
        answered_per_cell = design.cell_sums(answered.astype(np.float64))
        weight_answered = design.cell_sums(member_weight * answered)
        answered_weight[:, c] = design.domain_sums(weight_answered)
        satisfied_weight[:, c] = design.domain_sums(
            design.cell_sums(member_weight * (answer >= SATISFIED_FROM))
        )
        # sum w (a - 1) / 4 over answers = (sum w a - sum w [answered]) / 4,
        # since a is 0 where not answered.
        weighted_answer = design.domain_sums(design.cell_sums(member_weight * answer))
        score_weight[:, c] = (weighted_answer - answered_weight[:, c]) / 4.0
        n[:, c], df[:, c] = design.answered_counts(answered, answered_per_cell)
    return _Totals(answered_weight, satisfied_weight, score_weight, n, df)


def _ratios(totals: _Totals) -> tuple[FloatArray, FloatArray]:
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


def _linearised_variances(
    design: DomainDesign,
    data: SurveyData,
    answers_by_criterion: NDArray[np.int8],
    member_weight: FloatArray,
    totals: _Totals,
    share: FloatArray,
    weights: CompositeWeights,
) -> _Variances:
    """Variances of shares, factors and the index from one pass over criteria."""
    member_domain = design.member_domain
    share_var = np.empty_like(share)
    factor_var = np.empty((design.n_domains, len(data.factor_codes)))
    # Per-domain coefficients, criterion-major so each gather reads one row:
    # z = w ([a >= 4] / X - [answered] P / X).
    inverse_total = np.zeros_like(totals.answered_weight)
    np.divide(
        1.0,
        totals.answered_weight,
        out=inverse_total,
        where=totals.answered_weight > 0,
    )
    satisfied_coefficient = np.ascontiguousarray(inverse_total.T)
    answered_coefficient = np.ascontiguousarray(
        (np.nan_to_num(share, nan=0.0) * inverse_total).T
    )
    factor_weight_t = np.ascontiguousarray(weights.factor.T)
    index_weight_t = np.ascontiguousarray(weights.index.T)
    index_influence = np.zeros(member_domain.size)
    for f in range(len(data.factor_codes)):
        factor_influence = np.zeros(member_domain.size)
        for c in np.flatnonzero(data.factor_of_criterion == f):
            answer = answers_by_criterion[c]
            influence = np.where(
                answer >= SATISFIED_FROM, satisfied_coefficient[c][member_domain], 0.0
            )
            influence -= np.where(
                answer > 0, answered_coefficient[c][member_domain], 0.0
            )
            influence *= member_weight
            share_var[:, c] = design.variance(influence)
            influence *= factor_weight_t[c][member_domain]
            factor_influence += influence
        factor_var[:, f] = design.variance(factor_influence)
        factor_influence *= index_weight_t[f][member_domain]
        index_influence += factor_influence
    index_var = design.variance(index_influence)
    return _Variances(share_var, factor_var, index_var)


def _standard_error(variance: FloatArray) -> FloatArray:
    se = np.sqrt(np.maximum(variance, 0.0))
    se[se < ZERO_SE] = 0.0
    return se


def _criterion_rows(
    share: FloatArray,
    share_var: FloatArray,
    mean_score: FloatArray,
    totals: _Totals,
    settings: _Settings,
) -> _RowBlock:
    """Criterion rows (D, C): the share interval, NCHS ``n_eff`` and flags."""
    share_se = np.where(np.isfinite(share), _standard_error(share_var), np.nan)
    flat_p = share.ravel()
    flat_se = share_se.ravel()
    flat_n = totals.n.ravel()
    flat_df = totals.df.ravel()
    defined = np.isfinite(flat_p)
    low = np.full(flat_p.shape, np.nan)
    high = np.full(flat_p.shape, np.nan)
    low[defined], high[defined] = share_interval(
        settings.method,
        flat_p[defined],
        flat_se[defined],
        flat_n[defined],
        flat_df[defined],
        settings.level,
    )
    n_eff = np.full(flat_p.shape, np.nan)
    n_eff[defined] = nchs_effective_n(
        flat_p[defined], flat_se[defined], flat_n[defined]
    )
    flag, reasons = share_flags(
        flat_p,
        flat_n,
        n_eff,
        flat_df,
        low,
        high,
        complement_rule=settings.complement_rule,
    )
    return _RowBlock(
        totals.n,
        totals.df,
        share,
        share_se,
        low,
        high,
        n_eff,
        flag,
        reasons,
        mean_score,
    )


def _composite_rows(
    data: SurveyData,
    design: DomainDesign,
    share: FloatArray,
    mean_score: FloatArray,
    weights: CompositeWeights,
    variances: _Variances,
    settings: _Settings,
) -> _RowBlock:
    """Factor and index rows (D, F + 1): composite interval, ``n_eff``, flags."""
    estimate_, score = composite_estimates(data, share, mean_score, weights)
    se = np.where(
        np.isfinite(estimate_),
        _standard_error(np.column_stack([variances.factor, variances.index])),
        np.nan,
    )
    n_composites = estimate_.shape[1]
    n = np.repeat(design.domain_responses[:, None], n_composites, axis=1)
    df = np.repeat(design.domain_df[:, None], n_composites, axis=1)
    criteria_used, criteria_total = criteria_counts(data, np.isfinite(share))
    flat_estimate = estimate_.ravel()
    flat_se = se.ravel()
    flat_n = n.ravel()
    flat_df = df.ravel()
    defined = np.isfinite(flat_estimate)
    low = np.full(flat_estimate.shape, np.nan)
    high = np.full(flat_estimate.shape, np.nan)
    n_eff = np.full(flat_estimate.shape, np.nan)
    low[defined], high[defined] = composite_interval(
        settings.composite_method,
        flat_estimate[defined],
        flat_se[defined],
        flat_n[defined],
        flat_df[defined],
        settings.level,
    )
    n_eff[defined] = nchs_effective_n(
        flat_estimate[defined], flat_se[defined], flat_n[defined]
    )
    flag, reasons = composite_flags(
        flat_estimate,
        flat_n,
        n_eff,
        flat_df,
        low,
        high,
        criteria_used.ravel(),
        np.broadcast_to(criteria_total, estimate_.shape).ravel(),
    )
    return _RowBlock(n, df, estimate_, se, low, high, n_eff, flag, reasons, score)


def _results_table(
    data: SurveyData,
    domains: DomainSpec,
    criteria: _RowBlock,
    composites: _RowBlock,
    settings: _Settings,
) -> Results:
    """Interleave per domain: its criteria, then its factors, then the index."""
    n_domains = domains.n_domains
    n_criteria = data.n_criteria
    n_factors = len(data.factor_codes)
    n_composites = n_factors + 1

    def rows(
        criterion_part: NDArray[np.generic], composite_part: NDArray[np.generic]
    ) -> NDArray[np.generic]:
        return np.concatenate(
            [
                criterion_part.reshape(n_domains, n_criteria),
                composite_part.reshape(n_domains, n_composites),
            ],
            axis=1,
        ).ravel()

    codes = np.array(
        [*data.criterion_codes, *data.factor_codes, INDEX_CODE], dtype=object
    )
    levels = np.array(
        [CRITERION] * n_criteria + [FACTOR] * n_factors + [INDEX], dtype=object
    )
    return Results(
        domain=np.repeat(
            np.array(domains.names, dtype=object), n_criteria + n_composites
        ),
        level=np.tile(levels, n_domains),
        code=np.tile(codes, n_domains),
        n=rows(criteria.n, composites.n).astype(np.int64),
        df=rows(criteria.df, composites.df).astype(np.int64),
        estimate=rows(criteria.estimate, composites.estimate).astype(np.float64),
        se=rows(criteria.se, composites.se).astype(np.float64),
        ci_low=rows(criteria.low, composites.low).astype(np.float64),
        ci_high=rows(criteria.high, composites.high).astype(np.float64),
        n_eff=rows(criteria.n_eff, composites.n_eff).astype(np.float64),
        flag=rows(criteria.flag, composites.flag).astype(object),
        flag_reasons=rows(criteria.reasons, composites.reasons).astype(object),
        mean_score=rows(criteria.mean_score, composites.mean_score).astype(np.float64),
        method=settings.method,
        confidence=settings.level,
        composite_method=settings.composite_method,
    )
