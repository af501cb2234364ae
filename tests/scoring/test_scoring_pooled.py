"""Pooled factors and index over questionnaire versions (scoring.pooled).

- Agreement with R (``data/pooled_oracle.R``: ``svycontrast`` of ``svytotal``)
  on ``data/pooled_case.csv``: estimate and se within 1e-8 relative, n and df
  exact, "no data" where R has no estimate.
- A domain with one version gives that version's own factor and index rows,
  every column, under the same joint design (within 1e-12).
- The cell-totals and response paths agree, and the order of the parts does
  not matter.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.data import factor_correspondence, read_data
from surveyapp.scoring import (
    CellTotals,
    DomainSpec,
    Results,
    SurveyData,
    estimate,
    estimate_totals,
)
from surveyapp.scoring.pooled import (
    Correspondence,
    VersionResponses,
    estimate_pooled,
    estimate_pooled_totals,
    pooled_leaf_domains,
    pooled_leaf_labels,
)
from tests.scoring.support import DATA, read_csv_rows
from tests.scoring.test_scoring_totals import assert_same_results

CASE = DATA / "pooled_case.csv"
EXPECTED = DATA / "pooled_case.expected.csv"
PROPERTY = settings(max_examples=100, deadline=None, database=None)


def _version_columns(version: str) -> tuple[list[str], list[str]]:
    """The questionnaire's criterion codes and their scoring codes F<p>.<k>."""
    columns, codes = [], []
    for p, factor in enumerate(read_data(f"{version}.json")["factors"], start=1):
        for k, item in enumerate(factor["criteria"], start=1):
            columns.append(item["code"])
            codes.append(f"F{p}.{k}")
    return columns, codes


def _case() -> tuple[list[dict[str, str]], list[VersionResponses], Correspondence]:
    rows = read_csv_rows(CASE)
    pairs = factor_correspondence()
    parts = []
    for version in pairs.versions:
        columns, codes = _version_columns(version)
        mine = [row for row in rows if row["version"] == version]
        answers = [[float(r[c]) if r[c] else math.nan for c in columns] for r in mine]
        parts.append(
            VersionResponses(
                np.array(answers),
                codes,
                np.array([float(r["weight"]) for r in mine]),
                np.array([r["stratum"] for r in mine]),
                np.array([r["commune"] for r in mine]),
            )
        )
    factors = tuple(
        tuple(f"F{p}" for p in pairs.positions(version)) for version in pairs.versions
    )
    return rows, parts, Correspondence(pairs.codes, factors)


@pytest.fixture(scope="module")
def case() -> tuple[list[dict[str, str]], list[VersionResponses], Correspondence]:
    return _case()


def _parent_of(rows: list[dict[str, str]]) -> dict[str, str | None]:
    return {row["commune"]: row["province"] for row in rows}


def _check_against(results: Results, expected: list[dict[str, str]]) -> None:
    assert len(results) == len(expected)
    keys = [(r["domain"], r["level"], r["code"]) for r in expected]
    assert list(zip(results.domain, results.level, results.code, strict=True)) == keys
    np.testing.assert_array_equal(results.n, [int(r["n"]) for r in expected])
    np.testing.assert_array_equal(results.df, [int(r["df"]) for r in expected])
    blank = np.array([r["estimate"] == "" for r in expected])
    assert np.isnan(results.estimate[blank]).all()
    assert (results.flag[blank] == "no data").all()
    for column in ("estimate", "se"):
        reference = np.array(
            [float(r[column]) for r, b in zip(expected, blank, strict=True) if not b]
        )
        np.testing.assert_allclose(
            getattr(results, column)[~blank], reference, rtol=1e-8, err_msg=column
        )


