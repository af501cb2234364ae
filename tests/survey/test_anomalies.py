"""Anomaly rules: suspicious responses are flagged and kept, never rejected."""

from __future__ import annotations

import dataclasses
import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from surveyapp.analysis.scores import score_agency
from surveyapp.core.network import network_hash
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import Agency, Counter, Response, ServiceField, get_by_code
from surveyapp.review.operations import set_review_state
from surveyapp.survey.submission import (
    Observed,
    Sending,
    Submission,
    Target,
    flag_submission,
    issue_render_token,
    store_response,
    submission_flags,
)
from tests.factories import SurveySite, add_responses
from tests.helpers import fill_form, survey_path

ALL_FOUR = [4]
NETWORK = "a1b2c3d4e5f60718"
OTHER_NETWORK = "0000111122223333"
ADDRESS = "203.0.113.7"
OTHER_ADDRESS = "198.51.100.9"


def counter_id(code: str) -> int:
    counter = get_by_code(Counter, code)
    assert counter is not None
    return counter.id


def answers_for(code: str, value: int | None = 4) -> dict[int, int | None]:
    """Every item of the counter's questionnaire answered `value`."""
    counter = get_by_code(Counter, code)
    assert counter is not None
    survey = counter.service_point.active_questionnaire()
    assert survey is not None
    return {criterion.id: value for criterion in survey.criteria()}


def from_network(ids: list[int], network: str) -> None:
    db.session.execute(
        update(Response).where(Response.id.in_(ids)).values(network_hash=network)
    )
    db.session.commit()


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def flags(
    code: str, now: datetime | None = None, **overrides: object
) -> tuple[str, ...]:
    arguments: dict[str, object] = {
        "counter_id": counter_id(code),
        "answers": answers_for(code),
        "fill_seconds": 60,
        "network_hash": NETWORK,
        "honeypot": "",
    }
    arguments.update(overrides)
    return submission_flags(Observed(**arguments), now)  # type: ignore[arg-type]


# --- The anomaly rules ------------------------------------------------------------


def test_an_ordinary_response_is_not_flagged(app: Flask, site: SurveySite) -> None:
    with app.app_context():
        # Just under both bursts: 4 identical others, 9 from the same network.
        add_responses(site.counter, ALL_FOUR, 4)
        from_network(add_responses(site.counter, [5, 3], 9), NETWORK)
        assert flags(site.counter) == ()
        assert flags(site.counter, fill_seconds=None, network_hash=None) == ()


@pytest.mark.parametrize("honeypot", ["http://spam", " x "])
def test_a_filled_honeypot_flags(app: Flask, site: SurveySite, honeypot: str) -> None:
    with app.app_context():
        assert flags(site.counter, honeypot=honeypot) == ("honeypot",)
        assert flags(site.counter, honeypot="   ") == ()
        assert flags(site.counter, honeypot=None) == ()


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, ("too_fast:0s",)), (7, ("too_fast:7s",)), (8, ()), (None, ())],
)
def test_a_submission_faster_than_reading_flags(
    app: Flask, site: SurveySite, seconds: int | None, expected: tuple[str, ...]
) -> None:
    with app.app_context():
        assert flags(site.counter, fill_seconds=seconds) == expected


def test_a_burst_of_identical_answers_flags(app: Flask, site: SurveySite) -> None:
    with app.app_context():
        add_responses(site.counter, ALL_FOUR, 5)
        # Not counted: another counter, another pattern, one item not rated,
        # and identical answers older than the ten-minute window.
        add_responses(site.other_counter, ALL_FOUR, 3)
        add_responses(site.counter, [4, 5], 3)
        add_responses(site.counter, [4, 4, 4, None], 3)
        add_responses(
            site.counter,
            ALL_FOUR,
            3,
            submitted_at=datetime.now(UTC) - timedelta(minutes=11),
        )
        assert flags(site.counter) == ("identical_burst:5",)
        assert flags(site.other_counter) == ()
        pattern = answers_for(site.counter)
        first = next(iter(pattern))
        pattern[first] = None
        assert flags(site.counter, answers=pattern) == ()


def test_many_responses_from_one_network_flag(app: Flask, site: SurveySite) -> None:
    with app.app_context():
        from_network(add_responses(site.counter, [5, 3, 2], 10), NETWORK)
        from_network(add_responses(site.counter, [5, 3, 1], 4), OTHER_NETWORK)
        old = datetime.now(UTC) - timedelta(minutes=11)
        from_network(add_responses(site.counter, [1], 5, submitted_at=old), NETWORK)
        from_network(add_responses(site.other_counter, [1, 2], 5), NETWORK)
        assert flags(site.counter) == ("network_burst:10",)
        assert flags(site.counter, network_hash=OTHER_NETWORK) == ()
        assert flags(site.counter, network_hash=None) == ()
        assert flags(site.other_counter) == ()


def test_rules_combine_and_respect_now(app: Flask, site: SurveySite) -> None:
    with app.app_context():
        from_network(add_responses(site.counter, ALL_FOUR, 10), NETWORK)
        assert flags(site.counter, fill_seconds=2, honeypot="bot") == (
            "honeypot",
            "too_fast:2s",
            "identical_burst:10",
            "network_burst:10",
        )
        # An hour later the burst is over.
        later = datetime.now(UTC) + timedelta(hours=1)
        assert flags(site.counter, now=later) == ()


