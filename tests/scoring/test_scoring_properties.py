"""Property tests (hypothesis) and edge cases of the whole estimation."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.scoring import DomainSpec, SurveyData, estimate
from tests.scoring.support import REPO, make_survey, whole

CODES = ["F1.1", "F1.2", "F2.1", "F3.1", "F3.2"]
# No example database: keep the working tree free of .hypothesis/.
FAST = settings(max_examples=25, deadline=None, database=None)


@st.composite
def surveys(draw: st.DrawFn) -> tuple[SurveyData, np.ndarray]:
    """Small random surveys: 2-4 strata of 2-8 responses, 1-3 agencies."""
    sizes = draw(st.lists(st.integers(2, 8), min_size=2, max_size=4))
    n = sum(sizes)
    strata = np.repeat(np.arange(len(sizes)), sizes)
    answers = np.array(
        draw(
            st.lists(
                st.lists(st.integers(0, 5), min_size=5, max_size=5),
                min_size=n,
                max_size=n,
            )
        )
    )
    weights = np.array(draw(st.lists(st.floats(0.5, 50), min_size=n, max_size=n)))
    agencies = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    data = SurveyData.from_arrays(answers, CODES, weights, strata)
    return data, agencies


@FAST
@given(
    surveys(),
    st.sampled_from(["kg", "r-beta", "logit", "wilson"]),
    st.floats(0.5, 0.999),
)
def test_intervals_contain_estimate_inside_unit_interval(case, method, level) -> None:
    data, agencies = case
    results = estimate(data, DomainSpec.from_labels(agencies), method, level)
    has = np.isfinite(results.estimate)
    assert (results.flag[~has] == "no data").all()
    low, high, p = results.ci_low[has], results.ci_high[has], results.estimate[has]
    assert np.isfinite(low).all() and np.isfinite(high).all()
    assert (0.0 <= low).all() and (low <= p).all() and (p <= high).all()
    assert (high <= 1.0).all()
    assert set(results.flag.tolist()) <= {"ok", "review", "suppress", "no data"}


@FAST
@given(surveys(), st.floats(0.01, 1000))
def test_scaling_weights_changes_nothing(case, factor) -> None:
    data, agencies = case
    scaled = SurveyData.from_arrays(
        data.answers,
        data.criterion_codes,
        data.weights * factor,
        data.strata,
    )
    domains = DomainSpec.from_labels(agencies)
    a, b = estimate(data, domains), estimate(scaled, domains)
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.se, b.se, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(a.ci_low, b.ci_low, rtol=1e-6, atol=1e-8)


@FAST
@given(surveys(), st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(case, random) -> None:
    data, agencies = case
    order = np.array(random.sample(range(data.n_responses), data.n_responses))
    permuted = SurveyData.from_arrays(
        data.answers[order],
        data.criterion_codes,
        data.weights[order],
        data.strata[order],
    )
    a = estimate(data, DomainSpec.from_labels(agencies))
    b = estimate(permuted, DomainSpec.from_labels(agencies[order]))
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(a.se, b.se, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(a.df, b.df)
    np.testing.assert_array_equal(a.flag, b.flag)


@FAST
@given(surveys())
def test_domain_equal_to_whole_sample_equals_all(case) -> None:
    data, _ = case
    one_agency = estimate(data, DomainSpec.from_labels(np.zeros(data.n_responses)))
    per_domain = len(one_agency) // 2
    agency_rows = slice(0, per_domain)
    all_rows = slice(per_domain, None)
    for column in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_array_equal(
            getattr(one_agency, column)[agency_rows],
            getattr(one_agency, column)[all_rows],
        )
    np.testing.assert_array_equal(one_agency.n[agency_rows], one_agency.n[all_rows])


def test_import_does_not_load_flask_or_sqlalchemy() -> None:
    code = (
        "import sys, surveyapp.scoring, surveyapp.scoring.__main__; "
        "bad = sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy', 'pandas')); "
        "print(','.join(bad))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO)},
    )
    assert done.stdout.strip() == ""


def test_one_agency_all_fives() -> None:
    data = make_survey([[5, 5, 5, 5]] * 6, ["a", "a", "a", "b", "b", "b"])
    results = estimate(data, DomainSpec.from_labels(["X"] * 6))
    assert list(dict.fromkeys(results.domain.tolist())) == ["X", "ALL"]
    assert (results.estimate == 1.0).all()
    assert (results.se == 0.0).all()
    assert (results.ci_high == 1.0).all()
    criteria = results.level == "criterion"
    np.testing.assert_allclose(results.ci_low[criteria], 0.025 ** (1 / 6))
    assert all("p=1" in r for r in results.flag_reasons[criteria])
    assert (results.mean_score == 100.0).all()


def test_criterion_nobody_answered_is_no_data_not_nan() -> None:
    answers = [[5, 0, 4, 3], [4, 0, 2, 5], [1, 0, 5, 5], [3, 0, 4, 4]]
    data = make_survey(answers, ["a", "a", "b", "b"])
    results = estimate(data, whole(data))
    missing = results.code == "F1.2"
    assert results.flag[missing][0] == "no data"
    assert np.isnan(results.estimate[missing]).all()
    assert results.n[missing][0] == 0
    factor = (results.code == "F1") & (results.level == "factor")
    # F1 is then the mean of the criteria that have answers (here F1.1 only).
    assert results.estimate[factor][0] == results.estimate[results.code == "F1.1"][0]
    assert "1 of 2 criteria answered" in results.flag_reasons[factor][0]
    index = results.code == "SIPAS"
    assert np.isfinite(results.estimate[index]).all()


def test_single_response_stratum_is_an_error() -> None:
    with pytest.raises(ValueError, match="single response"):
        make_survey([[5], [4], [3]], ["a", "a", "b"], codes=["F1.1"])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"weights": [1.0, -1.0, 1.0, 1.0]}, "positive"),
        ({"weights": [1.0, float("nan"), 1.0, 1.0]}, "positive"),
        ({"answers": [[6], [4], [3], [2]]}, "outside 1..5"),
        ({"answers": [[4.5], [4], [3], [2]]}, "whole numbers"),
        ({"codes": ["Q1"]}, "F<factor>.<criterion>"),
    ],
)
def test_survey_data_validation(change, message) -> None:
    arguments = {
        "answers": [[5], [4], [3], [2]],
        "weights": [1.0] * 4,
        "codes": ["F1.1"],
    }
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        SurveyData.from_arrays(
            arguments["answers"],
            arguments["codes"],
            arguments["weights"],
            ["a", "a", "b", "b"],
        )


def test_nan_means_missing_in_float_answers() -> None:
    data = SurveyData.from_arrays(
        [[5.0], [np.nan], [3.0], [4.0]], ["F1.1"], [1.0] * 4, ["a", "a", "b", "b"]
    )
    assert data.answers[:, 0].tolist() == [5, 0, 3, 4]


def test_criteria_are_sorted_numerically() -> None:
    data = SurveyData.from_arrays(
        [[1, 2, 3, 4]] * 2, ["F10.1", "F2.10", "F2.9", "F1.1"], [1, 1], ["a", "a"]
    )
    assert data.criterion_codes == ("F1.1", "F2.9", "F2.10", "F10.1")
    assert data.answers[0].tolist() == [4, 3, 2, 1]
    assert data.factor_codes == ("F1", "F2", "F10")


def test_unknown_method_is_an_error() -> None:
    data = make_survey([[5], [4]], ["a", "a"], codes=["F1.1"])
    with pytest.raises(ValueError, match="unknown interval method"):
        estimate(data, whole(data), method="exact")  # type: ignore[arg-type]


def test_rows_are_plain_python() -> None:
    data = make_survey([[5, 0], [4, 0]], ["a", "a"])
    rows = list(estimate(data, whole(data)).rows())
    assert rows[1]["estimate"] is None and rows[1]["flag"] == "no data"
    assert isinstance(rows[0]["n"], int)
