"""The JSON API's work: responses sent as JSON, receipts issued by software.

`POST /api/v1/responses` (the offline client's path): the body's answers are checked
by the function that checks the survey form's, so the rules cannot drift apart.
`POST /api/v1/receipts`: one-stop software issues a receipt with an agency's API
key. Every outcome is a status and a small JSON body (see
:mod:`surveyapp.api.openapi` for the contract).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from surveyapp.core.apikeys import may_issue_for
from surveyapp.core.catalogue import FieldChoices
from surveyapp.core.links import counter_and_questionnaire, counter_from_token
from surveyapp.core.receipts import (
    Issued,
    ReceiptError,
    ReceiptState,
    as_utc,
    check_receipt,
    clean_dossier_code,
    issue_receipt,
    receipt_qr_urls,
    validity_days,
)
from surveyapp.models import (
    ApiKey,
    Counter,
    Response,
    ServiceField,
    get_by_code,
)
from surveyapp.survey.submission import (
    IDEMPOTENCY_PATTERN,
    RawAnswers,
    ReceiptAlreadyUsed,
    Rejected,
    Sending,
    Submission,
    Target,
    counter_target,
    find_by_idempotency_key,
    flag_submission,
    receipt_target,
    store_response,
    validate_answers,
)
from surveyapp.web.language import interface_locale

KINDS = ("counter", "receipt")
# What is read besides the envelope and the answers; other keys are ignored.
# "website" is the form's honeypot, sent along by clients that serialise the form.
TEXT_FIELDS = ("service_field", "comment", "render_token", "website")


@dataclass(frozen=True)
class Outcome:
    """The HTTP status and JSON body answering one submission."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


def _invalid(errors: dict[str, list[str]]) -> Outcome:
    return Outcome(422, {"status": "invalid", "errors": errors})


NOT_FOUND = Outcome(404, {"status": "not_found"})
ALREADY_RATED = Outcome(409, {"status": "already_rated"})
EXPIRED = Outcome(410, {"status": "expired"})
BAD_REQUEST = Outcome(400, {"status": "bad_request"})


