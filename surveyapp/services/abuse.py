"""Abuse resistance: rate limits on submissions, anomaly flags, and their review.

Officers have an incentive to steer ratings, and scripts can fill forms. Three
defences, none of which stores an IP address:

- Rate limits (Flask-Limiter) per sender address and per counter, on POST only.
  :func:`limit_submissions` applies both to any submit view and answers a breach
  with a page (or JSON) that says the answers were not sent yet.
- Anomaly rules (:func:`submission_flags`) that *flag* a response with short reason
  codes ("too_fast:4s", "identical_burst:6", "network_burst:12", "honeypot"); they
  never reject it. A flagged response is stored, left out of the scores, and listed
  for admins.
- The admin review (:func:`review_page`, :func:`set_review_state`): "confirmed"
  keeps a response out of the scores, "cleared" counts it again; both are audited.

Settings (``app.config``, defaults in :data:`DEFAULTS`):

``SURVEY_RATE_LIMIT_IP``
    Submissions per sender address, across every submit view.
``SURVEY_RATE_LIMIT_COUNTER``
    Submissions per counter, across every submit view: the most a busy counter
    can honestly produce.
``ANOMALY_MIN_SECONDS``
    Faster than this between showing the form and sending it is not a person
    reading. The 16 items of sipas-2023 take a fast reader about 3 s each (12
    words at 250 words a minute); 8 s is half a second per item, less than it
    takes to find and tap 16 radio buttons and a service field on a phone, so an
    honest citizen is practically never flagged.
``ANOMALY_IDENTICAL_COUNT``, ``ANOMALY_NETWORK_COUNT``, ``ANOMALY_WINDOW_MINUTES``
    A response is flagged when at least that many *other* responses at the same
    counter within the window gave exactly the same answers, or came from the
    same network (the keyed /24 or /48 hash of :mod:`surveyapp.services.network`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, ParamSpec

from flask import (
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from surveyapp.auth.access import can_see, visible_agency_ids
from surveyapp.extensions import db, limiter
from surveyapp.models import Answer, Channel, Criterion, Response, User, utc_now
from surveyapp.services.audit import record
from surveyapp.services.responses import Submission

P = ParamSpec("P")

DEFAULTS: dict[str, Any] = {
    "SURVEY_RATE_LIMIT_IP": "20 per minute;200 per day",
    "SURVEY_RATE_LIMIT_COUNTER": "120 per minute",
    "ANOMALY_MIN_SECONDS": 8,
    "ANOMALY_IDENTICAL_COUNT": 5,
    "ANOMALY_NETWORK_COUNT": 10,
    "ANOMALY_WINDOW_MINUTES": 10,
}

#: The review states of a flagged response (None means never flagged).
REVIEW_STATES = ("flagged", "confirmed", "cleared")
REVIEW_ACTIONS = {"confirmed": "response_confirm", "cleared": "response_clear"}
PAGE_SIZE = 50
# Resend the rejected form from the 429 page only when it is of survey size.
RESEND_MAX_BYTES = 64 * 1024


def setting(name: str) -> Any:
    """A setting of this module, from the app config or its default."""
    return current_app.config.get(name, DEFAULTS[name])


# --- Rate limits ------------------------------------------------------------------


def counter_key() -> str:
    """The counter a submission is for: `<code>.<sig>` from the URL or JSON body.

    The signature is not checked here (the view does that with the database);
    an empty key exempts the request from the per-counter limit.
    """
    view_args = request.view_args or {}
    kiosk_key = view_args.get("key")
    if isinstance(kiosk_key, str):
        # A kiosk is bound to one counter; count it by a digest, never its secret.
        return f"kiosk:{hashlib.sha256(kiosk_key.encode()).hexdigest()[:16]}"
    token = view_args.get("token")
    if token is None and request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # absurdly nested JSON: the view answers 400
            body = None
        token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str):
        return ""
    code = token.rpartition(".")[0]
    return f"counter:{code[:64]}" if code else ""


def _is_kiosk() -> bool:
    return "key" in (request.view_args or {})


# A registered kiosk shares its office's address with the citizens' phones there,
# so it answers to its own per-counter budget, not to the per-address one.
_per_address = limiter.shared_limit(
    lambda: str(setting("SURVEY_RATE_LIMIT_IP")),
    scope="survey-submit-address",
    key_func=get_remote_address,
    methods=["POST"],
    exempt_when=_is_kiosk,
)
_per_counter = limiter.shared_limit(
    lambda: str(setting("SURVEY_RATE_LIMIT_COUNTER")),
    scope="survey-submit-counter",
    key_func=counter_key,
    methods=["POST"],
    exempt_when=lambda: not counter_key(),
)


def limit_submissions(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """Apply the per-address and per-counter limits to the POSTs of `view`.

    Both limits are shared by every view so decorated: a counter's budget is the
    same whether ratings come from its QR page, a kiosk or the API. Put it under
    the route decorator::

        @bp.post("/submit")
        @limit_submissions
        def submit(): ...
    """
    limited = _per_address(_per_counter(view))

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        try:
            return limited(*args, **kwargs)
        except RateLimitExceeded:
            return rate_limited_response()

    return wrapped


def rate_limited_response() -> ResponseReturnValue:
    """429 saying the answers were not sent: JSON for the API, else a page.

    The page offers to send the same form again (same idempotency key, so never
    twice), besides the browser's Back button that keeps the answers.
    """
    message = _(
        "Too many responses arrived in a short time. Your answers have not been "
        "sent: please wait a minute and send them again."
    )
    if request.is_json:
        return jsonify(error="rate_limited", message=message), 429
    resend: list[tuple[str, str]] = []
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if (request.content_length or 0) <= RESEND_MAX_BYTES:
            resend = list(request.form.items(multi=True))
    page = render_template(
        "errors/rate_limited.html",
        message=message,
        resend=resend,
        action=request.full_path.rstrip("?"),
    )
    return make_response(page, 429)


# --- Anomaly rules ----------------------------------------------------------------


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


def flag_submission(submission: Submission, honeypot: str | None = None) -> Submission:
    """`submission` with its anomaly flags filled in, ready for store_response."""
    # Every rating from a kiosk comes from the same office network by design.
    kiosk = submission.channel == Channel.KIOSK
    flags = submission_flags(
        submission.counter.id,
        submission.answers,
        submission.fill_seconds,
        None if kiosk else submission.network_hash,
        honeypot,
    )
    return dataclasses.replace(submission, flag_reasons=flags)


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


def reason_codes(response: Response) -> list[str]:
    """The stored reason codes of a response."""
    return [part.strip() for part in response.flag_reasons.split(";") if part.strip()]


def describe_reason(code: str) -> str:
    """A stored reason code ("too_fast:4s") in the reader's language."""
    name, _sep, raw = code.partition(":")
    digits = raw.rstrip("s")
    number = int(digits) if digits.isdigit() else 0
    minutes = int(setting("ANOMALY_WINDOW_MINUTES"))
    if name == "honeypot":
        text = _("A hidden field that people never see was filled in (a script).")
    elif name == "too_fast":
        text = _(
            "Sent %(seconds)d seconds after the form was shown: faster than a "
            "person can read it.",
            seconds=number,
        )
    elif name == "identical_burst":
        text = _(
            "Exactly the same answers as %(count)d other responses at this counter "
            "within %(minutes)d minutes.",
            count=number,
            minutes=minutes,
        )
    elif name == "network_burst":
        text = _(
            "%(count)d other responses from the same network at this counter "
            "within %(minutes)d minutes.",
            count=number,
            minutes=minutes,
        )
    else:
        text = code
    return str(text)


