"""Reliability flags: NCHS data presentation standards for proportions (2017).

Source: Parker JD, Talih M, Malec DJ, et al. *National Center for Health
Statistics Data Presentation Standards for Proportions*. Vital Health Stat
2(175), 2017. Every row gets a flag, never a silent omission:

- ``"no data"``: nobody in the domain answered (no estimate exists).
- ``"suppress"``: do not publish the number.
- ``"review"``: publishable only after a statistician has looked at it.
- ``"ok"``: publish.

Shares (criterion rows), with the interval actually reported (Korn-Graubard by
default) and its width ``w = high - low``:

- suppress if ``n < 30`` or the effective sample size ``n_eff < 30``
  (``n_eff = min(n, p(1-p)/se^2)``, ``n`` where p is 0 or 1 or se is 0);
- suppress if ``w >= 0.30`` (30 percentage points);
- suppress if ``0.05 < w < 0.30`` and the relative width ``w / p > 130 %``;
- review if ``0.05 < w < 0.30`` and the complement's relative width
  ``w / (1 - p) > 130 %`` (the standard's check of the complementary
  proportion, for shares near 1);
- review if ``df < 8``;
- review if p is 0 or 1 (no variance information).

The complement rule has a selection effect near 100 %: a sample that
overestimated p has a small ``1 - p`` and so a large relative width, and goes
to ``review``; the shares left ``ok`` in a high-satisfaction domain are then
mostly samples that underestimated p, and cover less often than 95 %
(``benchmarks/coverage.py``). ``complement_rule=False`` leaves the rule out.

Composites (factor and index rows; means of shares, which the standard does not
cover), with the composite interval actually reported (the logit interval by
default) and ``n_eff = min(n, F(1-F)/se^2)`` (``n`` where F is 0 or 1 or se is
0), the standard's rules carried over to the scale the interval is built on:

- suppress if ``n < 30`` or ``n_eff < 30``;
- suppress if ``w >= 0.30`` (30 percentage points);
- suppress if the interval is 4 or more wide on the logit scale,
  ``logit(high) - logit(low) >= 4`` (the odds at its two ends differ more than
  e^4 = 55-fold): next to 0 or 1, where ``w`` stays small, this is what an
  interval too wide to use looks like. It is deliberately loose: a tighter
  rule would send the high estimates of small domains to ``suppress`` and
  leave ``ok`` the samples that underestimated F, which cover less often;
  at 4 the rows left ``ok`` cover at least as often as all rows do;
  An end that rounded to 0 or 1 counts as very far out (ends are clipped to
  [1e-12, 1 - 1e-12] first); the rule does not apply where F is 0 or 1;
- review if ``df < 8``, if F is 0 or 1 (no variance information), or if some
  of the composite's criteria had no answers in the domain (it is then a mean
  over the others).

A row's flag is its most severe rule; ``reasons`` lists every rule it broke,
joined by ``"; "``.

Ties: a value within 1e-9 (relative) of a threshold counts as equal to it
(:data:`TIE`), so that ``n_eff`` = 30 exactly is not suppressed because one
computation rounded it to 29.999999999999996 and another to 30.0 (as
:func:`~surveyapp.scoring.estimate` and
:func:`~surveyapp.scoring.estimate_totals`, which add in different orders).
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

OK: Final = "ok"
REVIEW: Final = "review"
SUPPRESS: Final = "suppress"
NO_DATA: Final = "no data"

MIN_N: Final = 30
MIN_DF: Final = 8
MAX_WIDTH: Final = 0.30
SMALL_WIDTH: Final = 0.05
MAX_RELATIVE_WIDTH: Final = 1.30
#: Widest composite interval on the logit scale that may be published.
MAX_LOGIT_WIDTH: Final = 4.0
#: Relative distance within which a value ties with a threshold.
TIE: Final = 1e-9

StringArray = NDArray[np.object_]
FloatArray = NDArray[np.float64]

#: Interval ends are clipped to [_TINY, 1 - _TINY] to take their logit.
_TINY: Final = 1e-12


def share_flags(
    p: ArrayLike,
    n: ArrayLike,
    n_eff: ArrayLike,
    df: ArrayLike,
    low: ArrayLike,
    high: ArrayLike,
    *,
    complement_rule: bool = True,
) -> tuple[StringArray, StringArray]:
    """Flags and reasons for shares; every argument shape (R,).

    ``p`` is NaN where there is no data. ``complement_rule=False`` drops the
    complement's relative-width rule (see the module docstring). Returns two
    object arrays of str (R,).
    """
    p_ = np.asarray(p, dtype=np.float64)
    n_ = np.asarray(n, dtype=np.float64)
    n_eff_ = np.asarray(n_eff, dtype=np.float64)
    df_ = np.asarray(df, dtype=np.float64)
    width = np.asarray(high, dtype=np.float64) - np.asarray(low, dtype=np.float64)
    has_data = np.isfinite(p_)
    p_safe = np.where(has_data, p_, 0.5)
    width = np.where(has_data, width, 0.0)
    middle = _above(width, SMALL_WIDTH) & _below(width, MAX_WIDTH)
    # Relative width compared by multiplication: no division by p = 0.
    too_relative = middle & _above(width, MAX_RELATIVE_WIDTH * p_safe)
    complement_relative = (
        middle & _above(width, MAX_RELATIVE_WIDTH * (1.0 - p_safe)) & complement_rule
    )
    suppress_rules = [
        (n_ < MIN_N, f"n<{MIN_N}"),
        (_below(n_eff_, MIN_N), f"n_eff<{MIN_N}"),
        (~_below(width, MAX_WIDTH), "CI width>=30 points"),
        (too_relative, "relative CI width>130%"),
    ]
    review_rules = [
        (complement_relative, "complement relative CI width>130%"),
        (df_ < MIN_DF, f"df<{MIN_DF}"),
        (p_safe == 0.0, "p=0"),
        (p_safe == 1.0, "p=1"),
    ]
    return _combine(has_data, suppress_rules, review_rules)


def composite_flags(
    estimate: ArrayLike,
    n: ArrayLike,
    n_eff: ArrayLike,
    df: ArrayLike,
    low: ArrayLike,
    high: ArrayLike,
    criteria_used: ArrayLike,
    criteria_total: ArrayLike,
) -> tuple[StringArray, StringArray]:
    """Flags and reasons for factor and index rows; every argument shape (R,).

    ``n_eff`` is :func:`~surveyapp.scoring.intervals.nchs_effective_n` of the
    composite; ``criteria_used`` of ``criteria_total`` criteria had answers in
    the domain.
    """
    estimate_ = np.asarray(estimate, dtype=np.float64)
    has_data = np.isfinite(estimate_)
    n_ = np.asarray(n, dtype=np.float64)
    n_eff_ = np.where(has_data, np.asarray(n_eff, dtype=np.float64), np.inf)
    df_ = np.asarray(df, dtype=np.float64)
    safe_estimate = np.where(has_data, estimate_, 0.5)
    low_ = np.where(has_data, np.asarray(low, dtype=np.float64), 0.5)
    high_ = np.where(has_data, np.asarray(high, dtype=np.float64), 0.5)
    # An end that rounded to 0 or 1 counts as very far out on the logit scale.
    logit_width = special.logit(np.clip(high_, _TINY, 1.0 - _TINY)) - special.logit(
        np.clip(low_, _TINY, 1.0 - _TINY)
    )
    interior = (safe_estimate > 0.0) & (safe_estimate < 1.0)
    used = np.asarray(criteria_used, dtype=np.int64)
    total = np.asarray(criteria_total, dtype=np.int64)
    partial = has_data & (used < total)
    suppress_rules = [
        (n_ < MIN_N, f"n<{MIN_N}"),
        (_below(n_eff_, MIN_N), f"n_eff<{MIN_N}"),
        (~_below(high_ - low_, MAX_WIDTH), "CI width>=30 points"),
        (
            interior & ~_below(logit_width, MAX_LOGIT_WIDTH),
            "CI width>=4 on the logit scale",
        ),
    ]
    review_rules = [
        (df_ < MIN_DF, f"df<{MIN_DF}"),
        (safe_estimate == 0.0, "estimate=0"),
        (safe_estimate == 1.0, "estimate=1"),
    ]
    flags, reasons = _combine(has_data, suppress_rules, review_rules)
    if partial.any():
        flags[partial & (flags == OK)] = REVIEW
        partial_text = np.array(
            [
                f"{u} of {t} criteria answered"
                for u, t in zip(used[partial], total[partial], strict=True)
            ],
            dtype=object,
        )
        reasons[partial] = _join(reasons[partial], partial_text)
    return flags, reasons


def _below(value: FloatArray, threshold: ArrayLike) -> NDArray[np.bool_]:
    """``value < threshold``, a tie (within :data:`TIE`) not counting."""
    limit = np.asarray(threshold, dtype=np.float64)
    return np.asarray(value < limit - TIE * np.abs(limit))


def _above(value: FloatArray, threshold: ArrayLike) -> NDArray[np.bool_]:
    """``value > threshold``, a tie (within :data:`TIE`) not counting."""
    limit = np.asarray(threshold, dtype=np.float64)
    return np.asarray(value > limit + TIE * np.abs(limit))


def _combine(
    has_data: NDArray[np.bool_],
    suppress_rules: list[tuple[NDArray[np.bool_], str]],
    review_rules: list[tuple[NDArray[np.bool_], str]],
) -> tuple[StringArray, StringArray]:
    size = has_data.shape[0]
    flags = np.full(size, OK, dtype=object)
    reasons = np.full(size, "", dtype=object)
    # Apply review first so that suppress, the more severe flag, wins.
    for severity, rules in ((REVIEW, review_rules), (SUPPRESS, suppress_rules)):
        for broken, _text in rules:
            flags[broken & has_data] = severity
    for broken, text in suppress_rules + review_rules:
        hit = broken & has_data
        reasons[hit] = _join(reasons[hit], np.full(int(hit.sum()), text, dtype=object))
    flags[~has_data] = NO_DATA
    reasons[~has_data] = "no answers in this domain"
    return flags, reasons


def _join(first: StringArray, second: StringArray) -> StringArray:
    """Element-wise ``first; second``, skipping empty parts."""
    separator = np.where(first == "", "", "; ").astype(object)
    joined: StringArray = first + separator + second
    return joined
