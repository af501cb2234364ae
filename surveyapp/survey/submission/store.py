"""Storing a citizen's response: all of it in one transaction, or nothing.

Also what storing needs around it: the idempotency look-up and the signed render
time a form carries. Erasing old network fingerprints is no part of it: that is
housekeeping, run by `flask maintenance run` from a timer.
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from itsdangerous import BadSignature, Signer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db
from surveyapp.models import AnomalyState, Answer, Comment, Response
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
    returns the first response. The unique constraint decides, not a look-up before
    the insert, so two simultaneous requests still store one response.
    """
    existing = find_by_idempotency_key(submission.idempotency_key)
    if existing is not None:
        return existing, False
    if submission.receipt_id is not None and _receipt_used(submission.receipt_id):
        raise ReceiptAlreadyUsed(submission.receipt_id)
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
        receipt_id=submission.receipt_id,
        dossier_code=submission.dossier_code,
        kiosk_id=submission.kiosk_id,
        fill_seconds=submission.fill_seconds,
        network_hash=submission.network_hash,
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
        # The same form or the same receipt arriving twice at once: the other
        # request won, and the unique constraints kept it to one response.
        db.session.rollback()
        existing = find_by_idempotency_key(submission.idempotency_key)
        if existing is not None:
            return existing, False
        if submission.receipt_id is not None and _receipt_used(submission.receipt_id):
            raise ReceiptAlreadyUsed(submission.receipt_id) from None
        raise
    log.info(
        "response %s stored for counter %s", response.public_id, submission.counter.code
    )
    return response, True


def _receipt_used(receipt_id: int) -> bool:
    return (
        db.session.scalar(select(Response.id).where(Response.receipt_id == receipt_id))
        is not None
    )


def signed_render_time() -> str:
    """A signed 'now' for the form, so its sending time tells how long it was open."""
    return _render_signer().sign(str(int(time.time()))).decode()


def seconds_since_render(token: str | None) -> int | None:
    """Seconds since `signed_render_time` made `token`; None if missing or forged."""
    if not token:
        return None
    try:
        shown = int(_render_signer().unsign(token).decode())
    except (BadSignature, ValueError):
        return None
    return max(0, int(time.time()) - shown)


def _render_signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="form-rendered-at")
