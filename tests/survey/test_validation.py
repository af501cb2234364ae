"""validate_answers: the one check of a citizen's answers, form and API alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from surveyapp.core.catalogue import service_fields
from surveyapp.models import Counter, ServiceField, get_by_code
from surveyapp.survey.submission import (
    RawAnswers,
    Rejected,
    Submission,
    Target,
    parse_rating,
    validate_answers,
)
from tests.factories import SurveySite

KEY = "k" * 16
RATE = "Please choose a rating from 1 to 5."


@pytest.fixture
def target(app: Flask, site: SurveySite) -> Iterator[tuple[Target, list[ServiceField]]]:
    """The counter's target and the service fields, in an English request."""
    with app.test_request_context("/?lang=en"):
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        questionnaire = counter.service_point.active_questionnaire()
        assert questionnaire is not None
        yield Target(counter, questionnaire), service_fields()


def raw(**overrides: object) -> RawAnswers:
    values: dict[str, object] = {
        "idempotency_key": KEY,
        "service_field": "ho-tich",
        "ratings": {"A1": "4"},
        "comment": "",
    }
    values.update(overrides)
    return RawAnswers(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sent", "rating"),
    [(5, 5), (1, 1), ("3", 3), ("na", None), ("", None), ("  ", None), (None, None)],
)
def test_ratings_read(sent: object, rating: int | None) -> None:
    assert parse_rating(sent) == rating


@pytest.mark.parametrize("sent", [0, 6, "6", "0", " 4", "4.0", 4.5, True, [4], {}])
def test_anything_else_is_not_a_rating(sent: object) -> None:
    with pytest.raises(ValueError, match="not a rating"):
        parse_rating(sent)


def test_valid_answers_make_a_submission_with_every_criterion(
    target: tuple[Target, list[ServiceField]],
) -> None:
    to, fields = target
    result = validate_answers(
        raw(ratings={"A1": 5, "B2": "na", "C1": ""}, comment=" Tốt "), to, fields
    )
    assert isinstance(result, Submission)
    criteria = {c.code: c.id for c in to.questionnaire.criteria()}
    assert set(result.answers) == set(criteria.values())
    assert result.answers[criteria["A1"]] == 5
    assert [v for v in result.answers.values() if v is not None] == [5]
    assert result.service_field.code == "ho-tich"
    assert (result.comment, result.idempotency_key) == (" Tốt ", KEY)
    assert result.counter is to.counter and result.anomaly_reasons == ()


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"ratings": {"A1": 6}}, {"answers.A1": [RATE]}),
        ({"ratings": {"A1": 6, "A2": "na"}}, {"answers.A1": [RATE]}),
        (
            {"ratings": {"A1": 4, "Z9": 4}},
            {"answers.Z9": ["Unknown criterion code."]},
        ),
        (
            {"service_field": "khong-ton-tai"},
            {"service_field": ["Please choose the service field you used."]},
        ),
        (
            {"service_field": None},
            {"service_field": ["Please choose the service field you used."]},
        ),
        (
            {"comment": "x" * 2001},
            {"comment": ["Please keep your comment under 2000 characters."]},
        ),
        (
            {"idempotency_key": "short"},
            {"idempotency_key": ["This form has expired. Please send it again."]},
        ),
        (
            {"ratings": {"A1": "na"}},
            {"answers": ["Please rate at least one question."]},
        ),
        ({"ratings": {}}, {"answers": ["Please rate at least one question."]}),
        # Rating something is the last check: other errors come alone.
        (
            {"ratings": {"A1": "na"}, "service_field": ""},
            {"service_field": ["Please choose the service field you used."]},
        ),
    ],
)
def test_invalid_answers_say_why_by_field(
    target: tuple[Target, list[ServiceField]],
    overrides: dict[str, object],
    errors: dict[str, list[str]],
) -> None:
    to, fields = target
    result = validate_answers(raw(**overrides), to, fields)
    assert isinstance(result, Rejected)
    assert result.errors == errors


def test_a_long_blank_comment_is_no_comment(
    target: tuple[Target, list[ServiceField]],
) -> None:
    to, fields = target
    assert isinstance(validate_answers(raw(comment=" " * 3000), to, fields), Submission)


def test_unknown_codes_are_named(target: tuple[Target, list[ServiceField]]) -> None:
    to, fields = target
    result = validate_answers(raw(ratings={"A1": 4, "Z9": 1, "c_A2": 3}), to, fields)
    assert isinstance(result, Rejected)
    assert result.unknown_codes == ("Z9", "c_A2")