def test_thresholds_come_from_config(app: Flask, site: SurveySite) -> None:
    app.config.update(
        ANOMALY_MIN_SECONDS=30,
        ANOMALY_IDENTICAL_COUNT=2,
        ANOMALY_NETWORK_COUNT=3,
        ANOMALY_WINDOW_MINUTES=60,
    )
    with app.app_context():
        half_hour_ago = datetime.now(UTC) - timedelta(minutes=30)
        ids = add_responses(site.counter, ALL_FOUR, 3, submitted_at=half_hour_ago)
        from_network(ids, NETWORK)
        assert flags(site.counter, fill_seconds=20) == (
            "too_fast:20s",
            "identical_burst:3",
            "network_burst:3",
        )
        app.config.update(
            ANOMALY_MIN_SECONDS=10,
            ANOMALY_IDENTICAL_COUNT=4,
            ANOMALY_NETWORK_COUNT=4,
            ANOMALY_WINDOW_MINUTES=20,
        )
        assert flags(site.counter, fill_seconds=20) == ()


def test_a_long_burst_is_counted_up_to_ten_times_the_threshold(
    app: Flask, site: SurveySite
) -> None:
    # Counting stops at 10 x the threshold, so that a burst of thousands costs each
    # later submission no more than one of a few dozen; the code says "at least".
    app.config.update(ANOMALY_IDENTICAL_COUNT=2, ANOMALY_NETWORK_COUNT=3)
    with app.app_context():
        from_network(add_responses(site.counter, ALL_FOUR, 25), NETWORK)
        assert flags(site.counter) == ("identical_burst:20+", "network_burst:25")
        from_network(add_responses(site.counter, [5, 3], 5), NETWORK)
        assert flags(site.counter) == ("identical_burst:20+", "network_burst:30+")
        app.config.update(ANOMALY_IDENTICAL_COUNT=3)
        assert flags(site.counter) == ("identical_burst:25", "network_burst:30+")


def _around_today() -> Period:
    today = date.today()
    return Period.between(today - timedelta(days=2), today + timedelta(days=2))


def _submission(code: str, key: str, **fields: object) -> Submission:
    counter = get_by_code(Counter, code)
    assert counter is not None
    survey = counter.service_point.active_questionnaire()
    assert survey is not None
    service_field = get_by_code(ServiceField, "ho-tich")
    assert service_field is not None
    values: dict[str, object] = {
        "counter": counter,
        "questionnaire": survey,
        "service_field": service_field,
        "answers": answers_for(code),
        "comment": "",
        "idempotency_key": key,
        "language": "vi",
    }
    values.update(fields)
    return Submission(**values)  # type: ignore[arg-type]


def _flagged_submission(rule: str, code: str) -> Submission:
    """Stored responses that make `rule` fire, and the submission it flags."""
    submission = _submission(code, uuid.uuid4().hex)
    target = Target(submission.counter, submission.questionnaire)
    seconds_open = 3 if rule == "too_fast" else 60
    token = issue_render_token(target, now=time.time() - seconds_open)
    sending = Sending(OTHER_ADDRESS, render_token=token)
    add_responses(code, [5, 2], 2)
    if rule == "honeypot":
        sending = dataclasses.replace(sending, honeypot="http://spam")
    elif rule == "identical":
        add_responses(code, ALL_FOUR, 5)
    elif rule == "network":
        ids = add_responses(code, [5, 2, 1], 10)
        from_network(ids, network_hash(ADDRESS) or "")
        sending = dataclasses.replace(sending, remote_addr=ADDRESS)
    return flag_submission(submission, sending)


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("honeypot", "honeypot"),
        ("too_fast", "too_fast:3s"),
        ("identical", "identical_burst:5"),
        ("network", "network_burst:10"),
    ],
)
def test_a_flagged_response_is_kept_but_left_out_of_scores_until_cleared(
    app: Flask, site: SurveySite, rule: str, reason: str
) -> None:
    with app.app_context():
        submission = _flagged_submission(rule, site.counter)
        assert submission.anomaly_reasons == (reason,)
        before = stored_count()
        response, created = store_response(submission)
        assert created
        assert stored_count() == before + 1
        assert response.anomaly_state == "flagged"
        assert response.anomaly_reasons == [reason]

        province = get_by_code(Agency, site.province)
        assert province is not None
        counted = [
            score_agency(province, _around_today()).response_count(site.province)
        ]
        for state in ("cleared", "confirmed"):
            set_review_state(response, state)
            db.session.commit()
            scores = score_agency(province, _around_today())
            counted.append(scores.response_count(site.province))
        assert counted == [before, before + 1, before]


# --- Through the real form ---------------------------------------------------------


def test_honeypot_through_the_form_is_stored_flagged_and_thanked(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    posted = client.post(path, data=fill_form(client, path, website="http://spam"))
    assert posted.status_code == 302
    thanks = client.get(posted.headers["Location"])
    assert "Cảm ơn" in thanks.get_data(as_text=True)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.anomaly_state == "flagged"
        assert "honeypot" in response.anomaly_reasons


def test_a_person_filling_the_form_is_not_flagged(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
) -> None:
    path = survey_path(app, site.counter)
    # The form was shown a minute ago: a person had time to read it.
    data = fill_form(client, path)
    assert client.post(path, data=data).status_code == 302
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.anomaly_state is None
        assert response.anomaly_reasons == []
        assert response.fill_seconds is not None and response.fill_seconds >= 60
        assert response.network_hash is not None
        assert response.render_nonce


def test_a_script_sending_at_once_is_flagged_too_fast(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(client, path, seconds_ago=0)
    assert client.post(path, data=data).status_code == 302
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.anomaly_state == "flagged"
        (reason,) = response.anomaly_reasons
        assert re.fullmatch(r"too_fast:[0-2]s", reason)
