"""Storing a citizen's response: all of it in one transaction, or nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    Channel,
    Comment,
    Counter,
    Questionnaire,
    Response,
    ServiceField,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """A validated response, ready to store."""

    counter: Counter
    questionnaire: Questionnaire
    service_field: ServiceField
    answers: dict[int, int | None]  # criterion id -> 1..5, or None for no opinion
    comment: str
    idempotency_key: str
    language: str
    channel: Channel = Channel.COUNTER


def find_by_idempotency_key(key: str) -> Response | None:
    """The response stored under `key`, if any."""
    return db.session.scalars(
        select(Response).where(Response.idempotency_key == key)
    ).first()


def store_response(submission: Submission) -> tuple[Response, bool]:
    """Store `submission`; return the response and whether it is new.

    A second submission with the same idempotency key (a double tap, a resent form)
    returns the first response. The unique constraint decides, not a look-up before
    the insert, so two simultaneous requests still store one response.
    """
    existing = find_by_idempotency_key(submission.idempotency_key)
    if existing is not None:
        return existing, False
    criteria_ids = {criterion.id for criterion in submission.questionnaire.criteria()}
    unknown = set(submission.answers) - criteria_ids
    if unknown:
        raise ValueError(f"criteria not in {submission.questionnaire.code}: {unknown}")
    response = Response(
        idempotency_key=submission.idempotency_key,
        agency_id=submission.counter.service_point_id,
        counter_id=submission.counter.id,
        questionnaire_id=submission.questionnaire.id,
        service_field_id=submission.service_field.id,
        channel=submission.channel,
        language=submission.language,
    )
    response.answers = [
        Answer(criterion_id=criterion_id, value=value)
        for criterion_id, value in sorted(submission.answers.items())
    ]
    if submission.comment.strip():
        response.comment = Comment(body=submission.comment.strip())
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError:
        # Most likely the same form arriving twice at once: the other request won.
        db.session.rollback()
        existing = find_by_idempotency_key(submission.idempotency_key)
        if existing is None:
            raise
        return existing, False
    log.info(
        "response %s stored for counter %s", response.public_id, submission.counter.code
    )
    return response, True