def _envelope_errors(body: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if body.get("kind") not in KINDS:
        errors["kind"] = [_("Must be “counter” or “receipt”.")]
    if not isinstance(body.get("token"), str) or not body["token"]:
        errors["token"] = [_("Required: the token of the survey link.")]
    key = body.get("idempotency_key")
    if not isinstance(key, str) or not re.fullmatch(IDEMPOTENCY_PATTERN, key):
        errors["idempotency_key"] = [
            _("Required: 16 to 64 characters among A-Z, a-z, 0-9, “_” and “-”.")
        ]
    languages = current_app.config["LANGUAGES"]
    if body.get("language", "vi") not in languages:
        codes = ", ".join(f"“{code}”" for code in languages)
        errors["language"] = [_("Must be one of %(languages)s.", languages=codes)]
    if not isinstance(body.get("answers"), dict):
        errors["answers"] = [_("Required: an object of criterion code to rating.")]
    for name in TEXT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            errors[name] = [_("Must be a string.")]
    return errors


def _target(kind: str, token: str) -> tuple[Target, FieldChoices] | Outcome:
    """Where the answers go and the fields offered there, or why nowhere."""
    if kind == "counter":
        found = counter_and_questionnaire(token)
        if found is None:
            return NOT_FOUND
        return counter_target(*found)
    check = check_receipt(token)
    if check.receipt is None:
        return NOT_FOUND
    receipt = check.receipt
    questionnaire = receipt.counter.active_questionnaire()
    if questionnaire is None:
        return NOT_FOUND
    if check.state == ReceiptState.USED:
        return ALREADY_RATED
    if check.state == ReceiptState.EXPIRED:
        return EXPIRED
    return receipt_target(receipt, questionnaire)


def _is_resend(existing: Response, kind: str, token: str) -> bool:
    """Whether a stored response came from the same link as this resend."""
    if kind == "counter":
        counter = counter_from_token(token)
        return (
            counter is not None
            and existing.counter_id == counter.id
            and existing.receipt_id is None
        )
    check = check_receipt(token)
    return check.receipt is not None and existing.receipt_id == check.receipt.id


def _raw_answers(body: dict[str, Any], language: str) -> RawAnswers:
    return RawAnswers(
        idempotency_key=body["idempotency_key"],
        service_field=body.get("service_field"),
        # null is an unanswered item, like a radio group a browser does not send.
        ratings={
            code: value for code, value in body["answers"].items() if value is not None
        },
        comment=body.get("comment"),
        language=language,
    )


def submit(body: object, remote_addr: str | None) -> Outcome:
    """Validate and store one JSON response; the outcome to send back."""
    if not isinstance(body, dict):
        return BAD_REQUEST
    language = body.get("language", "vi")
    known = language if language in current_app.config["LANGUAGES"] else "vi"
    with force_locale(interface_locale(known)):
        errors = _envelope_errors(body)
        if errors:
            return _invalid(errors)
        existing = find_by_idempotency_key(body["idempotency_key"])
        if existing is not None:
            if _is_resend(existing, body["kind"], body["token"]):
                return Outcome(200, {"status": "duplicate", "id": existing.public_id})
            return _key_reused()
        found = _target(body["kind"], body["token"])
        if isinstance(found, Outcome):
            return found
        target, fields = found
        checked = validate_answers(_raw_answers(body, language), target, fields.fields)
        if isinstance(checked, Rejected):
            return _invalid(checked.errors)
        sending = Sending(remote_addr, body.get("render_token"), body.get("website"))
        submission = flag_submission(checked, sending)
    return _store(submission)


def _key_reused() -> Outcome:
    """422: the key names a response given through another link.

    Answering "duplicate" would tell the client its answers were stored when
    nothing was; keys are unique across all counters, so the client must make a
    new one (one per filled form).
    """
    return _invalid(
        {
            "idempotency_key": [
                _(
                    "Already used for a response to another survey link: make a "
                    "new key for each filled form."
                )
            ]
        }
    )


def _store(submission: Submission) -> Outcome:
    """The one place an API response is stored."""
    try:
        response, created = store_response(submission)
    except ReceiptAlreadyUsed:
        return ALREADY_RATED
    if created:
        return Outcome(201, {"status": "stored", "id": response.public_id})
    # Another request stored this key meanwhile: the same form, or a reuse.
    same_link = (response.counter_id, response.receipt_id) == (
        submission.counter.id,
        submission.receipt_id,
    )
    if not same_link:
        return _key_reused()
    return Outcome(200, {"status": "duplicate", "id": response.public_id})


def _days(value: object) -> int | None:
    """Days from JSON: absent, or a whole number; ValueError for anything else.

    JSON Schema counts 12.0 as an integer, so a client may send it for 12; true,
    12.5 and "12" are refused.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if type(value) is int:
        return value
    raise ValueError(value)


def _service_field(value: object, errors: dict[str, list[str]]) -> ServiceField | None:
    """The field a receipt's body names (None: not given); adds to `errors`."""
    if value is None:
        return None
    found = get_by_code(ServiceField, value) if isinstance(value, str) else None
    if found is None:
        errors["service_field"] = [
            _("Unknown service field: send a code such as “ho-tich”, or leave it out.")
        ]
    return found


def issue_from_json(api_key: ApiKey, body: object) -> Outcome:
    """Issue (or find again) the receipt a JSON body asks for, with `api_key`.

    Body: {"counter": code, "dossier_code": code, "days": optional 1..366,
    "service_field": optional field code}.
    201 for a new receipt, 200 for the dossier's existing one; 404 for a counter
    unknown or outside the key's agency subtree; 409 for a dossier issued at
    another counter or a stopped counter.
    """
    if not isinstance(body, dict):
        return BAD_REQUEST
    errors: dict[str, list[str]] = {}
    counter_code = body.get("counter")
    # Any non-empty string is a well-formed code; one of spaces names no counter.
    if not isinstance(counter_code, str) or not counter_code:
        errors["counter"] = [_("Required: the counter code.")]
    try:
        dossier_code = clean_dossier_code(body.get("dossier_code"))
    except ReceiptError as error:
        errors["dossier_code"] = [str(error.message)]
    days: int | None = None
    try:
        days = _days(body.get("days"))
        validity_days(days)
    except ReceiptError as error:  # a number out of range
        errors["days"] = [str(error.message)]
    except ValueError:
        errors["days"] = [_("Must be a whole number of days.")]
    service_field = _service_field(body.get("service_field"), errors)
    if errors:
        return _invalid(errors)
    counter = get_by_code(Counter, counter_code.strip())  # type: ignore[union-attr]
    if counter is None or not may_issue_for(api_key, counter):
        return NOT_FOUND
    try:
        issued = issue_receipt(
            counter,
            dossier_code,
            days=days,
            api_key=api_key,
            service_field=service_field,
        )
    except ReceiptError as error:
        return Outcome(409, {"status": "conflict", "message": str(error.message)})
    return Outcome(201 if issued.created else 200, _receipt_body(issued))


def _receipt_body(issued: Issued) -> dict[str, Any]:
    """What the API says of an issued receipt (the OpenAPI "Receipt")."""
    receipt = issued.receipt
    png, svg = receipt_qr_urls(receipt)
    field = receipt.service_field
    return {
        "status": "issued" if issued.created else "existing",
        "dossier_code": receipt.dossier_code,
        "counter": receipt.counter.code,
        "service_field": field.code if field is not None else None,
        "token": issued.token,
        "url": issued.url,
        "expires_at": as_utc(receipt.expires_at).isoformat(),
        "qr_png_url": png,
        "qr_svg_url": svg,
    }