@pytest.mark.parametrize("path", ["totals", "responses"])
def test_pooled_matches_r(case, path: str) -> None:
    rows, parts, correspondence = case
    totals = [part.totals() for part in parts]
    domains = pooled_leaf_domains(totals, _parent_of(rows))
    if path == "totals":
        results = estimate_pooled_totals(totals, correspondence, domains)
    else:
        results = estimate_pooled(parts, correspondence, domains)
    _check_against(results, read_csv_rows(EXPECTED))
    assert set(results.code) == {"A", "B", "C", "D", "E", "SIPAS"}
    assert (results.flag[results.domain == "X08"] != "no data").sum() == 5


def _r_with_survey() -> bool:
    if shutil.which("Rscript") is None:
        return False
    done = subprocess.run(  # noqa: S603 - a fixed command
        ["Rscript", "-e", "library(survey)"], capture_output=True, timeout=120
    )
    return done.returncode == 0


@pytest.mark.skipif(not _r_with_survey(), reason="needs Rscript with survey")
def test_r_oracle_reproduces_the_expected_file(case, tmp_path: Path) -> None:
    out = tmp_path / "pooled.expected.csv"
    done = subprocess.run(  # noqa: S603 - our own script
        ["Rscript", str(DATA / "pooled_oracle.R"), str(CASE), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    fresh = read_csv_rows(out)
    _check_against(_pooled_of_case(case), fresh)
    committed = read_csv_rows(EXPECTED)
    assert [r["estimate"] != "" for r in fresh] == [
        r["estimate"] != "" for r in committed
    ]


def _pooled_of_case(case) -> Results:
    rows, parts, correspondence = case
    totals = [part.totals() for part in parts]
    domains = pooled_leaf_domains(totals, _parent_of(rows))
    return estimate_pooled_totals(totals, correspondence, domains)


def _version_survey(
    rows: list[dict[str, str]], version: str
) -> tuple[SurveyData, np.ndarray]:
    """Every response of the case on ``version``'s criteria: the other
    version's responses answered none of them but stay in the design."""
    columns, codes = _version_columns(version)
    answers = [
        [float(r[c]) if r[c] and r["version"] == version else 0 for c in columns]
        for r in rows
    ]
    data = SurveyData.from_arrays(
        np.array(answers),
        codes,
        [float(r["weight"]) for r in rows],
        [r["stratum"] for r in rows],
    )
    return data, np.array([r["commune"] for r in rows])


def _composite_rows(
    results: Results, domains: list[str], codes: dict[str, str] | None = None
) -> Results:
    """The factor and index rows of ``domains``; codes renamed by ``codes``."""
    keep = (results.level != "criterion") & np.isin(results.domain, domains)
    fields = {
        name: value[keep] if isinstance(value, np.ndarray) else value
        for name, value in vars(results).items()
    }
    if codes is not None:
        fields["code"] = np.array([codes.get(c, c) for c in fields["code"]], object)
        # Rows in the version's own factor order within each domain.
        domain_order = {d: i for i, d in enumerate(domains)}
        order = sorted(
            range(len(fields["code"])),
            key=lambda i: (
                domain_order[fields["domain"][i]],
                fields["level"][i],
                fields["code"][i],
            ),
        )
        fields = {
            name: value[order] if isinstance(value, np.ndarray) else value
            for name, value in fields.items()
        }
    return Results(**fields)


def _single_version_domains(rows: list[dict[str, str]], version: str) -> list[str]:
    versions_of: dict[str, set[str]] = {}
    for row in rows:
        for domain in (row["commune"], row["province"]):
            versions_of.setdefault(domain, set()).add(row["version"])
    return sorted(d for d, found in versions_of.items() if found == {version})


@pytest.mark.parametrize("composite_method", ["logit", "t", "kg"])
@pytest.mark.parametrize("path", ["rows", "totals"])
def test_single_version_domains_equal_that_versions_estimates(
    case, composite_method: str, path: str
) -> None:
    rows, parts, correspondence = case
    parent_of = _parent_of(rows)
    totals = [part.totals() for part in parts]
    domains = pooled_leaf_domains(totals, parent_of)
    pooled = estimate_pooled_totals(
        totals, correspondence, domains, composite_method=composite_method
    )
    for v, version in enumerate(factor_correspondence().versions):
        single = _single_version_domains(rows, version)
        assert len(single) >= 3, version
        data, communes = _version_survey(rows, version)
        if path == "rows":
            own = estimate(
                data,
                DomainSpec.from_tree(communes, parent_of),
                composite_method=composite_method,
            )
        else:
            cells = CellTotals.from_data(data, communes)
            own = estimate_totals(
                cells, cells.leaf_domains(parent_of), composite_method=composite_method
            )
        back = dict(zip(correspondence.codes, correspondence.factors[v], strict=True))
        assert_same_results(
            _composite_rows(pooled, single, back), _composite_rows(own, single)
        )


OLD_CODES = ["F1.1", "F1.2", "F2.1"]
NEW_CODES = ["F1.1", "F2.1", "F2.2", "F2.3"]
# Pooled A is old F1 and new F2; pooled B is old F2 and new F1.
CROSSED = Correspondence(("A", "B"), (("F1", "F2"), ("F2", "F1")))
PARENT_OF: dict[str, str | None] = {"S0": "D1", "S1": "D1", "S2": "D2", "S3": "D2"}


@st.composite
def mixed_surveys(draw: st.DrawFn) -> tuple[VersionResponses, VersionResponses]:
    """Two versions' responses over 1-3 shared strata of 2-8 responses and
    leaves S0..S3; each version has at least one response; answers 0..5 with
    4 and 5 more likely; weights from a pool of 1-3 values or one each."""
    sizes = draw(st.lists(st.integers(2, 8), min_size=1, max_size=3))
    n = sum(sizes)
    strata = np.repeat([f"H{h}" for h in range(len(sizes))], sizes)
    old = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    old[0], old[-1] = True, False
    answer = st.sampled_from((0, 1, 2, 3, 4, 4, 5, 5, 5))
    width = len(OLD_CODES) + len(NEW_CODES)
    answers = np.array(
        draw(
            st.lists(
                st.lists(answer, min_size=width, max_size=width), min_size=n, max_size=n
            )
        )
    )
    pool = draw(st.lists(st.floats(0.5, 50), min_size=1, max_size=3))
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=n, max_size=n))
    weights = np.array([pool[i] for i in picks])
    if draw(st.booleans()):
        weights = np.array(draw(st.lists(st.floats(0.5, 50), min_size=n, max_size=n)))
    leaves = np.array(
        [f"S{i}" for i in draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))]
    )
    k = len(OLD_CODES)
    return (
        VersionResponses(
            answers[old, :k], OLD_CODES, weights[old], strata[old], leaves[old]
        ),
        VersionResponses(
            answers[~old, k:], NEW_CODES, weights[~old], strata[~old], leaves[~old]
        ),
    )


