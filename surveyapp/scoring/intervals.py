"""Confidence intervals for shares (criterion rows) and composites.

All functions are vectorised: arguments are arrays of one shape (R,) (scalars
broadcast) and the result is ``(low, high)``, each float64 (R,), inside [0, 1].

Shares (``p`` with standard error ``se`` from ``n`` respondents and design
degrees of freedom ``df``):

- ``kg`` (default): Korn & Graubard (1998), as in the NCHS data presentation
  standards for proportions (Parker et al. 2017): ``n_eff = p(1-p)/se^2``,
  ``n* = n_eff (t_{n-1}/t_df)^2`` capped at ``n``; ``n* = n`` where p is 0 or 1 or
  se is 0; then the Clopper-Pearson interval for ``x = n* p`` successes out of
  ``n*`` trials.
- ``r-beta``: R ``survey::svyciprop(method = "beta")``: the same without the cap.
- ``logit``: R ``survey::svyciprop(method = "logit")``: a Wald interval on the
  logit scale, ``logit(p) +/- t_{df, 1-alpha/2} se / (p(1-p))`` (the
  intercept-only quasi-binomial ``svyglm``'s standard error is the delta-method
  one), mapped back with expit. The t quantile goes through R's own round trip
  via the normal distribution (``confint.svyglm``); where that overflows (R
  returns an infinite interval, e.g. df = 1 at 95 %) the exact t quantile is
  used.
- ``wilson``: the Wilson score interval (Wilson 1927) on the Korn-Graubard
  effective number of respondents ``n*``, with the normal quantile.

Where R's ``beta`` and ``logit`` are undefined (p is 0 or 1, or se is 0), they
fall back to the Clopper-Pearson interval on ``n``, as ``kg`` does. Where the
design leaves no degrees of freedom for a share strictly between 0 and 1
(``df < 1``), no method is defined and the interval is the whole of [0, 1].

Composites (factor and index rows): ``estimate +/- t_df se`` clipped to [0, 1]
(``[0, 1]`` when ``df < 1``), whatever the method.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

IntervalMethod = Literal["kg", "r-beta", "logit", "wilson"]
INTERVAL_METHODS: Final[tuple[IntervalMethod, ...]] = (
    "kg",
    "r-beta",
    "logit",
    "wilson",
)

FloatArray = NDArray[np.float64]


def check_level(level: float) -> float:
    """Return ``level`` as a float if it is strictly between 0 and 1."""
    value = float(level)
    if not 0.0 < value < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, not {level!r}")
    return value


def t_quantile(probability: float | FloatArray, df: ArrayLike) -> FloatArray:
    """Student t quantile for each df (float64), NaN where ``df < 1``."""
    df_array = np.asarray(df, dtype=np.float64)
    result = np.full(np.broadcast(df_array, probability).shape, np.nan)
    valid = np.broadcast_to(df_array >= 1, result.shape)
    probability_array = np.broadcast_to(np.asarray(probability), result.shape)
    result[valid] = special.stdtrit(
        np.broadcast_to(df_array, result.shape)[valid], probability_array[valid]
    )
    return result


def share_interval(
    method: IntervalMethod,
    p: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Interval for shares by ``method`` (one of :data:`INTERVAL_METHODS`)."""
    if method == "kg":
        return korn_graubard(p, se, n, df, level)
    if method == "r-beta":
        return r_beta(p, se, n, df, level)
    if method == "logit":
        return r_logit(p, se, n, df, level)
    if method == "wilson":
        return wilson(p, se, n, df, level)
    raise ValueError(
        f"unknown interval method {method!r}; use one of {', '.join(INTERVAL_METHODS)}"
    )


