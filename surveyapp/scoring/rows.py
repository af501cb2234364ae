"""From per-domain totals and variances to the rows of :class:`Results`.

Both estimators (:func:`~surveyapp.scoring.estimate` on responses and
:func:`~surveyapp.scoring.estimate_totals` on cell totals) end here, so every
row is made by one rule: the share interval, NCHS effective n and flags of
criterion rows; the composite estimate, interval and flags of factor and index
rows (see :mod:`~surveyapp.scoring.intervals`, :mod:`~surveyapp.scoring.flags`
and :mod:`~surveyapp.scoring.composites`). Standard errors below 1e-12 are
rounding noise of an exactly zero variance and are reported as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surveyapp.scoring.composites import (
    CompositeWeights,
    FactorRange,
    composite_estimates,
    criteria_counts,
)
from surveyapp.scoring.data import Criteria
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

#: A standard error below this is the rounding noise of a zero variance.
ZERO_SE = 1e-12

FloatArray = NDArray[np.float64]
#: Criteria answered (D, F + 1) and criteria in all, (F + 1,) or (D, F + 1).
CriteriaCounts = tuple[NDArray[np.int64], NDArray[np.int64]]


@dataclass(frozen=True)
class Settings:
    """The caller's choices of the estimators, validated."""

    method: IntervalMethod
    level: float
    composite_method: CompositeMethod
    complement_rule: bool


@dataclass(frozen=True, eq=False)
class DomainTotals:
    """Weighted totals per domain and criterion, each (D, C).

    ``n``: responses that answered; ``df``: their PSUs minus their strata.
    """

    answered_weight: FloatArray
    satisfied_weight: FloatArray
    score_weight: FloatArray
    n: NDArray[np.int64]
    df: NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Variances:
    """Linearised variances of shares (D, C), factors (D, F) and the index (D,)."""

    share: FloatArray
    factor: FloatArray
    index: FloatArray


@dataclass(frozen=True, eq=False)
class DomainEstimates:
    """What the rows are made of, for D domains and C criteria.

    ``share`` and ``mean_score`` (D, C), NaN where nobody answered;
    ``responses`` and ``df`` int64 (D,): every response of the domain, and its
    PSUs minus its strata (the n and df of factor and index rows);
    ``factor_range``: bounds of the factors (pooled estimates only).
    """

    totals: DomainTotals
    share: FloatArray
    mean_score: FloatArray
    weights: CompositeWeights
    variances: Variances
    responses: NDArray[np.int64]
    df: NDArray[np.int64]
    factor_range: FactorRange | None = None


def standard_error(variance: FloatArray) -> FloatArray:
    """``sqrt(variance)``, 0 where that is below :data:`ZERO_SE`."""
    se = np.sqrt(np.maximum(variance, 0.0))
    se[se < ZERO_SE] = 0.0
    return se


def checked_settings(
    method: IntervalMethod,
    level: float,
    composite_method: CompositeMethod,
    complement_rule: bool,
) -> Settings:
    """Validate the method names and the level; raise ``ValueError`` if wrong."""
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
    return Settings(method, check_level(level), composite_method, complement_rule)


def results_table(
    criteria: Criteria,
    names: Sequence[str],
    estimates: DomainEstimates,
    settings: Settings,
) -> Results:
    """Every criterion, factor and index row of every domain, in output order."""
    share_rows = _criterion_rows(
        estimates.share,
        estimates.variances.share,
        estimates.mean_score,
        estimates.totals,
        settings,
    )
    composite_rows = _composite_rows(criteria, estimates, settings)
    return _results_table(criteria, names, share_rows, composite_rows, settings)


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


def _criterion_rows(
    share: FloatArray,
    share_var: FloatArray,
    mean_score: FloatArray,
    totals: DomainTotals,
    settings: Settings,
) -> _RowBlock:
    """Criterion rows (D, C): the share interval, NCHS ``n_eff`` and flags."""
    share_se = np.where(np.isfinite(share), standard_error(share_var), np.nan)
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


