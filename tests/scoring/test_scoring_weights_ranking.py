"""Post-stratification (with its collapse rule) and joint rank intervals."""

from __future__ import annotations

import numpy as np
import pytest

from surveyapp.scoring import DomainSpec, SurveyData, estimate, poststratify
from surveyapp.scoring.intervals import composite_interval
from surveyapp.scoring.ranking import rank_domains, rank_intervals


def test_weights_are_dossiers_over_responses() -> None:
    result = poststratify(
        ["A", "A", "A", "B", "B"],
        ["land", "land", "land", "civil", "civil"],
        ["A", "B"],
        ["land", "civil"],
        [300, 50],
    )
    np.testing.assert_allclose(result.weights, [100, 100, 100, 25, 25])
    assert result.collapsed == ()
    assert {(r.agency, r.field, r.response_rate) for r in result.rates} == {
        ("A", "land", 0.01),
        ("B", "civil", 0.04),
    }
    # The weights of a cell add up to its dossiers.
    assert result.weights.sum() == pytest.approx(350)


def test_small_and_empty_cells_pool_into_the_largest_cell() -> None:
    # A: land 4 responses, civil 2, tax 1 (small), business 0 responses (small).
    agencies = ["A"] * 7
    fields = ["land"] * 4 + ["civil"] * 2 + ["tax"]
    result = poststratify(
        agencies,
        fields,
        ["A"] * 4,
        ["land", "civil", "tax", "business"],
        [400, 60, 30, 90],
    )
    pooled = {c.field: (c.into, c.reason) for c in result.collapsed}
    assert pooled == {
        "tax": ("A:land+pooled", "fewer than 2 responses"),
        "business": ("A:land+pooled", "dossiers but no responses"),
    }
    cells = {c.label: c for c in result.cells}
    assert cells["A:land+pooled"].dossiers == 400 + 30 + 90
    assert cells["A:land+pooled"].responses == 5
    np.testing.assert_allclose(result.weights, [104] * 4 + [30, 30] + [104])
    # Dossiers are preserved: the weights add up to the agency's dossiers.
    assert result.weights.sum() == pytest.approx(580)
    assert result.stratum_labels()[-1] == "A:land+pooled"


def test_agency_without_adequate_cell_becomes_one_cell() -> None:
    result = poststratify(
        ["A", "A", "B", "B"],
        ["x", "y", "x", "x"],
        ["A", "A", "B"],
        ["x", "y", "x"],
        [10, 30, 8],
    )
    cells = {c.label: c for c in result.cells}
    assert cells["A:pooled"].fields == ("x", "y")
    np.testing.assert_allclose(result.weights, [20, 20, 4, 4])
    assert result.single_response_agencies == ()


def test_unrepresented_and_single_response_agencies_are_reported() -> None:
    result = poststratify(
        ["A", "A", "C"], ["x", "x", "x"], ["A", "B", "C"], ["x", "x", "x"], [10, 7, 3]
    )
    assert result.unrepresented == ("B",)
    assert result.single_response_agencies == ("C",)
    assert next(r for r in result.rates if r.agency == "B").responses == 0


@pytest.mark.parametrize(
    "dossier_counts, message",
    [
        ([10, 0], "no dossiers"),
        ([10, -1], "whole numbers"),
        ([10, 2.5], "whole numbers"),
    ],
)
def test_impossible_dossier_input(dossier_counts, message) -> None:
    with pytest.raises(ValueError, match=message):
        poststratify(["A", "B"], ["x", "x"], ["A", "B"], ["x", "x"], dossier_counts)


def test_cell_listed_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="twice"):
        poststratify(["A"], ["x"], ["A", "A"], ["x", "x"], [1, 2])


def test_poststratified_weights_feed_the_estimator() -> None:
    agencies = ["A"] * 4 + ["B"] * 3
    fields = ["x", "x", "y", "y", "x", "x", "x"]
    weighting = poststratify(
        agencies, fields, ["A", "A", "B"], ["x", "y", "x"], [40, 10, 30]
    )
    data = SurveyData.from_arrays(
        [[5], [4], [1], [2], [5], [3], [4]],
        ["F1.1"],
        weighting.weights,
        weighting.stratum_labels(),
    )
    results = estimate(data, DomainSpec.from_labels(agencies))
    # A: (20 + 20) / (20 + 20 + 5 + 5) satisfied.
    assert results.estimate[results.mask(domain="A", code="F1.1")][0] == pytest.approx(
        0.8
    )


