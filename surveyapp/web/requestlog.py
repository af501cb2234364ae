"""A request id on every request and log line; JSON logs; an access log without secrets.

The id comes from the proxy (nginx's `$request_id` in X-Request-ID) when it looks
sane, or is made here; it goes back in the response header, so a citizen's
complaint, the nginx line and the app's lines can be matched.

URLs carry secrets: a counter's or receipt's signature (`/s/<code>.<sig>`,
`/r/<id>.<sig>`), a kiosk's key (`/kiosk/<key>`), and query strings may carry
tokens too. The access log writes the path with those replaced and never the
query string. It writes no address either: the app stores nothing about the
person, and nginx's own log is where addresses are kept, for as long as policy
says.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# The view arguments that are secrets; a signed token keeps its public part.
SIGNED_ARGS = ("token",)
SECRET_ARGS = ("key",)
HIDDEN = "***"
# What a record carries besides the standard attributes, in this order.
EXTRA_FIELDS = ("request_id", "method", "path", "status", "duration_ms")


def request_id() -> str | None:
    """The current request's id, None outside a request."""
    if not has_request_context():
        return None
    identifier: str | None = g.get("request_id")
    return identifier


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    sane = SANE_REQUEST_ID.fullmatch(incoming) is not None
    g.request_id = incoming if sane else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def loggable_path() -> str:
    """The request path with its secret parts replaced, without the query string."""
    if request.url_rule is None:
        # No route matched: past its first segment the path may be a mistyped key.
        first, slash, _rest = request.path.strip("/").partition("/")
        return f"/{first}/{HIDDEN}" if slash else f"/{first}"
    path = request.path
    for name, value in (request.view_args or {}).items():
        if not isinstance(value, str) or not value:
            continue
        if name in SECRET_ARGS:
            path = path.replace(value, HIDDEN)
        elif name in SIGNED_ARGS:
            public = value.rpartition(".")[0]
            path = path.replace(value, f"{public}.{HIDDEN}" if public else HIDDEN)
    return path


def _finish_request(response: Response) -> Response:
    identifier = g.get("request_id")
    if identifier is None:  # a hook before ours answered first
        _start_request()
        identifier = g.request_id
    response.headers[REQUEST_ID_HEADER] = identifier
    if current_app.config.get("ACCESS_LOG"):
        started = g.get("request_started", time.perf_counter())
        path = loggable_path()
        log.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round(1000 * (time.perf_counter() - started), 1),
            },
        )
    return response


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record passing the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    """Give every request an id (echoed in X-Request-ID) and log it when asked."""
    app.before_request(_start_request)
    app.after_request(_finish_request)
