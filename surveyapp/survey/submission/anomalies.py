"""Anomaly rules: flag a suspicious submission, never reject it.

Officers have an incentive to steer ratings, and scripts can fill forms. The rules
(:func:`submission_flags`) *flag* a response with short reason codes
("too_fast:4s", "identical_burst:6", "network_burst:12", "honeypot"); a flagged
response is stored, left out of the scores, and listed for admins (``review/``).
Nothing here stores an IP address.

Settings (``app.config``, defaults in ``config.Config``):

``ANOMALY_MIN_SECONDS``
    Faster than this between showing the form and sending it is not a person
    reading. The 16 items of sipas-2023 take a fast reader about 3 s each (12
    words at 250 words a minute); 8 s is half a second per item, less than it
    takes to find and tap 16 radio buttons and a service field on a phone, so an
    honest citizen is practically never flagged.
``ANOMALY_IDENTICAL_COUNT``, ``ANOMALY_NETWORK_COUNT``, ``ANOMALY_WINDOW_MINUTES``
    A response is flagged when at least that many *other* responses at the same
    counter within the window gave exactly the same answers, or came from the
    same network (the keyed /24 or /48 hash of :mod:`surveyapp.core.network`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from surveyapp.core.network import network_hash
from surveyapp.extensions import db
from surveyapp.models import Answer, Channel, Response, utc_now
from surveyapp.survey.submission.store import seconds_since_render
from surveyapp.survey.submission.validation import Submission


@dataclass(frozen=True)
class Sending:
    """How answers arrived, as the rules see it; none of it is stored as is."""

    remote_addr: str | None
    rendered_at: str | None = None  # the form's signed render time, if sent back
    honeypot: str | None = None  # the hidden "website" field people never see


def setting(name: str) -> int:
    """One of the ANOMALY_* thresholds of the app config."""
    return int(current_app.config[name])


def submission_flags(
    counter_id: int,
    answers: Mapping[int, int | None],
    fill_seconds: int | None,
    network_hash: str | None,
    honeypot: str | None,
    now: datetime | None = None,
) -> tuple[str, ...]:
    """Reason codes for flagging a submission at `counter_id`; empty when clean.

    `answers` maps criterion id to 1..5 or None. Recent responses are those of the
    same counter submitted within ANOMALY_WINDOW_MINUTES before `now`; the
    queries filter on the indexed counter_id, submitted_at and network_hash.
    """
    now = _aware(now or utc_now())
    since = now - timedelta(minutes=int(setting("ANOMALY_WINDOW_MINUTES")))
    recent = (
        Response.counter_id == counter_id,
        Response.submitted_at >= since,
        Response.submitted_at <= now,
    )
    reasons: list[str] = []
    if honeypot and honeypot.strip():
        reasons.append("honeypot")
    if fill_seconds is not None and fill_seconds < int(setting("ANOMALY_MIN_SECONDS")):
        reasons.append(f"too_fast:{fill_seconds}s")
    identical = _identical_count(recent, answers)
    if answers and identical >= int(setting("ANOMALY_IDENTICAL_COUNT")):
        reasons.append(f"identical_burst:{identical}")
    if network_hash:
        same_network = (
            db.session.scalar(
                select(func.count())
                .select_from(Response)
                .where(*recent, Response.network_hash == network_hash)
            )
            or 0
        )
        if same_network >= int(setting("ANOMALY_NETWORK_COUNT")):
            reasons.append(f"network_burst:{same_network}")
    return tuple(reasons)


def flag_submission(submission: Submission, sending: Sending) -> Submission:
    """`submission` with what the rules saw and their reasons, ready to store.

    Fills in the seconds the form was open and the network's hash (never the
    address), then the reason codes of every rule that fires.
    """
    fill_seconds = seconds_since_render(sending.rendered_at)
    network = network_hash(sending.remote_addr)
    # Every rating from a kiosk comes from the same office network by design.
    kiosk = submission.channel == Channel.KIOSK
    reasons = submission_flags(
        submission.counter.id,
        submission.answers,
        fill_seconds,
        None if kiosk else network,
        sending.honeypot,
    )
    return dataclasses.replace(
        submission,
        fill_seconds=fill_seconds,
        network_hash=network,
        anomaly_reasons=reasons,
    )


def _identical_count(
    recent: tuple[ColumnElement[bool], ...], answers: Mapping[int, int | None]
) -> int:
    """Recent responses whose answers are exactly `answers`, item for item."""
    if not answers:
        return 0
    same_answer = or_(
        *(
            and_(
                Answer.criterion_id == criterion_id,
                Answer.value.is_(None) if value is None else Answer.value == value,
            )
            for criterion_id, value in answers.items()
        )
    )
    matching = (
        select(Answer.response_id)
        .join(Response, Answer.response_id == Response.id)
        .where(*recent)
        .group_by(Answer.response_id)
        .having(
            func.count() == len(answers),
            func.sum(case((same_answer, 1), else_=0)) == len(answers),
        )
    )
    return db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
