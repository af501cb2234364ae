"""Estimators against hand-worked values and a naive, loop-based implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from surveyapp.scoring import DomainSpec, SurveyData, estimate
from surveyapp.scoring.intervals import composite_interval, t_interval
from tests.scoring.support import make_survey, whole

# Two strata; stratum "s1" has three responses of weight 2, "s2" two of weight 1.
ANSWERS = [[5], [3], [4], [4], [1]]
STRATA = ["s1", "s1", "s1", "s2", "s2"]
WEIGHTS = [2.0, 2.0, 2.0, 1.0, 1.0]


def test_share_and_se_by_hand() -> None:
    data = make_survey(ANSWERS, STRATA, WEIGHTS, codes=["F1.1"])
    results = estimate(data, whole(data))
    share = results.mask(level="criterion")
    # P = (2 + 2 + 1) / 8; z = w (y - P) / 8. Stratum s1: z = 3/32, -5/32, 3/32,
    # 3/2 * sum (z - mean)^2 = 1/16; s2: z = 3/64, -5/64 -> 2 * 1/128 = 1/64.
    assert results.estimate[share][0] == pytest.approx(0.625, abs=1e-15)
    assert results.se[share][0] == pytest.approx(math.sqrt(1 / 16 + 1 / 64), rel=1e-12)
    assert results.n[share][0] == 5
    assert results.df[share][0] == 3
    # mean answer (2*5 + 2*3 + 2*4 + 4 + 1) / 8 = 29/8, rescaled (m - 1)/4 * 100.
    assert results.mean_score[share][0] == pytest.approx((29 / 8 - 1) / 4 * 100)


def test_domain_is_zero_weighted_not_dropped() -> None:
    data = make_survey(ANSWERS, STRATA, WEIGHTS, codes=["F1.1"])
    domain = DomainSpec.from_memberships(["D"], [0, 1, 3], [0, 0, 0])
    results = estimate(data, domain)
    # P = 3/5; z = 0.16, -0.24, (0), 0.08, (0): outside responses count as 0s in
    # their stratum: s1 3/2 (0.0832 - 0.0064/3), s2 2 (0.0064 - 0.0064/2).
    expected_var = 1.5 * (0.0832 - 0.0064 / 3) + 2 * (0.0064 - 0.0064 / 2)
    assert results.estimate[0] == pytest.approx(0.6)
    assert results.se[0] == pytest.approx(math.sqrt(expected_var), rel=1e-12)
    assert results.df[0] == 1  # 3 responses in 2 strata
    # Dropping the rows would have given 2 * (0.0832 - 0.0064/2) + 0 instead.
    assert results.se[0] != pytest.approx(math.sqrt(0.16))


def naive_estimates(
    data: SurveyData, members: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares, their full covariance matrix and the domain's responses, by loops.

    Independent of the package: per stratum, PSU totals of z (0 outside the
    domain), centred over all of the stratum's PSUs.
    """
    answers = data.answers.astype(float)
    n, k = answers.shape
    inside = np.zeros(n, dtype=bool)
    inside[members] = True
    w = data.weights * inside
    answered = answers > 0
    satisfied = answers >= 4
    x = (w[:, None] * answered).sum(axis=0)
    p = (w[:, None] * satisfied).sum(axis=0) / x
    z = w[:, None] * (satisfied - p * answered) / x
    psu = data.psu if data.psu is not None else np.arange(n)
    cov = np.zeros((k, k))
    factors = data.finite_population_factors()
    for h in range(len(data.stratum_labels)):
        in_h = data.strata == h
        totals = np.array(
            [z[in_h & (psu == q)].sum(axis=0) for q in np.unique(psu[in_h])]
        )
        centred = totals - totals.mean(axis=0)
        n_h = len(totals)
        cov += factors[h] * n_h / (n_h - 1) * centred.T @ centred
    return p, cov, inside


def _check_against_naive(data: SurveyData, domains: DomainSpec) -> None:
    results = estimate(data, domains)
    per_domain = data.n_criteria + len(data.factor_codes) + 1
    for d, name in enumerate(domains.names):
        members = domains.member_response[domains.member_domain == d].tolist()
        p, cov, _ = naive_estimates(data, members)
        rows = slice(d * per_domain, (d + 1) * per_domain)
        estimate_ = results.estimate[rows]
        se = results.se[rows]
        np.testing.assert_allclose(estimate_[: data.n_criteria], p, atol=1e-12)
        np.testing.assert_allclose(
            se[: data.n_criteria], np.sqrt(np.diag(cov)), rtol=1e-9, atol=1e-12
        )
        index_weights = np.zeros(data.n_criteria)
        n_factors = len(data.factor_codes)
        for f in range(n_factors):
            in_f = data.factor_of_criterion == f
            weights = in_f / in_f.sum()
            index_weights += weights / n_factors
            assert estimate_[data.n_criteria + f] == pytest.approx(weights @ p), name
            assert se[data.n_criteria + f] == pytest.approx(
                math.sqrt(weights @ cov @ weights), rel=1e-9, abs=1e-12
            ), name
        assert estimate_[-1] == pytest.approx(index_weights @ p)
        assert se[-1] == pytest.approx(
            math.sqrt(index_weights @ cov @ index_weights), rel=1e-9, abs=1e-12
        )


