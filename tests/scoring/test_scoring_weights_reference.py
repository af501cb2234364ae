"""``poststratify`` (array operations) returns exactly what the loop version did.

The loop version is kept verbatim in ``_reference_poststratify.py``. Every
output is compared exactly: weights and strata bit for bit (with their dtypes),
and the cells, rates, pooled cells and agency lists by their repr, which also
tells a Python int from a numpy one and compares NaN response rates. Impossible
input must raise the same exception with the same message.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.scoring import Poststratification, poststratify
from tests.scoring._reference_poststratify import reference_poststratify

MANY = settings(max_examples=400, deadline=None, database=None)

# Labels whose order is easy to get wrong: case, digits as text, accents, the
# empty label, control characters below the old key separator, a colon (it is
# the cell labels' separator), a trailing NUL (numpy drops it), astral planes.
TRICKY = [
    "",
    "A",
    "a",
    "B",
    "A:",
    "A:x",
    "A B",
    "10",
    "9",
    "Đ",
    "Â",
    "á",
    "z",
    "A\x01",
    "A\x00B",
    "A\x00",
    "\U0001f642",
    "pooled",
    "x+pooled",
]
# The old code joined agency and field with "\x1f" and split at the first one,
# so an agency containing it came back wrong; agencies are codes, never that.
AGENCY_TEXT = st.text(
    st.characters(exclude_characters="\x1f", exclude_categories=("Cs",)), max_size=3
)
FIELD_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=3)
RESULT_FIELDS = (
    "cells",
    "rates",
    "collapsed",
    "unrepresented",
    "single_response_agencies",
)


def outcome(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The result, or the exception's type and message."""
    try:
        return function(*args, **kwargs)
    except (ValueError, TypeError) as error:
        return (type(error), str(error))


def assert_same(new: Any, old: Any) -> None:
    if not isinstance(old, Poststratification):
        assert new == old
        return
    assert isinstance(new, Poststratification)
    for array in ("weights", "stratum"):
        assert getattr(new, array).dtype == getattr(old, array).dtype
        assert getattr(new, array).shape == getattr(old, array).shape
        assert np.array_equal(getattr(new, array), getattr(old, array))
    for field in RESULT_FIELDS:
        assert repr(getattr(new, field)) == repr(getattr(old, field)), field
    assert list(new.stratum_labels()) == list(old.stratum_labels())


def as_input(labels: list[str], form: str) -> Any:
    if form == "list":
        return labels
    if form == "object":
        return np.array(labels, dtype=object)
    return np.array(labels, dtype=str)


@st.composite
def weighting_inputs(draw: st.DrawFn) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Random cells: zero dossiers, zero responses, groups, duplicates, gaps."""
    agencies = draw(
        st.lists(
            st.one_of(st.sampled_from(TRICKY), AGENCY_TEXT), min_size=1, max_size=6
        )
    )
    fields = draw(
        st.lists(st.one_of(st.sampled_from(TRICKY), FIELD_TEXT), min_size=1, max_size=4)
    )
    cell = st.tuples(st.sampled_from(agencies), st.sampled_from(fields))
    responses = draw(st.lists(cell, max_size=30))
    unique = draw(st.booleans()) or draw(st.booleans())
    dossiers = draw(
        st.lists(
            st.tuples(cell, st.integers(0, 40)),
            max_size=16,
            unique_by=(lambda entry: entry[0]) if unique else None,
        )
    )
    if draw(st.booleans()):
        # Mostly weightable: every agency with responses gets some dossiers.
        listed = {agency for (agency, _), _ in dossiers}
        for agency, field in responses:
            if agency not in listed:
                listed.add(agency)
                dossiers.append(((agency, field), draw(st.integers(1, 40))))
    form = draw(st.sampled_from(["list", "object", "str"]))
    args = (
        as_input([a for a, _ in responses], form),
        as_input([f for _, f in responses], form),
        as_input([a for (a, _), _ in dossiers], form),
        as_input([f for (_, f), _ in dossiers], form),
        [count for _, count in dossiers],
    )
    kwargs: dict[str, Any] = {"min_responses": draw(st.integers(0, 3))}
    if draw(st.booleans()):
        sizes = st.integers(1, 4)
        kwargs["response_count"] = draw(
            st.lists(sizes, min_size=len(responses), max_size=len(responses))
        )
    return args, kwargs


@MANY
@given(weighting_inputs())
def test_poststratify_equals_the_loop_version(case) -> None:
    args, kwargs = case
    assert_same(
        outcome(poststratify, args, kwargs),
        outcome(reference_poststratify, args, kwargs),
    )


@pytest.mark.parametrize(
    "args, kwargs",
    [
        # A cell listed twice: the first repetition, in input order, is named.
        ((["A"], ["x"], ["B", "A", "B", "A"], ["y", "x", "y", "x"], [1, 2, 3, 4]), {}),
        # Responses but no dossiers: the first such agency in sorted order.
        ((["b", "B", "a"], ["x"] * 3, ["a", "B"], ["x", "x"], [0, 5]), {}),
        ((["Z", "Z"], ["x", "y"], ["A"], ["x"], [3]), {"response_count": [2, 3]}),
        # Malformed input.
        ((["A"], ["x", "y"], ["A"], ["x"], [1]), {}),
        ((["A"], ["x"], ["A"], ["x"], [1, 2]), {}),
        ((["A"], ["x"], ["A"], ["x"], [np.nan]), {}),
        ((["A"], ["x"], ["A"], ["x"], [1]), {"response_count": [0]}),
        ((["A"], ["x"], ["A"], ["x"], [1]), {"response_count": [1, 1]}),
        ((["A"], ["x"], ["A"], ["x"], [1]), {"min_responses": 0}),
        # Nothing at all, dossiers only, responses as integers.
        (([], [], [], [], []), {}),
        (([], [], ["A", "B"], ["x", "x"], [3, 0]), {}),
        (([1, 1, 2], [7, 7, 7], [1, 2], [7, 7], [9, 4]), {}),
    ],
)
def test_same_errors_and_edge_cases(args, kwargs) -> None:
    assert_same(
        outcome(poststratify, args, kwargs),
        outcome(reference_poststratify, args, kwargs),
    )


def test_national_shape_equals_the_loop_version() -> None:
    """Hundreds of agencies x 11 fields, with small, empty and silent cells."""
    rng = np.random.default_rng(9)
    agencies, fields = 400, 11
    agency = np.repeat([f"{i:05d}" for i in range(agencies)], fields).astype(object)
    field = np.tile([f"F{j:02d}" for j in range(fields)], agencies).astype(object)
    scale = np.repeat(rng.choice([0.02, 0.3, 2, 30], agencies), fields)
    responses = rng.poisson(scale * rng.uniform(0.5, 1.5, agency.size))
    dossiers = responses * rng.integers(1, 20, agency.size)
    dossiers += rng.integers(0, 3, agency.size)
    dossiers[rng.uniform(size=agency.size) < 0.05] = 0
    total = np.add.reduceat(dossiers, np.arange(0, agency.size, fields))
    dossiers[::fields] += np.where(total == 0, 7, 0)
    has = responses > 0
    args = (agency[has], field[has], agency, field, dossiers)
    for min_responses in (1, 2, 3):
        kwargs = {"response_count": responses[has], "min_responses": min_responses}
        new = poststratify(*args, **kwargs)
        assert new.collapsed and new.unrepresented
        # Fewer than one response is none: no agency is single at 1.
        assert bool(new.single_response_agencies) == (min_responses > 1)
        assert_same(new, reference_poststratify(*args, **kwargs))
