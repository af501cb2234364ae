"""Intervals and reliability flags against their textbook formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from surveyapp.scoring.flags import composite_flags, share_flags
from surveyapp.scoring.intervals import (
    COMPOSITE_METHODS,
    composite_interval,
    effective_events,
    korn_graubard,
    logit_events,
    logit_t,
    nchs_effective_n,
    r_beta,
    r_logit,
    share_interval,
    t_interval,
    wilson,
)

P, SE, N, DF = 0.8, 0.05, 120, 40


def _t(q: float, df: float) -> float:
    return float(stats.t.ppf(q, df))


def test_korn_graubard_formula() -> None:
    n_star = min(P * (1 - P) / SE**2 * (_t(0.025, N - 1) / _t(0.025, DF)) ** 2, N)
    x = n_star * P
    low, high = korn_graubard(P, SE, N, DF)
    assert low == pytest.approx(stats.beta.ppf(0.025, x, n_star - x + 1), abs=1e-12)
    assert high == pytest.approx(stats.beta.ppf(0.975, x + 1, n_star - x), abs=1e-12)


def test_korn_graubard_caps_at_n_and_handles_p_one() -> None:
    # A tiny se would give n_eff > n: the cap makes it Clopper-Pearson on n.
    low, high = korn_graubard(0.5, 1e-4, 10, 9)
    assert low == pytest.approx(stats.beta.ppf(0.025, 5, 6))
    low, high = korn_graubard(1.0, 0.0, 8, 4)
    assert (low, high) == (pytest.approx(0.025 ** (1 / 8)), 1.0)


def test_r_beta_formula_has_no_cap() -> None:
    se = 1e-3
    n_eff = P * (1 - P) / se**2 * (_t(0.025, N - 1) / _t(0.025, DF)) ** 2
    assert n_eff > N
    low, high = r_beta(P, se, N, DF)
    assert low == pytest.approx(stats.beta.ppf(0.025, n_eff * P, n_eff * (1 - P) + 1))
    assert high == pytest.approx(stats.beta.ppf(0.975, n_eff * P + 1, n_eff * (1 - P)))


def test_logit_formula() -> None:
    half = _t(0.975, DF) * SE / (P * (1 - P))
    centre = math.log(P / (1 - P))
    low, high = r_logit(P, SE, N, DF)
    assert low == pytest.approx(1 / (1 + math.exp(-(centre - half))), abs=1e-12)
    assert high == pytest.approx(1 / (1 + math.exp(-(centre + half))), abs=1e-12)


def test_wilson_formula_with_se_zero_uses_n() -> None:
    z = stats.norm.ppf(0.975)
    n = 100
    p = 0.5
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson(p, 0.0, n, 50)
    assert (low, high) == (pytest.approx(centre - half), pytest.approx(centre + half))


def test_t_interval_clips() -> None:
    low, high = t_interval([0.8, 0.99], [0.05, 0.05], [10, 10])
    assert low[0] == pytest.approx(0.8 - _t(0.975, 10) * 0.05)
    assert high[1] == 1.0
    low, high = t_interval(0.5, 0.1, 0)
    assert (low, high) == (0.0, 1.0)


@pytest.mark.parametrize("method", ["kg", "r-beta", "logit", "wilson"])
@pytest.mark.parametrize(
    "p, se, n, df",
    [
        (0.0, 0.0, 5, 3),
        (1.0, 0.0, 1, 0),
        (0.6, 0.0, 9, 4),
        (0.7, 0.2, 2, 0),
        (0.58, 0.42, 3, 1),
        (0.999, 0.001, 4000, 3000),
        (1e-9, 1e-9, 30, 29),
    ],
)
def test_every_method_gives_a_valid_interval(method, p, se, n, df) -> None:
    low, high = share_interval(method, [p], [se], [n], [df])
    assert 0.0 <= low[0] <= p <= high[0] <= 1.0
    assert np.isfinite([low[0], high[0]]).all()


def test_other_levels_nest() -> None:
    for method in ("kg", "r-beta", "logit", "wilson"):
        low_90, high_90 = share_interval(method, [P], [SE], [N], [DF], level=0.90)
        low_99, high_99 = share_interval(method, [P], [SE], [N], [DF], level=0.99)
        assert low_99[0] < low_90[0] < P < high_90[0] < high_99[0]


def test_unknown_method_and_bad_level() -> None:
    with pytest.raises(ValueError, match="unknown interval method"):
        share_interval("bayes", [P], [SE], [N], [DF])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 1"):
        korn_graubard(P, SE, N, DF, level=1.0)


def test_nchs_effective_n() -> None:
    assert nchs_effective_n(0.5, 0.05, 1000)[()] == pytest.approx(100)
    assert nchs_effective_n(0.5, 0.001, 1000)[()] == 1000  # capped at n
    assert nchs_effective_n(1.0, 0.0, 12)[()] == 12


def _flag(p, n, n_eff, df, low, high):
    flags, reasons = share_flags([p], [n], [n_eff], [df], [low], [high])
    return flags[0], reasons[0]


@pytest.mark.parametrize(
    "p, n, n_eff, df, low, high, flag, reason",
    [
        (0.80, 500, 400, 100, 0.78, 0.82, "ok", ""),
        (0.80, 25, 25, 20, 0.78, 0.82, "suppress", "n<30"),
        (0.80, 500, 20, 100, 0.78, 0.82, "suppress", "n_eff<30"),
        (0.50, 500, 100, 100, 0.30, 0.61, "suppress", "CI width>=30 points"),
        (0.04, 500, 100, 100, 0.01, 0.10, "suppress", "relative CI width>130%"),
        (
            0.96,
            500,
            100,
            100,
            0.90,
            0.99,
            "review",
            "complement relative CI width>130%",
        ),
        (0.80, 500, 400, 6, 0.78, 0.82, "review", "df<8"),
        (1.00, 500, 500, 100, 0.99, 1.00, "review", "p=1"),
        (math.nan, 0, math.nan, 0, math.nan, math.nan, "no data", "no answers"),
    ],
)
def test_share_flags(p, n, n_eff, df, low, high, flag, reason) -> None:
    got_flag, got_reasons = _flag(p, n, n_eff, df, low, high)
    assert got_flag == flag
    assert reason in got_reasons


def test_flags_list_every_reason() -> None:
    flag, reasons = _flag(0.5, 10, 5, 3, 0.1, 0.9)
    assert flag == "suppress"
    assert reasons.split("; ") == ["n<30", "n_eff<30", "CI width>=30 points", "df<8"]


def test_flags_treat_a_rounded_tie_as_the_threshold() -> None:
    """n_eff = 30 exactly may come out as 29.999999999999996 from sums taken in
    another order (estimate_totals); it must not be suppressed for that."""
    assert _flag(0.8, 500, 29.999999999999996, 100, 0.78, 0.82)[0] == "ok"
    assert _flag(0.8, 500, 29.99999, 100, 0.78, 0.82)[0] == "suppress"
    assert _flag(0.5, 500, 100, 100, 0.35, 0.6499999999999999)[0] == "suppress"


def test_composite_flags() -> None:
    flags, reasons = composite_flags(
        [0.8, 0.8, 0.8, math.nan],
        [100, 10, 100, 5],
        [80, 10, 80, math.nan],
        [50, 5, 50, 3],
        [0.75, 0.5, 0.75, math.nan],
        [0.85, 0.95, 0.85, math.nan],
        [3, 3, 2, 0],
        [3, 3, 3, 3],
    )
    assert flags.tolist() == ["ok", "suppress", "review", "no data"]
    assert "2 of 3 criteria answered" in reasons[2]


@pytest.mark.parametrize(
    "estimate, n, n_eff, low, high, flag, reason",
    [
        # 0.90 to 0.99: 2.4 wide on the logit scale, 9 points: publish.
        (0.96, 100, 100, 0.90, 0.99, "ok", ""),
        # Only 5.9 points wide, but logit(0.999) - logit(0.94) = 6.91 - 2.75.
        (0.99, 100, 100, 0.94, 0.999, "suppress", "CI width>=4 on the logit scale"),
        # An end that rounded to 1 is infinitely far out on the logit scale.
        (0.99, 100, 100, 0.9, 1.0, "suppress", "CI width>=4 on the logit scale"),
        (0.90, 100, 25, 0.85, 0.94, "suppress", "n_eff<30"),
        (0.60, 100, 50, 0.44, 0.74, "suppress", "CI width>=30 points"),
        # Everyone satisfied with everything: no variance information.
        (1.0, 40, 40, 0.912, 1.0, "review", "estimate=1"),
    ],
)
def test_composite_flag_rules(estimate, n, n_eff, low, high, flag, reason) -> None:
    flags, reasons = composite_flags(
        [estimate], [n], [n_eff], [60], [low], [high], [16], [16]
    )
    assert flags[0] == flag
    assert reason in reasons[0]


def test_share_flags_without_complement_rule() -> None:
    args = ([0.96], [500], [100], [100], [0.90], [0.99])
    assert share_flags(*args)[0][0] == "review"
    assert share_flags(*args, complement_rule=False)[0].tolist() == ["ok"]


# Hand-worked composite intervals: logit(F) +/- t_{df*} se / (F(1-F)) with
# df* = max(1, min(df, k)) and k = min(F, 1-F) F(1-F) / se^2.
@pytest.mark.parametrize(
    "f, se, n, df, events, low, high",
    [
        # k = 0.1 * 0.09 / 0.0009 = 10 < df: t_10 = 2.2281388519862740,
        # half = 2.2281... * 0.03 / 0.09 = 0.74271295066209, centre ln 9.
        (0.9, 0.03, 100, 90, 10.0, 0.8106918067849159, 0.9497857474299313),
        # Below 50 %: k = 0.2 * 0.16 / 0.0016 = 20; centre ln 0.25.
        (0.2, 0.04, 200, 150, 20.0, 0.12922987534132974, 0.2963367349360446),
        # k = 80 > df = 12: the design df rules.
        (0.8, 0.02, 400, 12, 80.0, 0.7528634323683936, 0.8400561561978062),
    ],
)
def test_logit_events_hand_worked(f, se, n, df, events, low, high) -> None:
    np.testing.assert_allclose(effective_events([f], [se]), [events], rtol=1e-12)
    got = logit_events([f], [se], [n], [df])
    np.testing.assert_allclose(got, ([low], [high]), rtol=1e-12)
    assert f - got[0][0] > got[1][0] - f if f > 0.5 else True  # longer below


def test_logit_events_floor_and_fallbacks() -> None:
    # k = 0.01 * 0.0099 / 0.0025 < 1: df* = 1, t_1 = 12.706, far beyond 1.
    low, high = logit_events([0.99], [0.05], [40], [30])
    assert low[0] < 1e-20 and high[0] == 1.0
    # Everyone satisfied (se = 0): Clopper-Pearson on n, [0.025^(1/40), 1].
    low, high = logit_events([1.0, 0.7], [0.0, 0.1], [40, 3], [30, 0])
    np.testing.assert_allclose(low, [0.025 ** (1 / 40), 0.0], rtol=1e-12)
    np.testing.assert_allclose(high, [1.0, 1.0])


def test_logit_df_is_r_logit_with_exact_quantile() -> None:
    low, high = logit_t([P], [SE], [N], [DF])
    np.testing.assert_allclose((low, high), r_logit([P], [SE], [N], [DF]), rtol=1e-9)


@pytest.mark.parametrize("method", COMPOSITE_METHODS)
def test_composite_methods_give_valid_intervals(method) -> None:
    f = np.array([0.5, 0.93, 0.999, 1.0, 0.0, 0.6])
    se = np.array([0.05, 0.02, 0.001, 0.0, 0.0, 0.1])
    low, high = composite_interval(method, f, se, [50] * 6, [45, 45, 45, 45, 45, 0])
    assert (0.0 <= low).all() and (low <= f).all()
    assert (f <= high).all() and (high <= 1.0).all()
    assert (low[-1], high[-1]) == (0.0, 1.0)


def test_composite_interval_dispatch() -> None:
    args = ([0.9], [0.03], [100], [90])
    np.testing.assert_array_equal(
        composite_interval("logit", *args), logit_events(*args)
    )
    np.testing.assert_array_equal(
        composite_interval("t", *args), t_interval([0.9], [0.03], [90])
    )
    np.testing.assert_array_equal(composite_interval("kg", *args), r_beta(*args))
    with pytest.raises(ValueError, match="unknown composite interval method"):
        composite_interval("bayes", *args)  # type: ignore[arg-type]
