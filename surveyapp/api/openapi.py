"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from surveyapp.core.catalogue import bundled_field_codes
from surveyapp.core.receipts import DOSSIER_CODE_PATTERN, MAX_DAYS
from surveyapp.survey.submission import COMMENT_MAX_LENGTH, IDEMPOTENCY_PATTERN


def _status(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _status_only(*values: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["status"],
        "properties": {"status": _status(*values)},
    }


SCHEMAS: dict[str, Any] = {
    "Stored": {
        "type": "object",
        "required": ["status", "id"],
        "properties": {
            "status": _status("stored", "duplicate"),
            "id": {"type": "string", "description": "The response's public id."},
        },
    },
    "Invalid": {
        "type": "object",
        "required": ["status", "errors"],
        "properties": {
            "status": _status("invalid"),
            "errors": {
                "type": "object",
                "description": "Field (answers.<code> for a criterion) to messages.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "Error": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string"},
            "message": {"type": "string"},
        },
    },
    "BadRequest": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": _status("bad_request"),
            "message": {
                "type": "string",
                "description": "Why, when the client can act on it (text that is "
                "not valid Unicode, such as a lone UTF-16 surrogate).",
            },
        },
    },
    "RateLimited": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": _status("rate_limited"),
            "message": {
                "type": "string",
                "description": "For people: the answers were not stored; send them "
                "again after a minute.",
            },
        },
    },
    "Receipt": {
        "type": "object",
        "required": [
            "status",
            "dossier_code",
            "counter",
            "service_field",
            "token",
            "url",
            "expires_at",
            "qr_png_url",
            "qr_svg_url",
        ],
        "properties": {
            "status": _status("issued", "existing"),
            "dossier_code": {"type": "string"},
            "counter": {"type": "string"},
            "service_field": {
                "type": ["string", "null"],
                "description": "The receipt's service field code, or null.",
            },
            "token": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "expires_at": {"type": "string", "format": "date-time"},
            "qr_png_url": {"type": "string", "format": "uri"},
            "qr_svg_url": {"type": "string", "format": "uri"},
        },
    },
}


def _response_in(languages: Sequence[str]) -> dict[str, Any]:
    """The body of POST /responses, for LANGUAGES `languages`."""
    return {
        "type": "object",
        "required": ["kind", "token", "idempotency_key", "answers"],
        "properties": {
            "kind": _status("counter", "receipt"),
            "token": {
                "type": "string",
                "minLength": 1,
                "description": "The token of the survey URL: /s/<token> (a counter) "
                "or /r/<token> (a receipt).",
            },
            "idempotency_key": {
                "type": "string",
                "pattern": IDEMPOTENCY_PATTERN,
                "description": "Made by the client once per filled form; a resend "
                "with the same key returns the first result.",
            },
            "service_field": {
                "type": "string",
                "description": "Service field code, e.g. ho-tich. Required, unless "
                "the field is known: a receipt issued with one, or a counter tied "
                "to one field. A known field is recorded whatever is sent here.",
            },
            "answers": {
                "type": "object",
                "minProperties": 1,
                "description": 'Criterion code (e.g. A1) to a rating 1..5, "na" '
                "(no opinion / not applicable) or null (unanswered). At least one "
                "rating is required.",
                "additionalProperties": {
                    "oneOf": [
                        {"type": "integer", "minimum": 1, "maximum": 5},
                        {"const": "na"},
                        {"type": "null"},
                    ]
                },
            },
            "comment": {"type": ["string", "null"], "maxLength": COMMENT_MAX_LENGTH},
            "language": _status(*languages),
            "render_token": {
                "type": ["string", "null"],
                "description": "The render_token of the survey page the answers were "
                "given on. Without a valid one the response is stored but flagged "
                "for review.",
            },
            "website": {
                "type": ["string", "null"],
                "description": "The form's hidden honeypot field: leave it out, or "
                "send it empty.",
            },
        },
    }


