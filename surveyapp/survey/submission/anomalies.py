"""Anomaly rules: flag a suspicious submission, never reject it.

Officers have an incentive to steer ratings, and scripts can fill forms. The rules
(:func:`submission_flags`) *flag* a response with short reason codes
("too_fast:4s", "render_missing", "identical_burst:6", "network_burst:12",
"kiosk_burst:11", "honeypot"); a flagged response is stored, left out of the
scores, and listed for admins (``review/``). Nothing here stores an IP address.

Settings (``app.config``, defaults in ``config.Config``):

``ANOMALY_MIN_SECONDS``
    Faster than this between showing the form and sending it is not a person
    reading. The 16 items of sipas-2023 take a fast reader about 3 s each (12
    words at 250 words a minute); 8 s is half a second per item, less than it
    takes to find and tap 16 radio buttons and a service field on a phone, so an
    honest citizen is practically never flagged. The time comes from the form's
    render token (:mod:`.render`); a submission whose token is missing, forged,
    expired or already used is flagged for that instead, since its time is unknown.
``ANOMALY_IDENTICAL_COUNT``, ``ANOMALY_NETWORK_COUNT``, ``ANOMALY_WINDOW_MINUTES``
    A response is flagged when at least that many *other* responses at the same
    counter within the window gave exactly the same answers, or came from the
    same network (the keyed /24 or /48 hash of :mod:`surveyapp.core.network`).
    Kiosk responses all come from the office network by design: they do not
    count towards a phone's network, and a kiosk answers to its own rule instead.
    Each count stops at BURST_COUNT_CAP_FACTOR times its threshold: past it the
    reason says "at least" ("network_burst:100+"), and a burst of thousands costs
    each later submission no more than one of a hundred.
``ANOMALY_KIOSK_COUNT``
    A kiosk response is flagged when the same kiosk sent at least that many other
    responses within the window: more people than a counter serves.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    false,
    func,
    select,
)

from surveyapp.core.network import network_hash
from surveyapp.extensions import db
from surveyapp.models import Channel, Response, answers_digest, utc_now
from surveyapp.survey.submission.render import REPLAYED, check_render_token
from surveyapp.survey.submission.validation import Submission


@dataclass(frozen=True)
class Sending:
    """How answers arrived, as the rules see it; none of it is stored as is."""

    remote_addr: str | None
    render_token: str | None = None  # the form's render token, if sent back
    honeypot: str | None = None  # the hidden "website" field people never see


@dataclass(frozen=True)
class Observed:
    """What the rules look at for one submission at `counter_id`.

    `answers` maps criterion id to 1..5 or None. `network_hash` is None when the
    network rule does not apply (a kiosk); `render_problem` is the render token's
    reason code when it proves nothing, else `fill_seconds` and `render_nonce`
    come from it.
    """

    counter_id: int
    answers: Mapping[int, int | None]
    fill_seconds: int | None = None
    network_hash: str | None = None
    honeypot: str | None = None
    render_problem: str | None = None
    render_nonce: str | None = None
    kiosk_id: int | None = None

    @functools.cached_property
    def digest(self) -> str | None:
        """The answers' digest, as the response stores it (`answers_hash`)."""
        return answers_digest(self.answers.items()) if self.answers else None


# Where a response came from, for the burst rules: its kiosk, its phone's
# network, or nowhere known.
KIOSK, NETWORK, UNKNOWN = "kiosk", "network", "unknown"

# A burst count is exact up to this many times its rule's threshold, then capped:
# enough for a reviewer to tell a burst from a crowd, and each count reads at most
# that many index entries.
BURST_COUNT_CAP_FACTOR = 10
# Appended to a capped count in a reason code ("network_burst:100+").
AT_LEAST = "+"


def setting(name: str) -> int:
    """One of the ANOMALY_* thresholds of the app config."""
    return int(current_app.config[name])


def submission_flags(seen: Observed, now: datetime | None = None) -> tuple[str, ...]:
    """Reason codes for flagging the submission `seen`; empty when clean.

    Recent responses are those of the same counter submitted within
    ANOMALY_WINDOW_MINUTES before `now`; the matching ones and the responses sent
    with the same render token are counted in one query (see _rules_query).
    """
    reasons: list[str] = []
    if seen.honeypot and seen.honeypot.strip():
        reasons.append("honeypot")
    if seen.render_problem:
        reasons.append(seen.render_problem)
    elif seen.fill_seconds is not None and seen.fill_seconds < setting(
        "ANOMALY_MIN_SECONDS"
    ):
        reasons.append(f"too_fast:{seen.fill_seconds}s")
    reasons.extend(_counted_reasons(seen, _aware(now or utc_now())))
    return tuple(reasons)