@PROPERTY
@given(mixed_surveys(), st.booleans())
def test_totals_and_responses_agree(parts, tree) -> None:
    totals = [part.totals() for part in parts]
    domains = pooled_leaf_domains(totals, PARENT_OF if tree else None)
    got = estimate_pooled_totals(totals, CROSSED, domains)
    assert_same_results(got, estimate_pooled(list(parts), CROSSED, domains))
    swapped = Correspondence(CROSSED.codes, CROSSED.factors[::-1])
    reversed_ = estimate_pooled_totals(totals[::-1], swapped, domains)
    assert_same_results(reversed_, got)


@PROPERTY
@given(mixed_surveys())
def test_single_version_leaves_equal_their_own_estimates(parts) -> None:
    totals = [part.totals() for part in parts]
    labels = pooled_leaf_labels(totals)
    domains = pooled_leaf_domains(totals)
    pooled = estimate_pooled_totals(totals, CROSSED, domains)
    strata = np.concatenate([np.asarray(p.strata) for p in parts])
    weights = np.concatenate([np.asarray(p.weights) for p in parts])
    leaves = np.concatenate([np.asarray(p.leaves) for p in parts])
    for v, part in enumerate(parts):
        own_answers = np.zeros((strata.size, len(part.criterion_codes)))
        start = sum(len(np.asarray(p.weights)) for p in parts[:v])
        own_answers[start : start + len(np.asarray(part.weights))] = part.answers
        data = SurveyData.from_arrays(
            own_answers, part.criterion_codes, weights, strata
        )
        own = estimate(data, DomainSpec.from_labels(leaves))
        other = np.unique(np.asarray(parts[1 - v].leaves))
        single = [label for label in labels if label not in other]
        back = dict(zip(CROSSED.codes, CROSSED.factors[v], strict=True))
        assert_same_results(
            _composite_rows(pooled, single, back), _composite_rows(own, single)
        )


