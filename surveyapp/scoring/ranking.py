"""Ranks with uncertainty: joint confidence intervals for ranks.

Source: Klein, Wright & Wieczorek (2020), "A joint confidence region for an
overall ranking of populations", JRSS C 69(3). With K units, build
simultaneous intervals ``[L_k, U_k]`` at familywise level ``level`` by Šidák:
each unit's interval has level ``level ** (1/K)``, i.e. the individual
``alpha_1 = 1 - (1 - alpha) ** (1/K)`` for ``alpha = 1 - level``. The
intervals are any valid ones at that level: :func:`rank_domains` uses the
results' own methods (for the SIPAS index and factors the asymmetric logit
composite interval of :mod:`surveyapp.scoring.intervals`), and
:func:`rank_intervals` without ``interval`` uses ``estimate +/- t_df se`` (a
normal quantile where df is infinite). Then, with rank 1 the highest estimate,

    rank_k in [1 + #{j: L_j > U_k},  K - #{j: U_j < L_k}]

holds for all k together with probability at least ``level``. Units that fail
the reliability rules are left out of K and reported unranked; they are never
dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from surveyapp.scoring.flags import NO_DATA, SUPPRESS
from surveyapp.scoring.intervals import (
    CompositeMethod,
    IntervalMethod,
    check_level,
    composite_interval,
    share_interval,
)
from surveyapp.scoring.results import CRITERION, INDEX, INDEX_CODE, Results

#: ``(estimate, se, n, df, level) -> (low, high)``, arrays (K,).
IntervalFunction = Callable[
    [
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.float64],
        float,
    ],
    tuple[NDArray[np.float64], NDArray[np.float64]],
]


@dataclass(frozen=True, eq=False)
class RankIntervals:
    """Joint rank intervals for units, all arrays (U,).

    - ``ranked``: bool, whether the unit took part (K = ``ranked.sum()``);
    - ``best``, ``worst``: int64 rank bounds (1 = highest), 0 if unranked;
    - ``low``, ``high``: float64 the simultaneous intervals used (NaN if
      unranked); ``individual_level``: the per-unit level ``level ** (1/K)``.
    """

    ranked: NDArray[np.bool_]
    best: NDArray[np.int64]
    worst: NDArray[np.int64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    level: float
    individual_level: float

    @property
    def n_ranked(self) -> int:
        """K, the number of ranked units."""
        return int(self.ranked.sum())

    def labels(self) -> list[str]:
        """``"3–7 of 12"`` (or ``"4 of 12"`` when certain) per unit; ``"unranked"``."""
        total = self.n_ranked
        labels = []
        for ranked, best, worst in zip(
            self.ranked.tolist(), self.best.tolist(), self.worst.tolist(), strict=True
        ):
            if not ranked:
                labels.append("unranked")
            elif best == worst:
                labels.append(f"{best} of {total}")
            else:
                labels.append(f"{best}–{worst} of {total}")
        return labels


def rank_intervals(
    estimates: ArrayLike,
    ses: ArrayLike,
    dfs: ArrayLike,
    level: float = 0.95,
    eligible: ArrayLike | None = None,
    *,
    ns: ArrayLike | None = None,
    interval: IntervalFunction | None = None,
) -> RankIntervals:
    """Joint rank intervals (Klein, Wright & Wieczorek 2020) for U units.

    ``estimates``, ``ses`` (U,) float; ``dfs`` (U,) degrees of freedom (``inf``
    for a normal quantile); ``eligible`` (U,) bool, units to rank (default:
    all with a finite estimate and standard error and df >= 1). ``interval``
    builds each unit's interval at the individual level from ``(estimate, se,
    n, df, level)`` with ``ns`` (U,) the units' respondents (required with
    ``interval``); without it, ``estimate +/- t_df se``.
    """
    level = check_level(level)
    estimate_ = np.asarray(estimates, dtype=np.float64)
    se_ = np.asarray(ses, dtype=np.float64)
    df_ = np.asarray(dfs, dtype=np.float64)
    if not estimate_.shape == se_.shape == df_.shape or estimate_.ndim != 1:
        raise ValueError("estimates, ses and dfs must be 1-d arrays of one length")
    ranked = _rankable(estimate_, se_, df_, eligible)
    total = int(ranked.sum())
    low = np.full(estimate_.shape, np.nan)
    high = np.full(estimate_.shape, np.nan)
    best = np.zeros(estimate_.shape, dtype=np.int64)
    worst = np.zeros(estimate_.shape, dtype=np.int64)
    if total == 0:
        return RankIntervals(ranked, best, worst, low, high, level, level)
    individual_level = level ** (1.0 / total)
    if interval is None:
        low_k, high_k = _symmetric(
            estimate_[ranked], se_[ranked], df_[ranked], individual_level
        )
    else:
        if ns is None:
            raise ValueError("ns is required with interval")
        n_ = np.broadcast_to(np.asarray(ns, dtype=np.float64), estimate_.shape)
        low_k, high_k = interval(
            estimate_[ranked], se_[ranked], n_[ranked], df_[ranked], individual_level
        )
    best[ranked], worst[ranked] = _rank_bounds(low_k, high_k, total)
    low[ranked] = low_k
    high[ranked] = high_k
    return RankIntervals(ranked, best, worst, low, high, level, individual_level)


def _rankable(
    estimate: NDArray[np.float64],
    se: NDArray[np.float64],
    df: NDArray[np.float64],
    eligible: ArrayLike | None,
) -> NDArray[np.bool_]:
    """Units with a usable estimate, se and df that the caller lets take part."""
    ranked = np.isfinite(estimate) & np.isfinite(se) & (se >= 0) & (df >= 1)
    if eligible is not None:
        eligible_ = np.asarray(eligible, dtype=bool)
        if eligible_.shape != estimate.shape:
            raise ValueError("eligible must have the shape of estimates")
        ranked &= eligible_
    return ranked


def _rank_bounds(
    low: NDArray[np.float64], high: NDArray[np.float64], total: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Best and worst rank of each of K = ``total`` units from their intervals.

    Best is 1 + #{j: L_j > U_k}, worst K - #{j: U_j < L_k}; sorting the ends
    counts them for every k at once instead of comparing all K^2 pairs.
    """
    above = total - np.searchsorted(np.sort(low), high, side="right")
    below = np.searchsorted(np.sort(high), low, side="left")
    return 1 + above, total - below