def _receipt_in() -> dict[str, Any]:
    """The body of POST /receipts; the field codes are read when the document is."""
    return {
        "type": "object",
        "required": ["counter", "dossier_code"],
        "properties": {
            "counter": {
                "type": "string",
                "minLength": 1,
                "description": "The counter's code.",
            },
            "dossier_code": {
                "type": "string",
                "pattern": DOSSIER_CODE_PATTERN,
                "description": "The dossier code (mã hồ sơ): 1 to 64 printable "
                "ASCII characters, no spaces (spaces around it are removed). Unique "
                "within the issuing agency, the counter's service point.",
            },
            "days": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_DAYS,
                "description": "Days the link stays valid (default: RECEIPT_DAYS, 30).",
            },
            "service_field": {
                "type": "string",
                "enum": bundled_field_codes(),
                "description": "The dossier's service field code, when known: the "
                "citizen is then not asked for it. Issuing again with a field "
                "replaces the receipt's; without one, keeps it.",
            },
        },
    }


def _receipts_path() -> dict[str, Any]:
    """POST /receipts: one-stop software issues a receipt."""
    error = _ref("Error")
    return {
        "post": {
            "operationId": "issueReceipt",
            "summary": "Issue the receipt QR code of a dossier",
            "description": "Idempotent per dossier: issuing again returns the "
            "same receipt (200), or a new link (201) if it expired unused. The "
            "counter must be in the subtree of the API key's agency; dossier "
            "codes are unique per agency (the counter's service point).",
            "security": [{"apiKey": []}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("ReceiptIn")}},
            },
            "responses": {
                "201": _json(_ref("Receipt"), "A new receipt."),
                "200": _json(_ref("Receipt"), "The dossier's receipt."),
                "400": _json(_ref("BadRequest"), "The body is not a JSON object."),
                "401": _json(error, "No key, an unknown or revoked key."),
                "404": _json(error, "No such counter for this key."),
                "409": _json(
                    error,
                    "The dossier has a receipt from another counter of the same "
                    "agency, or the counter is stopped.",
                ),
                "422": _json(_ref("Invalid"), "A field is missing or bad."),
            },
        }
    }


def _responses_path() -> dict[str, Any]:
    """POST /responses: a survey response sent as JSON."""
    return {
        "post": {
            "operationId": "storeResponse",
            "summary": "Store a survey response",
            "description": "Validated like the web form. A resend with the "
            "same idempotency_key through the same link returns the first "
            "result, never a second response; keys are unique across links.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("ResponseIn")}},
            },
            "responses": {
                "201": _json(_ref("Stored"), "Stored."),
                "200": _json(_ref("Stored"), "Already stored (a resend)."),
                "400": _json(_ref("BadRequest"), "The body is not a JSON object."),
                "404": _json(_status_only("not_found"), "Tampered or unknown token."),
                "409": _json(
                    _status_only("already_rated"),
                    "This receipt has been used.",
                ),
                "410": _json(_status_only("expired"), "The receipt expired."),
                "422": _json(
                    _ref("Invalid"),
                    "Invalid answers, or an idempotency_key already used through "
                    "another survey link.",
                ),
                "429": _json(
                    _ref("RateLimited"),
                    "Too many responses from this address or for this counter.",
                ),
            },
        }
    }


def _openapi_path() -> dict[str, Any]:
    """GET /openapi.json: this document."""
    return {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {}}},
                }
            },
        }
    }


def openapi_document(languages: Sequence[str] = ("vi", "en")) -> dict[str, Any]:
    """The OpenAPI 3.1 document, as a JSON-ready dict, for LANGUAGES `languages`."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "surveyapp API",
            "version": "1",
            "description": "Receipt QR codes for one-stop software (one rating per "
            "dossier) and survey responses sent as JSON. Errors are JSON objects "
            "with a status.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/receipts": _receipts_path(),
            "/responses": _responses_path(),
            "/openapi.json": _openapi_path(),
        },
        "components": {
            "schemas": {
                "ResponseIn": _response_in(languages),
                **SCHEMAS,
                "ReceiptIn": _receipt_in(),
            },
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An agency's API key: Authorization: Bearer <key>. "
                    "Admins create and revoke keys; the key is shown once.",
                }
            },
        },
    }
