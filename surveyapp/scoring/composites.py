"""Factor indices and the SIPAS index: how composites average the criteria.

Formulas (SIPAS convention, QĐ 2640/QĐ-BNV and QĐ 1001/QĐ-BNV; the reference's
``oracle.R``): factor index ``F_f`` = mean of the shares ``P_c`` over the
factor's criteria; overall index ``SIPAS`` = mean of the ``F_f``. Mean scores
average the same way.

Missing values: a factor averages only the criteria that have answers in the
domain, and the index only the factors that do; with none, there is no estimate
(NaN). The weights that express this also give the composites' influence
values in :mod:`surveyapp.scoring.estimates`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surveyapp.scoring.data import Criteria

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class CompositeWeights:
    """How composites average: ``factor`` (D, C) and ``index`` (D, F).

    ``factor``: 1 / (criteria of the factor with data in the domain), 0 for
    criteria without data; ``index``: 1 / (factors with data), 0 for factors
    without.
    """

    factor: FloatArray
    index: FloatArray


def composite_weights(
    criteria: Criteria, has_data: NDArray[np.bool_]
) -> CompositeWeights:
    """Weights of the criteria in each factor and of the factors in the index."""
    n_factors = len(criteria.factor_codes)
    membership = np.zeros((criteria.n_criteria, n_factors))
    membership[np.arange(criteria.n_criteria), criteria.factor_of_criterion] = 1.0
    available = has_data.astype(np.float64)
    criteria_per_factor = available @ membership  # (D, F)
    with np.errstate(divide="ignore"):
        per_criterion = np.where(
            criteria_per_factor > 0, 1.0 / criteria_per_factor, 0.0
        )
    factor_weight = available * per_criterion[:, criteria.factor_of_criterion]
    factor_has_data = criteria_per_factor > 0
    factors_with_data = factor_has_data.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        index_weight = np.where(factor_has_data, 1.0 / factors_with_data, 0.0)
    return CompositeWeights(factor_weight, index_weight)


@dataclass(frozen=True, eq=False)
class FactorRange:
    """Where each factor's estimate and mean score must lie, each (D, F).

    A pooled factor (:mod:`surveyapp.scoring.pooled`) is a weighted mean of
    its versions' factors, so it lies between them; rounding can leave it a
    hair outside (0.9999999999999999 from versions all at 1), which would
    change its interval and flags, so it is clipped back. NaN: no bound.
    """

    low: FloatArray
    high: FloatArray
    score_low: FloatArray
    score_high: FloatArray


def composite_estimates(
    criteria: Criteria,
    share: FloatArray,
    mean_score: FloatArray,
    weights: CompositeWeights,
    factor_range: FactorRange | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Estimates and mean scores of the factors, then the index: (D, F + 1) each.

    NaN where the factor (or every factor, for the index) has no criteria.
    Factors are clipped into ``factor_range`` if given.
    """
    factor_has_data = weights.index > 0
    factor_estimate = np.where(
        factor_has_data,
        _per_factor(np.nan_to_num(share, nan=0.0) * weights.factor, criteria),
        np.nan,
    )
    factor_score = np.where(
        factor_has_data,
        _per_factor(np.nan_to_num(mean_score) * weights.factor, criteria),
        np.nan,
    )
    if factor_range is not None:
        factor_estimate = np.fmin(
            np.fmax(factor_estimate, factor_range.low), factor_range.high
        )
        factor_score = np.fmin(
            np.fmax(factor_score, factor_range.score_low), factor_range.score_high
        )
    index_has_data = factor_has_data.any(axis=1)
    index_estimate = np.where(
        index_has_data,
        (np.nan_to_num(factor_estimate) * weights.index).sum(axis=1),
        np.nan,
    )
    index_score = np.where(
        index_has_data,
        (np.nan_to_num(factor_score) * weights.index).sum(axis=1),
        np.nan,
    )
    return (
        np.column_stack([factor_estimate, index_estimate]),
        np.column_stack([factor_score, index_score]),
    )


def criteria_counts(
    criteria: Criteria, has_data: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Criteria with answers (D, F + 1) and criteria in all (F + 1,) per composite.

    The flags tell a composite that averages only some of its criteria.
    """
    n_factors = len(criteria.factor_codes)
    criteria_total = np.bincount(criteria.factor_of_criterion, minlength=n_factors)
    used_per_factor = has_data.astype(np.int64) @ _membership(criteria)
    criteria_used = np.column_stack([used_per_factor, used_per_factor.sum(axis=1)])
    return criteria_used, np.append(criteria_total, criteria.n_criteria)


def _membership(criteria: Criteria) -> NDArray[np.int64]:
    """(C, F) indicator of each criterion's factor."""
    membership = np.zeros(
        (criteria.n_criteria, len(criteria.factor_codes)), dtype=np.int64
    )
    membership[np.arange(criteria.n_criteria), criteria.factor_of_criterion] = 1
    return membership


def _per_factor(values: FloatArray, criteria: Criteria) -> FloatArray:
    """Sum (D, C) values over each factor's criteria -> (D, F)."""
    summed: FloatArray = values @ _membership(criteria).astype(np.float64)
    return summed
