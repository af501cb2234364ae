"""Cell totals: estimate_totals(CellTotals.from_data(data)) is estimate(data).

Every column of every row must agree: n, df, flags and reasons exactly, the
numbers within 1e-12 relative. Interval ends also within 1e-14 absolute: an end
near 0 (1e-27, say) magnifies the last-bit differences of sums taken in another
order up to a hundredfold, and both paths are as far from the exact value
(about 1e-14 relative for se, checked against exact rational arithmetic).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.scoring import (
    CellTotals,
    DomainSpec,
    Results,
    SurveyData,
    estimate,
    estimate_totals,
    read_survey_csv,
)
from tests.scoring.support import DATA, REFERENCE_CASES, make_survey, read_csv_rows

CODES = ["F1.1", "F1.2", "F2.1", "F3.1", "F3.2"]
# Leaves S0..S3 under two districts and a province; S3 hangs from the province.
PARENT_OF: dict[str, str | None] = {
    "S0": "D1",
    "S1": "D1",
    "S2": "D2",
    "S3": "P",
    "D1": "P",
    "D2": "P",
}
EXACT_COLUMNS = ("domain", "level", "code", "n", "df", "flag", "flag_reasons")
FLOAT_COLUMNS = ("estimate", "se", "n_eff", "mean_score", "ci_low", "ci_high")
INTERVAL_ATOL = 1e-14
# No example database: keep the working tree free of .hypothesis/.
PROPERTY = settings(max_examples=150, deadline=None, database=None)


def assert_same_results(got: Results, expected: Results) -> None:
    assert len(got) == len(expected)
    for column in EXACT_COLUMNS:
        np.testing.assert_array_equal(
            getattr(got, column), getattr(expected, column), err_msg=column
        )
    for column in FLOAT_COLUMNS:
        np.testing.assert_allclose(
            getattr(got, column),
            getattr(expected, column),
            rtol=1e-12,
            atol=INTERVAL_ATOL if column.startswith("ci_") else 0.0,
            equal_nan=True,
            err_msg=column,
        )
    assert (got.method, got.confidence, got.composite_method) == (
        expected.method,
        expected.confidence,
        expected.composite_method,
    )


@st.composite
def designs(
    draw: st.DrawFn, pool: list[float] | None = None
) -> tuple[SurveyData, np.ndarray]:
    """Random surveys and each response's leaf (S0..S3).

    1-4 strata of 2-8 responses; leaves drawn independently of strata, so
    domains cut across strata; weights either from a pool of 1-3 values (cells
    of several responses) or one per response; answers 0 (skipped) to 5, with
    4 and 5 more likely, so that some criteria are all satisfied in a domain.
    """
    sizes = draw(st.lists(st.integers(2, 8), min_size=1, max_size=4))
    n = sum(sizes)
    strata = np.repeat(np.arange(len(sizes)), sizes)
    answer = st.sampled_from((0, 1, 2, 3, 4, 4, 5, 5, 5))
    answers = np.array(
        draw(st.lists(st.lists(answer, min_size=5, max_size=5), min_size=n, max_size=n))
    )
    weight = st.floats(0.5, 50)
    if pool is None and draw(st.booleans()):
        pool = draw(st.lists(weight, min_size=1, max_size=3))
    if pool is None:
        weights = np.array(draw(st.lists(weight, min_size=n, max_size=n)))
    else:
        picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=n, max_size=n))
        weights = np.array([pool[i] for i in picks])
    leaves = np.array(
        [f"S{i}" for i in draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))]
    )
    return SurveyData.from_arrays(answers, CODES, weights, strata), leaves


@st.composite
def months(draw: st.DrawFn) -> list[tuple[SurveyData, np.ndarray]]:
    """2-3 surveys ("months") sharing leaves, strata labels and a weight pool."""
    pool = draw(st.lists(st.floats(0.5, 50), min_size=1, max_size=3))
    return draw(st.lists(designs(pool), min_size=2, max_size=3))


@PROPERTY
@given(
    designs(),
    st.booleans(),
    st.sampled_from(["kg", "r-beta", "logit", "wilson"]),
    st.sampled_from(["logit", "logit-df", "kg", "t"]),
    st.sampled_from([0.9, 0.95, 0.99]),
    st.booleans(),
)
def test_totals_equal_rows(
    design, tree, method, composite_method, level, complement_rule
) -> None:
    data, leaves = design
    totals = CellTotals.from_data(data, leaves)
    parent_of = PARENT_OF if tree else None
    if tree:
        row_domains = DomainSpec.from_tree(leaves, PARENT_OF)
    else:
        row_domains = DomainSpec.from_labels(leaves)
    options = {
        "composite_method": composite_method,
        "complement_rule": complement_rule,
    }
    expected = estimate(data, row_domains, method, level, **options)
    got = estimate_totals(
        totals, totals.leaf_domains(parent_of), method, level, **options
    )
    assert_same_results(got, expected)


@PROPERTY
@given(months())
def test_combining_months_gives_the_year(parts) -> None:
    year = SurveyData.from_arrays(
        np.concatenate([data.answers for data, _ in parts]),
        CODES,
        np.concatenate([data.weights for data, _ in parts]),
        np.concatenate([data.strata for data, _ in parts]),
    )
    leaves = np.concatenate([leaves for _, leaves in parts])
    whole = CellTotals.from_data(year, leaves)
    combined = CellTotals.combine(
        *(CellTotals.from_data(data, leaves) for data, leaves in parts)
    )
    _assert_same_totals(combined, whole)
    assert_same_results(
        estimate_totals(combined, combined.leaf_domains(PARENT_OF)),
        estimate(year, DomainSpec.from_tree(leaves, PARENT_OF)),
    )


@PROPERTY
@given(designs(), st.integers(2, 3), st.randoms(use_true_random=False))
def test_combining_any_split_gives_the_whole(design, n_parts, random) -> None:
    """Parts may hold single-response strata: only their sum is estimated."""
    data, leaves = design
    part_of = np.array([random.randrange(n_parts) for _ in range(data.n_responses)])
    parts = [
        CellTotals.from_responses(
            data.answers[rows],
            data.criterion_codes,
            data.weights[rows],
            np.asarray(data.stratum_labels)[data.strata[rows]],
            leaves[rows],
        )
        for rows in (np.flatnonzero(part_of == part) for part in range(n_parts))
        if rows.size
    ]
    whole = CellTotals.from_data(data, leaves)
    _assert_same_totals(CellTotals.combine(*parts), whole)


@PROPERTY
@given(months())
def test_cells_need_not_be_summed(parts) -> None:
    """Rows of the same (leaf, stratum, weight) left apart change nothing."""
    year = SurveyData.from_arrays(
        np.concatenate([data.answers for data, _ in parts]),
        CODES,
        np.concatenate([data.weights for data, _ in parts]),
        np.concatenate([data.strata for data, _ in parts]),
    )
    leaves = np.concatenate([leaves for _, leaves in parts])
    month_totals = [CellTotals.from_data(data, leaves) for data, leaves in parts]
    stacked = CellTotals.from_arrays(
        CODES,
        np.concatenate([totals.cell_leaves() for totals in month_totals]),
        np.concatenate([np.asarray(t.stratum_labels)[t.stratum] for t in month_totals]),
        np.concatenate([totals.weight for totals in month_totals]),
        *(
            np.concatenate(counts)
            for counts in zip(*map(_counts, month_totals), strict=True)
        ),
    )
    assert_same_results(
        estimate_totals(stacked, stacked.leaf_domains(PARENT_OF)),
        estimate(year, DomainSpec.from_tree(leaves, PARENT_OF)),
    )


def _counts(totals: CellTotals) -> list[np.ndarray]:
    return [
        getattr(totals, name)
        for name in ("n", "answered", "satisfied", "answer_sum", "xx", "yx", "yy")
    ]


def _assert_same_totals(got: CellTotals, expected: CellTotals) -> None:
    assert got.leaf_labels == expected.leaf_labels
    assert got.criterion_codes == expected.criterion_codes
    np.testing.assert_array_equal(got.cell_leaves(), expected.cell_leaves())
    np.testing.assert_array_equal(
        np.asarray(got.stratum_labels)[got.stratum],
        np.asarray(expected.stratum_labels)[expected.stratum],
    )
    np.testing.assert_array_equal(got.weight, expected.weight)
    for mine, theirs in zip(_counts(got), _counts(expected), strict=True):
        np.testing.assert_array_equal(mine, theirs)


# Hand-checked: one criterion; stratum a (weight 1) answers 5, 4, 2, -; stratum
# b (weight 2) answers 5, 1. Leaf A = {5, 2 of a; 1 of b} cuts across strata.
HAND_ANSWERS = [[5], [4], [2], [0], [5], [1]]
HAND_STRATA = ["a", "a", "a", "a", "b", "b"]
HAND_WEIGHTS = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0]
HAND_LEAVES = ["A", "B", "A", "B", "B", "A"]


@pytest.fixture
def hand() -> tuple[SurveyData, CellTotals]:
    data = make_survey(HAND_ANSWERS, HAND_STRATA, HAND_WEIGHTS, codes=["F1.1"])
    return data, CellTotals.from_data(data, HAND_LEAVES)


def test_hand_checked_cells(hand) -> None:
    _, totals = hand
    assert totals.leaf_labels == ("A", "B")
    assert totals.cell_leaves().tolist() == ["A", "A", "B", "B"]
    assert [totals.stratum_labels[s] for s in totals.stratum] == ["a", "b", "a", "b"]
    assert totals.weight.tolist() == [1.0, 2.0, 1.0, 2.0]
    assert totals.n.tolist() == [2, 1, 2, 1]
    assert totals.answered[:, 0].tolist() == [2, 1, 1, 1]
    assert totals.satisfied[:, 0].tolist() == [1, 0, 1, 1]
    assert totals.answer_sum[:, 0].tolist() == [7, 1, 4, 5]
    assert totals.xx[:, 0, 0].tolist() == [2, 1, 1, 1]
    assert totals.yx[:, 0, 0].tolist() == totals.yy[:, 0, 0].tolist() == [1, 0, 1, 1]


def test_hand_checked_estimates(hand) -> None:
    data, totals = hand
    # A: P = 1/4 (X = 1 + 1 + 2); influence 3/16, -1/16 in a, -1/8 in b, 0
    # elsewhere; V = 4/3 (36/1024) + 2 (2/256) = 1/16.
    # ALL: P = 4/7; V = 4/3 (132/9604) + 2 (392/9604) = 960/9604.
    # Mean scores: sum of w (a - 1) / 4 over the answers, divided by X.
    expected = {
        "A": (0.25, 0.25, 3, 1, 100 * (1.0 + 0.25 + 2 * 0.0) / 4),
        "B": (1.0, 0.0, 2, 0, 100 * (0.75 + 2 * 1.0) / 3),
        "ALL": (4 / 7, math.sqrt(960) / 98, 5, 3, 100 * 4 / 7),
    }
    for results in (
        estimate(data, DomainSpec.from_labels(HAND_LEAVES)),
        estimate_totals(totals, totals.leaf_domains()),
    ):
        rows = results.level == "criterion"
        assert results.domain[rows].tolist() == list(expected)
        got = np.column_stack(
            [
                results.estimate[rows],
                results.se[rows],
                results.n[rows],
                results.df[rows],
                results.mean_score[rows],
            ]
        )
        np.testing.assert_allclose(got, list(expected.values()), rtol=1e-14)


def test_hand_checked_cross_products() -> None:
    # x: (1,0) (1,1) (1,1) (0,1); y: (1,0) (1,0) (0,1) (0,1)
    data = make_survey(
        [[5, 0], [4, 2], [2, 5], [0, 4]], ["a"] * 4, codes=["F1.1", "F1.2"]
    )
    totals = CellTotals.from_data(data, ["A"] * 4)
    assert totals.xx.tolist() == [[[3, 2], [2, 3]]]
    assert totals.yx.tolist() == [[[2, 1], [1, 2]]]
    assert totals.yy.tolist() == [[[2, 0], [0, 2]]]
    assert totals.answer_sum.tolist() == [[11, 11]]


def test_equal_influence_inside_a_cell_gives_a_zero_se() -> None:
    """Found by the property test: in F1, answers (4, 2), (3, 5), (5, 1) give
    P = 2/3 and 1/3 and every response the influence value 0, so F1's variance
    is 0. With this weight, double precision left 3e-18 of the cross-product
    form, an se of 2e-9 instead of 0, and so another interval and flag; the
    cell-by-cell recomputation of within.py must bring it below the zero
    threshold, as the row formula does."""
    answers = [[4, 2, 5, 0, 1], [3, 5, 5, 0, 5], [5, 1, 4, 5, 2]]
    data = SurveyData.from_arrays(answers, CODES, [46.9018482895617] * 3, [0] * 3)
    totals = CellTotals.from_data(data, ["S0"] * 3)
    rows = estimate(data, DomainSpec.from_labels(["S0"] * 3))
    cells = estimate_totals(totals, totals.leaf_domains())
    assert_same_results(cells, rows)
    factor = (cells.level == "factor") & (cells.code == "F1")
    assert cells.estimate[factor].tolist() == [0.5, 0.5]
    assert cells.se[factor].tolist() == [0.0, 0.0]


def test_a_tie_with_a_flag_threshold_gives_the_same_flag() -> None:
    """Found by the property test: here p(1 - p) / se^2 is exactly 30; rows
    gave n_eff = 30.0 ("review"), cells 29.999999999999996 ("suppress") before
    the flags treated a rounded tie as the threshold."""
    column = [1, 4, 4, 4, 4, 4, 4, 4, 4, 1, 4, 4, 4, 4, 4, 4] * 2
    answers = np.zeros((32, 5), dtype=np.int64)
    answers[:, 1] = column
    strata = ([0] * 8 + [1] * 8) * 2
    data = SurveyData.from_arrays(answers, CODES, [1.5] * 32, strata)
    totals = CellTotals.from_data(data, ["S0"] * 32)
    cells = estimate_totals(totals, totals.leaf_domains())
    assert_same_results(cells, estimate(data, DomainSpec.from_labels(["S0"] * 32)))
    assert cells.flag[1] == "review"


def test_leaf_domains_keep_numeric_order() -> None:
    leaves = [10, 9, 10, 9, 2, 2]
    data = make_survey(HAND_ANSWERS, HAND_STRATA, HAND_WEIGHTS, codes=["F1.1"])
    totals = CellTotals.from_data(data, leaves)
    assert totals.leaf_labels == ("2", "9", "10")
    assert_same_results(
        estimate_totals(totals, totals.leaf_domains()),
        estimate(data, DomainSpec.from_labels(leaves)),
    )
    assert totals.leaf_domains(include_all=False).names == ("2", "9", "10")


def test_combine_merges_labels_of_different_parts() -> None:
    first = CellTotals.from_data(
        make_survey([[5], [4]], ["a", "a"], codes=["F1.1"]), ["10", "10"]
    )
    second = CellTotals.from_data(
        make_survey([[5], [1]], ["b", "b"], [2.0, 2.0], codes=["F1.1"]), ["9", "x"]
    )
    both = CellTotals.combine(first, second, first)
    assert both.leaf_labels == ("9", "10", "x")
    assert both.stratum_labels == ("a", "b")
    assert both.cell_leaves().tolist() == ["9", "10", "x"]
    assert both.n.tolist() == [1, 4, 1]
    assert both.satisfied[:, 0].tolist() == [1, 4, 0]


# --- the R reference data through both paths ---------------------------------

UNCLUSTERED = [case for case in REFERENCE_CASES if case != "extra_clustered"]


@pytest.mark.parametrize("method", ["kg", "r-beta", "logit", "wilson"])
@pytest.mark.parametrize("case", UNCLUSTERED)
def test_reference_data_through_cells(case: str, method: str) -> None:
    survey = read_survey_csv(DATA / f"{case}.csv")
    totals = CellTotals.from_data(survey.data, survey.agencies)
    assert totals.n_responses == survey.data.n_responses
    got = estimate_totals(totals, totals.leaf_domains(), method)
    assert_same_results(
        got, estimate(survey.data, DomainSpec.from_labels(survey.agencies), method)
    )
    expected = read_csv_rows(DATA / f"{case}.expected.csv")
    blank = [r["estimate"] in ("", "NA") for r in expected]
    reference = np.array(
        [
            math.nan if b else float(r["estimate"])
            for r, b in zip(expected, blank, strict=True)
        ]
    )
    reference_se = np.array(
        [
            math.nan if b else float(r["se"])
            for r, b in zip(expected, blank, strict=True)
        ]
    )
    np.testing.assert_allclose(got.estimate, reference, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.se, reference_se, rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(got.n, [int(r["n"]) for r in expected])
    np.testing.assert_array_equal(got.df, [int(r["df"]) for r in expected])


@pytest.mark.parametrize("case", UNCLUSTERED)
def test_reference_data_with_a_tree(case: str) -> None:
    survey = read_survey_csv(DATA / f"{case}.csv")
    agencies = sorted(set(survey.agencies.tolist()))
    parent_of: dict[str, str | None] = {
        agency: f"G{i % 3}" for i, agency in enumerate(agencies)
    }
    totals = CellTotals.from_data(survey.data, survey.agencies)
    assert_same_results(
        estimate_totals(totals, totals.leaf_domains(parent_of)),
        estimate(survey.data, DomainSpec.from_tree(survey.agencies, parent_of)),
    )


def test_clusters_are_refused() -> None:
    survey = read_survey_csv(DATA / "extra_clustered.csv")
    with pytest.raises(ValueError, match="its own PSU"):
        CellTotals.from_data(survey.data, survey.agencies)


# --- validation ----------------------------------------------------------------


def _arrays(totals: CellTotals) -> dict[str, object]:
    return {
        "criterion_codes": list(totals.criterion_codes),
        "leaf": totals.cell_leaves(),
        "stratum": np.asarray(totals.stratum_labels)[totals.stratum],
        "weight": totals.weight,
        **{
            name: getattr(totals, name).copy()
            for name in ("n", "answered", "satisfied", "answer_sum", "xx", "yx", "yy")
        },
    }


def _set(name: str, index: tuple[int, ...], value: float):
    def change(arrays: dict[str, object]) -> None:
        array = np.array(
            arrays[name], dtype=float if isinstance(value, float) else None
        )
        array[index] = value
        arrays[name] = array

    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (_set("weight", (0,), -1.0), "not a positive number"),
        (_set("weight", (1,), float("nan")), "not a positive number"),
        (_set("n", (0,), 0), "no responses"),
        (_set("satisfied", (0, 0), -1), "negative satisfied"),
        (_set("satisfied", (0, 0), 3), "more satisfied than answered"),
        (_set("answered", (1, 0), 3), "more answered than responses"),
        (_set("answer_sum", (0, 0), 3), "answer sum"),
        (_set("xx", (0, 0, 0), 1), "diagonal"),
        (_set("yy", (0, 0, 1), 0), "not symmetric"),
        (_set("answered", (0, 0), 2.5), "whole numbers"),
        (lambda a: a.update(answered=a["answered"][:, :1]), "one column per"),
        (lambda a: a.update(xx=a["xx"][:, :1]), "cross-products must have shape"),
        (lambda a: a.update(n=a["n"][:1]), "must have shape"),
        (lambda a: a.update(criterion_codes=["Q1", "F1.2"]), "F<factor>.<criterion>"),
        (lambda a: a.update(criterion_codes=["F1.1", "F1.1"]), "distinct"),
    ],
)
def test_from_arrays_validation(change, message) -> None:
    data = make_survey(
        [[5, 4], [4, 0], [2, 5], [0, 4]], ["a"] * 4, codes=["F1.1", "F1.2"]
    )
    arrays = _arrays(CellTotals.from_data(data, ["A", "A", "B", "B"]))
    CellTotals.from_arrays(**arrays)  # the unchanged arrays are valid
    change(arrays)
    with pytest.raises(ValueError, match=message):
        CellTotals.from_arrays(**arrays)


def test_cross_products_no_responses_can_give() -> None:
    data = make_survey(
        [[5, 4], [4, 0], [2, 5], [0, 4]], ["a"] * 4, codes=["F1.1", "F1.2"]
    )
    arrays = _arrays(CellTotals.from_data(data, ["A"] * 4))
    # Three of four answered each criterion, so at least two answered both.
    arrays["xx"][0, 0, 1] = arrays["xx"][0, 1, 0] = 1
    with pytest.raises(ValueError, match="no set of responses"):
        CellTotals.from_arrays(**arrays)


def test_single_response_stratum_is_an_error_in_both_paths() -> None:
    with pytest.raises(ValueError, match="single response"):
        make_survey([[5], [4], [3]], ["a", "a", "b"], codes=["F1.1"])
    month = make_survey([[5], [4], [3], [1]], ["a", "a", "b", "b"], codes=["F1.1"])
    arrays = _arrays(CellTotals.from_data(month, ["A", "A", "A", "B"]))
    keep = np.array([0, 1])  # the A cell of a, the A cell of b (one response)
    single = CellTotals.from_arrays(
        arrays["criterion_codes"],
        *(np.asarray(arrays[name])[keep] for name in list(arrays)[1:]),
    )
    with pytest.raises(ValueError, match="stratum 'b' has a single response"):
        estimate_totals(single, single.leaf_domains())


def test_estimate_totals_errors(hand) -> None:
    _, totals = hand
    with pytest.raises(ValueError, match="unknown interval method"):
        estimate_totals(totals, totals.leaf_domains(), "bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="names response 9"):
        estimate_totals(totals, DomainSpec.from_memberships(["X"], [0, 9], [0, 0]))
    with pytest.raises(ValueError, match="whole-sample name"):
        CellTotals.from_data(hand[0], ["ALL"] * 6).leaf_domains()


def test_combine_and_from_data_errors(hand) -> None:
    data, totals = hand
    other = CellTotals.from_data(
        make_survey([[5], [4]], ["a", "a"], codes=["F2.1"]), ["A", "A"]
    )
    with pytest.raises(ValueError, match="no cell totals"):
        CellTotals.combine()
    with pytest.raises(ValueError, match="different criteria"):
        CellTotals.combine(totals, other)
    with pytest.raises(ValueError, match="one label per response"):
        CellTotals.from_data(data, ["A"])