def test_a_correspondence_that_does_not_fit_is_refused(case) -> None:
    _, parts, correspondence = case
    totals = [part.totals() for part in parts]
    domains = pooled_leaf_domains(totals)
    with pytest.raises(ValueError, match="2 parts, but"):
        estimate_pooled_totals(totals, Correspondence(("A",), (("F1",),)), domains)
    wrong = Correspondence(
        correspondence.codes,
        (correspondence.factors[0], ("F1", "F2", "F3", "F4", "F9")),
    )
    with pytest.raises(ValueError, match="part 1 has factors"):
        estimate_pooled_totals(totals, wrong, domains)


@pytest.mark.parametrize(
    ("codes", "factors", "message"),
    [
        (("A", "A"), (("F1", "F2"),), "distinct"),
        ((), (), "distinct"),
        (("A", "B"), (("F1", "F1"),), "2 distinct factors"),
        (("A", "B"), (("F1",),), "2 distinct factors"),
    ],
)
def test_correspondence_validation(codes, factors, message) -> None:
    with pytest.raises(ValueError, match=message):
        Correspondence(codes, factors)


def test_a_lone_response_in_a_stratum_of_all_versions_is_an_error() -> None:
    old = VersionResponses([[5, 4, 3]], OLD_CODES, [1.0], ["H0"], ["S0"])
    new = VersionResponses(
        [[5, 4, 3, 2], [4, 4, 4, 4]], NEW_CODES, [1.0, 2.0], ["H0", "H1"], ["S0", "S1"]
    )
    totals = [old.totals(), new.totals()]
    with pytest.raises(ValueError, match="H1"):
        estimate_pooled_totals(totals, CROSSED, pooled_leaf_domains(totals))
    # A stratum is whole across versions: one response of each is enough.
    new = VersionResponses([[5, 4, 3, 2]], NEW_CODES, [2.0], ["H0"], ["S1"])
    totals = [old.totals(), new.totals()]
    results = estimate_pooled_totals(totals, CROSSED, pooled_leaf_domains(totals))
    assert list(results.n[results.domain == "ALL"]) == [2, 2, 2]


def test_a_version_without_responses_pools_to_the_other() -> None:
    none = VersionResponses(np.zeros((0, 3)), OLD_CODES, [], [], [])
    new = VersionResponses(
        [[5, 4, 3, 2], [4, 4, 1, 0], [1, 2, 3, 4]],
        NEW_CODES,
        [1.0, 2.0, 3.0],
        ["H", "H", "H"],
        ["S0", "S1", "S1"],
    )
    totals = [none.totals(), new.totals()]
    domains = pooled_leaf_domains(totals)
    pooled = estimate_pooled_totals(totals, CROSSED, domains)
    own = estimate_totals(totals[1], totals[1].leaf_domains())
    back = dict(zip(CROSSED.codes, CROSSED.factors[1], strict=True))
    names = list(domains.names)
    assert_same_results(
        _composite_rows(pooled, names, back), _composite_rows(own, names)
    )
    assert_same_results(estimate_pooled([none, new], CROSSED, domains), pooled)