def flag_submission(submission: Submission, sending: Sending) -> Submission:
    """`submission` with what the rules saw and their reasons, ready to store.

    Fills in the seconds the form was open, its render token's nonce, the
    network's hash (never the address) and the answers' digest, then the reason
    codes of every rule that fires.
    """
    render = check_render_token(sending.render_token, submission)
    network = network_hash(sending.remote_addr)
    seen = Observed(
        counter_id=submission.counter.id,
        answers=submission.answers,
        fill_seconds=render.seconds,
        # Every rating from a kiosk comes from the same office network by design.
        network_hash=None if submission.kiosk_id is not None else network,
        honeypot=sending.honeypot,
        render_problem=render.problem,
        render_nonce=render.nonce,
        kiosk_id=submission.kiosk_id,
    )
    return dataclasses.replace(
        submission,
        fill_seconds=render.seconds,
        network_hash=network,
        render_nonce=render.nonce,
        answers_hash=seen.digest,
        anomaly_reasons=submission_flags(seen),
    )


def _counted_reasons(seen: Observed, now: datetime) -> list[str]:
    """The rules that count stored responses: a reused render token, and the
    identical-answers, network and kiosk bursts."""
    digest = seen.digest
    source = _source_kind(seen)
    identical_threshold = setting("ANOMALY_IDENTICAL_COUNT")
    source_threshold = setting(
        "ANOMALY_KIOSK_COUNT" if source == KIOSK else "ANOMALY_NETWORK_COUNT"
    )
    identical_cap = BURST_COUNT_CAP_FACTOR * identical_threshold
    source_cap = BURST_COUNT_CAP_FACTOR * source_threshold
    replayed, identical, same_source = (
        int(count or 0)
        for count in db.session.execute(
            _rules_query(bool(seen.render_nonce), source),
            {
                "counter_id": seen.counter_id,
                "since": now - timedelta(minutes=setting("ANOMALY_WINDOW_MINUTES")),
                "now": now,
                "nonce": seen.render_nonce,
                "digest": digest,
                "source": seen.kiosk_id if source == KIOSK else seen.network_hash,
                "identical_cap": identical_cap,
                "source_cap": source_cap,
            },
        ).one()
    )
    reasons: list[str] = []
    if replayed:
        reasons.append(REPLAYED)
    if digest and identical >= identical_threshold:
        reasons.append(f"identical_burst:{_count_code(identical, identical_cap)}")
    if source != UNKNOWN and same_source >= source_threshold:
        rule = "kiosk_burst" if source == KIOSK else "network_burst"
        reasons.append(f"{rule}:{_count_code(same_source, source_cap)}")
    return reasons


def _count_code(count: int, cap: int) -> str:
    """A count in a reason code: "12", or "100+" when it reached its cap."""
    return f"{cap}{AT_LEAST}" if count >= cap else str(count)


def _source_kind(seen: Observed) -> str:
    if seen.kiosk_id is not None:
        return KIOSK
    return NETWORK if seen.network_hash else UNKNOWN


@functools.cache
def _rules_query(by_token: bool, source: str) -> Select[tuple[int, int, int]]:
    """The one query of the counted rules, built once per shape.

    Three counts in one statement, each on its own index: the responses sent with
    the same render token (render_nonce), and the counter's recent responses
    (submitted within the window) with the same answers (counter_id, answers_hash,
    submitted_at) or from the same source (counter_id, network_hash, submitted_at,
    channel; a kiosk's by the counter's recent ones). Only matching entries are
    read, never every recent response of a busy counter, and the burst counts
    stop at their caps (LIMIT), so a long burst does not slow each later
    submission. Built once, its cache key is kept: building it per submission
    cost more CPU than running it.
    """
    recent = (
        Response.counter_id == bindparam("counter_id"),
        Response.submitted_at >= bindparam("since"),
        Response.submitted_at <= bindparam("now"),
    )
    same_token = Response.render_nonce == bindparam("nonce") if by_token else false()
    return select(
        _count_where(same_token),
        _count_up_to(
            "identical_cap", *recent, Response.answers_hash == bindparam("digest")
        ),
        _count_up_to("source_cap", *recent, _same_source(source)),
    )


def _same_source(source: str) -> ColumnElement[bool]:
    """Responses from the same kiosk, or the same phone network.

    Kiosk responses share the office network by design, so they are left out of
    a phone's network.
    """
    if source == KIOSK:
        return Response.kiosk_id == bindparam("source")
    if source == NETWORK:
        return and_(
            Response.network_hash == bindparam("source"),
            Response.channel != Channel.KIOSK,
        )
    return false()


def _count_where(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return (
        select(func.count()).select_from(Response).where(*conditions).scalar_subquery()
    )


def _count_up_to(cap: str, *conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    """The number of matching responses, counted no further than the parameter
    `cap`."""
    matching = (
        select(Response.counter_id)
        .where(*conditions)
        .limit(bindparam(cap, type_=Integer))
        .subquery()
    )
    return select(func.count()).select_from(matching).scalar_subquery()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