# --- Admin review -----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    """A flagged response with its reasons and answers, ready to show."""

    response: Response
    reasons: list[str]
    pattern: str
    mean: float | None

    @property
    def mean_text(self) -> str:
        """The mean rating with one decimal, in the reader's number format."""
        return "" if self.mean is None else str(format_decimal(self.mean, "0.0"))


@dataclass(frozen=True)
class ReviewPage:
    """One page of responses in one review state, newest first."""

    state: str
    items: list[ReviewItem]
    total: int
    counts: dict[str, int]
    page: int
    page_size: int = PAGE_SIZE

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


def _visible_to(user: User) -> ColumnElement[bool]:
    if user.is_admin:
        return true()
    return Response.agency_id.in_(visible_agency_ids(user))


def review_page(user: User, state: str, page: int = 1) -> ReviewPage:
    """Responses in review `state` that `user` may see, newest first."""
    if state not in REVIEW_STATES:
        raise ValueError(f"unknown review state {state!r}")
    chosen = (Response.flag_status == state, _visible_to(user))
    total = (
        db.session.scalar(select(func.count()).select_from(Response).where(*chosen))
        or 0
    )
    responses = db.session.scalars(
        select(Response)
        .where(*chosen)
        .options(
            joinedload(Response.counter),
            joinedload(Response.agency),
            selectinload(Response.answers)
            .joinedload(Answer.criterion)
            .joinedload(Criterion.factor),
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    counts: dict[str | None, int] = {
        status: count
        for status, count in db.session.execute(
            select(Response.flag_status, func.count())
            .where(Response.flag_status.in_(REVIEW_STATES), _visible_to(user))
            .group_by(Response.flag_status)
        )
    }
    return ReviewPage(
        state,
        [_review_item(response) for response in responses],
        total,
        {name: counts.get(name, 0) for name in REVIEW_STATES},
        page,
    )


def _review_item(response: Response) -> ReviewItem:
    answers = sorted(
        response.answers,
        key=lambda a: (a.criterion.factor.position, a.criterion.position),
    )
    values = [a.value for a in answers if a.value is not None]
    return ReviewItem(
        response,
        [describe_reason(code) for code in reason_codes(response)],
        " ".join("–" if a.value is None else str(a.value) for a in answers),
        sum(values) / len(values) if values else None,
    )


def get_reviewable_or_404(public_id: str, user: User) -> Response:
    """A flagged (or reviewed) response `user` may see; 404 otherwise."""
    response = db.session.scalars(
        select(Response).where(
            Response.public_id == public_id, Response.flag_status.is_not(None)
        )
    ).first()
    if response is None or not can_see(user, response.agency):
        abort(404)
    return response


def set_review_state(response: Response, state: str) -> bool:
    """Confirm ("confirmed") or clear ("cleared") a flag, audited; False if no change.

    The caller commits. A confirmed response stays out of the scores; a cleared
    one counts again. Either decision can be reversed later, audited again.
    """
    if state not in REVIEW_ACTIONS:
        raise ValueError(f"a review sets 'confirmed' or 'cleared', not {state!r}")
    if response.flag_status == state:
        return False
    previous = response.flag_status
    response.flag_status = state
    record(
        REVIEW_ACTIONS[state],
        target=response.public_id,
        details={
            "reasons": response.flag_reasons,
            "from": previous,
            "counter": response.counter.code if response.counter else "",
        },
    )
    return True
