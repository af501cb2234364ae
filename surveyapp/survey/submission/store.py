"""Storing a citizen's response: all of it in one transaction, or nothing.

Also what storing needs around it: the idempotency look-up. Erasing old network
fingerprints is no part of it: that is housekeeping, run by `flask maintenance run`
from a timer.

The rows are written with three prepared INSERTs on the session's connection (the
response, its answers in one executemany, its comment), not through the ORM's
unit of work: every submission pays for the store, and the ORM's bookkeeping of
seventeen new objects cost more CPU than everything else a submission does. The
ORM's `before_insert` hooks do not run for these rows, so what they fill in (the
answers' digest, the comment's agency and folded text) is filled in here.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from surveyapp.extensions import db
from surveyapp.models import (
    AnomalyState,
    Answer,
    Comment,
    Response,
    answers_digest,
    utc_now,
)
from surveyapp.models.text import fold
from surveyapp.survey.submission.items import questionnaire_items
from surveyapp.survey.submission.validation import Submission

log = logging.getLogger(__name__)

# Built once: each is compiled once per process and then only executed.
INSERT_RESPONSE = insert(Response.__table__)
INSERT_ANSWERS = insert(Answer.__table__)
INSERT_COMMENT = insert(Comment.__table__)


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
    row = _response_row(submission)
    # Read before the commit, which expires every loaded attribute.
    counter_code = submission.counter.code
    comment = submission.comment.strip()
    try:
        connection = db.session.connection()
        response_id = connection.execute(INSERT_RESPONSE, row).inserted_primary_key[0]
        connection.execute(
            INSERT_ANSWERS,
            [
                {"response_id": response_id, "criterion_id": criterion, "value": value}
                for criterion, value in sorted(submission.answers.items())
            ],
        )
        if comment:
            connection.execute(
                INSERT_COMMENT,
                {
                    "response_id": response_id,
                    "agency_id": row["agency_id"],
                    "body": comment,
                    "search_text": fold(comment),
                },
            )
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
    log.info("response %s stored for counter %s", row["public_id"], counter_code)
    return _in_session(Response(id=response_id, **row)), True


def _response_row(submission: Submission) -> dict[str, Any]:
    """The columns of the response row, as the model's defaults would fill them."""
    answers = submission.answers
    return {
        "public_id": str(uuid.uuid4()),
        "idempotency_key": submission.idempotency_key,
        "agency_id": submission.counter.service_point_id,
        "counter_id": submission.counter.id,
        "questionnaire_id": submission.questionnaire.id,
        "service_field_id": submission.service_field.id,
        "channel": submission.channel,
        "language": submission.language,
        "submitted_at": utc_now(),
        "receipt_id": submission.receipt_id,
        "dossier_code": submission.dossier_code,
        "kiosk_id": submission.kiosk_id,
        "fill_seconds": submission.fill_seconds,
        "network_hash": submission.network_hash,
        "render_nonce": submission.render_nonce,
        "answers_hash": answers_digest(answers.items()) if answers else None,
        "anomaly_state": AnomalyState.FLAGGED if submission.anomaly_reasons else None,
        "anomaly_reasons": list(submission.anomaly_reasons),
        "folded": False,
    }


def _in_session(response: Response) -> Response:
    """`response`, just stored, as if loaded: callers may read and change it.

    Its relationships (answers, comment) load when first read.
    """
    make_transient_to_detached(response)
    db.session.add(response)
    return response


def _receipt_used(receipt_id: int) -> bool:
    return (
        db.session.scalar(select(Response.id).where(Response.receipt_id == receipt_id))
        is not None
    )