def test_rank_intervals_hand_worked() -> None:
    # Three well-separated units and one overlapping the middle one.
    estimates = [0.90, 0.70, 0.50, 0.68]
    ses = [0.01, 0.01, 0.01, 0.01]
    ranks = rank_intervals(estimates, ses, [np.inf] * 4, level=0.95)
    # Šidák: each interval at 0.95 ** (1/4); z = 2.4909.
    assert ranks.individual_level == pytest.approx(0.95**0.25)
    assert ranks.best.tolist() == [1, 2, 4, 2]
    assert ranks.worst.tolist() == [1, 3, 4, 3]
    assert ranks.labels() == ["1 of 4", "2–3 of 4", "4 of 4", "2–3 of 4"]


def test_rank_intervals_leave_ineligible_units_unranked() -> None:
    ranks = rank_intervals(
        [0.9, 0.8, np.nan, 0.7],
        [0.01, 0.01, 0.01, 0.01],
        [30, 30, 30, 30],
        eligible=[True, False, True, True],
    )
    assert ranks.ranked.tolist() == [True, False, False, True]
    assert ranks.labels() == ["1 of 2", "unranked", "unranked", "2 of 2"]


def test_rank_intervals_all_tied_span_everything() -> None:
    ranks = rank_intervals([0.8] * 5, [0.05] * 5, [100] * 5)
    assert ranks.best.tolist() == [1] * 5
    assert ranks.worst.tolist() == [5] * 5


def test_rank_domains_skips_all_and_suppressed() -> None:
    rng = np.random.default_rng(4)
    n = 300
    agency = np.repeat(["big1", "big2", "tiny"], [140, 150, 10])
    answers = np.where(
        rng.random((n, 2)) < np.where(agency == "big1", 0.9, 0.6)[:, None], 5, 2
    )
    data = SurveyData.from_arrays(
        answers, ["F1.1", "F2.1"], np.ones(n), np.repeat(["s1", "s2", "s3"], 100)
    )
    results = estimate(data, DomainSpec.from_labels(agency))
    names, ranks = rank_domains(results)
    assert names == ["big1", "big2", "tiny"]
    assert ranks.labels()[2] == "unranked"  # n < 30: suppressed
    assert ranks.labels()[0] == "1 of 2"


def test_rank_domains_use_the_composite_interval() -> None:
    rng = np.random.default_rng(7)
    n = 240
    agency = np.repeat(["a", "b", "c"], 80)
    level = np.where(agency == "a", 0.97, np.where(agency == "b", 0.9, 0.8))
    answers = np.where(rng.random((n, 4)) < level[:, None], 5, 2)
    data = SurveyData.from_arrays(
        answers, ["F1.1", "F1.2", "F2.1", "F2.2"], np.ones(n), np.repeat(["s"], n)
    )
    results = estimate(data, DomainSpec.from_labels(agency))
    names, ranks = rank_domains(results)
    rows = results.mask(level="index") & (results.domain != "ALL")
    low, high = composite_interval(
        "logit",
        results.estimate[rows],
        results.se[rows],
        results.n[rows],
        results.df[rows],
        ranks.individual_level,
    )
    np.testing.assert_allclose(ranks.low, low, rtol=1e-12)
    np.testing.assert_allclose(ranks.high, high, rtol=1e-12)
    # Asymmetric next to 100 %: the interval reaches further down than up.
    top = names.index("a")
    estimate_a = results.estimate[rows][top]
    assert estimate_a - ranks.low[top] > ranks.high[top] - estimate_a


def test_rank_intervals_with_an_interval_need_ns() -> None:
    with pytest.raises(ValueError, match="ns is required"):
        rank_intervals([0.9], [0.01], [30], interval=lambda *a: (a[0], a[0]))
