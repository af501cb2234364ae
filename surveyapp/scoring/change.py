"""The difference of two estimates from disjoint samples, with its interval.

Two periods' samples are independent (no response is in both), so the variance
of the difference is the sum of the variances. Its degrees of freedom are the
Welch-Satterthwaite approximation from each estimate's design df (Satterthwaite
1946; Korn & Graubard 1999, section 5.2), and the interval is the usual Wald
interval on the difference: ``d +/- t(df) * se``. A difference is *significant*
when that interval excludes 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from surveyapp.scoring.intervals import check_level, t_quantile


@dataclass(frozen=True)
class Difference:
    """``estimate`` = later - earlier, its ``se``, ``df`` and interval."""

    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float

    @property
    def significant(self) -> bool:
        """The interval excludes 0."""
        return self.ci_low > 0 or self.ci_high < 0


def difference(
    later: tuple[float, float, float],
    earlier: tuple[float, float, float],
    level: float = 0.95,
) -> Difference:
    """The difference of two independent estimates, each (estimate, se, df).

    Raises ``ValueError`` for a negative or non-finite se, or df below 1 (an
    estimate with no variance estimate cannot be compared).
    """
    confidence = check_level(level)
    for estimate, se, df in (later, earlier):
        if not (math.isfinite(estimate) and math.isfinite(se) and se >= 0):
            raise ValueError("estimates and standard errors must be finite, se >= 0")
        if not df >= 1:
            raise ValueError("each estimate needs at least 1 degree of freedom")
    variance = later[1] ** 2 + earlier[1] ** 2
    se = math.sqrt(variance)
    shares = (later[1] ** 4 / later[2]) + (earlier[1] ** 4 / earlier[2])
    # With no variance on either side the t quantile does not matter; the
    # smaller df keeps it finite.
    df = variance**2 / shares if shares > 0 else min(later[2], earlier[2])
    t = float(t_quantile(0.5 + confidence / 2, df))
    estimate = later[0] - earlier[0]
    return Difference(estimate, se, df, estimate - t * se, estimate + t * se)
