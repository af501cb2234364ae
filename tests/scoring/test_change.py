"""The change between two periods: a Welch interval on independent estimates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from surveyapp.scoring.change import difference


def test_the_interval_is_the_difference_plus_or_minus_t_se() -> None:
    change = difference((0.86, 0.01, 40), (0.80, 0.02, 25))
    se = math.hypot(0.01, 0.02)
    df = se**4 / (0.01**4 / 40 + 0.02**4 / 25)
    t = stats.t.ppf(0.975, df)
    assert change.estimate == pytest.approx(0.06)
    assert change.se == pytest.approx(se)
    assert change.df == pytest.approx(df)
    assert (change.ci_low, change.ci_high) == pytest.approx(
        (0.06 - t * se, 0.06 + t * se)
    )
    assert change.significant


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0.05, 0.95),
    st.floats(0.05, 0.95),
    st.floats(0.001, 0.1),
    st.floats(0.001, 0.1),
    st.integers(2, 500),
    st.integers(2, 500),
)
def test_significant_exactly_when_welch_rejects_equality(
    p1: float, p2: float, se1: float, se2: float, n1: int, n2: int
) -> None:
    """scipy's Welch test, given each side as mean, sd = se sqrt(n), n = df + 1,
    rejects at 5 % exactly when the 95 % interval excludes 0."""
    change = difference((p1, se1, n1 - 1), (p2, se2, n2 - 1))
    test = stats.ttest_ind_from_stats(
        p1, se1 * np.sqrt(n1), n1, p2, se2 * np.sqrt(n2), n2, equal_var=False
    )
    if abs(test.pvalue - 0.05) > 1e-9:
        assert change.significant == (test.pvalue < 0.05)


def test_no_variance_on_either_side_still_compares() -> None:
    same = difference((1.0, 0.0, 10), (1.0, 0.0, 3))
    assert (same.estimate, same.ci_low, same.ci_high, same.significant) == (
        0.0,
        0.0,
        0.0,
        False,
    )
    assert difference((1.0, 0.0, 10), (0.9, 0.0, 3)).significant


@pytest.mark.parametrize(
    ("later", "earlier", "message"),
    [
        ((0.5, -0.1, 10), (0.5, 0.1, 10), "se >= 0"),
        ((0.5, math.nan, 10), (0.5, 0.1, 10), "finite"),
        ((0.5, 0.1, 0), (0.5, 0.1, 10), "degree of freedom"),
    ],
)
def test_impossible_input_is_refused(
    later: tuple[float, float, float], earlier: tuple[float, float, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        difference(later, earlier)