def composite_table(
    criteria: Criteria,
    names: Sequence[str],
    estimates: DomainEstimates,
    settings: Settings,
    counts: CriteriaCounts,
) -> Results:
    """Only the factor and index rows of every domain, in output order.

    For estimates whose criteria have no rows of their own (pooled versions):
    ``counts`` gives the criteria answered (D, F + 1) of the criteria there
    are (F + 1,) or (D, F + 1) for the composite flags.
    """
    block = _composite_rows(criteria, estimates, settings, counts)
    n_composites = len(criteria.factor_codes) + 1

    def rows(values: NDArray[np.generic]) -> NDArray[np.generic]:
        return np.asarray(values).reshape(-1)

    return Results(
        domain=np.repeat(np.array(list(names), dtype=object), n_composites),
        level=np.tile(
            np.array([FACTOR] * (n_composites - 1) + [INDEX], dtype=object),
            len(names),
        ),
        code=np.tile(
            np.array([*criteria.factor_codes, INDEX_CODE], dtype=object), len(names)
        ),
        n=rows(block.n).astype(np.int64),
        df=rows(block.df).astype(np.int64),
        estimate=rows(block.estimate).astype(np.float64),
        se=rows(block.se).astype(np.float64),
        ci_low=rows(block.low).astype(np.float64),
        ci_high=rows(block.high).astype(np.float64),
        n_eff=rows(block.n_eff).astype(np.float64),
        flag=rows(block.flag).astype(object),
        flag_reasons=rows(block.reasons).astype(object),
        mean_score=rows(block.mean_score).astype(np.float64),
        method=settings.method,
        confidence=settings.level,
        composite_method=settings.composite_method,
    )


def _composite_rows(
    criteria: Criteria,
    estimates: DomainEstimates,
    settings: Settings,
    counts: CriteriaCounts | None = None,
) -> _RowBlock:
    """Factor and index rows (D, F + 1): composite interval, ``n_eff``, flags;
    ``counts`` by default :func:`~surveyapp.scoring.composites.criteria_counts`.
    """
    share = estimates.share
    variances = estimates.variances
    estimate_, score = composite_estimates(
        criteria,
        share,
        estimates.mean_score,
        estimates.weights,
        estimates.factor_range,
    )
    se = np.where(
        np.isfinite(estimate_),
        standard_error(np.column_stack([variances.factor, variances.index])),
        np.nan,
    )
    n_composites = estimate_.shape[1]
    n = np.repeat(estimates.responses[:, None], n_composites, axis=1)
    df = np.repeat(estimates.df[:, None], n_composites, axis=1)
    if counts is None:
        counts = criteria_counts(criteria, np.isfinite(share))
    criteria_used, criteria_total = counts
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
    criteria: Criteria,
    names: Sequence[str],
    share_rows: _RowBlock,
    composite_rows: _RowBlock,
    settings: Settings,
) -> Results:
    """Interleave per domain: its criteria, then its factors, then the index."""
    n_domains = len(names)
    n_criteria = criteria.n_criteria
    n_factors = len(criteria.factor_codes)
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
        [*criteria.criterion_codes, *criteria.factor_codes, INDEX_CODE], dtype=object
    )
    levels = np.array(
        [CRITERION] * n_criteria + [FACTOR] * n_factors + [INDEX], dtype=object
    )
    return Results(
        domain=np.repeat(
            np.array(list(names), dtype=object), n_criteria + n_composites
        ),
        level=np.tile(levels, n_domains),
        code=np.tile(codes, n_domains),
        n=rows(share_rows.n, composite_rows.n).astype(np.int64),
        df=rows(share_rows.df, composite_rows.df).astype(np.int64),
        estimate=rows(share_rows.estimate, composite_rows.estimate).astype(np.float64),
        se=rows(share_rows.se, composite_rows.se).astype(np.float64),
        ci_low=rows(share_rows.low, composite_rows.low).astype(np.float64),
        ci_high=rows(share_rows.high, composite_rows.high).astype(np.float64),
        n_eff=rows(share_rows.n_eff, composite_rows.n_eff).astype(np.float64),
        flag=rows(share_rows.flag, composite_rows.flag).astype(object),
        flag_reasons=rows(share_rows.reasons, composite_rows.reasons).astype(object),
        mean_score=rows(share_rows.mean_score, composite_rows.mean_score).astype(
            np.float64
        ),
        method=settings.method,
        confidence=settings.level,
        composite_method=settings.composite_method,
    )
