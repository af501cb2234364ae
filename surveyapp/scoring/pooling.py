"""The arithmetic of pooled estimates: see :mod:`surveyapp.scoring.pooled`.

The criteria of every version are laid side by side as one set of C columns,
grouped by pooled factor (:class:`Pooling`); a response answers only its own
version's columns. A pooled factor is then a linear composite ``sum_c L_dc
P_dc`` of those shares, with ``L_dc = s_vfd / m_vfd`` for a criterion c of
version v's factor corresponding to f that has answers in d (``m_vfd`` such
criteria, ``s_vfd`` the version's share), so the composite machinery of
:mod:`surveyapp.scoring.composites` and :mod:`surveyapp.scoring.estimates`
gives the estimate and most of the influence values. What the shares add is
one term per response, constant in each (version, domain): ``w_i (F_vfd -
F_fd) / N_fd`` (:func:`version_shares`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from surveyapp.scoring.composites import CompositeWeights, FactorRange
from surveyapp.scoring.estimates import (
    Coefficients,
    PairValues,
    domain_totals,
    linearised_variances,
    ratios,
)
from surveyapp.scoring.rows import CriteriaCounts, DomainEstimates, Variances
from surveyapp.scoring.variance import DomainDesign
from surveyapp.scoring.within import WithinCells

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class FactorLayout(Protocol):
    """What pooling reads of a version's criteria: their factors.

    :class:`~surveyapp.scoring.totals.CellTotals`,
    :class:`~surveyapp.scoring.data.SurveyData` and
    :class:`~surveyapp.scoring.data.CriterionLayout` are all one.
    """

    @property
    def factor_codes(self) -> tuple[str, ...]: ...

    @property
    def factor_of_criterion(self) -> IntArray: ...


@dataclass(frozen=True, eq=False)
class Pooling:
    """Every version's criteria as C joint columns, grouped by pooled factor.

    A :class:`~surveyapp.scoring.data.Criteria`: ``criterion_codes`` (C,)
    ``F<f>.<k>`` (pooled factor f, k-th of its joint criteria), so they are
    already in numerical order; ``factor_codes`` (F,) the pooled codes;
    ``factor_of_criterion`` (C,). Also ``part_of_criterion`` (C,), the version
    (part) of each column, and ``columns`` (one (C_v,) array per part), the
    joint column of each of the part's criteria in the part's order.
    """

    criterion_codes: tuple[str, ...]
    factor_codes: tuple[str, ...]
    factor_of_criterion: IntArray
    part_of_criterion: IntArray
    columns: tuple[IntArray, ...]

    @property
    def n_criteria(self) -> int:
        """Number of joint criteria C."""
        return len(self.criterion_codes)

    @property
    def n_parts(self) -> int:
        """Number of versions V."""
        return len(self.columns)

    @property
    def group_of_criterion(self) -> IntArray:
        """(C,) the (version, pooled factor) group ``v F + f`` of each column."""
        return (
            self.part_of_criterion * len(self.factor_codes) + self.factor_of_criterion
        )

    @classmethod
    def of(
        cls,
        parts: Sequence[FactorLayout],
        codes: Sequence[str],
        factors: Sequence[Sequence[str]],
    ) -> Pooling:
        """Lay out ``parts``; ``factors[v][f]`` is part v's factor pooled as
        ``codes[f]`` (checked by the caller)."""
        pooled_factor = [
            np.array([list(factors[v]).index(code) for code in part.factor_codes])[
                part.factor_of_criterion
            ]
            for v, part in enumerate(parts)
        ]
        columns = [np.empty(p.factor_of_criterion.size, dtype=np.int64) for p in parts]
        names: list[str] = []
        factor_of: list[int] = []
        part_of: list[int] = []
        for f in range(len(codes)):  # a loop over factors and criteria, not data
            for v, part_factor in enumerate(pooled_factor):
                for j in np.flatnonzero(part_factor == f):
                    columns[v][j] = len(names)
                    names.append(f"F{f + 1}.{factor_of.count(f) + 1}")
                    factor_of.append(f)
                    part_of.append(v)
        return cls(
            criterion_codes=tuple(names),
            factor_codes=tuple(codes),
            factor_of_criterion=np.array(factor_of, dtype=np.int64),
            part_of_criterion=np.array(part_of, dtype=np.int64),
            columns=tuple(columns),
        )


@dataclass(frozen=True, eq=False)
class VersionShares:
    """Composite weights of the pooled factors and what their variance adds.

    ``weights``: ``factor`` (D, C) the ``L_dc`` of the module docstring and
    ``index`` (D, F), 1 / (pooled factors with data); ``gamma`` (D, G), G = V
    F groups: ``(F_vfd - F_fd) / N_fd`` where version v has data for f in d,
    else 0; ``counts``: criteria answered and in all, for the flags.
    """

    weights: CompositeWeights
    gamma: FloatArray
    counts: CriteriaCounts
    factor_range: FactorRange


def version_shares(
    pooling: Pooling,
    population: FloatArray,
    has_data: NDArray[np.bool_],
    share_and_score: tuple[FloatArray, FloatArray],
) -> VersionShares:
    """The pooled factors' weights from ``population`` (D, V), N_vd, and
    ``has_data`` and ``share_and_score`` (D, C) each, the joint
    criteria's.

    A version without answers to any criterion of f in d gets no share of f
    there, and the others' shares are renormalised (``N_fd`` sums only the
    versions with data). With one version, ``s = N / N = 1`` exactly, so the
    weights are :func:`~surveyapp.scoring.composites.composite_weights`'s.
    """
    n_factors = len(pooling.factor_codes)
    n_groups = pooling.n_parts * n_factors
    group = pooling.group_of_criterion
    in_group = _indicator(group, n_groups)  # (C, G)
    group_factor = _indicator(np.arange(n_groups) % n_factors, n_factors)  # (G, F)
    group_part = np.arange(n_groups) // n_factors
    answered = has_data.astype(np.float64) @ in_group  # (D, G) m_vfd
    group_has = answered > 0
    group_population = np.where(group_has, population[:, group_part], 0.0)
    factor_population = group_population @ group_factor  # (D, F) N_fd
    factor_of_group = np.arange(n_groups) % n_factors
    with np.errstate(divide="ignore", invalid="ignore"):
        share_of_group = np.where(
            group_has, group_population / factor_population[:, factor_of_group], 0.0
        )
        per_criterion = np.where(group_has, 1.0 / answered, 0.0)
    within_group = has_data * per_criterion[:, group]  # (D, C): 1 / m_vfd
    group_estimate, group_score = (
        (np.nan_to_num(ratio, nan=0.0) * within_group) @ in_group
        for ratio in share_and_score
    )
    factor_range = _factor_range(
        group_estimate, group_score, group_has, pooling.n_parts
    )
    pooled = (share_of_group * group_estimate) @ group_factor  # (D, F) F_fd
    pooled = np.fmin(np.fmax(pooled, factor_range.low), factor_range.high)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(
            group_has,
            (group_estimate - pooled[:, factor_of_group])
            / factor_population[:, factor_of_group],
            0.0,
        )
    factor_has = factor_population > 0
    factors_with_data = factor_has.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        index_weight = np.where(factor_has, 1.0 / factors_with_data, 0.0)
    weights = CompositeWeights(
        has_data * (share_of_group * per_criterion)[:, group], index_weight
    )
    counts = _criteria_counts(pooling, population > 0, has_data, in_group, group_factor)
    return VersionShares(weights, gamma, counts, factor_range)


def _factor_range(
    group_estimate: FloatArray,
    group_score: FloatArray,
    group_has: NDArray[np.bool_],
    n_parts: int,
) -> FactorRange:
    """The lowest and highest of the versions' factors (D, G) per pooled
    factor (D, F), NaN where no version has data."""
    n_domains = group_has.shape[0]

    def by_version(values: FloatArray) -> FloatArray:
        masked = np.where(group_has, values, np.nan)
        return masked.reshape(n_domains, n_parts, -1)

    estimate = by_version(group_estimate)
    score = by_version(group_score)
    return FactorRange(
        low=np.fmin.reduce(estimate, axis=1),
        high=np.fmax.reduce(estimate, axis=1),
        score_low=np.fmin.reduce(score, axis=1),
        score_high=np.fmax.reduce(score, axis=1),
    )


def _criteria_counts(
    pooling: Pooling,
    present: NDArray[np.bool_],
    has_data: NDArray[np.bool_],
    in_group: FloatArray,
    group_factor: FloatArray,
) -> CriteriaCounts:
    """Criteria answered (D, F + 1) of those of the versions present (D, F + 1).

    A version counts in a domain where it has responses (``present`` (D, V)),
    so a single-version domain counts as that version's own estimate does.
    """
    n_factors = len(pooling.factor_codes)
    used = has_data.astype(np.float64) @ in_group @ group_factor
    group_size = in_group.sum(axis=0)  # (G,)
    group_part = np.arange(group_size.size) // n_factors
    total = (present[:, group_part] * group_size) @ group_factor
    used_all = np.column_stack([used, used.sum(axis=1)])
    total_all = np.column_stack([total, total.sum(axis=1)])
    return np.rint(used_all).astype(np.int64), np.rint(total_all).astype(np.int64)


def pooled_estimates(
    pooling: Pooling,
    design: DomainDesign,
    values: PairValues,
    member_part: IntArray,
    member_count: FloatArray,
    within: Sequence[WithinCells] | None,
) -> tuple[DomainEstimates, CriteriaCounts]:
    """Totals, pooled weights and variances of every domain.

    ``values`` over the joint criteria; ``member_part`` (M,) each pair's
    version; ``member_count`` (M,) its responses (1, or a cell's n_k);
    ``within``: each part's within-cell sums, for cell totals.
    """
    totals = domain_totals(design, values, pooling.n_criteria)
    share, mean_score = ratios(totals)
    member_total = values.weight * member_count
    population = np.column_stack(
        [
            design.domain_sums(design.cell_sums(member_total * (member_part == v)))
            for v in range(pooling.n_parts)
        ]
    )
    shares = version_shares(
        pooling, population, totals.answered_weight > 0, (share, mean_score)
    )
    coefficients = Coefficients.of(totals, share)
    n_factors = len(pooling.factor_codes)
    # Influence of the version shares: w_i (F_vfd - F_fd) / N_fd per pair.
    group = member_part[None, :] * n_factors + np.arange(n_factors)[:, None]
    extra = member_total * shares.gamma[design.member_domain[None, :], group]
    variances = linearised_variances(
        design, pooling, values, coefficients, shares.weights, extra
    )
    if within is not None:
        variances = _add_within(variances, within, pooling, coefficients, shares)
    estimates = DomainEstimates(
        totals=totals,
        share=share,
        mean_score=mean_score,
        weights=shares.weights,
        variances=variances,
        responses=design.domain_responses,
        df=design.domain_df,
        factor_range=shares.factor_range,
    )
    return estimates, shares.counts


def _add_within(
    between: Variances,
    within: Sequence[WithinCells],
    pooling: Pooling,
    coefficients: Coefficients,
    shares: VersionShares,
) -> Variances:
    """Add each version's within-cell part to the factors' and index's.

    The share term is constant inside a cell (one version, one weight), so it
    adds nothing within cells; the rest is ``estimates._add_within``'s form
    with the pooled weights. Shares keep their between-cells part only: the
    pooled rows do not report them.
    """
    weights = shares.weights
    alpha = (coefficients.satisfied - coefficients.answered) * weights.factor
    beta = coefficients.answered * weights.factor
    to_index = weights.index[:, pooling.factor_of_criterion]
    factor_var = between.factor.copy()
    index_var = between.index.copy()
    for part_within, joint in zip(within, pooling.columns, strict=True):
        local = np.arange(joint.size)
        part_factor = pooling.factor_of_criterion[joint]
        for f in range(len(pooling.factor_codes)):
            cols = local[part_factor == f]
            factor_var[:, f] += part_within.variance(
                alpha[:, joint[cols]], beta[:, joint[cols]], cols, between.factor[:, f]
            )
        index_var += part_within.variance(
            alpha[:, joint] * to_index[:, joint],
            beta[:, joint] * to_index[:, joint],
            local,
            between.index,
        )
    return Variances(between.share, factor_var, index_var)


def _indicator(codes: IntArray, size: int) -> FloatArray:
    """(len(codes), size) one-hot rows."""
    matrix = np.zeros((codes.size, size))
    matrix[np.arange(codes.size), codes] = 1.0
    return matrix