def _random_survey(
    seed: int, clusters: bool, fpc: bool
) -> tuple[SurveyData, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 60
    strata = rng.integers(0, 4, n)
    answers = rng.integers(1, 6, (n, 5))
    answers[rng.random((n, 5)) < 0.1] = 0
    psu = strata * 10 + rng.integers(0, 3, n) if clusters else None
    population = None
    if fpc:
        population = np.array([20.0, 30.0, 70.0, 90.0])[strata]
    data = SurveyData.from_arrays(
        answers,
        ["F1.1", "F1.2", "F2.1", "F2.2", "F2.3"],
        rng.uniform(1, 9, n),
        strata,
        psu=psu,
        fpc=population,
    )
    return data, rng.integers(0, 3, n)


@pytest.mark.parametrize("clusters", [False, True])
@pytest.mark.parametrize("fpc", [False, True])
def test_matches_naive_covariance(clusters: bool, fpc: bool) -> None:
    data, agency = _random_survey(3, clusters, fpc)
    _check_against_naive(data, DomainSpec.from_labels(agency))


def test_agency_tree_rollup_equals_union_of_children() -> None:
    data, agency = _random_survey(5, clusters=False, fpc=False)
    labels = np.array(["commune-a", "commune-b", "dept"])[agency]
    tree = DomainSpec.from_tree(
        labels, {"commune-a": "district", "commune-b": "district", "district": None}
    )
    assert tree.names == ("commune-a", "commune-b", "dept", "district", "ALL")
    _check_against_naive(data, tree)
    union = DomainSpec.from_memberships(
        ["district"], np.flatnonzero(agency < 2), np.zeros((agency < 2).sum())
    )
    by_tree = estimate(data, tree)
    by_union = estimate(data, union)
    in_district = by_tree.domain == "district"
    np.testing.assert_allclose(by_tree.estimate[in_district], by_union.estimate)
    np.testing.assert_allclose(by_tree.se[in_district], by_union.se)


def test_tree_with_a_cycle_is_an_error() -> None:
    with pytest.raises(ValueError, match="cycle"):
        DomainSpec.from_tree(["a"], {"a": "b", "b": "a"})


def test_duplicate_membership_is_an_error() -> None:
    with pytest.raises(ValueError, match="twice"):
        DomainSpec.from_memberships(["D"], [0, 0], [0, 0])


def _high_satisfaction_survey() -> SurveyData:
    rng = np.random.default_rng(3)
    n = 60
    answers = np.where(rng.random((n, 4)) < 0.93, 5, 2)
    return make_survey(answers, np.repeat(["s1", "s2"], n // 2))


def test_composite_rows_use_the_logit_events_interval() -> None:
    data = _high_satisfaction_survey()
    results = estimate(data, whole(data))
    assert results.composite_method == "logit"
    rows = results.level != "criterion"
    est, se = results.estimate[rows], results.se[rows]
    n, df = results.n[rows], results.df[rows]
    expected = composite_interval("logit", est, se, n, df)
    np.testing.assert_allclose(results.ci_low[rows], expected[0], rtol=1e-15)
    np.testing.assert_allclose(results.ci_high[rows], expected[1], rtol=1e-15)
    # NCHS-style effective n on composite rows too.
    np.testing.assert_allclose(
        results.n_eff[rows], np.minimum(n, est * (1 - est) / se**2), rtol=1e-12
    )


def test_composite_method_t_is_the_old_symmetric_interval() -> None:
    data = _high_satisfaction_survey()
    old = estimate(data, whole(data), composite_method="t")
    new = estimate(data, whole(data))
    rows = old.level != "criterion"
    expected = t_interval(old.estimate[rows], old.se[rows], old.df[rows])
    np.testing.assert_allclose(old.ci_low[rows], expected[0], rtol=1e-15)
    # Same estimates and standard errors, only the intervals differ.
    np.testing.assert_array_equal(old.estimate, new.estimate)
    np.testing.assert_array_equal(old.se, new.se)
    criterion = ~rows
    np.testing.assert_array_equal(old.ci_low[criterion], new.ci_low[criterion])
    with pytest.raises(ValueError, match="unknown composite interval method"):
        estimate(data, whole(data), composite_method="wald")  # type: ignore[arg-type]
