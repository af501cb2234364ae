"""Rate limits on submissions, per sender address, per counter or per kiosk, and
the 429 page.

None of them stores an IP address. A breach is answered with a page (or JSON) that
says the answers were not sent yet, with Retry-After and X-RateLimit-* headers.
Only a refusal carries them: Flask-Limiter's own headers (RATELIMIT_HEADERS_ENABLED)
read each request's count and its expiry back from the storage, two more Redis round
trips per submission that no accepted client needs."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from redis.exceptions import RedisError

from surveyapp.core.links import signed_counter_code
from surveyapp.core.receipts import signed_receipt_id
from surveyapp.extensions import limiter

P = ParamSpec("P")

# Resend the rejected form from the 429 page only when it is of survey size.
RESEND_MAX_BYTES = 64 * 1024


def counter_key() -> str:
    """The budget a submission spends: its survey link, once its signature holds.

    The link is a counter's `<code>.<sig>` or a receipt's `<id>.<sig>`, from the URL
    or the JSON body. Anyone can write a counter's code, so a link the app did not
    sign spends nothing of that counter's budget (the per-address limit still
    counts it); the view answers it "not found". An empty key exempts the request.
    """
    token = (request.view_args or {}).get("token")
    if token is None and request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # absurdly nested JSON: the view answers 400
            body = None
        token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str):
        return ""
    code = signed_counter_code(token)
    if code is not None:
        return f"counter:{code}"
    public_id = signed_receipt_id(token)
    return f"receipt:{public_id}" if public_id is not None else ""


_per_address = limiter.shared_limit(
    lambda: str(current_app.config["SURVEY_RATE_LIMIT_IP"]),
    scope="survey-submit-address",
    key_func=get_remote_address,
    methods=["POST"],
)


_per_counter = limiter.shared_limit(
    lambda: str(current_app.config["SURVEY_RATE_LIMIT_COUNTER"]),
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
    same whether ratings come from its QR page or the API. Put it under the route
    decorator::

        @bp.post("/submit")
        @limit_submissions
        def submit(): ...
    """
    return _answering_429(_per_address(_per_counter(view)))


def limit_by(
    key_func: Callable[[], str], setting: str, scope: str
) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, ResponseReturnValue]]:
    """A budget of its own for the POSTs of the views it decorates.

    `setting` names the limit in app.config (Flask-Limiter syntax); `key_func`
    says whose budget a request spends, an empty key exempting it. A breach gets
    the same 429 page as the other submission limits.
    """
    limit = limiter.shared_limit(
        lambda: str(current_app.config[setting]),
        scope=scope,
        key_func=key_func,
        methods=["POST"],
        exempt_when=lambda: not key_func(),
    )

    def decorate(
        view: Callable[P, ResponseReturnValue],
    ) -> Callable[P, ResponseReturnValue]:
        return _answering_429(limit(view))

    return decorate


def _answering_429(
    limited: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    @wraps(limited)
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


def add_refusal_headers(response: Response) -> Response:
    """Retry-After and X-RateLimit-* on a 429 of any limit: when to send again.

    Read from the breached limit's window (one storage read, on refusals only).
    Should the storage fail between the refusal and here, the 429 goes without
    them rather than as an error.
    """
    breached = limiter.current_limit
    if response.status_code != 429 or breached is None:
        return response
    try:
        reset_at, remaining = breached.reset_at, breached.remaining
    except (RedisError, OSError):
        return response
    response.headers["X-RateLimit-Limit"] = str(breached.limit.amount)
    response.headers["X-RateLimit-Remaining"] = str(remaining)
    response.headers["X-RateLimit-Reset"] = str(reset_at)
    response.headers["Retry-After"] = str(max(1, reset_at - int(time.time())))
    return response


def init_app(app: Flask) -> None:
    """Add the refusal headers to every 429, the login's and the survey's alike."""
    app.after_request(add_refusal_headers)
