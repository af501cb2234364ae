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

Composites (factor and index rows, means of shares; ``F`` with standard error
``se``, ``n`` responses in the domain, design df ``df``), by composite method:

- ``logit`` (default): a t interval on the logit scale (delta method),
  ``expit(logit(F) +/- t_{df*} se / (F(1-F)))``, whose degrees of freedom
  ``df* = max(1, min(df, k))`` are capped by the effective number of minority
  answers ``k = min(F, 1-F) F(1-F) / se^2`` (:func:`logit_events`). It stays
  inside (0, 1), is asymmetric next to the bounds, and keeps 95 % coverage at
  n = 15-300 and p = 0.8-0.97 in ``benchmarks/coverage.py``.
- ``logit-df``: the same with ``df* = df`` (R's ``svyciprop`` logit form).
- ``kg``: Clopper-Pearson on the uncapped Korn-Graubard effective n (R's
  ``beta`` form applied to the composite).
- ``t``: ``estimate +/- t_df se`` clipped to [0, 1], the symmetric interval
  used before (it under-covers next to 100 %).

Where F is 0 or 1 or se is 0 the logit and ``kg`` forms fall back to the
Clopper-Pearson interval on ``n``; where ``df < 1`` every form gives [0, 1].
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
    return _wilson_on(p, korn_graubard_n(p, se, n, df, level), level)


def _wilson_on(
    p: ArrayLike, n_star: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for ``p`` on ``n_star`` respondents; [0, 1] where
    ``n_star`` is NaN or not positive."""
    alpha = 1.0 - check_level(level)
    p_ = np.asarray(p, dtype=np.float64)
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


CompositeMethod = Literal["logit", "logit-df", "kg", "t"]
COMPOSITE_METHODS: Final[tuple[CompositeMethod, ...]] = ("logit", "logit-df", "kg", "t")


def composite_interval(
    method: CompositeMethod,
    estimate: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Interval for composites by ``method`` (one of :data:`COMPOSITE_METHODS`).

    ``logit`` (default): :func:`logit_events`; ``logit-df``: :func:`logit_t`,
    the logit interval on the design df alone; ``kg``: R's ``beta`` analogue,
    Clopper-Pearson on the composite's uncapped Korn-Graubard effective n
    (:func:`r_beta`); ``t``: the symmetric :func:`t_interval` used before.
    """
    if method == "logit":
        return logit_events(estimate, se, n, df, level)
    if method == "logit-df":
        return logit_t(estimate, se, n, df, level)
    if method == "kg":
        return r_beta(estimate, se, n, df, level)
    if method == "t":
        return t_interval(estimate, se, df, level)
    raise ValueError(
        f"unknown composite interval method {method!r}; "
        f"use one of {', '.join(COMPOSITE_METHODS)}"
    )


def effective_events(estimate: ArrayLike, se: ArrayLike) -> FloatArray:
    """``k = min(F, 1-F)^2 max(F, 1-F) / se^2``, shapes (R,) -> (R,).

    The composite's effective sample size ``F(1-F)/se^2`` times its minority
    share ``min(F, 1-F)``: how many dissatisfied (or, below 50 %, satisfied)
    answers a simple random sample as informative would hold. NaN where F is 0
    or 1 or se is 0.
    """
    f_, se_ = _as_float(estimate, se)
    result = np.full(f_.shape, np.nan)
    regular = ~_degenerate(f_, se_)
    f_r = f_[regular]
    minority = np.minimum(f_r, 1.0 - f_r)
    result[regular] = minority * f_r * (1.0 - f_r) / se_[regular] ** 2
    return result


def logit_events(
    estimate: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Logit-scale t interval whose df is capped by the effective events.

    ``expit(logit(F) +/- t_{df*, 1-alpha/2} se / (F(1-F)))`` with
    ``df* = max(1, min(df, k))`` and ``k`` the :func:`effective_events`;
    Clopper-Pearson on ``n`` where F is 0 or 1 or se is 0; [0, 1] where
    ``df < 1``. Shapes (R,) -> two (R,).

    Sources: the logit (delta-method) interval is Korn & Graubard (1999),
    *Analysis of Health Surveys*, Wiley, and R ``survey::svyciprop(method =
    "logit")`` (Lumley 2010, *Complex Surveys*, Wiley); Franco, Little, Louis &
    Slud (2019), JSSAM 7(3):334-364, compare it with the alternatives. The cap
    is this project's: near 0 or 1 a linearised variance rests on the few
    respondents who were not satisfied, so it carries about ``k`` degrees of
    freedom, not ``df`` (Satterthwaite 1946, Biometrics Bulletin 2(6):110-114,
    for degrees of freedom of an estimated variance). Chosen by the coverage
    study in ``benchmarks/coverage.py`` (plain ``logit_t`` fell to 91-93 % at
    n = 15-30 and p = 0.9-0.97).
    """
    f_, se_, df_ = _as_float(estimate, se, df)
    events = effective_events(f_, se_)
    capped = np.where(np.isfinite(events), np.minimum(df_, events), df_)
    capped = np.where(df_ >= 1, np.maximum(capped, 1.0), df_)
    return logit_t(f_, se_, n, capped, level)


def logit_t(
    estimate: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """``expit(logit(F) +/- t_{df, 1-alpha/2} se / (F(1-F)))`` (delta method).

    Clopper-Pearson on ``n`` where F is 0 or 1 or se is 0 (as ``kg`` does for
    shares); [0, 1] where ``df < 1``. ``df`` may be real. Shapes (R,) -> (R,).
    Unlike :func:`r_logit` the t quantile is exact (no round trip through the
    normal distribution).
    """
    alpha = 1.0 - check_level(level)
    f_, se_, n_, df_ = _as_float(estimate, se, n, df)
    degenerate = _degenerate(f_, se_)
    low, high = _clopper_pearson(f_ * n_, n_, level)
    undefined = ~degenerate & (df_ < 1)
    low[undefined] = 0.0
    high[undefined] = 1.0
    regular = ~degenerate & (df_ >= 1)
    f_r = f_[regular]
    quantile = t_quantile(1.0 - alpha / 2.0, df_[regular])
    half = quantile * se_[regular] / (f_r * (1.0 - f_r))
    centre = special.logit(f_r)
    low[regular] = np.minimum(special.expit(centre - half), f_r)
    high[regular] = np.maximum(special.expit(centre + half), f_r)
    return low, high