def nchs_effective_n(p: ArrayLike, se: ArrayLike, n: ArrayLike) -> FloatArray:
    """NCHS effective sample size ``min(n, p(1-p)/se^2)``; ``n`` where p is 0 or 1
    or se is 0 (Parker et al. 2017). Shapes (R,) -> (R,)."""
    p_, se_, n_ = _as_float(p, se, n)
    result = n_.copy()
    regular = ~_degenerate(p_, se_)
    variance = se_[regular] ** 2
    result[regular] = np.minimum(
        p_[regular] * (1.0 - p_[regular]) / variance, n_[regular]
    )
    return result


def korn_graubard_n(
    p: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike, level: float = 0.95
) -> FloatArray:
    """Korn-Graubard effective number of respondents ``n*`` (capped at ``n``).

    NaN where it is undefined: p strictly between 0 and 1 with ``df < 1``.
    """
    return _adjusted_n(p, se, n, df, level, cap=True)


def korn_graubard(
    p: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """NCHS Korn-Graubard interval (see the module docstring)."""
    n_star = korn_graubard_n(p, se, n, df, level)
    p_ = np.asarray(p, dtype=np.float64)
    return _clopper_pearson(p_ * n_star, n_star, level)


def r_beta(
    p: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """R ``svyciprop(method = "beta")``; Clopper-Pearson on ``n`` where undefined."""
    p_, se_, n_ = _as_float(p, se, n)
    n_eff = _adjusted_n(p_, se_, n_, df, level, cap=False)
    return _clopper_pearson(p_ * n_eff, n_eff, level)


def r_logit(
    p: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """R ``svyciprop(method = "logit")``; Clopper-Pearson on ``n`` where undefined."""
    alpha = 1.0 - check_level(level)
    p_, se_, n_ = _as_float(p, se, n)
    df_ = np.broadcast_to(np.asarray(df, dtype=np.float64), p_.shape)
    degenerate = _degenerate(p_, se_)
    low, high = _clopper_pearson(p_ * n_, n_, level)
    regular = ~degenerate & (df_ >= 1)
    low[~degenerate & (df_ < 1)] = 0.0
    high[~degenerate & (df_ < 1)] = 1.0
    if regular.any():
        p_r = p_[regular]
        low_quantile, high_quantile = _r_wald_quantiles(alpha, df_[regular])
        logit_se = se_[regular] / (p_r * (1.0 - p_r))
        centre = special.logit(p_r)
        low[regular] = special.expit(centre + low_quantile * logit_se)
        high[regular] = special.expit(centre + high_quantile * logit_se)
    return low, high


def _r_wald_quantiles(alpha: float, df: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The t quantiles R's ``confint.svyglm`` really uses, rounding included.

    R converts the t quantile to a normal "level" and back:
    ``tlevel = 1 - 2 pnorm(qt(alpha/2, df))``, then ``qnorm((1 - tlevel)/2)``
    and ``qnorm(1 - (1 - tlevel)/2)``. The round trip moves the quantile by
    more than 1e-7 when ``tlevel`` is within a few ulps of 1, so we repeat it.
    Where ``tlevel`` rounds to exactly 1 (df = 1 at 95 %), R's interval is
    infinite; we use the exact t quantile instead.
    """
    exact = t_quantile(alpha / 2.0, df)
    tail = (1.0 - (1.0 - 2.0 * special.ndtr(exact))) / 2.0
    usable = tail > 0.0
    low = np.where(usable, special.ndtri(np.where(usable, tail, 0.5)), exact)
    high = np.where(usable, special.ndtri(1.0 - np.where(usable, tail, 0.5)), -exact)
    return low, high


def wilson(
    p: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval on the Korn-Graubard effective ``n*``."""
    alpha = 1.0 - check_level(level)
    p_ = np.asarray(p, dtype=np.float64)
    n_star = korn_graubard_n(p, se, n, df, level)
    low = np.zeros(n_star.shape)
    high = np.ones(n_star.shape)
    defined = np.isfinite(n_star) & (n_star > 0)
    z = float(special.ndtri(1.0 - alpha / 2.0))
    p_d = np.broadcast_to(p_, n_star.shape)[defined]
    n_d = n_star[defined]
    z2n = z * z / n_d
    centre = (p_d + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * np.sqrt(p_d * (1.0 - p_d) / n_d + z2n / (4.0 * n_d))
    low[defined] = np.clip(centre - half, 0.0, 1.0)
    high[defined] = np.clip(centre + half, 0.0, 1.0)
    # Guard against rounding leaving the estimate a hair outside its interval.
    low[defined] = np.minimum(low[defined], p_d)
    high[defined] = np.maximum(high[defined], p_d)
    return low, high


def t_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """``estimate +/- t_{df, 1-alpha/2} se`` clipped to [0, 1]; [0, 1] if df < 1."""
    alpha = 1.0 - check_level(level)
    estimate_, se_ = _as_float(estimate, se)
    df_ = np.broadcast_to(np.asarray(df, dtype=np.float64), estimate_.shape)
    low = np.zeros(estimate_.shape)
    high = np.ones(estimate_.shape)
    defined = df_ >= 1
    half = t_quantile(1.0 - alpha / 2.0, df_[defined]) * se_[defined]
    low[defined] = np.maximum(0.0, estimate_[defined] - half)
    high[defined] = np.minimum(1.0, estimate_[defined] + half)
    return low, high


def _as_float(*arrays: ArrayLike) -> list[FloatArray]:
    converted = [np.asarray(a, dtype=np.float64) for a in arrays]
    shape = np.broadcast_shapes(*(a.shape for a in converted))
    return [np.array(np.broadcast_to(a, shape), dtype=np.float64) for a in converted]


def _degenerate(p: FloatArray, se: FloatArray) -> NDArray[np.bool_]:
    """Where a share's design effect is undefined: p is 0 or 1, or se is 0."""
    return (p <= 0.0) | (p >= 1.0) | ~(se > 0.0)


def _adjusted_n(
    p: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    level: float,
    *,
    cap: bool,
) -> FloatArray:
    """``p(1-p)/se^2 (t_{n-1}/t_df)^2`` (capped at n if ``cap``); n where p is
    0 or 1 or se is 0; NaN where ``df < 1`` or ``n < 2`` otherwise."""
    alpha = 1.0 - check_level(level)
    p_, se_, n_, df_ = _as_float(p, se, n, df)
    result = n_.copy()
    regular = ~_degenerate(p_, se_)
    adjustable = regular & (df_ >= 1) & (n_ >= 2)
    result[regular & ~adjustable] = np.nan
    p_a = p_[adjustable]
    ratio = t_quantile(alpha / 2.0, n_[adjustable] - 1.0) / t_quantile(
        alpha / 2.0, df_[adjustable]
    )
    adjusted = p_a * (1.0 - p_a) / se_[adjustable] ** 2 * ratio**2
    if cap:
        adjusted = np.minimum(adjusted, n_[adjustable])
    result[adjustable] = adjusted
    return result


def _clopper_pearson(
    successes: FloatArray, trials: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """Clopper-Pearson (1934) interval for ``successes`` of ``trials`` (real).

    [0, 1] where ``trials`` is NaN or not positive (undefined).
    """
    alpha = 1.0 - check_level(level)
    low = np.zeros(trials.shape)
    high = np.ones(trials.shape)
    defined = np.isfinite(trials) & (trials > 0)
    x = successes[defined]
    total = trials[defined]
    low_part = np.zeros(x.shape)
    high_part = np.ones(x.shape)
    has_low = x > 0
    has_high = x < total
    low_part[has_low] = special.betaincinv(
        x[has_low], total[has_low] - x[has_low] + 1.0, alpha / 2.0
    )
    high_part[has_high] = special.betaincinv(
        x[has_high] + 1.0, total[has_high] - x[has_high], 1.0 - alpha / 2.0
    )
    low[defined] = low_part
    high[defined] = high_part
    return low, high
