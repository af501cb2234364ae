"""The OpenAPI document describes the public API."""

from __future__ import annotations

import importlib.util

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.api.openapi import openapi_document
from surveyapp.core.receipts import DOSSIER_CODE_PATTERN
from surveyapp.extensions import db
from surveyapp.models import ServiceField
from tests.factories import SurveySite


def test_openapi_document_is_served_and_lists_the_paths(
    app: Flask, client: FlaskClient
) -> None:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    document = served.json
    assert document is not None
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    assert {"/receipts", "/responses"} <= set(document["paths"])
    receipts = document["paths"]["/receipts"]["post"]
    assert receipts["security"] == [{"apiKey": []}]
    assert {"200", "201", "401", "404", "409", "422"} <= set(receipts["responses"])
    responses = document["paths"]["/responses"]["post"]
    assert {"200", "201", "400", "404", "409", "410", "422"} <= set(
        responses["responses"]
    )
    # Each route of the blueprint is described, and nothing else.
    routes = {
        rule.rule.removeprefix("/api/v1")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(document["paths"])


def test_openapi_references_resolve() -> None:
    document = openapi_document()
    if importlib.util.find_spec("openapi_spec_validator") is not None:
        from openapi_spec_validator import validate

        validate(document)

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    schemas = document["components"]["schemas"]
    for ref in refs(document):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas
    for path in document["paths"].values():
        for operation in path.values():
            assert operation["operationId"] and operation["responses"]
            for response in operation["responses"].values():
                assert response["description"]


def test_openapi_declares_what_the_server_enforces() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    response_in = schemas["ResponseIn"]["properties"]
    assert response_in["token"]["minLength"] == 1
    assert response_in["answers"]["minProperties"] == 1
    receipt_in = schemas["ReceiptIn"]["properties"]
    assert receipt_in["counter"]["minLength"] == 1
    assert receipt_in["dossier_code"]["pattern"] == DOSSIER_CODE_PATTERN
    responses = document["paths"]["/responses"]["post"]["responses"]
    assert responses["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RateLimited"
    }


def test_a_rate_limited_response_matches_its_schema(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    app.config["SURVEY_RATE_LIMIT_IP"] = "1 per minute"
    body = {"kind": "counter", "token": "x.y", "idempotency_key": "k" * 16}
    client.post("/api/v1/responses", json=body)
    limited = client.post("/api/v1/responses", json=body)
    assert limited.status_code == 429
    schema = openapi_document()["components"]["schemas"]["RateLimited"]
    assert limited.json is not None
    assert set(schema["required"]) <= set(limited.json)
    assert limited.json["error"] == "rate_limited"


def test_the_receipt_field_codes_are_the_stored_fields(app: Flask) -> None:
    """Any field code the document allows is one the server accepts."""
    field = openapi_document()["components"]["schemas"]["ReceiptIn"]["properties"][
        "service_field"
    ]
    with app.app_context():
        stored = db.session.scalars(select(ServiceField.code))
        assert sorted(field["enum"]) == sorted(stored)
