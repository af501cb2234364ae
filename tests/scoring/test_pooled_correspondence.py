"""The bundled factor correspondence of sipas-2017 and sipas-2023."""

from __future__ import annotations

import pytest

from surveyapp.data import (
    PooledFactor,
    check_factor_correspondence,
    factor_correspondence,
    questionnaire_factor_codes,
    read_data,
)


def test_bundled_correspondence_pairs_the_factors_in_order() -> None:
    pairs = factor_correspondence()
    assert pairs.versions == ("sipas-2017", "sipas-2023")
    assert pairs.pooled_version == "sipas-2023"
    assert pairs.codes == ("A", "B", "C", "D", "E")
    assert pairs.members("sipas-2017") == ("I", "II", "III", "IV", "V")
    assert pairs.members("sipas-2023") == ("A", "B", "C", "D", "E")
    assert pairs.positions("sipas-2017") == (1, 2, 3, 4, 5)
    assert pairs.positions("sipas-2023") == (1, 2, 3, 4, 5)


def test_pooled_factors_take_the_newer_versions_names() -> None:
    pairs = factor_correspondence()
    newer = {f["code"]: f for f in read_data("sipas-2023.json")["factors"]}
    for factor in pairs.factors:
        assert factor.name_vi == newer[factor.code]["name_vi"]
        assert factor.name_en == newer[factor.code]["name_en"]


def _factor(code: str, old: str | None, new: str) -> PooledFactor:
    members = {"new": new} if old is None else {"old": old, "new": new}
    return PooledFactor(code, code, code, members)


VERSIONS = {"old": ("I", "II"), "new": ("A", "B")}


@pytest.mark.parametrize(
    ("factors", "message"),
    [
        ([_factor("A", "I", "A"), _factor("B", "I", "B")], "exactly once"),
        ([_factor("A", "I", "A")], "exactly once"),
        ([_factor("A", "I", "A"), _factor("B", "X", "B")], "exactly once"),
        ([_factor("A", "I", "A"), _factor("B", None, "B")], "has no factor of old"),
        ([_factor("A", "I", "A"), _factor("A", "II", "B")], "codes repeat"),
        (
            [
                _factor("A", "I", "A"),
                PooledFactor("B", "B", "B", {"old": "II", "new": "B", "x": "Z"}),
            ],
            "unknown versions",
        ),
    ],
)
def test_a_bad_correspondence_is_refused(factors, message) -> None:
    with pytest.raises(ValueError, match=message):
        check_factor_correspondence(factors, VERSIONS)


def test_questionnaire_factor_codes() -> None:
    assert questionnaire_factor_codes("sipas-2017") == ("I", "II", "III", "IV", "V")
