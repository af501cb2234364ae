"""The JSON API under /api/v1: receipts, responses and the OpenAPI document.

Clients never get an HTML page from here: errors, unknown URLs and wrong methods
answer JSON `{"status": ...}` too.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from surveyapp.api.openapi import openapi_document
from surveyapp.api.submission import Outcome, issue_from_json, submit
from surveyapp.core.apikeys import key_from_header
from surveyapp.extensions import csrf, db
from surveyapp.web.hygiene import NotUnicode, without_nul
from surveyapp.web.ratelimit import limit_submissions

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Machine clients send no CSRF token: receipts need an API key, and a response
# is no more than what anyone may send through the public form.
csrf.exempt(bp)

ERROR_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


def json_error(error: HTTPException) -> Response:
    """An HTTP error as JSON, keeping its headers (Allow, Retry-After, ...)."""
    code = error.code or 500
    body = {"status": ERROR_STATUS.get(code, "error")}
    if isinstance(error, NotUnicode):  # the one refusal a client can act on
        body["message"] = str(error.description)
    response = jsonify(body)
    response.status_code = code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


for _code in (*ERROR_STATUS, 500):
    bp.register_error_handler(_code, json_error)


def json_body() -> object:
    """The request's JSON, NUL characters removed; None when it is not JSON.

    A body nested thousands deep exhausts Python's recursion while parsing: it is
    a bad request like any other unreadable body.
    """
    try:
        return without_nul(request.get_json(silent=True))
    except RecursionError:
        abort(400)


@bp.before_app_request
def unmatched_api_url() -> ResponseReturnValue | None:
    """Unknown API URLs and wrong methods answer JSON, not the app's HTML page."""
    error = request.routing_exception
    under_api = request.path == bp.url_prefix or request.path.startswith(
        f"{bp.url_prefix}/"
    )
    if under_api and isinstance(error, NotFound | MethodNotAllowed):
        return json_error(error)
    return None


def _answer(outcome: Outcome) -> ResponseReturnValue:
    return jsonify(outcome.body), outcome.status


@bp.post("/receipts")
def issue_receipt() -> ResponseReturnValue:
    """Issue the receipt QR of a dossier at a counter (Bearer API key)."""
    api_key = key_from_header(request.headers.get("Authorization"))
    if api_key is None:
        response = jsonify(status="unauthorized")
        response.headers["WWW-Authenticate"] = 'Bearer realm="surveyapp"'
        return response, 401
    outcome = issue_from_json(api_key, json_body())
    db.session.commit()  # the key's last use, whatever the outcome
    return _answer(outcome)


@bp.post("/responses")
@limit_submissions
def store_response() -> ResponseReturnValue:
    """Store a response sent as JSON, once per idempotency key."""
    return _answer(submit(json_body(), request.remote_addr))


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(current_app.config["LANGUAGES"]))
