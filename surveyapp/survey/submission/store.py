"""Storing a citizen's response: all of it in one transaction, or nothing.

Also what storing needs around it: the idempotency look-up. Erasing old network
fingerprints is no part of it: that is housekeeping, run by `flask maintenance run`
from a timer.

The rows are written with at most three INSERTs on the session's connection (the
response, all its answers in one statement, its comment), not through the ORM's
unit of work: every submission pays for the store, and the ORM's bookkeeping of
seventeen new objects cost more CPU than everything else a submission did. The
ORM's `before_insert` hooks do not run for these rows, so what they fill in (the
answers' digest, the comment's agency and folded text) is filled in here.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text
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
RESPONSES = Response.__table__
INSERT_RESPONSE = insert(RESPONSES).returning(RESPONSES.c.id)
INSERT_ANSWERS = insert(Answer.__table__)
INSERT_COMMENT = insert(Comment.__table__)
INSERT_ANSWERS_UNNEST = text(
    "INSERT INTO answers (response_id, criterion_id, value)"
    " SELECT :response_id, criterion, value FROM unnest("
    "CAST(:criteria AS integer[]), CAST(:values AS smallint[])) AS a(criterion, value)"
)
ID_BY_KEY = select(RESPONSES.c.id).where(
    RESPONSES.c.idempotency_key == bindparam("key")
)
RowValues = dict[str, Any]


class ReceiptAlreadyUsed(Exception):
    """The receipt's one rating has been given already."""


def find_by_idempotency_key(key: str) -> Response | None:
    """The response stored under `key`, if any.

    Every API submission asks first, and nearly every key is new: its id alone,
    read without the ORM, answers that; the response is loaded only when found.
    """
    found = db.session.connection().execute(ID_BY_KEY, {"key": key}).scalar()
    return None if found is None else db.session.get(Response, found)


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
    try:
        response_id = _insert_rows(db.session.connection(), submission, row)
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


def _insert_rows(connection: Connection, submission: Submission, row: RowValues) -> int:
    """INSERT the response `row`, its answers and its comment; the response's id."""
    response_id: int = connection.execute(INSERT_RESPONSE, row).scalar_one()
    answers = sorted(submission.answers.items())
    if connection.dialect.name == "postgresql":
        # One statement for all the answers, where an executemany costs a
        # parameter round of the driver per answer (three times the CPU).
        connection.execute(
            INSERT_ANSWERS_UNNEST,
            {
                "response_id": response_id,
                "criteria": [criterion for criterion, _ in answers],
                "values": [value for _, value in answers],
            },
        )
    else:
        connection.execute(
            INSERT_ANSWERS,
            [
                {"response_id": response_id, "criterion_id": criterion, "value": value}
                for criterion, value in answers
            ],
        )
    comment = submission.comment.strip()
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
    return response_id


def _response_row(submission: Submission) -> RowValues:
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
        # Computed by the anomaly rules already, unless they were not run.
        "answers_hash": submission.answers_hash
        or (answers_digest(answers.items()) if answers else None),
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
