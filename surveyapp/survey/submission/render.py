"""The render token: proof that a person was shown the questionnaire, and when.

Every page that shows a questionnaire (the counter survey, a receipt's survey, a
kiosk) puts a token in the form: the link it was shown for, a random nonce and the
time, signed with the app's secret. The answers carry it back (the form's hidden
``render_token``, the JSON API's ``render_token``; the offline client keeps the
token of the page it showed). :func:`check_render_token` reads it back: how long
the form was open, or why the token cannot be trusted. The anomaly rules flag such
a submission; none of this ever refuses one.

The nonce makes a token good for one response: it is stored with the response, so
a second response sent with the same token (a script reusing one rendered page)
is seen. A resend of the same form is not a second response: the idempotency key
answers it before the rules look.

``RENDER_TOKEN_MAX_HOURS`` (config): older tokens are expired. A phone may keep a
survey page offline and send it when the connection returns, so it is days, not
minutes.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import (
    BadData,
    SignatureExpired,
    TimestampSigner,
    URLSafeTimedSerializer,
)

from surveyapp.survey.submission.validation import Submission, Target

SALT = "survey-render-token"
NONCE_BYTES = 12  # 16 URL-safe characters; the column holds 24
# A real token is about 90 characters; anything far longer is not one of ours.
MAX_TOKEN_LENGTH = 512

MISSING = "render_missing"
FORGED = "render_forged"
EXPIRED = "render_expired"
REPLAYED = "render_replayed"


@dataclass(frozen=True)
class RenderCheck:
    """What a submission's render token says.

    `problem` is the reason code of a token that proves nothing (missing, forged,
    signed for another link, expired); `seconds` and `nonce` are known only for a
    token that holds.
    """

    problem: str | None = None
    seconds: int | None = None
    nonce: str | None = None


def link_of(where: Target | Submission) -> str:
    """The survey link a form is shown at: a kiosk, a receipt or a counter."""
    if where.kiosk_id is not None:
        return f"kiosk:{where.kiosk_id}"
    if where.receipt_id is not None:
        return f"receipt:{where.receipt_id}"
    return f"counter:{where.counter.id}"


def issue_render_token(target: Target, now: float | None = None) -> str:
    """A new token for a form showing `target`'s questionnaire at `now` (or now)."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    return _serializer(now).dumps([link_of(target), nonce])


def check_render_token(
    token: str | None, submission: Submission, now: float | None = None
) -> RenderCheck:
    """Read `token` back for `submission`: the seconds it was open, or the problem."""
    if not token:
        return RenderCheck(MISSING)
    if len(token) > MAX_TOKEN_LENGTH:
        return RenderCheck(FORGED)
    max_age = int(current_app.config["RENDER_TOKEN_MAX_HOURS"]) * 3600
    try:
        payload, shown = _serializer(now).loads(
            token, max_age=max_age, return_timestamp=True
        )
    except UnicodeEncodeError:  # a lone surrogate sent in JSON: not our token
        return RenderCheck(FORGED)
    except SignatureExpired:  # ours, but shown too long ago (or in the future)
        return RenderCheck(EXPIRED)
    except BadData:
        return RenderCheck(FORGED)
    if not _is_link_and_nonce(payload) or payload[0] != link_of(submission):
        return RenderCheck(FORGED)  # signed for another link: copied over
    current = int(time.time() if now is None else now)
    seconds = max(0, current - int(shown.timestamp()))
    return RenderCheck(seconds=seconds, nonce=payload[1])


def _is_link_and_nonce(payload: object) -> bool:
    return (
        isinstance(payload, list)
        and len(payload) == 2
        and all(isinstance(part, str) for part in payload)
    )


class _ClockedSigner(TimestampSigner):
    """A timestamp signer reading `now` when given one, else the clock."""

    def __init__(self, *args: Any, now: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(time.time() if self.now is None else self.now)


def _serializer(now: float | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=SALT,
        signer=_ClockedSigner,
        signer_kwargs={"now": now},
    )