def _symmetric(
    estimate: NDArray[np.float64],
    se: NDArray[np.float64],
    df: NDArray[np.float64],
    level: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``estimate +/- t_df se`` at ``level`` (normal quantile where df is inf)."""
    tail = (1.0 - level) / 2.0
    quantile = np.where(
        np.isinf(df),
        -special.ndtri(tail),
        -special.stdtrit(np.where(np.isinf(df), 1.0, df), tail),
    )
    return estimate - quantile * se, estimate + quantile * se


def results_interval(results: Results, level_name: str) -> IntervalFunction:
    """The interval ``results`` reports on rows of ``level_name``, as a function.

    Criterion rows use the share method (``results.method``), factor and index
    rows the composite method (``results.composite_method``).
    """
    if level_name == CRITERION:
        share_method = cast(IntervalMethod, results.method)
        return partial(share_interval, share_method)
    composite_method = cast(CompositeMethod, results.composite_method)
    return partial(composite_interval, composite_method)


def rank_domains(
    results: Results,
    code: str = INDEX_CODE,
    level: float = 0.95,
    exclude: tuple[str, ...] = ("ALL",),
) -> tuple[list[str], RankIntervals]:
    """Rank the domains of ``results`` on one row code (the SIPAS index by default).

    Domains in ``exclude`` are left out; domains flagged ``suppress`` or
    ``no data`` take no part and are reported unranked. Each domain's interval
    is the one the results report for that row (:func:`results_interval`), at
    the Šidák individual level. Returns the domain names (in results order) and
    their :class:`RankIntervals`.
    """
    rows = np.flatnonzero(results.code == code)
    if code == INDEX_CODE:
        rows = rows[results.level[rows] == INDEX]
    rows = rows[~np.isin(results.domain[rows], list(exclude))]
    flags = results.flag[rows]
    eligible = (flags != SUPPRESS) & (flags != NO_DATA)
    level_name = str(results.level[rows[0]]) if rows.size else INDEX
    ranks = rank_intervals(
        results.estimate[rows],
        results.se[rows],
        results.df[rows],
        level,
        eligible,
        ns=results.n[rows],
        interval=results_interval(results, level_name),
    )
    return [str(name) for name in results.domain[rows]], ranks
