"""Storing a citizen's response: all of it in one transaction, or nothing.

Also what storing needs around it: the idempotency look-up. Erasing old network
fingerprints is no part of it: that is housekeeping, run by `flask maintenance run`
from a timer.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from surveyapp.extensions import db
from surveyapp.models import AnomalyState, Answer, Comment, Response
from surveyapp.survey.submission.items import questionnaire_items
from surveyapp.survey.submission.validation import Submission

log = logging.getLogger(__name__)


class ReceiptAlreadyUsed(Exception):
    """The receipt's one rating has been given already."""


def find_by_idempotency_key(key: str) -> Response | None:
    """The response stored under `key`, if any."""
    return db.session.scalars(
        select(Response).where(Response.idempotency_key == key)
    ).first()


def store_response(submission: Submission) -> tuple[Response, bool]:
    """Store `submission`; return the response and whether it is new.

    A second submission with the same idempotency key (a double tap, a resent form)
    returns the first response. The unique constraints decide, not a look-up before
    the insert: two simultaneous requests still store one response, and the usual
    case (a new response) costs no look-up at all.
    """
    criteria_ids = {item.id for item in questionnaire_items(submission.questionnaire)}
    unknown = set(submission.answers) - criteria_ids
    if unknown:
        raise ValueError(f"criteria not in {submission.questionnaire.code}: {unknown}")
    # Known before the commit, which expires every loaded attribute.
    public_id = str(uuid.uuid4())
    counter_code = submission.counter.code
    response = Response(
        public_id=public_id,
        idempotency_key=submission.idempotency_key,
        agency_id=submission.counter.service_point_id,
        counter_id=submission.counter.id,
        questionnaire_id=submission.questionnaire.id,
        service_field_id=submission.service_field.id,
        channel=submission.channel,
        language=submission.language,
        receipt_id=submission.receipt_id,
        dossier_code=submission.dossier_code,
        kiosk_id=submission.kiosk_id,
        fill_seconds=submission.fill_seconds,
        network_hash=submission.network_hash,
        render_nonce=submission.render_nonce,
        anomaly_state=AnomalyState.FLAGGED if submission.anomaly_reasons else None,
        anomaly_reasons=list(submission.anomaly_reasons),
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
        # The same form or the same receipt sent again, or twice at once: the
        # unique constraints kept it to one response; answer with that one.
        db.session.rollback()
        existing = find_by_idempotency_key(submission.idempotency_key)
        if existing is not None:
            return existing, False
        if submission.receipt_id is not None and _receipt_used(submission.receipt_id):
            raise ReceiptAlreadyUsed(submission.receipt_id) from None
        raise
    # What callers ask of a new response (its public id), without a reload.
    set_committed_value(response, "public_id", public_id)
    log.info("response %s stored for counter %s", public_id, counter_code)
    return response, True


def _receipt_used(receipt_id: int) -> bool:
    return (
        db.session.scalar(select(Response.id).where(Response.receipt_id == receipt_id))
        is not None
    )
